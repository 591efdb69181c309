package segment

import (
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/folio/folio"
)

// findRuledTables finds tables drawn with rulings: connected networks of
// horizontal and vertical segments give the table regions; the segments'
// positions give column and row boundaries; a border missing between two
// cells makes a spanning cell. Words placed in a table are marked used.
// comp is one connected network of horizontal and vertical segments.
type comp struct {
	hs, vs []seg
	box    folio.Box
	inner  bool
}

// Zebra-striped tables shade every other band of rows and draw nothing
// around the plain rows between: shaded bands are one table when they share
// their left and right edges and most column borders, and the plain rows
// between them are no taller than a few lines.
const (
	maxStripeGap   = 4.0 // body sizes between two bands of one table
	minSharedCols  = 0.6 // share of the narrower band's column borders the other has too
	minBorderSpan  = 4.0 // points a vertical must run to count as a column border
	stripeEdgeTols = 2.0 // rule tolerances the bands' outer edges may differ by
)

// shaded reports whether most of a network's segments are edges of
// filled boxes: a band of shading, not drawn lines.
func shaded(c *comp) bool {
	n := 0
	for _, s := range append(append([]seg(nil), c.hs...), c.vs...) {
		if s.fill {
			n++
		}
	}
	return 2*n > len(c.hs)+len(c.vs)
}

// joinStripes joins stacked networks that are bands of one striped table,
// drawing their shared column borders across the plain rows between.
func joinStripes(cs []*comp, tol, body float64) []*comp {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].box[1] < cs[j].box[1] })
	borders := func(c *comp) []float64 {
		var xs []float64
		for _, v := range c.vs {
			if v.len() >= minBorderSpan {
				xs = append(xs, v.pos)
			}
		}
		return cluster(xs, tol)
	}
	var out []*comp
	for _, c := range cs {
		if k := len(out) - 1; k >= 0 {
			p := out[k]
			gap := c.box[1] - p.box[3]
			edge := stripeEdgeTols * tol
			if shaded(p) && shaded(c) && gap > 0 && gap <= maxStripeGap*body && math.Abs(c.box[0]-p.box[0]) <= edge && math.Abs(c.box[2]-p.box[2]) <= edge {
				pb, cb := borders(p), borders(c)
				var shared []float64
				for _, x := range cb {
					for _, y := range pb {
						if math.Abs(x-y) <= tol {
							shared = append(shared, x)
							break
						}
					}
				}
				if len(shared) >= 2 && float64(len(shared)) >= minSharedCols*float64(min(len(pb), len(cb))) {
					for _, x := range shared {
						p.vs = append(p.vs, seg{a: p.box[3], b: c.box[1], pos: x, fill: true})
					}
					p.hs = append(p.hs, c.hs...)
					p.vs = append(p.vs, c.vs...)
					p.box = p.box.Union(c.box)
					continue
				}
			}
		}
		out = append(out, c)
	}
	return out
}

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
	hs = bridgeRules(pg, hs, vs, tol)
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
	cs := make([]*comp, 0, len(roots))
	for _, r := range roots {
		c := &comp{}
		for _, k := range comps[r] {
			if k < len(hs) {
				c.hs = append(c.hs, hs[k])
				c.box = c.box.Union(folio.Box{hs[k].a, hs[k].pos, hs[k].b, hs[k].pos})
			} else {
				c.vs = append(c.vs, vs[k-len(hs)])
				c.box = c.box.Union(folio.Box{vs[k-len(hs)].pos, vs[k-len(hs)].a, vs[k-len(hs)].pos, vs[k-len(hs)].b})
			}
		}
		if len(c.hs) >= 2 && len(c.vs) >= 2 {
			cs = append(cs, c)
		}
	}
	cs = joinStripes(cs, tol, d.bodySize)
	// A grid drawn inside one cell of another is a table nested in it
	// (or in a ruled layout): it takes its words first.
	for _, a := range cs {
		for _, b := range cs {
			if a != b && insideCell(b.box, a.box, a.hs, a.vs, tol) {
				b.inner = true
			}
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].inner && !cs[j].inner })
	var out []*item
	for _, c := range cs {
		ch, cv := c.hs, c.vs
		ch, cv = dropFills(ch, cv)
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
			release(pg, it.box) // the grid is part of a drawing
			continue
		}
		out = append(out, it)
	}
	return out
}

