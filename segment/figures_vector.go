package segment

import (
	"math"

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
// axes) that a "Figure N" caption sits right under or over. Without
// that caption such graphics are left alone: they may be a table's
// rules or decoration.
func (d *doc) findVectorFigures(pg *page, figures []*item) []*item {
	caps := figureCaptions(pg)
	if len(caps) == 0 {
		return nil
	}
	boxes := graphicClusters(pg)
	var out []*item
	for _, b := range boxes {
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
		for _, c := range caps {
			below := c.box[1] - b[3]
			above := b[1] - c.box[3]
			near := (below >= -2 && below <= 25) || (above >= -2 && above <= 25)
			if near && overlapX(b, c.box) >= 0.5*math.Min(c.box.Width(), b.Width()) {
				out = append(out, &item{
					typ: folio.ImageType, layer: folio.LayerBody, page: pg.num, box: b, conf: 0.5,
					image: &folio.Image{},
				})
				break
			}
		}
	}
	return out
}

// figureCaptions returns the line pieces that open a figure caption.
func figureCaptions(pg *page) []*line {
	var ws []*word
	for _, w := range pg.words {
		if !w.used {
			ws = append(ws, w)
		}
	}
	var out []*line
	for _, l := range buildLines(ws) {
		for _, s := range splitLine(l, 2.5) {
			if !captionRe.MatchString(s.text) {
				continue
			}
			it := &item{text: s.text, lines: []*line{s}}
			if label, kind := captionKind(it); kind >= 1 && figureLabel(label) {
				out = append(out, s)
			}
		}
	}
	return out
}

// graphicClusters groups the page's rulings and rectangles that touch or
// nearly touch and returns each group's box.
func graphicClusters(pg *page) []folio.Box {
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
	for i := range bs {
		for j := i + 1; j < len(bs); j++ {
			if overlapX(bs[i], bs[j]) > -near && overlapY(bs[i], bs[j]) > -near {
				u.union(i, j)
			}
		}
	}
	boxes := map[int]folio.Box{}
	var order []int
	for i, b := range bs {
		r := u.find(i)
		if _, ok := boxes[r]; !ok {
			order = append(order, r)
		}
		boxes[r] = boxes[r].Union(b)
	}
	out := make([]folio.Box, 0, len(order))
	for _, r := range order {
		out = append(out, boxes[r])
	}
	return out
}
