package segment

import (
	"math"
	"sort"
	"strings"

	"github.com/folio/folio"
)

// grid is a table's structure before text goes in: column and row
// boundaries, and which unit cells join their neighbour because no
// border separates them.
type grid struct {
	xs, ys []float64
	// right[r][c] joins unit cell (r, c) with (r, c+1); down[r][c] joins
	// (r, c) with (r+1, c).
	right, down [][]bool
}

func newGrid(xs, ys []float64) *grid {
	g := &grid{xs: xs, ys: ys}
	nr, nc := len(ys)-1, len(xs)-1
	g.right = make([][]bool, nr)
	g.down = make([][]bool, nr)
	for r := range nr {
		g.right[r] = make([]bool, nc)
		g.down[r] = make([]bool, nc)
	}
	return g
}

func (g *grid) rows() int { return len(g.ys) - 1 }
func (g *grid) cols() int { return len(g.xs) - 1 }

// cell is a table cell being filled.
type cell struct {
	r, c, rs, cs int
	words        []*word
}

// cells merges unit cells into rectangles along open borders, in row
// order: a cell grows right while its border is open, then down while
// the whole bottom edge is open.
func (g *grid) cells() ([]*cell, [][]*cell) {
	nr, nc := g.rows(), g.cols()
	owner := make([][]*cell, nr)
	for r := range owner {
		owner[r] = make([]*cell, nc)
	}
	var out []*cell
	for r := range nr {
		for c := range nc {
			if owner[r][c] != nil {
				continue
			}
			cl := &cell{r: r, c: c, rs: 1, cs: 1}
			for c+cl.cs < nc && g.right[r][c+cl.cs-1] && owner[r][c+cl.cs] == nil {
				cl.cs++
			}
		grow:
			for r+cl.rs < nr {
				for k := c; k < c+cl.cs; k++ {
					if !g.down[r+cl.rs-1][k] || owner[r+cl.rs][k] != nil {
						break grow
					}
				}
				cl.rs++
			}
			for i := r; i < r+cl.rs; i++ {
				for k := c; k < c+cl.cs; k++ {
					owner[i][k] = cl
				}
			}
			out = append(out, cl)
		}
	}
	return out, owner
}

// locate returns the unit cell holding point (x, y), or false.
func (g *grid) locate(x, y float64) (int, int, bool) {
	r, c := -1, -1
	for i := 0; i+1 < len(g.ys); i++ {
		if y >= g.ys[i] && y < g.ys[i+1] {
			r = i
			break
		}
	}
	for i := 0; i+1 < len(g.xs); i++ {
		if x >= g.xs[i] && x < g.xs[i+1] {
			c = i
			break
		}
	}
	return r, c, r >= 0 && c >= 0
}

// fill puts words into the grid's cells and returns the table, with
// empty rows and columns dropped. Words outside the grid are left alone;
// the ones placed are marked used.
func (g *grid) fill(words []*word, ruled bool) *folio.Table {
	cells, owner := g.cells()
	for _, w := range words {
		if w.used {
			continue
		}
		r, c, ok := g.locate(w.cx(), w.cy())
		if !ok {
			continue
		}
		w.used = true
		if glyphRun(w.Text) {
			continue // rules and leaders typed out are no cell text
		}
		cl := owner[r][c]
		cl.words = append(cl.words, w)
	}
	// Drop unit rows and columns where no cell with text starts: border
	// artefacts (double rules) and empty padding.
	nr, nc := g.rows(), g.cols()
	keepR := make([]bool, nr)
	keepC := make([]bool, nc)
	for _, cl := range cells {
		if len(cl.words) > 0 {
			keepR[cl.r] = true
			keepC[cl.c] = true
		}
	}
	rmap := renumber(keepR)
	cmap := renumber(keepC)
	nr2, nc2 := count(keepR), count(keepC)
	t := &folio.Table{Ruled: ruled, Rows: make([][]string, nr2)}
	for r := range t.Rows {
		t.Rows[r] = make([]string, nc2)
	}
	boldChars := make([]int, nr2)
	allChars := make([]int, nr2)
	for _, cl := range cells {
		if !keepR[cl.r] || !keepC[cl.c] {
			continue
		}
		for _, w := range cl.words {
			allChars[rmap[cl.r]] += len(w.Text)
			if w.Bold {
				boldChars[rmap[cl.r]] += len(w.Text)
			}
		}
		rs, cs := 0, 0
		for i := cl.r; i < cl.r+cl.rs; i++ {
			if keepR[i] {
				rs++
			}
		}
		for k := cl.c; k < cl.c+cl.cs; k++ {
			if keepC[k] {
				cs++
			}
		}
		text := cellText(cl.words)
		r, c := rmap[cl.r], cmap[cl.c]
		t.Rows[r][c] = text
		t.Cells = append(t.Cells, folio.Cell{
			Row: r, Col: c, RowSpan: rs, ColSpan: cs, Text: text,
			Box: folio.Box{g.xs[cl.c], g.ys[cl.r], g.xs[cl.c+cl.cs], g.ys[cl.r+cl.rs]}.Rounded(),
		})
	}
	rowBold := make([]float64, nr2)
	for r := range rowBold {
		if allChars[r] > 0 {
			rowBold[r] = float64(boldChars[r]) / float64(allChars[r])
		}
	}
	t.HeaderRows = max(headerRows(rowBold), dataHeads(t.Rows))
	for i := range t.Cells {
		t.Cells[i].Header = t.Cells[i].Row < t.HeaderRows
	}
	return t
}

