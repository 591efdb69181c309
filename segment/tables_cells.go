package segment

import (
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/folio/folio"
)

// maxHeadLines is the most lines a wrapped column head runs to.
const maxHeadLines = 3

// anyNumericCell reports whether any line has a cell that reads as a
// figure.
func anyNumericCell(sets []map[int]string) bool {
	for _, st := range sets {
		for _, t := range st {
			if numeric(t) {
				return true
			}
		}
	}
	return false
}

// Splitting a ruled row by its text.
const (
	minRowSplitLines   = 2   // lines a ruled row must hold before it can split between them
	minRecordCols      = 2   // columns stacked records must fill; one column is a wrapped cell
	minMostlyFullLines = 3   // lines from which most (not all) filling every column is enough for records
	minFullLineTenths  = 7   // tenths of the row's lines that must fill every column it uses
	blankLineGap       = 0.8 // font sizes of vertical gap between lines that make a blank line
)

// splitRowsByText divides a ruled row that holds several rows of text:
// tables often rule only their header and total rows and leave the body
// to white space. A row splits where a blank line parts its text in
// every column, and between stacked records: lines that each fill every
// column the row uses, the lower one not continuing the upper one's
// cells (lower case, a hyphen or a comma at the break). A line that
// fills one column alone (a wrapped label) stays in its row.
func splitRowsByText(g *grid, words []*word) *grid {
	nr := g.rows()
	byRow := make([][]*word, nr)
	for _, w := range words {
		if r, _, ok := g.locate(w.cx(), w.cy()); ok {
			byRow[r] = append(byRow[r], w)
		}
	}
	var ys []float64
	var from []int   // new row -> old row
	var split []bool // new row continues into the next one of the same old row
	for r := range nr {
		ys = append(ys, g.ys[r])
		from = append(from, r)
		split = append(split, false)
		lines := buildLines(byRow[r])
		if len(lines) < minRowSplitLines {
			continue
		}
		cellsOf := func(l *line) map[int]string {
			m := map[int]string{}
			for _, w := range l.logical() {
				if _, c, ok := g.locate(w.cx(), w.cy()); ok {
					if m[c] != "" {
						m[c] += " "
					}
					m[c] += w.Text
				}
			}
			return m
		}
		all := map[int]bool{}
		sets := make([]map[int]string, len(lines))
		for i, l := range lines {
			sets[i] = cellsOf(l)
			for c := range sets[i] {
				all[c] = true
			}
		}
		full := 0
		for _, st := range sets {
			if len(st) == len(all) {
				full++
			}
		}
		records := len(all) >= minRecordCols && (full == len(lines) || (len(lines) >= minMostlyFullLines && full*10 >= len(lines)*minFullLineTenths))
		// The first row's few lines without a figure in any cell are one
		// column head wrapped over them ("Launch:" over "May 21, 2009"),
		// not records.
		if r == 0 && len(lines) <= maxHeadLines && !anyNumericCell(sets) {
			records = false
		}
		for i := 1; i < len(lines); i++ {
			a, b := lines[i-1], lines[i]
			gap := b.box[1] - a.box[3]
			cut := gap > blankLineGap*math.Min(a.size, b.size)
			if !cut && records {
				cut = true
				for c, t := range sets[i] {
					if continues(sets[i-1][c], t) {
						cut = false
					}
				}
				// A label wrapped in the first column alone.
				if _, ok := sets[i][minKey(all)]; ok && len(sets[i]) == 1 && !numeric(b.text) {
					cut = false
				}
			}
			if !cut {
				continue
			}
			y := (a.box[3] + b.box[1]) / 2
			if y <= ys[len(ys)-1] || y >= g.ys[r+1] {
				continue
			}
			split[len(split)-1] = true
			ys = append(ys, y)
			from = append(from, r)
			split = append(split, false)
		}
	}
	if len(ys) == nr {
		return g
	}
	ys = append(ys, g.ys[nr])
	ng := newGrid(g.xs, ys)
	for k := range ng.rows() {
		r := from[k]
		copy(ng.right[k], g.right[r])
		if !split[k] {
			copy(ng.down[k], g.down[r])
		}
	}
	return ng
}

func minKey(m map[int]bool) int {
	k := math.MaxInt
	for c := range m {
		k = min(k, c)
	}
	return k
}

// Splitting a ruled column by its text.
const (
	minColSplitWords    = 6   // words a ruled column must hold before it is searched for columns
	colPieceGap         = 0.6 // font sizes of horizontal gap that break a line into pieces
	minSplitPieces      = 2   // pieces a line must break into to count as split
	maxShortPieceWords  = 3   // words per piece, on average, for a split line's pieces to be short
	minColSplitLines    = 3   // lines a ruled column must hold to split
	minSplitLineTenths  = 6   // tenths of the column's lines that must break ("most of its lines")
	minShortSplitTenths = 8   // tenths of the split lines whose pieces must be short
	newBorderOverhang   = 0.5 // points a word must reach past each side of a new border to run across it
	sameLineOverlap     = 0.5 // share of a word's height the word before must overlap to sit on its line
)

