package parse

import (
	"context"
	"math"
	"slices"

	"github.com/folio/folio"
)

// Limits of the page object walk.
const (
	maxSegmentsPerPage = 250_000
	maxFills           = 10_000
	maxShapeMarks      = 5_000 // a page of more small shapes is a drawing, not a list
	maxFormDepth       = 16
	// maxStripPoints bounds the filled polygons searched for rules drawn
	// as strips: a frame is 10 points, a glyph outline or map hundreds.
	maxStripPoints = 32
)

// Geometry tolerances in points.
const (
	thinRule   = 2.0  // a rectangle thinner than this is a ruling
	axisTol    = 1.0  // a line this far off the axis still counts as straight
	minRuleLen = 1.0  // shorter lines are dots, not rulings
	cornerTol  = 0.5  // a rectangle's corners may be off by this much
	pageCover  = 0.85 // a rectangle covering this share of the page is a background
)

// Small closed shapes kept as marks (possible bullets), in points.
const (
	// maxMark is the largest side of a mark: bullets are about half the
	// font size (Chromium draws a 3.75pt disc for 11pt text), and text
	// above 20pt rarely carries a bulleted list.
	maxMark = 12.0
	// minMark is the smallest side: below it a shape is a dot of a
	// dotted line or a speck, too small to read as a bullet.
	minMark = 1.0
	// markAspect is the most a mark's long side may exceed its short
	// side: bullets are round or square, dashes and bars are not.
	markAspect = 1.6
)

// pageGraphics is what the object walk finds on a page.
type pageGraphics struct {
	rulings []folio.Ruling
	rects   []folio.Box
	marks   []folio.Box
	images  []folio.ImagePlacement
	objects int // page objects visited, text included
	// segments counts the path segments drawn (up to the walk's limit,
	// past it when capped).
	segments int
	// hidden holds the text objects in optional content that is off;
	// inForm those drawn by a form XObject.
	hidden, inForm map[uint32]bool
	// fills are the rectangles filled in a colour other than white, page
	// backgrounds included: white text on one of them is visible.
	fills []folio.Box
}

// addFill records a coloured area b of the page.
func (g *pageGraphics) addFill(b folio.Box, pageW, pageH float64) {
	if v := b.Intersect(folio.Box{0, 0, pageW, pageH}); v.Area() > 0 && len(g.fills) < maxFills {
		g.fills = append(g.fills, v)
	}
}

// showOnBackground shows the white words (indexes into words, hidden by
// buildWords) whose centre lies on a coloured fill or an image; white
// text elsewhere is white on white.
func showOnBackground(words []folio.Word, white []int, g pageGraphics) {
	for _, i := range white {
		b := &words[i].Box
		x, y := b.CenterX(), b.CenterY()
		in := func(r folio.Box) bool { return x >= r[0] && x <= r[2] && y >= r[1] && y <= r[3] }
		if slices.ContainsFunc(g.fills, in) || slices.ContainsFunc(g.images, func(im folio.ImagePlacement) bool { return in(im.Box) }) {
			words[i].Hidden = false
		}
	}
}

// walker walks the page objects of one page, recursing into forms.
type walker struct {
	ctx      context.Context
	d        *docParser
	fr       frame
	page     uint32
	num      int
	w, h     float64 // displayed page size
	objects  int
	segments int
	capped   bool // object or segment limit hit
	imgCap   bool // image limit hit
	pts      []pathPoint
	g        pageGraphics
}

// pathPoint is one path segment's end point in the displayed frame.
type pathPoint struct {
	x, y  float64
	typ   int
	close bool
}

