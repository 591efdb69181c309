package parse

import (
	"testing"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
)

// Small shapes drawn beside text, bullets among them, reach the page as
// marks, curved ones included; large or elongated shapes do not.
func TestMarks(t *testing.T) {
	// A disc of radius 2 drawn with four curves at (x, y), PDF space.
	disc := func(x, y string) string {
		return "q 1 0 0 1 " + x + " " + y + " cm 2 0 m 2 1.1 1.1 2 0 2 c -1.1 2 -2 1.1 -2 0 c -2 -1.1 -1.1 -2 0 -2 c 1.1 -2 2 -1.1 2 0 c h f Q\n"
	}
	p := mustParseBytes(t, contentPDF(
		disc("76", "704")+
			"0.5 w 74 684 4 4 re S\n"+ // a stroked square
			"20 600 m 60 600 l 40 630 l h f\n"+ // a large triangle
			"q 1 0 0 1 300 300 cm 20 0 m 20 11 11 20 0 20 c -11 20 -20 11 -20 0 c -20 -11 -11 -20 0 -20 c 11 -20 20 -11 20 0 c h f Q\n"+
			"BT /F1 10 Tf 84 700 Td (First item) Tj 0 -20 Td (Second item) Tj ET\n"))
	pg := p.Pages[0]
	want := []folio.Box{{74, 86, 78, 90}, {74, 104, 78, 108}}
	if diff := cmp.Diff(want, pg.Marks); diff != "" {
		t.Errorf("marks (-want +got):\n%s", diff)
	}
}

// Chromium prints the bullets of an HTML list as paths: every one is a
// mark, and the two squares are boxes too.
func TestMarksChromium(t *testing.T) {
	pg := mustParse(t, "chromium_lists.pdf").Pages[0]
	if len(pg.Marks) != 10 {
		t.Errorf("got %d marks, want the list's 10 bullets: %v", len(pg.Marks), pg.Marks)
	}
	for _, m := range pg.Marks {
		if w, h := m.Width(), m.Height(); w < 3 || w > 4.5 || h < 3 || h > 4.5 {
			t.Errorf("mark %v is not a bullet of about 3.75pt", m)
		}
	}
}
