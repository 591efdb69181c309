package folio

import "math"

// Box is an axis-aligned rectangle [x0, y0, x1, y1] in PDF points, with the
// origin at the top-left corner of the page as displayed (rotation applied).
type Box [4]float64

// Width returns the horizontal extent of b.
func (b Box) Width() float64 { return b[2] - b[0] }

// Height returns the vertical extent of b.
func (b Box) Height() float64 { return b[3] - b[1] }

// Area returns the area of b, or zero for an empty box.
func (b Box) Area() float64 {
	if b[2] <= b[0] || b[3] <= b[1] {
		return 0
	}
	return b.Width() * b.Height()
}

// CenterX returns the horizontal centre of b.
func (b Box) CenterX() float64 { return (b[0] + b[2]) / 2 }

// CenterY returns the vertical centre of b.
func (b Box) CenterY() float64 { return (b[1] + b[3]) / 2 }

// Union returns the smallest box that holds both b and o. A zero box is
// treated as empty.
func (b Box) Union(o Box) Box {
	if b == (Box{}) {
		return o
	}
	if o == (Box{}) {
		return b
	}
	return Box{math.Min(b[0], o[0]), math.Min(b[1], o[1]), math.Max(b[2], o[2]), math.Max(b[3], o[3])}
}

// Intersect returns the overlap of b and o; it is empty (zero area) when they
// do not overlap.
func (b Box) Intersect(o Box) Box {
	r := Box{math.Max(b[0], o[0]), math.Max(b[1], o[1]), math.Min(b[2], o[2]), math.Min(b[3], o[3])}
	if r[2] < r[0] || r[3] < r[1] {
		return Box{}
	}
	return r
}

// Contains reports whether the point (x, y) lies in b, edges included.
func (b Box) Contains(x, y float64) bool {
	return x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3]
}

// Rounded returns b with each coordinate rounded to two decimals, the
// precision written to outputs.
func (b Box) Rounded() Box {
	for i := range b {
		b[i] = math.Round(b[i]*100) / 100
	}
	return b
}
