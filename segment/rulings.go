package segment

import (
	"math"
	"slices"
	"sort"

	"github.com/folio/folio"
)

// seg is an axis-aligned segment: from a to b along its axis, at pos
// across it (y for horizontal segments, x for vertical ones).
type seg struct {
	a, b, pos float64
	// fill marks a segment that is only the edge of a filled box
	// (shading), not a drawn line.
	fill bool
}

func (s seg) len() float64 { return s.b - s.a }

// pageSegments returns the page's horizontal and vertical segments, from
// rulings and the edges of rectangles, merged where they are collinear
// and touch.
func pageSegments(pg *page, tol float64) (hs, vs []seg) {
	fill := false
	add := func(x0, y0, x1, y1 float64) {
		if !finiteBox(folio.Box{x0, y0, x1, y1}) {
			return
		}
		if x0 > x1 {
			x0, x1 = x1, x0
		}
		if y0 > y1 {
			y0, y1 = y1, y0
		}
		w, h := x1-x0, y1-y0
		switch {
		case w >= h && w > tol:
			hs = append(hs, seg{x0, x1, (y0 + y1) / 2, fill})
		case h > w && h > tol:
			vs = append(vs, seg{y0, y1, (x0 + x1) / 2, fill})
		}
	}
	for _, r := range pg.src.Rulings {
		if math.Abs(r.X1-r.X0) > 3*tol && math.Abs(r.Y1-r.Y0) > 3*tol {
			// A "ruling" as thick as a box frames it: take its edges.
			addRect(add, folio.Box{math.Min(r.X0, r.X1), math.Min(r.Y0, r.Y1), math.Max(r.X0, r.X1), math.Max(r.Y0, r.Y1)})
			continue
		}
		add(r.X0, r.Y0, r.X1, r.Y1)
	}
	// The engine reports a stroked box's edges as rulings too; a box
	// alone is a fill.
	fill = true
	for i, b := range pg.src.Rects {
		if pg.w > 0 && b.Area() > 0.8*pg.w*pg.h {
			continue // a page background frames nothing
		}
		if nested(b, i, pg.src.Rects) {
			continue // a highlight inside a cell draws no border
		}
		if b.Width() <= 3*tol || b.Height() <= 3*tol {
			add(b[0], b[1], b[2], b[3])
			continue
		}
		addRect(add, b)
	}
	return mergeSegs(hs, tol), mergeSegs(vs, tol)
}

// nested reports whether rects[i] lies inside another, larger rect.
func nested(b folio.Box, i int, rects []folio.Box) bool {
	const tol = 1
	if len(rects) > 2000 {
		return false // a drawing; not worth the quadratic check
	}
	for j, o := range rects {
		if j == i || o.Area() <= b.Area() {
			continue
		}
		if b[0] >= o[0]-tol && b[1] >= o[1]-tol && b[2] <= o[2]+tol && b[3] <= o[3]+tol {
			return true
		}
	}
	return false
}

func addRect(add func(x0, y0, x1, y1 float64), b folio.Box) {
	add(b[0], b[1], b[2], b[1])
	add(b[0], b[3], b[2], b[3])
	add(b[0], b[1], b[0], b[3])
	add(b[2], b[1], b[2], b[3])
}

// mergeSegs joins segments on the same line (pos within tol) that overlap
// or nearly touch.
func mergeSegs(ss []seg, tol float64) []seg {
	if len(ss) == 0 {
		return nil
	}
	s := append([]seg(nil), ss...)
	slices.SortFunc(s, func(x, y seg) int {
		if x.pos != y.pos {
			return cmpFloat(x.pos, y.pos)
		}
		return cmpFloat(x.a, y.a)
	})
	// Cluster by position first, then merge along the axis.
	var out []seg
	for i := 0; i < len(s); {
		j := i + 1
		for j < len(s) && s[j].pos-s[j-1].pos <= tol/2 {
			j++
		}
		cl := append([]seg(nil), s[i:j]...)
		slices.SortFunc(cl, func(x, y seg) int { return cmpFloat(x.a, y.a) })
		cur := cl[0]
		sum, n := cur.pos*cur.len(), cur.len()
		for _, c := range cl[1:] {
			if c.a <= cur.b+tol {
				cur.b = math.Max(cur.b, c.b)
				cur.fill = cur.fill && c.fill
				sum += c.pos * c.len()
				n += c.len()
				continue
			}
			cur.pos = avgPos(sum, n, cur.pos)
			out = append(out, cur)
			cur = c
			sum, n = c.pos*c.len(), c.len()
		}
		cur.pos = avgPos(sum, n, cur.pos)
		out = append(out, cur)
		i = j
	}
	return out
}

func avgPos(sum, n, def float64) float64 {
	if n <= 0 {
		return def
	}
	return sum / n
}

// crosses reports whether horizontal h and vertical v meet, within tol.
func crosses(h, v seg, tol float64) bool {
	return v.pos >= h.a-tol && v.pos <= h.b+tol && h.pos >= v.a-tol && h.pos <= v.b+tol
}

// coverage returns the fraction of [a, b] that segments at pos (within
// tol) cover.
func coverage(ss []seg, pos, a, b, tol float64) float64 {
	if b <= a {
		return 0
	}
	var iv [][2]float64
	for _, s := range ss {
		if math.Abs(s.pos-pos) > tol || s.b < a || s.a > b {
			continue
		}
		iv = append(iv, [2]float64{math.Max(a, s.a), math.Min(b, s.b)})
	}
	sort.Slice(iv, func(i, j int) bool { return iv[i][0] < iv[j][0] })
	cov, end := 0.0, a
	for _, v := range iv {
		if v[1] <= end {
			continue
		}
		cov += v[1] - math.Max(v[0], end)
		end = v[1]
	}
	return cov / (b - a)
}

// unionFind is a disjoint-set forest over 0..n-1.
type unionFind []int

func newUnionFind(n int) unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = i
	}
	return u
}

func (u unionFind) find(i int) int {
	for u[i] != i {
		u[i] = u[u[i]]
		i = u[i]
	}
	return i
}

func (u unionFind) union(a, b int) {
	ra, rb := u.find(a), u.find(b)
	if ra != rb {
		if ra < rb {
			u[rb] = ra
		} else {
			u[ra] = rb
		}
	}
}

// cluster groups sorted values that lie within tol of their neighbour and
// returns each group's mean.
func cluster(vals []float64, tol float64) []float64 {
	if len(vals) == 0 {
		return nil
	}
	v := append([]float64(nil), vals...)
	sort.Float64s(v)
	var out []float64
	sum, n := v[0], 1.0
	for i := 1; i < len(v); i++ {
		if v[i]-v[i-1] <= tol {
			sum += v[i]
			n++
			continue
		}
		out = append(out, sum/n)
		sum, n = v[i], 1
	}
	return append(out, sum/n)
}