// walkObjects collects the rulings, rectangles and images of a page.
func (d *docParser) walkObjects(ctx context.Context, page uint32, fr frame, num int) pageGraphics {
	l := d.l
	w := &walker{ctx: ctx, d: d, fr: fr, page: page, num: num}
	w.w, w.h = fr.size()
	n := l.callI32(fnCountObjects, uint64(page))
	for i := 0; i < n && l.err == nil && !w.capped; i++ {
		w.object(l.callPtr(fnGetObject, uint64(page), uint64(i)), matrix{a: 1, d: 1}, 0, false)
	}
	if w.capped && w.objects <= d.opts.MaxPageObjects {
		d.warn("page %d: more than %d path segments; the rest of the graphics is ignored", num, maxSegmentsPerPage)
	}
	if w.imgCap {
		d.warn("page %d: more than %d images; the rest is ignored", num, maxImagesPerPage)
	}
	w.g.objects, w.g.segments = w.objects, w.segments
	w.g.rulings = dedupe(w.g.rulings)
	w.g.rects = dedupe(w.g.rects)
	w.g.marks = dedupe(w.g.marks)
	return w.g
}

// object visits one page object under the parent transformation; hidden
// says a form it is in lies in optional content that is off.
func (w *walker) object(obj uint32, parent matrix, depth int, hidden bool) {
	l := w.d.l
	if obj == 0 || l.err != nil {
		return
	}
	if w.objects++; w.objects > w.d.opts.MaxPageObjects {
		w.capped = true
		return
	}
	hidden = hidden || w.d.layerHidden(w.ctx, obj)
	switch l.callI32(fnObjGetType, uint64(obj)) {
	case objText:
		if hidden {
			if w.g.hidden == nil {
				w.g.hidden = make(map[uint32]bool)
			}
			w.g.hidden[obj] = true
		}
		if depth > 0 {
			if w.g.inForm == nil {
				w.g.inForm = make(map[uint32]bool)
			}
			w.g.inForm[obj] = true
		}
	case objPath:
		if !hidden {
			w.path(obj, parent)
		}
	case objImage:
		if !hidden {
			w.image(obj, parent)
		}
	case objShading:
		if !hidden {
			w.shading(obj, parent)
		}
	case objForm:
		if depth >= maxFormDepth {
			return
		}
		m := w.matrix(obj).then(parent)
		n := l.callI32(fnFormCountObjects, uint64(obj))
		for j := 0; j < n && l.err == nil && !w.capped; j++ {
			w.object(l.callPtr(fnFormGetObject, uint64(obj), uint64(j)), m, depth+1, hidden)
		}
	}
}

// shading records the area a shading (a gradient) paints.
func (w *walker) shading(obj uint32, parent matrix) {
	l := w.d.l
	p := l.scratch
	if l.call(fnObjGetBounds, uint64(obj), uint64(p), uint64(p+4), uint64(p+8), uint64(p+12)) == 0 {
		return
	}
	x0, y0, x1, y1 := l.f32(p), l.f32(p+4), l.f32(p+8), l.f32(p+12)
	if !finite(x0, y0, x1, y1) {
		return
	}
	var b folio.Box
	for i, c := range [4][2]float64{{x0, y0}, {x1, y0}, {x0, y1}, {x1, y1}} {
		x, y := w.fr.point(parent.apply(c[0], c[1]))
		if i == 0 {
			b = folio.Box{x, y, x, y}
		}
		b = folio.Box{min(b[0], x), min(b[1], y), max(b[2], x), max(b[3], y)}
	}
	w.g.addFill(b, w.w, w.h)
}

// matrix reads an object's transformation matrix.
func (w *walker) matrix(obj uint32) matrix {
	l := w.d.l
	p := l.scratch
	if l.call(fnObjGetMatrix, uint64(obj), uint64(p)) == 0 {
		return matrix{a: 1, d: 1}
	}
	m := matrix{l.f32(p), l.f32(p + 4), l.f32(p + 8), l.f32(p + 12), l.f32(p + 16), l.f32(p + 20)}
	if !finite(m.a, m.b, m.c, m.d, m.e, m.f) {
		return matrix{a: 1, d: 1}
	}
	return m
}

