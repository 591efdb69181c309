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

// An unbuilt head is a lone label over a wide table whose body is
// mostly filled.
const (
	minUnbuiltHeadRows = 3   // the label row and at least two rows under it
	minUnbuiltHeadCols = 4   // "a table of four columns or more"
	minUnbuiltBodyFill = 0.5 // share of cells filled under the label: "mostly filled"
)

// unbuiltHead reports whether a table of four columns or more opens with
// a row holding a single label, spanning nothing, over rows that are
// mostly filled: the top of a head spanning several columns, which
// white space placed in one of them. Such heads are usually over
// several levels, and their lower rows were likely split wrong too.
func unbuiltHead(t *folio.Table) bool {
	if len(t.Rows) < minUnbuiltHeadRows || len(t.Rows[0]) < minUnbuiltHeadCols {
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
	return top == 1 && filledRatio(rest) >= minUnbuiltBodyFill
}

// A table's confidence starts from how it was found and is lowered by
// what often goes with a wrong structure (see scoreTables).
const (
	latticeBase          = 0.8  // a grid of drawn lines is the strongest evidence
	latticeDrawnBonus    = 0.15 // added times the share of inner borders drawn: a full grid is surest
	latticeTextColsDoubt = 0.05 // white space, not lines, split some of the lattice's columns
	rulesBase            = 0.72 // rules bound the rows; columns come from white space
	alignedBase          = 0.65 // white space alone is the weakest evidence
	contentsBase         = 0.75 // page numbers after leaders or wide gaps
	tinyTableRows        = 2    // this many rows or fewer: little structure to trust
	tinyTableDoubt       = 0.35 // taken off a table of tinyTableRows rows or fewer
	smallTableRows       = 3    // a table of just this many rows is still small
	smallTableDoubt      = 0.15 // taken off a table of smallTableRows rows
	sparseTableFill      = 0.35 // share of filled cells below which the grid is doubtful
	sparseTableDoubt     = 0.1  // taken off a table filled less than sparseTableFill
	deepHeadRows         = 3    // heads over this many rows or more often go with a wrong structure
	deepHeadDoubt        = 0.1  // taken off a table with a head of deepHeadRows rows or more
	gappedCellsDoubt     = 0.15 // cells hold wide gaps: columns left unsplit
	truncatedDoubt       = 0.35 // figures in line just outside the table: a table cut short
	turnedTableDoubt     = 0.1  // the table is turned on its page
	joinedTableDoubt     = 0.05 // the table was joined across a page break
	minLayoutCols        = 2    // columns from which an aligned grid without figures may be a layout
	fewFiguresShare      = 0.2  // share of numeric cells below which an aligned grid may be a layout
	fewFiguresDoubt      = 0.1  // taken off an aligned grid with fewer figures than fewFiguresShare
	minTableConf         = 0.05 // floor: a found table is never wholly disbelieved
	maxTableConf         = 0.98 // ceiling: no heuristic table is certain
)

func tableConfidence(pg *page, it *item) float64 {
	t, ev := it.table, it.tev
	var c float64
	switch ev.kind {
	case latticeTable:
		c = latticeBase + latticeDrawnBonus*ev.drawn
		if ev.textCols {
			c -= latticeTextColsDoubt
		}
	case rulesTable:
		c = rulesBase
	case alignedTable:
		c = alignedBase
	case contentsTable:
		c = contentsBase
	}
	nr, nc := len(t.Rows), 0
	if nr > 0 {
		nc = len(t.Rows[0])
	}
	switch {
	case nr <= tinyTableRows:
		c -= tinyTableDoubt
	case nr == smallTableRows:
		c -= smallTableDoubt
	}
	if filledRatio(t) < sparseTableFill {
		c -= sparseTableDoubt
	}
	if t.HeaderRows >= deepHeadRows {
		c -= deepHeadDoubt
	}
	if ev.kind != contentsTable && gappedCells(t) {
		c -= gappedCellsDoubt
	}
	if truncated(pg, it) {
		c -= truncatedDoubt
	}
	if pg.turn.angle != 0 {
		c -= turnedTableDoubt
	}
	if len(it.regions) > 1 {
		c -= joinedTableDoubt
	}
	if ev.ocr {
		c -= ocrTablePenalty + ocrEmptyDoubt*(1-filledRatio(t))
	}
	if unbuiltHead(t) {
		c -= unbuiltHeadDoubt
	}
	if nc >= minLayoutCols && ev.kind == alignedTable && numericShare(t) < fewFiguresShare {
		// Words in a grid with no figures may be a layout.
		c -= fewFiguresDoubt
	}
	return clamp(c, minTableConf, maxTableConf)
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

// Unsplit columns show as several one-line cells holding two numbers.
const (
	gappedCellFields = 2 // a cell holding two numbers side by side ("12.5 13.1")
	minGappedCells   = 3 // "several" such cells; one or two are not enough
)

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
		if len(f) == gappedCellFields && numeric(f[0]) && numeric(f[1]) && hasDigitRun(f[0]) && hasDigitRun(f[1]) && !thousandsRe.MatchString(c.Text) {
			n++
		}
	}
	return n >= minGappedCells
}

