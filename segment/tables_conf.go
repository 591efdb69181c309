package segment

import (
	"math"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/folio/folio"
)

// tableKind says how a table was found.
type tableKind int

const (
	latticeTable  tableKind = iota // a grid of drawn lines
	rulesTable                     // horizontal rules, columns from white space
	alignedTable                   // white space alone
	contentsTable                  // a table of contents
)

// tableEvidence is what a detector saw of a table, for its confidence.
type tableEvidence struct {
	kind tableKind
	// drawn is the share of a lattice's inner cell borders that are drawn.
	drawn float64
	// textCols is set when white space split columns of a lattice.
	textCols bool
	// trimmed is set when a title or a note was cut off the region.
	trimmed bool
	// ocr is set when the table was read from a picture: its words may
	// be misread.
	ocr bool
}

// scoreTables sets every table's confidence: the belief that its cells
// (rows, columns, spans and text) are right. It starts from how the
// table was found (a full grid of drawn lines is the strongest evidence,
// white space alone the weakest) and is lowered by what often goes with
// a wrong structure: a small grid, cells left empty, text in line with
// the rows just outside the table (a table cut short), heads over
// several rows, cells whose text still holds wide gaps (columns left
// unsplit), a table turned on its page or joined across a page break.
func (d *doc) scoreTables() {
	for _, pg := range d.pages {
		for _, it := range pg.items {
			if it.typ == folio.TableType && it.table != nil && it.tev != nil {
				it.conf = tableConfidence(pg, it)
			}
		}
	}
}

const (
	// ocrTablePenalty lowers the belief in a table read from a picture: its
	// structure holds, its text is OCR's.
	ocrTablePenalty = 0.15
	// ocrEmptyDoubt, times the share of empty cells, lowers it further: an
	// empty cell in a picture is as often a word OCR missed (small print,
	// units) as an empty cell.
	ocrEmptyDoubt = 0.3
	// unbuiltHeadDoubt lowers the belief in a table whose top row is one
	// label over many columns (see unbuiltHead).
	unbuiltHeadDoubt = 0.15
)

// unbuiltHead reports whether a table of four columns or more opens with
// a row holding a single label, spanning nothing, over rows that are
// mostly filled: the top of a head spanning several columns, which
// white space placed in one of them. Such heads are usually over
// several levels, and their lower rows were likely split wrong too.
func unbuiltHead(t *folio.Table) bool {
	if len(t.Rows) < 3 || len(t.Rows[0]) < 4 {
		return false
	}
	for _, c := range t.Cells {
		if c.Row == 0 && c.ColSpan > 1 {
			return false
		}
	}
	top := 0
	for _, s := range t.Rows[0] {
		if s != "" {
			top++
		}
	}
	rest := &folio.Table{Rows: t.Rows[1:]}
	return top == 1 && filledRatio(rest) >= 0.5
}

func tableConfidence(pg *page, it *item) float64 {
	t, ev := it.table, it.tev
	var c float64
	switch ev.kind {
	case latticeTable:
		c = 0.8 + 0.15*ev.drawn
		if ev.textCols {
			c -= 0.05
		}
	case rulesTable:
		c = 0.72
	case alignedTable:
		c = 0.65
	case contentsTable:
		c = 0.75
	}
	nr, nc := len(t.Rows), 0
	if nr > 0 {
		nc = len(t.Rows[0])
	}
	switch {
	case nr <= 2:
		c -= 0.35
	case nr == 3:
		c -= 0.15
	}
	if filledRatio(t) < 0.35 {
		c -= 0.1
	}
	if t.HeaderRows >= 3 {
		c -= 0.1
	}
	if ev.kind != contentsTable && gappedCells(t) {
		c -= 0.15
	}
	if truncated(pg, it) {
		c -= 0.35
	}
	if pg.turn.angle != 0 {
		c -= 0.1
	}
	if len(it.regions) > 1 {
		c -= 0.05
	}
	if ev.ocr {
		c -= ocrTablePenalty + ocrEmptyDoubt*(1-filledRatio(t))
	}
	if unbuiltHead(t) {
		c -= unbuiltHeadDoubt
	}
	if nc >= 2 && ev.kind == alignedTable && numericShare(t) < 0.2 {
		// Words in a grid with no figures may be a layout.
		c -= 0.1
	}
	return clamp(c, 0.05, 0.98)
}

