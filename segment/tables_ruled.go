package segment

import (
	"math"
	"sort"

	"github.com/folio/folio"
)

// minGridRules is shared by findRuledTables and dropFills.
const minGridRules = 2 // rules each way needed to frame a cell: fewer is a lone line or a bar, no grid

// Ruled-table search bounds.
const (
	maxSegmentPairs    = 4_000_000 // horizontal×vertical pairs beyond which the page is a drawing; bounds the quadratic work
	figureOverlapShare = 0.6       // share of a grid's area inside a figure above which the grid is part of the drawing
)

// findRuledTables finds tables drawn with rulings: connected networks of
// horizontal and vertical segments give the table regions; the segments'
// positions give column and row boundaries; a border missing between two
// cells makes a spanning cell. Words placed in a table are marked used.
func (d *doc) findRuledTables(pg *page, figures []*item) []*item {
	tol := d.opt.RulingTolerance
	hs, vs := pageSegments(pg, tol)
	if len(hs) < minGridRules || len(vs) < minGridRules {
		return nil
	}
	// Too many segments is a drawing (a chart, a map), not tables;
	// bound the quadratic work below.
	if len(hs)*len(vs) > maxSegmentPairs {
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
		if len(c.hs) >= minGridRules && len(c.vs) >= minGridRules {
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
			if f.box.Intersect(it.box).Area() > figureOverlapShare*it.box.Area() {
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

// Rule bridging: which gaps in row rules are restored.
const (
	maxBridgeSegs         = 2000 // segments either way beyond which no rules are bridged; bounds the pairwise work
	bridgeKeyTols         = 2    // rule tolerances per bucket when matching gap ends on different rows
	minBridgeGap          = 24   // points: narrower gaps part tables set side by side, not a column
	maxBridgeGap          = 300  // points: widest column gap a lost rule is restored across
	minBridgeRows         = 3    // rows of rules a gap must recur on ("several rows")
	bridgeWordSlackTols   = 3    // rule tolerances a word may run past the far border and still fill the column
	minBridgeFilled       = 2    // bands between the rules that must hold text
	minBridgeFilledTenths = 6    // tenths of those bands the column's text must fill ("most of those rows")
)

// bridgeRules restores row rules lost over one column: rules that stop
// at a column's border, on several rows, while the column's other border
// runs on and its text fills most of those rows. Some producers draw such
// rules in a way the engine does not report. A cell spanning those rows
// would hold one block of text instead.
func bridgeRules(pg *page, hs, vs []seg, tol float64) []seg {
	if len(hs) > maxBridgeSegs || len(vs) > maxBridgeSegs {
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
		k := gap{math.Round(x0 / (bridgeKeyTols * tol)), math.Round(x1 / (bridgeKeyTols * tol))}
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
			if x1-x0 < minBridgeGap || x1-x0 > maxBridgeGap || covered(x0, x1, h.pos) {
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
		if len(ys) < minBridgeRows {
			continue
		}
		x0, x1 := k.a*bridgeKeyTols*tol, k.b*bridgeKeyTols*tol
		bands, filled := len(ys)-1, 0
		for i := 0; i+1 < len(ys); i++ {
			for _, w := range pg.words {
				if w.Box[0] > x0 && w.Box[2] < x1+bridgeWordSlackTols*tol && w.cy() > ys[i] && w.cy() < ys[i+1] {
					filled++
					break
				}
			}
		}
		if filled < minBridgeFilled || filled*10 < bands*minBridgeFilledTenths {
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

const minGridStrokes = 5 // drawn lines, both ways together, that make a grid: a frame alone has four

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
	if len(sh) < minGridRules || len(sv) < minGridRules || len(sh)+len(sv) < minGridStrokes {
		return hs, vs
	}
	return sh, sv
}

// Ruled-table shape: what a network must have to hold a table.
const (
	ruleBoxThickness    = 0.01 // points added across a rule so its box has extent that way
	minRuledWidth       = 20   // points: a narrower network holds no table
	minRuledHeight      = 8    // points: a shorter network holds no table
	minRuleSpan         = 4    // points a line must run to count as a column or row border; ticks and serifs run less
	minCellBounds       = 3    // boundaries one way that part two cells; fewer both ways is one cell, a frame
	minDrawnBorderCover = 0.5  // share of a cell border that lines must cover for it to be drawn; less merges the cells
	minRuledRows        = 2    // rows a ruled table must have
	minRuledCols        = 2    // columns in the first row from which a table must pair its rows; fewer must be a box stack
)

// ruledTable builds the table framed by one network of segments, or nil
// when the network holds no table (a frame around prose, a chart).
func (d *doc) ruledTable(pg *page, hs, vs []seg) *item {
	tol := d.opt.RulingTolerance
	var b folio.Box
	for _, h := range hs {
		b = b.Union(folio.Box{h.a, h.pos, h.b, h.pos + ruleBoxThickness})
	}
	for _, v := range vs {
		b = b.Union(folio.Box{v.pos, v.a, v.pos + ruleBoxThickness, v.b})
	}
	if b.Width() < minRuledWidth || b.Height() < minRuledHeight {
		return nil
	}
	xs := make([]float64, 0, len(vs)+2)
	for _, v := range vs {
		// Only lines that run across at least a row's worth count as
		// column borders; ticks and serifs do not.
		if v.len() >= minRuleSpan {
			xs = append(xs, v.pos)
		}
	}
	ys := make([]float64, 0, len(hs)+2)
	for _, h := range hs {
		if h.len() >= minRuleSpan {
			ys = append(ys, h.pos)
		}
	}
	xs = withEdges(cluster(xs, tol), b[0], b[2], tol)
	ys = withEdges(cluster(ys, tol), b[1], b[3], tol)
	if len(xs) < minCellBounds && len(ys) < minCellBounds {
		return nil // one cell: a frame
	}
	g := newGrid(xs, ys)
	drawn, total := 0, 0
	for r := range g.rows() {
		for c := range g.cols() {
			if c+1 < g.cols() {
				cov := coverage(vs, xs[c+1], ys[r], ys[r+1], tol)
				g.right[r][c] = cov < minDrawnBorderCover
				total++
				if !g.right[r][c] {
					drawn++
				}
			}
			if r+1 < g.rows() {
				cov := coverage(hs, ys[r+1], xs[c], xs[c+1], tol)
				g.down[r][c] = cov < minDrawnBorderCover
				total++
				if !g.down[r][c] {
					drawn++
				}
			}
		}
	}
	words := freeWordsIn(nil, pg.words, b)
	if len(words) == 0 || codeLike(words) {
		return nil
	}
	// Column heads set sideways belong to their cells too.
	words = freeWordsIn(words, pg.aside, b)
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
	if len(t.Rows) < minRuledRows || looksLikeProse(t) || listLike(t) || (len(t.Rows[0]) < minRuledCols && !boxStack(t)) || (len(t.Rows[0]) >= minRuledCols && !rowsPaired(t)) {
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
