package parse

import (
	"math"

	"github.com/folio/folio"
)

// frame maps PDF user space (origin bottom-left, y up, as content streams
// and PDFium's text and object APIs use it) to the displayed page: the
// visible box (crop box clipped to the media box) turned by the page's
// /Rotate, with the origin at the top-left and y growing downwards.
type frame struct {
	x0, y0, x1, y1 float64 // visible box in user space
	rot            int     // clockwise rotation in degrees: 0, 90, 180, 270
}

// size returns the displayed width and height.
func (f frame) size() (w, h float64) {
	w, h = f.x1-f.x0, f.y1-f.y0
	if f.rot == 90 || f.rot == 270 {
		w, h = h, w
	}
	return w, h
}

// point maps a user-space point to the displayed frame.
func (f frame) point(x, y float64) (float64, float64) {
	switch f.rot {
	case 90:
		return y - f.y0, x - f.x0
	case 180:
		return f.x1 - x, y - f.y0
	case 270:
		return f.y1 - y, f.x1 - x
	default:
		return x - f.x0, f.y1 - y
	}
}

// box maps a user-space rectangle (any corner order) to a displayed box.
func (f frame) box(x0, y0, x1, y1 float64) folio.Box {
	ax, ay := f.point(x0, y0)
	bx, by := f.point(x1, y1)
	return folio.Box{math.Min(ax, bx), math.Min(ay, by), math.Max(ax, bx), math.Max(ay, by)}
}

// angle converts a counter-clockwise text angle in user space (degrees) to
// the displayed frame, in [0, 360).
func (f frame) angle(deg float64) float64 {
	// /Rotate turns the page clockwise, which turns its text the same way.
	a := math.Mod(deg-float64(f.rot), 360)
	if a < 0 {
		a += 360
	}
	return math.Abs(a) // no -0
}

// matrix is a PDF transformation matrix [a b c d e f]: a point (x, y) maps
// to (a·x + c·y + e, b·x + d·y + f).
type matrix struct{ a, b, c, d, e, f float64 }

// apply maps a point through m.
func (m matrix) apply(x, y float64) (float64, float64) {
	return m.a*x + m.c*y + m.e, m.b*x + m.d*y + m.f
}

// then returns the matrix that applies m first and n second.
func (m matrix) then(n matrix) matrix {
	return matrix{
		a: m.a*n.a + m.b*n.c,
		b: m.a*n.b + m.b*n.d,
		c: m.c*n.a + m.d*n.c,
		d: m.c*n.b + m.d*n.d,
		e: m.e*n.a + m.f*n.c + n.e,
		f: m.e*n.b + m.f*n.d + n.f,
	}
}

// bounds maps the rectangle (x0, y0)-(x1, y1) through m and returns the
// user-space bounding box of the result.
func (m matrix) bounds(x0, y0, x1, y1 float64) (minX, minY, maxX, maxY float64) {
	minX, minY = math.Inf(1), math.Inf(1)
	maxX, maxY = math.Inf(-1), math.Inf(-1)
	for _, p := range [4][2]float64{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}} {
		x, y := m.apply(p[0], p[1])
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		minY, maxY = math.Min(minY, y), math.Max(maxY, y)
	}
	return minX, minY, maxX, maxY
}