// bridgeRules restores row rules lost over one column: rules that stop
// at a column's border, on several rows, while the column's other border
// runs on and its text fills most of those rows. Some producers draw such
// rules in a way the engine does not report. A cell spanning those rows
// would hold one block of text instead.
func bridgeRules(pg *page, hs, vs []seg, tol float64) []seg {
	if len(hs) > 2000 || len(vs) > 2000 {
		return hs
	}
	// nextVert returns the nearest vertical border beyond x (dir +1 to
	// the right, -1 to the left) that crosses height y.
	nextVert := func(x, y, dir float64) (float64, bool) {
		best, ok := 0.0, false
		for _, v := range vs {
			d := (v.pos - x) * dir
			if d <= tol || y < v.a-tol || y > v.b+tol {
				continue
			}
			if !ok || d < (best-x)*dir {
				best, ok = v.pos, true
			}
		}
		return best, ok
	}
	vertAt := func(x, y float64) bool {
		for _, v := range vs {
			if math.Abs(v.pos-x) <= tol && y >= v.a-tol && y <= v.b+tol {
				return true
			}
		}
		return false
	}
	covered := func(x0, x1, y float64) bool {
		for _, h := range hs {
			if math.Abs(h.pos-y) <= tol && h.a < x1-tol && h.b > x0+tol {
				return true
			}
		}
		return false
	}
	type gap struct{ a, b float64 }
	rows := map[gap][]float64{}
	var order []gap
	add := func(x0, x1, y float64) {
		// Gaps on different rows match when their ends do.
		k := gap{math.Round(x0 / (2 * tol)), math.Round(x1 / (2 * tol))}
		if _, ok := rows[k]; !ok {
			order = append(order, k)
		}
		rows[k] = append(rows[k], y)
	}
	for _, h := range hs {
		for _, end := range [2]struct{ x, dir float64 }{{h.b, 1}, {h.a, -1}} {
			if !vertAt(end.x, h.pos) {
				continue
			}
			x2, ok := nextVert(end.x, h.pos, end.dir)
			if !ok {
				continue
			}
			x0, x1 := math.Min(end.x, x2), math.Max(end.x, x2)
			// Narrow gaps part tables set side by side.
			if x1-x0 < 24 || x1-x0 > 300 || covered(x0, x1, h.pos) {
				continue
			}
			add(x0, x1, h.pos)
		}
	}
	out := hs
	for _, k := range order {
		ys := rows[k]
		sort.Float64s(ys)
		ys = cluster(ys, tol)
		if len(ys) < 3 {
			continue
		}
		x0, x1 := k.a*2*tol, k.b*2*tol
		bands, filled := len(ys)-1, 0
		for i := 0; i+1 < len(ys); i++ {
			for _, w := range pg.words {
				if w.Box[0] > x0 && w.Box[2] < x1+3*tol && w.cy() > ys[i] && w.cy() < ys[i+1] {
					filled++
					break
				}
			}
		}
		if filled < 2 || filled*10 < bands*6 {
			continue
		}
		// A column with rules of its own between those rows spans its
		// cells over several rows on purpose.
		own := false
		for _, h := range hs {
			if h.pos > ys[0]+tol && h.pos < ys[len(ys)-1]-tol && h.a <= x0+tol && h.b >= x1-tol {
				own = true
				break
			}
		}
		if own {
			continue
		}
		for _, y := range ys {
			out = append(out, seg{a: x0 - tol, b: x1 + tol, pos: y})
		}
	}
	if len(out) == len(hs) {
		return hs
	}
	return mergeSegs(out, tol)
}

// insideCell reports whether box b lies within box a and no segment of
// a's grid runs through it: b sits in a single cell of a.
func insideCell(b, a folio.Box, hs, vs []seg, tol float64) bool {
	if b[0] < a[0]-tol || b[1] < a[1]-tol || b[2] > a[2]+tol || b[3] > a[3]+tol || b.Area() >= a.Area() {
		return false
	}
	for _, h := range hs {
		if h.pos > b[1]+tol && h.pos < b[3]-tol && h.b > b[0]+tol && h.a < b[2]-tol {
			return false
		}
	}
	for _, v := range vs {
		if v.pos > b[0]+tol && v.pos < b[2]-tol && v.b > b[1]+tol && v.a < b[3]-tol {
			return false
		}
	}
	return true
}