// path reads a painted path's segments and keeps its straight lines and
// rectangles.
func (w *walker) path(obj uint32, parent matrix) {
	l := w.d.l
	p := l.scratch
	if l.call(fnPathGetDrawMode, uint64(obj), uint64(p), uint64(p+4)) == 0 {
		return
	}
	fill, stroke := l.u32(p) != 0, l.u32(p+4) != 0
	if !fill && !stroke {
		return // a clipping path
	}
	n := l.callI32(fnPathCountSegments, uint64(obj))
	if n <= 0 {
		return
	}
	if w.segments += n; w.segments > maxSegmentsPerPage {
		w.capped = true
		return
	}
	m := w.matrix(obj).then(parent)
	pts := w.pts[:0]
	for k := 0; k < n && l.err == nil; k++ {
		seg := l.callPtr(fnPathGetSegment, uint64(obj), uint64(k))
		if seg == 0 {
			continue
		}
		l.call(fnSegGetPoint, uint64(seg), uint64(p), uint64(p+4))
		x, y := m.apply(l.f32(p), l.f32(p+4))
		typ := l.callI32(fnSegGetType, uint64(seg))
		closed := l.call(fnSegGetClose, uint64(seg)) != 0
		if !finite(x, y) {
			return
		}
		dx, dy := w.fr.point(x, y)
		pts = append(pts, pathPoint{x: dx, y: dy, typ: typ, close: closed})
	}
	w.pts = pts
	white := func() bool {
		if l.call(fnObjGetFillColor, uint64(obj), uint64(p), uint64(p+4), uint64(p+8), uint64(p+12)) == 0 {
			return false
		}
		return l.u32(p) >= 250 && l.u32(p+4) >= 250 && l.u32(p+8) >= 250
	}
	w.g.addPath(pts, fill, stroke, w.w, w.h, white)
}

// addPath adds the rulings and rectangles of one painted path, given in
// the displayed frame. white reports, when asked, whether the fill colour
// is white; white filled shapes mask content and are left out.
func (g *pageGraphics) addPath(pts []pathPoint, fill, stroke bool, pageW, pageH float64, white func() bool) {
	isWhite := -1 // unknown
	if fill && len(pts) > 1 && len(g.fills) < maxFills && !white() {
		// Any coloured shape, curved ones included, can be a background.
		g.addFill(boxOf(pts), pageW, pageH)
	}
	whiteFill := func() bool {
		if !fill || stroke {
			return false
		}
		if isWhite < 0 {
			isWhite = 0
			if white() {
				isWhite = 1
			}
		}
		return isWhite == 1
	}
	for start := 0; start < len(pts); {
		end := start + 1
		for end < len(pts) && pts[end].typ != segMove {
			end++
		}
		sub := pts[start:end]
		start = end
		if b, ok := markBox(sub, fill); ok && len(g.marks) < maxShapeMarks && !whiteFill() {
			g.marks = append(g.marks, b)
		}
		if slices.ContainsFunc(sub, func(p pathPoint) bool { return p.typ == segBezier }) {
			continue
		}
		sub = simplify(sub)
		closed := sub[len(sub)-1].close
		if len(sub) > 2 && near(sub[0], sub[len(sub)-1], cornerTol) {
			sub, closed = sub[:len(sub)-1], true
		}
		if b, ok := axisRect(sub); ok && (closed || fill) {
			g.addRect(b, stroke, pageW, pageH, whiteFill)
			continue
		}
		if !stroke {
			// A filled shape other than a rectangle: producers draw rules
			// as thin mitred polygons and frames as one outline with a
			// hole, whose parallel edges lie a rule's width apart.
			if !whiteFill() {
				g.addStrips(sub, pageW, pageH)
			}
			continue
		}
		for i := 1; i < len(sub); i++ {
			g.addLine(sub[i-1], sub[i], pageW, pageH)
		}
		if closed && len(sub) > 2 {
			g.addLine(sub[len(sub)-1], sub[0], pageW, pageH)
		}
	}
}

