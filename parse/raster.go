package parse

import (
	"image"

	"github.com/folio/folio"
)

// Raster line detection, for scanned pages: table rulings, frames and
// rules are pixels there, not vector paths.
const (
	// darkLevel is the gray level below which a pixel is ink.
	darkLevel = 160
	// lineMinInches is the shortest line found; lineMaxPoints its largest
	// thickness; lineAspect the least length per unit of thickness, which
	// keeps the stems of large letters out.
	lineMinInches = 0.25
	lineMaxPoints = 1.5
	lineAspect    = 15
	// lineGap is the longest break, in pixels, a line may have (scanner
	// noise); lineSkew the pixels a line may step up or down between two
	// pieces (a scan a fraction of a degree askew).
	lineGap  = 1
	lineSkew = 2
	// lineErase is how far, in pixels, paint-out reaches beyond a line's
	// ink for its anti-aliased fringe.
	lineErase = 1
)

// pxLine is a horizontal or vertical line found in an image, in pixels:
// it runs from a to b along its axis at position at (the centre of its
// thickness).
type pxLine struct {
	vertical bool
	a, b     int
	at       float64
	thick    float64
	runs     []run // the ink, for erase
}

// ruling returns l in points, sx and sy being points per pixel.
func (l pxLine) ruling(sx, sy float64) folio.Ruling {
	if l.vertical {
		x := round2((l.at + 0.5) * sx)
		return folio.Ruling{X0: x, Y0: round2(float64(l.a) * sy), X1: x, Y1: round2(float64(l.b) * sy)}
	}
	y := round2((l.at + 0.5) * sy)
	return folio.Ruling{X0: round2(float64(l.a) * sx), Y0: y, X1: round2(float64(l.b) * sx), Y1: y}
}

// findLines finds the long thin horizontal and vertical lines of a page
// image drawn at dpi, and paints them white so that OCR does not read
// table borders as letters (| l I).
func findLines(img *image.Gray, dpi float64) []pxLine {
	minLen := max(8, int(lineMinInches*dpi))
	maxThick := max(1.5, lineMaxPoints*dpi/72)
	hs := scanLines(img.Pix, 1, img.Stride, img.Rect.Dx(), img.Rect.Dy(), minLen, maxThick)
	vs := scanLines(img.Pix, img.Stride, 1, img.Rect.Dy(), img.Rect.Dx(), minLen, maxThick)
	for i := range vs {
		vs[i].vertical = true
	}
	lines := append(hs, vs...)
	for _, l := range lines {
		erase(img, l)
	}
	return lines
}

// run is a stretch of ink along one row (or column) at position pos.
type run struct{ pos, a, b int }

// lineGroup gathers the runs of one line.
type lineGroup struct {
	a, b   int   // extent along the line
	last   int   // position of the newest run
	ink    int   // pixels
	posSum int64 // Σ pos·length, for the centre
	runs   []run
}

// scanLines finds lines along one axis of a gray image: lines of length
// n positions, the pixel (along i, across j) at pix[i*along+j*across].
// Rows are scanned with along=1, across=stride; columns the other way.
func scanLines(pix []byte, along, across, n, m, minLen int, maxThick float64) []pxLine {
	var (
		active []*lineGroup
		out    []pxLine
	)
	flush := func(g *lineGroup) {
		length := g.b - g.a
		thick := float64(g.ink) / float64(length)
		if thick <= maxThick && float64(length) >= max(float64(minLen), lineAspect*thick) {
			out = append(out, pxLine{a: g.a, b: g.b, at: float64(g.posSum) / float64(g.ink), thick: thick, runs: g.runs})
		}
	}
	for j := range m {
		base := j * across
		// Runs of ink along this row, bridging gaps of up to lineGap.
		var runs []run
		start, gap := -1, 0
		for i := 0; i <= n; i++ {
			dark := i < n && pix[base+i*along] < darkLevel
			switch {
			case dark && start < 0:
				start, gap = i, 0
			case dark:
				gap = 0
			case start >= 0:
				gap++
				if gap > lineGap || i == n {
					end := i - gap + 1
					if end-start >= minLen {
						runs = append(runs, run{pos: j, a: start, b: end})
					}
					start = -1
				}
			}
		}
		// Each run joins the active group it continues, or starts one.
		for _, r := range runs {
			var hit *lineGroup
			for _, g := range active {
				if j-g.last <= lineSkew && r.a <= g.b+3 && r.b >= g.a-3 {
					hit = g
					break
				}
			}
			if hit == nil {
				hit = &lineGroup{a: r.a, b: r.b}
				active = append(active, hit)
			}
			hit.a, hit.b = min(hit.a, r.a), max(hit.b, r.b)
			hit.last = j
			hit.ink += r.b - r.a
			hit.posSum += int64(j) * int64(r.b-r.a)
			hit.runs = append(hit.runs, r)
		}
		// Groups no run continued for a while are finished.
		keep := active[:0]
		for _, g := range active {
			if j-g.last > lineSkew {
				flush(g)
				continue
			}
			keep = append(keep, g)
		}
		active = keep
	}
	for _, g := range active {
		flush(g)
	}
	return out
}

// erase paints line l's ink white, with the fringe of lighter pixels
// lineErase beside it.
func erase(img *image.Gray, l pxLine) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for _, r := range l.runs {
		for p := r.pos - lineErase; p <= r.pos+lineErase; p++ {
			for q := r.a; q < r.b; q++ {
				x, y := q, p
				if l.vertical {
					x, y = p, q
				}
				if x < 0 || y < 0 || x >= w || y >= h {
					continue
				}
				if i := y*img.Stride + x; img.Pix[i] < 230 {
					img.Pix[i] = 0xFF
				}
			}
		}
	}
}