// dropFills leaves out the edges of filled boxes when drawn lines alone
// make a grid: cell shading then sits inside the cells, inset from their
// borders or striping one column, and marks no border of its own. A
// table drawn with fills alone keeps them.
func dropFills(hs, vs []seg) ([]seg, []seg) {
	strokes := func(ss []seg) []seg {
		var out []seg
		for _, s := range ss {
			if !s.fill {
				out = append(out, s)
			}
		}
		return out
	}
	sh, sv := strokes(hs), strokes(vs)
	// A frame alone (two lines each way) makes no grid.
	if len(sh) < 2 || len(sv) < 2 || len(sh)+len(sv) < 5 {
		return hs, vs
	}
	return sh, sv
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
	nc := g.cols()
	g = splitColsByText(g, words)
	textCols := g.cols() > nc
	keepTextColumns(g, words)
	// A frame around a paragraph or a figure must leave its words alone.
	t, undo := g.fillTrial(words, true)
	if t == nil {
		return nil
	}
	if len(t.Rows) < 2 || looksLikeProse(t) || listLike(t) || (len(t.Rows[0]) < 2 && !boxStack(t)) || (len(t.Rows[0]) >= 2 && !rowsPaired(t)) {
		undo()
		return nil
	}
	it := &item{typ: folio.TableType, layer: folio.LayerBody, page: pg.num, box: b, table: t}
	it.text = tableText(t)
	reg := 1.0
	if total > 0 {
		reg = float64(drawn) / float64(total)
	}
	it.tev = &tableEvidence{kind: latticeTable, drawn: reg, textCols: textCols}
	return it
}

// splitRowsByText divides a ruled row that holds several rows of text:
// tables often rule only their header and total rows and leave the body
// to white space. A row splits where a blank line parts its text in
// every column, and between stacked records: lines that each fill every
// column the row uses, the lower one not continuing the upper one's
// cells (lower case, a hyphen or a comma at the break). A line that
// fills one column alone (a wrapped label) stays in its row.
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
		records := len(all) >= 2 && (full == len(lines) || (len(lines) >= 3 && full*10 >= len(lines)*7))
		// The first row's few lines without a figure in any cell are one
		// column head wrapped over them ("Launch:" over "May 21, 2009"),
		// not records.
		if r == 0 && len(lines) <= maxHeadLines && !anyNumericCell(sets) {
			records = false
		}
		for i := 1; i < len(lines); i++ {
			a, b := lines[i-1], lines[i]
			gap := b.box[1] - a.box[3]
			cut := gap > 0.8*math.Min(a.size, b.size)
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
		if ws := byCol[c]; len(ws) >= 6 && manyPerRow(g, ws) {
			lines := buildLines(ws)
			size := medianSize(lines)
			split, short := 0, 0
			for _, l := range lines {
				ps := splitLine(l, 0.6)
				if len(ps) < 2 {
					continue
				}
				split++
				if len(l.words) <= 3*len(ps) {
					short++
				}
			}
			if len(lines) >= 3 && split*10 >= len(lines)*6 && short*10 >= split*8 {
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
				if w.Box[0] < x-0.5 && w.Box[2] > x+0.5 {
					ng.right[r][k] = true
				}
				if i > 0 && row[i-1].cx() < x && w.cx() > x && overlapY(row[i-1].Box, w.Box) > 0.5*w.h() && spaced(row[i-1], w) {
					ng.right[r][k] = true
				}
			}
		}
	}
	return ng
}

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
		if n >= 2 {
			many++
		}
	}
	return many*10 >= len(per)*6
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

// rowsPaired reports whether at least half the rows of a table hold two
// or more cells with text. A frame around a page's layout (a sidebar, a
// boxed column) has a cell or two of running text per row.
// A single column of ruled boxes is a table when there are enough of
// them and each holds an entry, not a paragraph: a list of framed items
// as layout models and readers take it.
const (
	minStackRows  = 4  // fewer boxes are callouts or a form's fields
	maxStackWords = 12 // words in one box of such a column
)

// boxStack reports whether a one-column ruled table is a column of short
// entries, each in a box of its own.
func boxStack(t *folio.Table) bool {
	if len(t.Rows) < minStackRows {
		return false
	}
	for _, row := range t.Rows {
		if len(row) != 1 || row[0] == "" || len(strings.Fields(row[0])) > maxStackWords {
			return false
		}
	}
	return true
}

func rowsPaired(t *folio.Table) bool {
	// A label in the first column spanning some rows heads each of them
	// (a group of rows); spans elsewhere, or over most of the grid, are
	// as often a chart's bars and axis.
	filled := make([]map[int]bool, len(t.Rows))
	for r, row := range t.Rows {
		filled[r] = map[int]bool{}
		for c, s := range row {
			if s != "" {
				filled[r][c] = true
			}
		}
	}
	for _, c := range t.Cells {
		if c.Col != 0 || c.RowSpan < 2 || 2*c.RowSpan > len(t.Rows) || !hasLetter(c.Text) {
			continue
		}
		for r := c.Row; r < c.Row+c.RowSpan && r < len(t.Rows); r++ {
			filled[r][c.Col] = true
		}
	}
	n := 0
	for _, f := range filled {
		if len(f) >= 2 {
			n++
		}
	}
	return n*2 >= len(t.Rows)
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
