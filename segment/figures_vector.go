package segment

import (
	"math"
	"regexp"
	"sort"

	"github.com/folio/folio"
)

// figureLabel reports whether a caption label names a picture; exhibits
// and boxes are as often tables.
func figureLabel(label string) bool {
	switch label {
	case "figure", "fig", "fig.", "chart", "graph", "diagram", "illustration", "photo", "map", "plate", "scheme":
		return true
	}
	return false
}

// findVectorFigures finds figures drawn with lines and boxes instead of
// an image: a cluster of vector graphics (a frame, a diagram, a chart's
// axes) that a "Figure N" caption sits right under or over, or that
// holds a chart axis (a line with evenly spaced ticks and numbers beside
// them). Other graphics are left alone: they may be a table's rules or
// decoration. The figure takes in the short labels around its graphics
// (tick values, axis titles, legends).
func (d *doc) findVectorFigures(pg *page, figures []*item) []*item {
	cls := graphicClusters(pg)
	if len(cls) == 0 {
		return nil
	}
	caps := figureCaptions(pg)
	near := func(b, c folio.Box) bool {
		below := c[1] - b[3]
		above := b[1] - c[3]
		return ((below >= -2 && below <= 25) || (above >= -2 && above <= 25)) &&
			overlapX(b, c) >= 0.5*math.Min(c.Width(), b.Width())
	}
	// A diagram of separate boxes is one figure: clusters chained by
	// narrow gaps to the one beside a caption join it.
	const chain = 24
	taken := make([]bool, len(cls))
	var cands []gcluster
	var capped []bool
	for _, c := range caps {
		var u gcluster
		var members []int
		for i, cl := range cls {
			if !taken[i] && near(cl.box, c) {
				members = append(members, i)
				taken[i] = true
				u.box = u.box.Union(cl.box)
				u.segs = append(u.segs, cl.segs...)
			}
		}
		if len(members) == 0 {
			continue
		}
		for grown := true; grown; {
			grown = false
			for i, cl := range cls {
				if taken[i] || overlapX(cl.box, u.box) <= -chain || overlapY(cl.box, u.box) <= -chain {
					continue
				}
				// Not across the caption.
				if cl.box.Union(u.box).Intersect(c).Area() > 0 {
					continue
				}
				taken[i] = true
				u.box = u.box.Union(cl.box)
				u.segs = append(u.segs, cl.segs...)
				grown = true
			}
		}
		cands = append(cands, u)
		capped = append(capped, true)
	}
	for i, cl := range cls {
		if !taken[i] {
			cands = append(cands, cl)
			capped = append(capped, false)
		}
	}
	var out []*item
	for k, cl := range cands {
		b := cl.box
		if b.Width() < 50 || b.Height() < 30 || b.Area() > 0.8*pg.w*pg.h {
			continue
		}
		covered := false
		for _, f := range append(append([]*item(nil), figures...), out...) {
			if f.box.Intersect(b).Area() > 0.5*b.Area() {
				covered = true
			}
		}
		if covered {
			continue
		}
		// A caption or a chart axis alone is fair evidence; both, good.
		conf := 0.0
		axis := chartAxis(pg, cl.segs)
		switch {
		case capped[k] && axis:
			conf = 0.8
		case capped[k] || axis:
			conf = 0.6
		default:
			continue
		}
		out = append(out, &item{
			typ: folio.ImageType, layer: folio.LayerBody, page: pg.num, box: growLabels(pg, b, caps), conf: conf,
			image: &folio.Image{},
		})
	}
	return out
}

// figureWordRe matches a word that may open a figure caption.
var figureWordRe = regexp.MustCompile(`^(?i:figure|fig\.?|chart|graph|diagram|illustration|photo|map|plate|scheme)`)

// figureCaptions returns the boxes of figure captions: a line piece that
// opens with a figure label, and the lines of the caption's text under it.
func figureCaptions(pg *page) []folio.Box {
	// Most pages have no figure label at all: look before building lines.
	found := false
	for _, w := range pg.words {
		if !w.used && figureWordRe.MatchString(w.Text) {
			found = true
			break
		}
	}
	if !found {
		return nil
	}
	pieces := pg.freePieces(2.5)
	var out []folio.Box
	for i, s := range pieces {
		if !captionRe.MatchString(s.text) {
			continue
		}
		it := &item{text: s.text, lines: []*line{s}}
		label, kind := captionKind(it)
		if kind < 1 || !figureLabel(label) {
			continue
		}
		b := s.box
		for n, grown := 0, true; grown && n < 6; n++ {
			grown = false
			for _, o := range pieces[i+1:] {
				gap := o.box[1] - b[3]
				if gap >= -0.3*o.size && gap < 0.45*o.size && o.box[0] >= b[0]-o.size && o.box[0] < b[2] && math.Abs(o.size-s.size) < 1 && o.font == s.font {
					b = b.Union(o.box)
					grown = true
					break
				}
			}
		}
		out = append(out, b)
	}
	return out
}