// markBox reports whether the subpath pts is a mark, a small closed
// shape about as wide as high (a disc drawn with curves, a square, a
// diamond), and returns its box. A filled subpath is closed whatever its
// last point.
func markBox(pts []pathPoint, fill bool) (folio.Box, bool) {
	if len(pts) < 3 {
		return folio.Box{}, false
	}
	last := pts[len(pts)-1]
	if !fill && !last.close && !near(pts[0], last, cornerTol) {
		return folio.Box{}, false
	}
	// Curve control points of a circle lie on its box; of other shapes,
	// close enough to it for a size test.
	b := boxOf(pts)
	w, h := b.Width(), b.Height()
	if min(w, h) < minMark || max(w, h) > maxMark || max(w, h) > markAspect*min(w, h) {
		return folio.Box{}, false
	}
	return roundBox(b), true
}

// addRect adds a rectangle: a ruling when thin, otherwise a box and, when
// stroked, its four edges.
func (g *pageGraphics) addRect(b folio.Box, stroke bool, pageW, pageH float64, whiteFill func() bool) {
	w, h := b.Width(), b.Height()
	if max(w, h) < minRuleLen {
		return
	}
	if min(w, h) < thinRule {
		if whiteFill() {
			return
		}
		if w >= h {
			y := b.CenterY()
			g.addLine(pathPoint{x: b[0], y: y}, pathPoint{x: b[2], y: y}, pageW, pageH)
		} else {
			x := b.CenterX()
			g.addLine(pathPoint{x: x, y: b[1]}, pathPoint{x: x, y: b[3]}, pageW, pageH)
		}
		return
	}
	visible := b.Intersect(folio.Box{0, 0, pageW, pageH})
	if visible.Area() == 0 || visible.Area() >= pageCover*pageW*pageH || whiteFill() {
		return
	}
	if stroke {
		corners := [4]pathPoint{{x: b[0], y: b[1]}, {x: b[2], y: b[1]}, {x: b[2], y: b[3]}, {x: b[0], y: b[3]}}
		for i := range corners {
			g.addLine(corners[i], corners[(i+1)%4], pageW, pageH)
		}
	}
	g.rects = append(g.rects, roundBox(visible))
}

// addStrips adds a ruling for every pair of parallel axis-aligned edges of
// the filled polygon pts that lie closer than a thin rule and overlap.
func (g *pageGraphics) addStrips(pts []pathPoint, pageW, pageH float64) {
	if len(pts) < 3 || len(pts) > maxStripPoints {
		return
	}
	type edge struct{ at, lo, hi float64 }
	var hs, vs []edge
	for i, p := range pts {
		q := pts[(i+1)%len(pts)]
		dx, dy := math.Abs(q.x-p.x), math.Abs(q.y-p.y)
		switch {
		case dy <= axisTol && dx >= minRuleLen:
			hs = append(hs, edge{(p.y + q.y) / 2, min(p.x, q.x), max(p.x, q.x)})
		case dx <= axisTol && dy >= minRuleLen:
			vs = append(vs, edge{(p.x + q.x) / 2, min(p.y, q.y), max(p.y, q.y)})
		}
	}
	pairs := func(es []edge, add func(at, lo, hi float64)) {
		for i := range es {
			for j := i + 1; j < len(es); j++ {
				a, b := es[i], es[j]
				if d := math.Abs(a.at - b.at); d == 0 || d >= thinRule {
					continue
				}
				if min(a.hi, b.hi)-max(a.lo, b.lo) < minRuleLen {
					continue
				}
				add((a.at+b.at)/2, min(a.lo, b.lo), max(a.hi, b.hi))
			}
		}
	}
	pairs(hs, func(y, x0, x1 float64) {
		g.addLine(pathPoint{x: x0, y: y}, pathPoint{x: x1, y: y}, pageW, pageH)
	})
	pairs(vs, func(x, y0, y1 float64) {
		g.addLine(pathPoint{x: x, y: y0}, pathPoint{x: x, y: y1}, pageW, pageH)
	})
}