// splitColsByText divides a ruled column whose text stands in columns of
// its own: many tables rule only groups of columns ("Male", "Female"
// under one group head) and leave the columns inside to white space. A
// ruled column splits where most of its lines break into short pieces
// at the same gap; a head that runs across the new border spans it.
func splitColsByText(g *grid, words []*word) *grid {
	nc := g.cols()
	byCol := make([][]*word, nc)
	for _, w := range words {
		if _, c, ok := g.locate(w.cx(), w.cy()); ok {
			byCol[c] = append(byCol[c], w)
		}
	}
	xs := []float64{g.xs[0]}
	var from []int // new column -> old column
	added := false
	for c := range nc {
		var seps []float64
		if ws := byCol[c]; len(ws) >= minColSplitWords && manyPerRow(g, ws) {
			lines := buildLines(ws)
			size := medianSize(lines)
			split, short := 0, 0
			for _, l := range lines {
				ps := splitLine(l, colPieceGap)
				if len(ps) < minSplitPieces {
					continue
				}
				split++
				if len(l.words) <= maxShortPieceWords*len(ps) {
					short++
				}
			}
			if len(lines) >= minColSplitLines && split*10 >= len(lines)*minSplitLineTenths && short*10 >= split*minShortSplitTenths {
				for _, s := range separators(lines, size) {
					if s > g.xs[c]+size && s < g.xs[c+1]-size {
						seps = append(seps, s)
					}
				}
			}
		}
		from = append(from, c)
		for _, s := range seps {
			xs = append(xs, s)
			from = append(from, c)
			added = true
		}
		xs = append(xs, g.xs[c+1])
	}
	if !added {
		return g
	}
	ng := newGrid(xs, g.ys)
	for r := range ng.rows() {
		for k := range ng.cols() {
			c := from[k]
			ng.down[r][k] = g.down[r][c]
			if k+1 == ng.cols() {
				continue
			}
			if from[k+1] != c {
				ng.right[r][k] = g.right[r][c]
				continue
			}
			// A new border inside an old cell: open where a word or a
			// phrase of the row runs across it.
			x := xs[k+1]
			var row []*word
			for _, w := range byCol[c] {
				if rr, _, ok := g.locate(w.cx(), w.cy()); ok && rr == r {
					row = append(row, w)
				}
			}
			sort.Slice(row, func(i, j int) bool { return row[i].Box[0] < row[j].Box[0] })
			for i, w := range row {
				if w.Box[0] < x-newBorderOverhang && w.Box[2] > x+newBorderOverhang {
					ng.right[r][k] = true
				}
				if i > 0 && row[i-1].cx() < x && w.cx() > x && overlapY(row[i-1].Box, w.Box) > sameLineOverlap*w.h() && spaced(row[i-1], w) {
					ng.right[r][k] = true
				}
			}
		}
	}
	return ng
}

// What "many per row" means to manyPerRow.
const (
	minWordsPerRow   = 2 // words a row must hold to have many ("two or more")
	manyPerRowTenths = 6 // tenths of the rows that must have many ("most rows")
)

// manyPerRow reports whether most rows of the grid that hold words of ws
// hold two or more: a quick test before looking for columns among them.
func manyPerRow(g *grid, ws []*word) bool {
	per := map[int]int{}
	for _, w := range ws {
		if r, _, ok := g.locate(w.cx(), w.cy()); ok {
			per[r]++
		}
	}
	many := 0
	for _, n := range per {
		if n >= minWordsPerRow {
			many++
		}
	}
	return many*10 >= len(per)*manyPerRowTenths
}

// continues reports whether cell text next reads as the continuation of
// prev on the line above: it opens in lower case, or prev breaks off
// after a hyphen, a comma or a joining word.
func continues(prev, next string) bool {
	r, _ := utf8.DecodeRuneInString(next)
	if unicode.IsLower(r) {
		return true
	}
	p := strings.TrimSpace(prev)
	if strings.HasSuffix(p, "-") || strings.HasSuffix(p, ",") || strings.HasSuffix(p, "/") {
		return true
	}
	f := strings.Fields(p)
	if len(f) > 0 {
		switch strings.ToLower(f[len(f)-1]) {
		case "and", "or", "of", "the", "to", "in", "for", "with", "a", "an", "by", "on", "&":
			return true
		}
	}
	return false
}

const borderCrossOverhang = 1 // points a word must reach past each side of a border to cross it

// keepTextColumns undoes merges across a missing vertical border where
// the text says the cells are separate: both hold words and none crosses
// the border. Many tables rule their header cells and only underline the
// body rows, leaving the columns to alignment. (Rows are not undone: a
// cell's text wraps over lines.)
func keepTextColumns(g *grid, words []*word) {
	nr, nc := g.rows(), g.cols()
	has := make([][]bool, nr)
	for r := range has {
		has[r] = make([]bool, nc)
	}
	type cross struct{ r, c int }
	crossV := map[cross]bool{} // a word in row r crosses the border right of column c
	for _, w := range words {
		r, c, ok := g.locate(w.cx(), w.cy())
		if !ok {
			continue
		}
		has[r][c] = true
		for k := 1; k < len(g.xs)-1; k++ {
			if w.Box[0] < g.xs[k]-borderCrossOverhang && w.Box[2] > g.xs[k]+borderCrossOverhang {
				crossV[cross{r, k - 1}] = true
			}
		}
	}
	for r := range nr {
		for c := range nc {
			if c+1 < nc && g.right[r][c] && has[r][c] && has[r][c+1] && !crossV[cross{r, c}] {
				g.right[r][c] = false
			}
		}
	}
}

// withEdges adds the region's edges to sorted boundaries when no
// boundary lies near them.
func withEdges(v []float64, lo, hi, tol float64) []float64 {
	if len(v) == 0 || v[0] > lo+tol {
		v = append([]float64{lo}, v...)
	}
	if v[len(v)-1] < hi-tol {
		v = append(v, hi)
	}
	return v
}

// fillTrial fills the grid with words and returns the table, with a
// function that gives the words back when the table is found wanting.
func (g *grid) fillTrial(words []*word, ruled bool) (*folio.Table, func()) {
	saved := make([]bool, len(words))
	for i, w := range words {
		saved[i] = w.used
	}
	t := g.fill(words, ruled)
	return t, func() {
		for i, w := range words {
			w.used = saved[i]
		}
	}
}