// cellText joins a cell's words line by line, in the frame of the text
// when it is set sideways.
func cellText(ws []*word) string {
	if len(ws) == 0 {
		return ""
	}
	if q := quarter(ws[0].Angle); q > 0 {
		f := frame{angle: q}
		turned := make([]*word, len(ws))
		for i, w := range ws {
			turned[i] = w.turned(f.box(w.Box))
		}
		ws = turned
	}
	var lines []*line
	for _, part := range cellColumns(ws, 0) {
		lines = append(lines, buildLines(part)...)
	}
	return joinLines(lines)
}

// A cell is split into columns side by side only when it holds enough
// words and each side of the gutter reads as lines of its own.
const (
	minCellColumnWords = 4 // two columns of two lines each need at least this many words
	maxCellColumnDepth = 3 // bounds the recursion: splits stop below this many levels
	minCellColumnLines = 2 // lines each side of a gutter needs ("over two lines or more")
)

// cellColumns splits a cell's words into the columns they are set in,
// left to right: a cell may hold two lists side by side, whose lines must
// not be read across. A column gutter is a strip at least a font size
// wide that no word enters, with text on both sides over two lines or
// more.
func cellColumns(ws []*word, depth int) [][]*word {
	if len(ws) < minCellColumnWords || depth > maxCellColumnDepth {
		return [][]*word{ws}
	}
	s := append([]*word(nil), ws...)
	sort.Slice(s, func(i, j int) bool { return s[i].Box[0] < s[j].Box[0] })
	size := 0.0
	for _, w := range s {
		size = math.Max(size, w.size())
	}
	best, at := 0.0, -1
	right := s[0].Box[2]
	for i := 1; i < len(s); i++ {
		if g := s[i].Box[0] - right; g >= size && g > best {
			best, at = g, i
		}
		right = math.Max(right, s[i].Box[2])
	}
	if at < 0 {
		return [][]*word{ws}
	}
	left, rest := s[:at], s[at:]
	if len(buildLines(left)) < minCellColumnLines || len(buildLines(rest)) < minCellColumnLines {
		return [][]*word{ws}
	}
	return append(cellColumns(left, depth+1), cellColumns(rest, depth+1)...)
}

func renumber(keep []bool) []int {
	m := make([]int, len(keep))
	n := 0
	for i, k := range keep {
		m[i] = n
		if k {
			n++
		}
	}
	return m
}

func count(v []bool) int {
	n := 0
	for _, b := range v {
		if b {
			n++
		}
	}
	return n
}

// tableText is the table's text: cells joined by tabs, rows by newlines.
func tableText(t *folio.Table) string {
	var b strings.Builder
	for i, row := range t.Rows {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strings.Join(row, "\t"))
	}
	return b.String()
}

// dataHeads counts the leading rows that head a table of numbers; see
// headsOver.
func dataHeads(rows [][]string) int {
	data := make([]bool, len(rows))
	for i, r := range rows {
		for c, t := range r {
			if c > 0 && figure(t) {
				data[i] = true
			}
		}
	}
	return headsOver(data)
}

// figure reports whether cell text is a figure of a table's body: a
// number that is not a year, since years head columns.
func figure(s string) bool {
	return numeric(s) && !yearRe.MatchString(strings.TrimSpace(s))
}

// Heads over a table of numbers run over a few rows, never most of the
// table, and the body under them is mostly figures.
const (
	maxDataHeadRows    = 8  // more leading rows without figures are no head over a body of numbers
	headShareScale     = 10 // the shares below are counted in tenths, in integers
	maxDataHeadTenths  = 4  // heads take at most 4/10 of the table's rows
	minFigureRowTenths = 6  // at least 6/10 of the rows under the head hold figures
)

// headsOver returns how many leading rows head a table, given which rows
// hold figures right of the first column: the rows before the first that
// does, over a body where most rows do. It is 0 when the body holds no
// figures, and heads run over a few rows, never most of the table.
func headsOver(data []bool) int {
	n := 0
	for n < len(data) && !data[n] {
		n++
	}
	if n == 0 || n >= len(data) || n > maxDataHeadRows || n*headShareScale > len(data)*maxDataHeadTenths {
		return 0
	}
	body := 0
	for _, d := range data[n:] {
		if d {
			body++
		}
	}
	if body*headShareScale < (len(data)-n)*minFigureRowTenths {
		return 0
	}
	return n
}

// A head set in bold is a few leading rows mostly in bold type.
const (
	minBoldHeadShare = 0.6 // share of a row's characters set bold for it to head the table
	maxBoldHeadRows  = 3   // more bold leading rows than this are not taken as a head
)

// headerRows guesses how many rows head the table: leading rows whose
// text is bold above rows whose text is not.
func headerRows(rowBold []float64) int {
	n := 0
	for n < len(rowBold) && rowBold[n] >= minBoldHeadShare {
		n++
	}
	if n == 0 || n >= len(rowBold) || n > maxBoldHeadRows {
		return 0
	}
	return n
}