// addLine adds the segment p-q as a ruling when it is axis-aligned, long
// enough and on the page.
func (g *pageGraphics) addLine(p, q pathPoint, pageW, pageH float64) {
	dx, dy := math.Abs(q.x-p.x), math.Abs(q.y-p.y)
	var r folio.Ruling
	switch {
	case dy <= axisTol && dx >= minRuleLen && dx > dy:
		y := (p.y + q.y) / 2
		if y < 0 || y > pageH {
			return
		}
		r = folio.Ruling{X0: math.Max(math.Min(p.x, q.x), 0), Y0: y, X1: math.Min(math.Max(p.x, q.x), pageW), Y1: y}
		if r.X1-r.X0 < minRuleLen {
			return
		}
	case dx <= axisTol && dy >= minRuleLen && dy > dx:
		x := (p.x + q.x) / 2
		if x < 0 || x > pageW {
			return
		}
		r = folio.Ruling{X0: x, Y0: math.Max(math.Min(p.y, q.y), 0), X1: x, Y1: math.Min(math.Max(p.y, q.y), pageH)}
		if r.Y1-r.Y0 < minRuleLen {
			return
		}
	default:
		return
	}
	g.rulings = append(g.rulings, folio.Ruling{X0: round2(r.X0), Y0: round2(r.Y0), X1: round2(r.X1), Y1: round2(r.Y1)})
}

// simplify drops points that repeat their predecessor.
func simplify(pts []pathPoint) []pathPoint {
	out := pts[:1]
	for _, p := range pts[1:] {
		if near(p, out[len(out)-1], 0.01) {
			out[len(out)-1].close = out[len(out)-1].close || p.close
			continue
		}
		out = append(out, p)
	}
	return out
}

// boxOf returns the box around pts (not empty).
func boxOf(pts []pathPoint) folio.Box {
	b := folio.Box{pts[0].x, pts[0].y, pts[0].x, pts[0].y}
	for _, p := range pts[1:] {
		b = folio.Box{min(b[0], p.x), min(b[1], p.y), max(b[2], p.x), max(b[3], p.y)}
	}
	return b
}

// near reports whether p and q are within tol of each other on both axes.
func near(p, q pathPoint, tol float64) bool {
	return math.Abs(p.x-q.x) <= tol && math.Abs(p.y-q.y) <= tol
}

// axisRect reports whether pts are the four corners of an axis-aligned
// rectangle, in either winding, and returns it.
func axisRect(pts []pathPoint) (folio.Box, bool) {
	if len(pts) != 4 {
		return folio.Box{}, false
	}
	b := boxOf(pts)
	corners := 0
	for i, p := range pts {
		cx := math.Abs(p.x-b[0]) <= cornerTol || math.Abs(p.x-b[2]) <= cornerTol
		cy := math.Abs(p.y-b[1]) <= cornerTol || math.Abs(p.y-b[3]) <= cornerTol
		if !cx || !cy {
			return folio.Box{}, false
		}
		// Consecutive corners share an x or a y: the edges are axis-aligned.
		q := pts[(i+1)%4]
		if math.Abs(p.x-q.x) > cornerTol && math.Abs(p.y-q.y) > cornerTol {
			return folio.Box{}, false
		}
		corner := 0
		if math.Abs(p.x-b[2]) < math.Abs(p.x-b[0]) {
			corner |= 1
		}
		if math.Abs(p.y-b[3]) < math.Abs(p.y-b[1]) {
			corner |= 2
		}
		corners |= 1 << corner
	}
	thin := b.Width() <= cornerTol || b.Height() <= cornerTol
	if corners != 0b1111 && !thin {
		return folio.Box{}, false
	}
	return b, true
}

// dedupe removes exact duplicates, keeping the first occurrence's order.
func dedupe[T comparable](xs []T) []T {
	if len(xs) < 2 {
		return xs
	}
	seen := make(map[T]struct{}, len(xs))
	out := xs[:0]
	for _, x := range xs {
		if _, ok := seen[x]; ok {
			continue
		}
		seen[x] = struct{}{}
		out = append(out, x)
	}
	return out
}
