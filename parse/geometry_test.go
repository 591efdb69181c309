package parse

import (
	"fmt"
	"math"
	"testing"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
)

// shapesPDF builds a one-page PDF with the given media box and rotation
// whose content draws the word "Hello" in 10 pt Helvetica with its baseline
// at user-space (x0+100, y1-100), a 200×100 stroked rectangle at
// (x0+100, y0+100) inside a form XObject placed with a translation, and a
// horizontal line from (x0+50, y0+50) to (x0+250, y0+50).
func shapesPDF(x0, y0, x1, y1 float64, rotate int) []byte {
	content := fmt.Sprintf("BT /F1 10 Tf %g %g Td (Hello) Tj ET\n"+
		"q 1 0 0 1 %g %g cm /Fm1 Do Q\n"+
		"%g %g m %g %g l S\n",
		x0+100, y1-100, x0+60, y0+80, x0+50, y0+50, x0+250, y0+50)
	// The form draws its rectangle at (40, 20) in its own space, which
	// /Matrix shifts by (0, 0): 60+40 = 100 and 80+20 = 100 from the origin.
	form := "40 20 200 100 re S"
	return buildPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [%g %g %g %g] /Rotate %d /Contents 4 0 R "+
			"/Resources << /Font << /F1 5 0 R >> /XObject << /Fm1 6 0 R >> >> >>", x0, y0, x1, y1, rotate),
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Type /XObject /Subtype /Form /BBox [0 0 500 500] /Matrix [1 0 0 1 0 0] /Length %d >>\nstream\n%s\nendstream", len(form), form),
	)
}

func TestGeometry(t *testing.T) {
	// On a 400×600 page with its origin at (1000, 2000), the shapes sit at
	// fixed offsets from the page's corners; rotation moves them with it.
	tests := []struct {
		name   string
		rotate int
		w, h   float64
		hello  [2]float64 // displayed position of the word's left end on its baseline
		angle  float64
		rect   folio.Box
		line   folio.Ruling
	}{
		{"upright", 0, 400, 600, [2]float64{100, 100}, 0,
			folio.Box{100, 400, 300, 500}, folio.Ruling{X0: 50, Y0: 550, X1: 250, Y1: 550}},
		{"rotate 90", 90, 600, 400, [2]float64{500, 100}, 270,
			folio.Box{100, 100, 200, 300}, folio.Ruling{X0: 50, Y0: 50, X1: 50, Y1: 250}},
		{"rotate 180", 180, 400, 600, [2]float64{300, 500}, 180,
			folio.Box{100, 100, 300, 200}, folio.Ruling{X0: 150, Y0: 50, X1: 350, Y1: 50}},
		{"rotate 270", 270, 600, 400, [2]float64{100, 300}, 90,
			folio.Box{400, 100, 500, 300}, folio.Ruling{X0: 550, Y0: 150, X1: 550, Y1: 350}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parse(t, testEngine, "shapes.pdf", shapesPDF(1000, 2000, 1400, 2600, tt.rotate))
			if err != nil {
				t.Fatal(err)
			}
			pg := p.Pages[0]
			if diff := cmp.Diff([]any{tt.w, tt.h, tt.rotate}, []any{pg.Width, pg.Height, pg.Rotation}); diff != "" {
				t.Errorf("width, height, rotation (-want +got):\n%s", diff)
			}
			if len(pg.Words) != 1 || pg.Words[0].Text != "Hello" {
				t.Fatalf("words %+v, want Hello", pg.Words)
			}
			w := pg.Words[0]
			if w.Angle != tt.angle || w.Font != "Helvetica" || w.Size != 10 {
				t.Errorf("Hello: angle %v font %q size %v, want %v Helvetica 10", w.Angle, w.Font, w.Size, tt.angle)
			}
			// The baseline start lies on the box's edge below the text:
			// ascender 7-8 pt above it, descender about 2 pt below.
			if x, y := probe(tt.hello, tt.angle); !w.Box.Contains(x, y) {
				t.Errorf("Hello box %v does not hold its baseline start %v", w.Box, tt.hello)
			}
			if diff := cmp.Diff([]folio.Box{tt.rect}, pg.Rects); diff != "" {
				t.Errorf("rects (-want +got):\n%s", diff)
			}
			if !containsRuling(pg.Rulings, tt.line) || len(pg.Rulings) != 5 {
				t.Errorf("rulings %+v, want the rectangle's 4 edges and %+v", pg.Rulings, tt.line)
			}
		})
	}
}

// probe steps from a baseline start 1 pt along the text and 2 pt up from
// the baseline, to a point inside the word's box rather than on its edge.
// angle is counter-clockwise in the displayed frame, whose y grows down.
func probe(p [2]float64, angle float64) (x, y float64) {
	sin, cos := math.Sincos(angle * math.Pi / 180)
	dx, dy := cos, -sin  // along the text
	ux, uy := -sin, -cos // up from the baseline
	return p[0] + dx + 2*ux, p[1] + dy + 2*uy
}

func containsRuling(rs []folio.Ruling, r folio.Ruling) bool {
	for _, x := range rs {
		if math.Abs(x.X0-r.X0) < 0.01 && math.Abs(x.Y0-r.Y0) < 0.01 && math.Abs(x.X1-r.X1) < 0.01 && math.Abs(x.Y1-r.Y1) < 0.01 {
			return true
		}
	}
	return false
}
