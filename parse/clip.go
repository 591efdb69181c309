package parse

import "math"

// Text drawn outside its clipping path is not shown, yet PDFium's text
// extraction returns it: a zero-size clip is a way to hide instructions
// for the models downstream. Characters wholly outside the bounds of their
// text object's clip are marked hidden. The bounds are the intersection of
// the bounding boxes of the clip's paths (control points included), which
// holds the clip region, so visible text is never hidden.
//
// Clip paths are in page space only for objects drawn by the page itself;
// inside a form XObject they are in the form's space, so text in forms is
// not checked.

// maxClipSegments bounds the clip segments read per text object; a clip
// with more is not checked.
const maxClipSegments = 256

// clipSlack is how far, in points, a character may lie outside the clip
// bounds and still count as inside (rounding in the producer).
const clipSlack = 1

// clipBounds returns the bounds {x0, y0, x1, y1} in page space of page
// object obj's clipping path, and false when it has none or it cannot be
// read in full.
func (l *lib) clipBounds(obj uint32) ([4]float64, bool) {
	clip := l.callPtr(fnObjGetClipPath, uint64(obj))
	if clip == 0 {
		return [4]float64{}, false
	}
	n := l.callI32(fnClipCountPaths, uint64(clip))
	if n <= 0 {
		return [4]float64{}, false
	}
	b := [4]float64{math.Inf(-1), math.Inf(-1), math.Inf(1), math.Inf(1)}
	p, read := l.scratch+48, 0
	for i := range n {
		m := l.callI32(fnClipCountSegments, uint64(clip), uint64(i))
		if m <= 0 || read+m > maxClipSegments {
			return [4]float64{}, false
		}
		read += m
		pb := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
		for j := range m {
			seg := l.callPtr(fnClipGetSegment, uint64(clip), uint64(i), uint64(j))
			if seg == 0 || l.call(fnSegGetPoint, uint64(seg), uint64(p), uint64(p+4)) == 0 {
				return [4]float64{}, false
			}
			x, y := l.f32(p), l.f32(p+4)
			if !finite(x, y) {
				return [4]float64{}, false
			}
			pb = [4]float64{math.Min(pb[0], x), math.Min(pb[1], y), math.Max(pb[2], x), math.Max(pb[3], y)}
		}
		b = [4]float64{math.Max(b[0], pb[0]), math.Max(b[1], pb[1]), math.Min(b[2], pb[2]), math.Min(b[3], pb[3])}
	}
	return b, l.err == nil
}

// outside reports whether the box left, top, right, bottom (page space, y
// up) lies wholly outside clip bounds b.
func outside(b [4]float64, left, top, right, bottom float64) bool {
	return right < b[0]-clipSlack || left > b[2]+clipSlack || top < b[1]-clipSlack || bottom > b[3]+clipSlack
}