// numericShare is the share of non-empty cells that hold numbers.
func numericShare(t *folio.Table) float64 {
	n, num := 0, 0
	for _, row := range t.Rows {
		for _, s := range row {
			if s == "" {
				continue
			}
			n++
			if numeric(s) {
				num++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(num) / float64(n)
}

// gappedCells reports whether several one-line cells of a column hold
// text broken by a wide gap: columns the structure left unsplit.
func gappedCells(t *folio.Table) bool {
	n := 0
	for _, c := range t.Cells {
		if c.Text == "" || strings.Contains(c.Text, "\n") {
			continue
		}
		// Two numbers side by side in one cell ("12.5 13.1").
		f := strings.Fields(c.Text)
		// A space between groups of three digits is a thousands mark.
		if len(f) == 2 && numeric(f[0]) && numeric(f[1]) && hasDigitRun(f[0]) && hasDigitRun(f[1]) && !thousandsRe.MatchString(c.Text) {
			n++
		}
	}
	return n >= 3
}

// truncated reports whether figures stand in line with the table's rows
// just beyond its left or right edge, on two rows or more, as a column
// that the table's rules or alignment left out would (prose in a column
// beside the table has no figures at its edge).
func truncated(pg *page, it *item) bool {
	b := it.box
	// A row's height stands for the font size.
	size := 10.0
	var hs []float64
	for _, c := range it.table.Cells {
		if c.Text != "" && c.RowSpan == 1 {
			hs = append(hs, c.Box.Height())
		}
	}
	if m := median(hs); m > 0 {
		size = math.Min(m, 14)
	}
	reach := 4 * size
	// The nearest word beyond each edge, per text row.
	type near struct {
		d float64
		w *word
	}
	left, right := map[int]near{}, map[int]near{}
	// A grid of drawn lines beside this one is a table of its own.
	var grids []folio.Box
	for _, o := range pg.items {
		if o != it && o.typ == folio.TableType && o.tev != nil && o.tev.kind == latticeTable {
			grids = append(grids, o.box)
		}
	}
next:
	for _, w := range pg.words {
		if b.Contains(w.cx(), w.cy()) || overlapY(w.Box, b) < 0.5*w.h() {
			continue
		}
		for _, g := range grids {
			if g.Contains(w.cx(), w.cy()) {
				continue next
			}
		}
		row := int(w.cy() / math.Max(w.size(), 1))
		if d := b[0] - w.Box[2]; d >= -1 && d < reach {
			if n, ok := left[row]; !ok || d < n.d {
				left[row] = near{d, w}
			}
		}
		if d := w.Box[0] - b[2]; d >= -1 && d < reach {
			if n, ok := right[row]; !ok || d < n.d {
				right[row] = near{d, w}
			}
		}
	}
	// A row of prose beside the table runs on past the figure.
	crowded := func(v near, dir float64) bool {
		n := 0
		for _, w := range pg.words {
			if overlapY(w.Box, v.w.Box) < 0.5*w.h() {
				continue
			}
			if d := (w.cx() - v.w.cx()) * dir; d > 0 && d < 8*reach {
				n += utf8.RuneCountInString(w.Text)
			}
		}
		return n > 30
	}
	count := func(m map[int]near, dir float64) int {
		n := 0
		for _, v := range m {
			if numeric(v.w.Text) && hasDigitRun(v.w.Text) && !crowded(v, dir) {
				n++
			}
		}
		return n
	}
	return count(left, -1) >= 2 || count(right, 1) >= 2
}

// thousandsRe matches a number with its thousands set apart by spaces.
var thousandsRe = regexp.MustCompile(`^[-–(]?\d{1,3}( \d{3})+([.,]\d+)?\)?%?$`)

// hasDigitRun reports whether s holds two or more digits in a row.
func hasDigitRun(s string) bool {
	run := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			run++
			if run >= 2 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}