// A table cut short leaves figures in line with its rows within a few
// font sizes of its edge, standing alone rather than in a line of prose.
const (
	defaultRowHeight  = 10.0 // font size assumed when no one-row cell has text
	maxRowHeight      = 14   // cap on the font size read from row heights, which include padding
	truncReach        = 4    // font sizes beyond the table's edge a left-out column may stand
	edgeOverlapTol    = 1    // points a word beyond an edge may overlap the table
	inLineOverlap     = 0.5  // share of a word's height that must overlap to be in line
	minRowPitch       = 1    // floor on the size rows are bucketed by: no division by zero
	proseReach        = 8    // reaches past the figure searched for the rest of its row
	maxFigureRowChars = 30   // characters past the figure beyond which the row is prose
	minTruncatedRows  = 2    // "on two rows or more": one figure beside the table is not enough
)

// truncated reports whether figures stand in line with the table's rows
// just beyond its left or right edge, on two rows or more, as a column
// that the table's rules or alignment left out would (prose in a column
// beside the table has no figures at its edge).
func truncated(pg *page, it *item) bool {
	b := it.box
	// A row's height stands for the font size.
	size := defaultRowHeight
	var hs []float64
	for _, c := range it.table.Cells {
		if c.Text != "" && c.RowSpan == 1 {
			hs = append(hs, c.Box.Height())
		}
	}
	if m := median(hs); m > 0 {
		size = math.Min(m, maxRowHeight)
	}
	reach := truncReach * size
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
		if b.Contains(w.cx(), w.cy()) || overlapY(w.Box, b) < inLineOverlap*w.h() {
			continue
		}
		for _, g := range grids {
			if g.Contains(w.cx(), w.cy()) {
				continue next
			}
		}
		row := int(w.cy() / math.Max(w.size(), minRowPitch))
		if d := b[0] - w.Box[2]; d >= -edgeOverlapTol && d < reach {
			if n, ok := left[row]; !ok || d < n.d {
				left[row] = near{d, w}
			}
		}
		if d := w.Box[0] - b[2]; d >= -edgeOverlapTol && d < reach {
			if n, ok := right[row]; !ok || d < n.d {
				right[row] = near{d, w}
			}
		}
	}
	// A row of prose beside the table runs on past the figure.
	crowded := func(v near, dir float64) bool {
		n := 0
		for _, w := range pg.words {
			if overlapY(w.Box, v.w.Box) < inLineOverlap*w.h() {
				continue
			}
			if d := (w.cx() - v.w.cx()) * dir; d > 0 && d < proseReach*reach {
				n += utf8.RuneCountInString(w.Text)
			}
		}
		return n > maxFigureRowChars
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
	return count(left, -1) >= minTruncatedRows || count(right, 1) >= minTruncatedRows
}

// thousandsRe matches a number with its thousands set apart by spaces.
var thousandsRe = regexp.MustCompile(`^[-–(]?\d{1,3}( \d{3})+([.,]\d+)?\)?%?$`)

// minDigitRun is how many digits in a row a cell's text needs to read as
// a figure ("two or more digits in a row").
const minDigitRun = 2

// hasDigitRun reports whether s holds two or more digits in a row.
func hasDigitRun(s string) bool {
	run := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			run++
			if run >= minDigitRun {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}