// growLabels widens a figure's box over the short pieces of text around
// it: tick values, axis titles and legends sit just outside the lines
// they label. Captions and running text stay out.
func growLabels(pg *page, b folio.Box, caps []folio.Box) folio.Box {
	pieces := pg.freePieces(1.5)
	in := make([]bool, len(pieces))
	for n, grown := 0, true; grown && n < 8; n++ {
		grown = false
		for i, p := range pieces {
			if in[i] || len(p.words) > 8 || captionRe.MatchString(p.text) {
				continue
			}
			m := 1.2 * p.size
			near := folio.Box{b[0] - m, b[1] - m, b[2] + m, b[3] + m}
			if near.Intersect(p.box).Area() <= 0 {
				continue
			}
			inCaption := false
			for _, c := range caps {
				if c.Intersect(p.box).Area() > 0.5*p.box.Area() {
					inCaption = true
				}
			}
			if inCaption {
				continue
			}
			in[i] = true
			b = b.Union(p.box)
			grown = true
		}
	}
	return b
}

// gcluster is a group of touching vector graphics: its box and its
// straight segments.
type gcluster struct {
	box  folio.Box
	segs []folio.Box
}

// graphicClusters groups the page's rulings and rectangles that touch or
// nearly touch.
func graphicClusters(pg *page) []gcluster {
	var bs []folio.Box
	for _, r := range pg.src.Rulings {
		b := folio.Box{math.Min(r.X0, r.X1), math.Min(r.Y0, r.Y1), math.Max(r.X0, r.X1), math.Max(r.Y0, r.Y1)}
		if finiteBox(b) {
			bs = append(bs, b)
		}
	}
	for _, b := range pg.src.Rects {
		if finiteBox(b) && (pg.w == 0 || b.Area() < 0.8*pg.w*pg.h) {
			bs = append(bs, b)
		}
	}
	if len(bs) == 0 || len(bs) > 3000 {
		return nil
	}
	const near = 8
	u := newUnionFind(len(bs))
	// Sweep down the page: only boxes that start above one's bottom
	// (plus the margin) can touch it.
	ord := make([]int, len(bs))
	for i := range ord {
		ord[i] = i
	}
	sort.Slice(ord, func(a, b int) bool { return bs[ord[a]][1] < bs[ord[b]][1] })
	for a, i := range ord {
		for _, j := range ord[a+1:] {
			if bs[j][1] >= bs[i][3]+near {
				break
			}
			if overlapX(bs[i], bs[j]) > -near {
				u.union(i, j)
			}
		}
	}
	idx := map[int]int{}
	var out []gcluster
	for i, b := range bs {
		r := u.find(i)
		k, ok := idx[r]
		if !ok {
			k = len(out)
			idx[r] = k
			out = append(out, gcluster{})
		}
		out[k].box = out[k].box.Union(b)
		out[k].segs = append(out[k].segs, b)
	}
	return out
}

// chartAxis reports whether segments hold a chart axis: a line with at
// least four short ticks across it at even spacing, and numbers beside
// the ticks. Table rules cross each other at uneven column widths and
// carry no tick marks.
func chartAxis(pg *page, segs []folio.Box) bool {
	const maxTick = 7
	for _, ax := range segs {
		horiz := ax.Width() > ax.Height()
		length := math.Max(ax.Width(), ax.Height())
		if length < 40 || math.Min(ax.Width(), ax.Height()) > 2 {
			continue
		}
		var at []float64
		var side folio.Box // where the tick values sit
		for _, t := range segs {
			tl := math.Max(t.Width(), t.Height())
			if tl > maxTick || tl < 1 || math.Min(t.Width(), t.Height()) > 1.5 {
				continue
			}
			if horiz {
				// A vertical tick touching the horizontal axis.
				if t.Height() < t.Width() || t[0] < ax[0]-1 || t[2] > ax[2]+1 || t[1] > ax[3]+1 || t[3] < ax[1]-1 {
					continue
				}
				at = append(at, t.CenterX())
			} else {
				if t.Width() < t.Height() || t[1] < ax[1]-1 || t[3] > ax[3]+1 || t[0] > ax[2]+1 || t[2] < ax[0]-1 {
					continue
				}
				at = append(at, t.CenterY())
			}
		}
		if len(at) < 4 || !evenlySpaced(at) {
			continue
		}
		const reach = 18
		if horiz {
			side = folio.Box{ax[0] - reach, ax[1] - reach, ax[2] + reach, ax[3] + reach}
		} else {
			side = folio.Box{ax[0] - 3*reach, ax[1] - reach, ax[2] + 3*reach, ax[3] + reach}
		}
		nums := 0
		for _, w := range pg.words {
			if numeric(w.Text) && side.Contains(w.cx(), w.cy()) {
				nums++
			}
		}
		if nums >= 3 {
			return true
		}
	}
	return false
}

// evenlySpaced reports whether positions, once sorted and freed of
// duplicates, step by about the same distance.
func evenlySpaced(v []float64) bool {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	var steps []float64
	for i := 1; i < len(s); i++ {
		if d := s[i] - s[i-1]; d > 1 {
			steps = append(steps, d)
		}
	}
	if len(steps) < 3 {
		return false
	}
	lo, hi := math.Inf(1), 0.0
	for _, d := range steps {
		lo, hi = math.Min(lo, d), math.Max(hi, d)
	}
	return hi <= 1.15*lo
}
