package parse

import (
	"image"
	"math"

	"github.com/folio/folio"
)

// White text, as FPDFPageObj_GetFillColor reports it, is not always
// white: PDFium reports text filled with a shading pattern (and any
// pattern it cannot reduce to one colour) as white. Such text, and white
// text on a background the object walk does not see (a path filled with
// a pattern), is visible. The words showOnBackground leaves hidden are
// checked on the rendered page: where their glyphs' band shows ink, they
// are drawn in something other than white on white.

// Ink check parameters.
const (
	// inkScale is the resolution of the check in pixels per point:
	// 144 dpi puts about 8 pixel rows in the middle band of 10-point text.
	inkScale = 2
	// inkMaxPixels bounds the check's bitmap (8 MB); larger regions are
	// drawn at a lower resolution.
	inkMaxPixels = 2_000_000
	// inkLevel is the gray level below which a pixel is ink: white paper
	// and anti-aliasing haze of nothing stay above it.
	inkLevel = 240
	// inkShare is the share of a word's middle band that must be ink for
	// the word to count as drawn: glyphs cover 20-50 % of it, a stray
	// ruling or a neighbour's descender a few per cent.
	inkShare = 0.08
	// maxInkWords bounds the words checked per page; the rest stay hidden.
	maxInkWords = 2000
)

// showInked renders the part of a loaded page under the white words
// (indexes into words) that are still hidden and shows those drawn with
// ink. The page is rendered once, over the union of their boxes.
func (d *docParser) showInked(page uint32, words []folio.Word, white []int) {
	var todo []int
	var union folio.Box
	for _, i := range white {
		if !words[i].Hidden || words[i].Box.Area() <= 0 || len(todo) == maxInkWords {
			continue
		}
		if len(todo) == 0 {
			union = words[i].Box
		}
		union = unionBox(union, words[i].Box)
		todo = append(todo, i)
	}
	if len(todo) == 0 {
		return
	}
	r := &regionRenderer{l: d.l, doc: d.doc, scale: inkScale, maxPixels: min(inkMaxPixels, d.opts.MemoryLimit/16)}
	img := r.region(page, union)
	if img == nil {
		return
	}
	g := grayOf(img)
	sx, sy := float64(g.Rect.Dx())/union.Width(), float64(g.Rect.Dy())/union.Height()
	for _, i := range todo {
		w := &words[i]
		b := middleBand(w.Box, w.Angle)
		x0, x1 := int(math.Floor((b[0]-union[0])*sx)), int(math.Ceil((b[2]-union[0])*sx))
		y0, y1 := int(math.Floor((b[1]-union[1])*sy)), int(math.Ceil((b[3]-union[1])*sy))
		if inkedIn(g, image.Rect(x0, y0, x1, y1)) {
			w.Hidden = false
		}
	}
}

// middleBand returns the middle half of box b across the text direction
// angle (degrees): the band of the x-height, clear of the lines above and
// below and of underlines. Text at other than right angles keeps its box.
func middleBand(b folio.Box, angle float64) folio.Box {
	switch math.Mod(math.Round(angle), 180) {
	case 0:
		q := b.Height() / 4
		return folio.Box{b[0], b[1] + q, b[2], b[3] - q}
	case 90:
		q := b.Width() / 4
		return folio.Box{b[0] + q, b[1], b[2] - q, b[3]}
	}
	return b
}

// inkedIn reports whether at least inkShare of the pixels of g in r are ink.
func inkedIn(g *image.Gray, r image.Rectangle) bool {
	r = r.Intersect(g.Rect)
	if r.Empty() {
		return false
	}
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := g.Pix[y*g.Stride+r.Min.X : y*g.Stride+r.Max.X]
		for _, p := range row {
			if p < inkLevel {
				n++
			}
		}
	}
	return float64(n) >= inkShare*float64(r.Dx()*r.Dy())
}
