package segment

import (
	"math"

	"github.com/folio/folio"
)

// frame maps page coordinates into a frame where text at a given angle
// runs left to right, and back. Angles are counter-clockwise degrees,
// snapped to quarter turns.
type frame struct {
	angle int     // 0, 90, 180 or 270
	w, h  float64 // the page's size in page coordinates
}

// quarter snaps an angle to the nearest quarter turn, or -1 when the text
// is skewed rather than turned.
func quarter(a float64) int {
	a = math.Mod(a, 360)
	if a < 0 {
		a += 360
	}
	q := int(math.Round(a/90)) % 4
	if math.Abs(a-float64(q)*90) > 10 && math.Abs(a-360) > 10 {
		return -1
	}
	return q * 90
}

func (f frame) point(x, y float64) (float64, float64) {
	switch f.angle {
	case 90: // reads bottom to top: lines advance to the right
		return f.h - y, x
	case 180:
		return f.w - x, f.h - y
	case 270: // reads top to bottom: lines advance to the left
		return y, f.w - x
	}
	return x, y
}

func (f frame) unpoint(x, y float64) (float64, float64) {
	switch f.angle {
	case 90:
		return y, f.h - x
	case 180:
		return f.w - x, f.h - y
	case 270:
		return f.w - y, x
	}
	return x, y
}

func (f frame) size() (float64, float64) {
	if f.angle == 90 || f.angle == 270 {
		return f.h, f.w
	}
	return f.w, f.h
}

func (f frame) box(b folio.Box) folio.Box {
	x0, y0 := f.point(b[0], b[1])
	x1, y1 := f.point(b[2], b[3])
	return folio.Box{math.Min(x0, x1), math.Min(y0, y1), math.Max(x0, x1), math.Max(y0, y1)}
}

func (f frame) unbox(b folio.Box) folio.Box {
	x0, y0 := f.unpoint(b[0], b[1])
	x1, y1 := f.unpoint(b[2], b[3])
	return folio.Box{math.Min(x0, x1), math.Min(y0, y1), math.Max(x0, x1), math.Max(y0, y1)}
}

// rotatePage returns a copy of p turned so that text at angle reads left
// to right.
func rotatePage(p *folio.Page, f frame) *folio.Page {
	q := *p
	q.Width, q.Height = f.size()
	q.Words = make([]folio.Word, 0, len(p.Words))
	for _, w := range p.Words {
		w.Box = f.box(w.Box)
		a := quarter(w.Angle)
		if a >= 0 {
			w.Angle = float64((a - f.angle + 360) % 360)
		}
		q.Words = append(q.Words, w)
	}
	q.Rulings = make([]folio.Ruling, len(p.Rulings))
	for i, r := range p.Rulings {
		b := f.box(folio.Box{r.X0, r.Y0, r.X1, r.Y1})
		q.Rulings[i] = folio.Ruling{X0: b[0], Y0: b[1], X1: b[2], Y1: b[3]}
	}
	q.Rects = make([]folio.Box, len(p.Rects))
	for i, b := range p.Rects {
		q.Rects[i] = f.box(b)
	}
	q.Marks = make([]folio.Box, len(p.Marks))
	for i, b := range p.Marks {
		q.Marks[i] = f.box(b)
	}
	q.Images = make([]folio.ImagePlacement, len(p.Images))
	for i, im := range p.Images {
		im.Box = f.box(im.Box)
		q.Images[i] = im
	}
	return &q
}

// dominantAngle returns the quarter turn most of a page's characters are
// set at.
func dominantAngle(p *folio.Page) int {
	var n [4]int
	for _, w := range p.Words {
		if w.Hidden {
			continue
		}
		if a := quarter(w.Angle); a >= 0 {
			n[a/90] += len(w.Text)
		}
	}
	best := 0
	for i := 1; i < 4; i++ {
		if n[i] > n[best] {
			best = i
		}
	}
	if n[best]*10 < (n[0]+n[1]+n[2]+n[3])*6 {
		return 0
	}
	return best * 90
}
