package segment

import (
	"math"
	"sort"

	"github.com/folio/folio"
)

// findFigures makes an image item for each picture worth showing: not a
// speck, not a background covering the page. Placements that overlap or
// touch are tiles of one picture.
func (d *doc) findFigures(pg *page) []*item {
	pageArea := pg.w * pg.h
	type piece struct {
		box  folio.Box
		im   folio.ImagePlacement
		area float64
	}
	var ps []piece
	for _, im := range pg.src.Images {
		if !finiteBox(im.Box) {
			continue
		}
		b := clipBox(im.Box, pg)
		if b.Width() < 2 || b.Height() < 2 {
			continue
		}
		if pageArea > 0 && b.Area() > 0.85*pageArea {
			continue // a page background
		}
		ps = append(ps, piece{box: b, im: im, area: b.Area()})
	}
	// Pictures are often drawn in tiles or layers: placements that
	// overlap much or abut along an edge make one figure. Boxes often
	// reach past the visible picture, so a slight overlap does not count.
	type cluster struct {
		box folio.Box
		ids []int
	}
	var cs []*cluster
	for i, p := range ps {
		cs = append(cs, &cluster{box: p.box, ids: []int{i}})
	}
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(cs) && !merged; i++ {
			for j := i + 1; j < len(cs); j++ {
				if joinPictures(cs[i].box, cs[j].box, pg.words) {
					cs[i].box = cs[i].box.Union(cs[j].box)
					cs[i].ids = append(cs[i].ids, cs[j].ids...)
					cs = append(cs[:j], cs[j+1:]...)
					merged = true
					break
				}
			}
		}
	}
	groups := map[int][]int{}
	var roots []int
	for i, c := range cs {
		roots = append(roots, i)
		groups[i] = c.ids
	}
	var out []*item
	for _, r := range roots {
		var b folio.Box
		best := -1
		for _, i := range groups[r] {
			b = b.Union(ps[i].box)
			if best < 0 || ps[i].area > ps[best].area {
				best = i
			}
		}
		if b.Width() < d.opt.MinImage || b.Height() < d.opt.MinImage {
			continue
		}
		if pageArea > 0 && b.Area() > 0.85*pageArea {
			continue // a page background drawn in tiles
		}
		if bandAtEdge(b, pg) {
			continue
		}
		im := ps[best].im
		img := &folio.Image{Width: im.PixelWidth, Height: im.PixelHeight}
		if len(groups[r]) == 1 {
			img.PNG = im.PNG
		}
		conf := 0.9
		if len(groups[r]) > 1 {
			conf = 0.7 // pieces joined: the pixels are the largest piece only
		}
		out = append(out, &item{typ: folio.ImageType, layer: folio.LayerBody, page: pg.num, box: b, conf: conf, image: img})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].box[1] != out[j].box[1] {
			return out[i].box[1] < out[j].box[1]
		}
		return out[i].box[0] < out[j].box[0]
	})
	return out
}

// figureLabels takes the words inside figure f that label it: short
// lines scattered over the picture. Prose printed over a picture (three
// or more lines of running text) stays in the text flow, and so does a
// caption line that the picture's box happens to reach.
func figureLabels(pg *page, f *item) []*word {
	if f.box.Area() > 0.5*pg.w*pg.h {
		return nil
	}
	var in []*word
	for _, w := range pg.words {
		if !w.used && f.box.Contains(w.cx(), w.cy()) {
			in = append(in, w)
		}
	}
	if len(in) == 0 {
		return nil
	}
	var out []*word
	prose := 0
	for _, l := range buildLines(in) {
		for _, s := range splitLine(l, 1.5) {
			if len(s.words) >= 7 {
				prose++
			}
			if captionRe.MatchString(s.text) {
				continue
			}
			out = append(out, s.words...)
		}
	}
	if prose >= 3 {
		return nil
	}
	for _, w := range out {
		w.used = true
	}
	return out
}

// joinPictures reports whether two picture boxes belong to one figure:
// one mostly covers the other, or they sit side by side (or one above
// the other) across a narrow strip with no text in it. Boxes often reach
// past the visible picture, so a slight overlap does not count.
func joinPictures(a, b folio.Box, words []*word) bool {
	small := math.Min(a.Area(), b.Area())
	if small > 0 && a.Intersect(b).Area() >= 0.25*small {
		return true
	}
	// Pieces stacked in one column may leave more space than pieces side
	// by side, which may be two figures in neighbouring columns.
	const maxGapX, maxGapY = 8, 20
	ox, oy := overlapX(a, b), overlapY(a, b)
	var strip folio.Box
	switch {
	case ox > -maxGapX && ox <= 6 && oy >= 0.3*math.Min(a.Height(), b.Height()):
		x0, x1 := math.Min(a[2], b[2]), math.Max(a[0], b[0])
		strip = folio.Box{math.Min(x0, x1) - 0.5, math.Max(a[1], b[1]), math.Max(x0, x1) + 0.5, math.Min(a[3], b[3])}
	case oy > -maxGapY && oy <= 6 && ox >= 0.3*math.Min(a.Width(), b.Width()):
		y0, y1 := math.Min(a[3], b[3]), math.Max(a[1], b[1])
		strip = folio.Box{math.Max(a[0], b[0]), math.Min(y0, y1) - 0.5, math.Min(a[2], b[2]), math.Max(y0, y1) + 0.5}
	default:
		return false
	}
	for _, w := range words {
		// Labels inside either picture do not part them.
		if a.Contains(w.cx(), w.cy()) || b.Contains(w.cx(), w.cy()) {
			continue
		}
		if strip.Intersect(w.Box).Area() > 0 {
			return false
		}
	}
	return true
}

// bandAtEdge reports whether picture box b is a decorative band: a strip
// two and a half times as long as it is wide or more, bleeding off the page's edge.
func bandAtEdge(b folio.Box, pg *page) bool {
	if pg.w <= 0 || pg.h <= 0 {
		return false
	}
	const tol = 1
	edge := b[0] <= tol || b[1] <= tol || b[2] >= pg.w-tol || b[3] >= pg.h-tol
	long, short := math.Max(b.Width(), b.Height()), math.Min(b.Width(), b.Height())
	return edge && long >= 2.5*short
}

func clipBox(b folio.Box, pg *page) folio.Box {
	if pg.w <= 0 || pg.h <= 0 {
		return b
	}
	return b.Intersect(folio.Box{0, 0, pg.w, pg.h})
}
