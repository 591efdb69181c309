package segment

import (
	"math"
	"sort"

	"github.com/folio/folio"
)

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

const minSharedBorders = 2 // column borders two bands must share at the least, whatever their share

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
				if len(shared) >= minSharedBorders && float64(len(shared)) >= minSharedCols*float64(min(len(pb), len(cb))) {
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
