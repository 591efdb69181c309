package segment

import (
	"math"
	"sort"

	"github.com/folio/folio"
)

// findRuledTables finds tables drawn with rulings: connected networks of
// horizontal and vertical segments give the table regions; the segments'
// positions give column and row boundaries; a border missing between two
// cells makes a spanning cell. Words placed in a table are marked used.
func (d *doc) findRuledTables(pg *page, figures []*item) []*item {
	tol := d.opt.RulingTolerance
	hs, vs := pageSegments(pg, tol)
	if len(hs) < 2 || len(vs) < 2 {
		return nil
	}
	// Too many segments is a drawing (a chart, a map), not tables;
	// bound the quadratic work below.
	if len(hs)*len(vs) > 4_000_000 {
		return nil
	}
	u := newUnionFind(len(hs) + len(vs))
	for i, h := range hs {
		for j, v := range vs {
			if crosses(h, v, tol) {
				u.union(i, len(hs)+j)
			}
		}
	}
	comps := map[int][]int{}
	for i := range hs {
		comps[u.find(i)] = append(comps[u.find(i)], i)
	}
	for j := range vs {
		comps[u.find(len(hs)+j)] = append(comps[u.find(len(hs)+j)], len(hs)+j)
	}
	roots := make([]int, 0, len(comps))
	for r := range comps {
		roots = append(roots, r)
	}
	sort.Ints(roots)
	var out []*item
	for _, r := range roots {
		var ch, cv []seg
		for _, k := range comps[r] {
			if k < len(hs) {
				ch = append(ch, hs[k])
			} else {
				cv = append(cv, vs[k-len(hs)])
			}
		}
		if len(ch) < 2 || len(cv) < 2 {
			continue
		}
		it := d.ruledTable(pg, ch, cv)
		if it == nil {
			continue
		}
		inFigure := false
		for _, f := range figures {
			if f.box.Intersect(it.box).Area() > 0.6*it.box.Area() {
				inFigure = true
			}
		}
		if inFigure {
			// The grid is part of a drawing: give its words back.
			for _, w := range pg.words {
				if it.box.Contains(w.cx(), w.cy()) {
					w.used = false
				}
			}
			for _, w := range pg.aside {
				if it.box.Contains(w.cx(), w.cy()) {
					w.used = false
				}
			}
			continue
		}
		out = append(out, it)
	}
	return out
}

// ruledTable builds the table framed by one network of segments, or nil
// when the network holds no table (a frame around prose, a chart).
func (d *doc) ruledTable(pg *page, hs, vs []seg) *item {
	tol := d.opt.RulingTolerance
	var b folio.Box
	for _, h := range hs {
		b = b.Union(folio.Box{h.a, h.pos, h.b, h.pos + 0.01})
	}
	for _, v := range vs {
		b = b.Union(folio.Box{v.pos, v.a, v.pos + 0.01, v.b})
	}
	if b.Width() < 20 || b.Height() < 8 {
		return nil
	}
	xs := make([]float64, 0, len(vs)+2)
	for _, v := range vs {
		// Only lines that run across at least a row's worth count as
		// column borders; ticks and serifs do not.
		if v.len() >= 4 {
			xs = append(xs, v.pos)
		}
	}
	ys := make([]float64, 0, len(hs)+2)
	for _, h := range hs {
		if h.len() >= 4 {
			ys = append(ys, h.pos)
		}
	}
	xs = withEdges(cluster(xs, tol), b[0], b[2], tol)
	ys = withEdges(cluster(ys, tol), b[1], b[3], tol)
	if len(xs) < 3 && len(ys) < 3 {
		return nil // one cell: a frame
	}
	g := newGrid(xs, ys)
	drawn, total := 0, 0
	for r := range g.rows() {
		for c := range g.cols() {
			if c+1 < g.cols() {
				cov := coverage(vs, xs[c+1], ys[r], ys[r+1], tol)
				g.right[r][c] = cov < 0.5
				total++
				if !g.right[r][c] {
					drawn++
				}
			}
			if r+1 < g.rows() {
				cov := coverage(hs, ys[r+1], xs[c], xs[c+1], tol)
				g.down[r][c] = cov < 0.5
				total++
				if !g.down[r][c] {
					drawn++
				}
			}
		}
	}
	var words []*word
	for _, w := range pg.words {
		if !w.used && b.Contains(w.cx(), w.cy()) {
			words = append(words, w)
		}
	}
	if len(words) == 0 || codeLike(words) {
		return nil
	}
	// Column heads set sideways belong to their cells too.
	for _, w := range pg.aside {
		if !w.used && b.Contains(w.cx(), w.cy()) {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return nil
	}
	g = splitRowsByText(g, words)
	keepTextColumns(g, words)
	// Place words on a scratch copy first: a frame around a paragraph or
	// a figure must leave its words alone.
	t := g.fillDry(words)
	if t == nil {
		return nil
	}
	if len(t.Rows) < 2 || len(t.Rows[0]) < 2 || looksLikeProse(t) {
		return nil
	}
	t = g.fill(words, true)
	it := &item{typ: folio.TableType, layer: folio.LayerBody, page: pg.num, box: b, table: t}
	it.text = tableText(t)
	reg := 1.0
	if total > 0 {
		reg = float64(drawn) / float64(total)
	}
	filled := float64(nonEmpty(t)) / math.Max(1, float64(len(t.Cells)))
	it.conf = 0.45 + 0.3*reg + 0.2*filled
	if t.HeaderRows == 0 {
		it.conf -= 0.05
	}
	return it
}

// splitRowsByText divides a ruled row that holds several text lines
// running across its columns into one row per line: tables often rule
// only their header and total rows and leave the body to white space. A
// line that fills one column alone (a wrapped label) stays in its row.
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
		if len(lines) < 2 {
			continue
		}
		colsOf := func(l *line) map[int]bool {
			m := map[int]bool{}
			for _, w := range l.words {
				if _, c, ok := g.locate(w.cx(), w.cy()); ok {
					m[c] = true
				}
			}
			return m
		}
		all := map[int]bool{}
		sets := make([]map[int]bool, len(lines))
		for i, l := range lines {
			sets[i] = colsOf(l)
			for c := range sets[i] {
				all[c] = true
			}
		}
		// Split only rows that read as stacked records: every line fills
		// every column, or most lines do across three or more. Lines that
		// leave columns to the first (a row group in one ruled box) stay.
		full := 0
		for _, st := range sets {
			if len(st) == len(all) {
				full++
			}
		}
		if len(all) < 2 || !(full == len(lines) || (len(lines) >= 3 && full*10 >= len(lines)*7)) {
			continue
		}
		for i := 1; i < len(lines); i++ {
			y := (lines[i-1].box[3] + lines[i].box[1]) / 2
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
			if w.Box[0] < g.xs[k]-1 && w.Box[2] > g.xs[k]+1 {
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

// fillDry places words without marking them and returns the table they
// would make.
func (g *grid) fillDry(words []*word) *folio.Table {
	saved := make([]bool, len(words))
	for i, w := range words {
		saved[i] = w.used
	}
	t := g.fill(words, true)
	for i, w := range words {
		w.used = saved[i]
	}
	return t
}

// looksLikeProse reports whether a grid's text reads as paragraphs: few
// cells holding long running text, as in a framed note or a layout box.
func looksLikeProse(t *folio.Table) bool {
	var long, filled int
	for _, c := range t.Cells {
		if c.Text == "" {
			continue
		}
		filled++
		if len(c.Text) > 250 {
			long++
		}
	}
	return filled <= 3 && long > 0
}
