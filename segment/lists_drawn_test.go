package segment

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
)

// TestDrawnBulletsChromium reads a page Chromium printed from an HTML
// list (testdata/README.md): its bullets are discs, circles and squares
// drawn as paths, with no bullet glyph in the text.
func TestDrawnBulletsChromium(t *testing.T) {
	p, err := readPages(filepath.Join("testdata", "chromium_lists.pages.json"))
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		Level int
		Text  string
	}
	var items []got
	for _, e := range New(Options{}).Segment(p) {
		switch e.Type {
		case folio.ListItem:
			items = append(items, got{e.Level, e.Text})
		case folio.TableType, folio.ImageType:
			t.Errorf("%s at %v: the bullets make no table or figure", e.Type, e.Box)
		}
	}
	want := []got{
		{1, "A waterproof notebook with numbered pages for the daily log"},
		{1, "Two spare batteries for the handheld receiver, charged the night before the trip so that the receiver never runs out in the field"},
		{1, "Sample bags, labelled by site"},
		{2, "Small bags for soil"},
		{2, "Large bags for plants"},
		{1, "A first aid kit"},
		{1, "Count the bags before leaving"},
		{1, "Sign the log at the gate"},
		{1, "Report damaged equipment to the store keeper"},
		{1, "Return the keys"},
	}
	if diff := cmp.Diff(want, items); diff != "" {
		t.Errorf("list items (-want +got):\n%s", diff)
	}
}

func TestDrawnBullets(t *testing.T) {
	const size = 10.0
	// disc is a bullet of side s centred on the line at y (its top) and
	// gap points left of x.
	disc := func(x, y, gap, s float64) folio.Box {
		cy := y + size/2
		return folio.Box{x - gap - s, cy - s/2, x - gap, cy + s/2}
	}
	items := []string{"Pack the tent", "Fill the water bottles", "Lock the door"}
	tests := []struct {
		name  string
		marks func(x, y float64) []folio.Box // the marks of the line at (x, y)
		want  folio.ElementType
	}{
		{"a disc left of each line makes list items", func(x, y float64) []folio.Box {
			return []folio.Box{disc(x, y, 7, 3.5)}
		}, folio.ListItem},
		{"a shape as tall as the text is a check box", func(x, y float64) []folio.Box {
			return []folio.Box{disc(x, y, 7, 9)}
		}, folio.Paragraph},
		{"a dot of a dotted row is no bullet", func(x, y float64) []folio.Box {
			var row []folio.Box
			for i := range 6 {
				row = append(row, disc(x, y, 3+5*float64(i), 2))
			}
			return row
		}, folio.Paragraph},
		{"keys along the line are a legend, no bullets", func(x, y float64) []folio.Box {
			return []folio.Box{disc(x, y, 7, 3.5), disc(x+50, y, 7, 3.5)}
		}, folio.Paragraph},
		{"a disc far from the text is no bullet", func(x, y float64) []folio.Box {
			return []folio.Box{disc(x, y, 40, 3.5)}
		}, folio.Paragraph},
		{"a disc above the line is no bullet", func(x, y float64) []folio.Box {
			return []folio.Box{disc(x, y-5, 7, 3.5)}
		}, folio.Paragraph},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newPage(1)
			b.para(72, 100, 450, size, 14, lorem)
			for i, s := range items {
				y := 160 + 14*float64(i)
				b.text(90, y, size, s)
				b.p.Marks = append(b.p.Marks, tt.marks(90, y)...)
			}
			b.para(72, 220, 450, size, 14, lorem)
			var got []string
			for _, e := range New(Options{}).Segment(parsed(b)) {
				if e.Text != lorem {
					got = append(got, string(e.Type)+": "+e.Text)
				}
			}
			var want []string
			for _, s := range items {
				want = append(want, string(tt.want)+": "+s)
			}
			if tt.want == folio.Paragraph {
				want = []string{"paragraph: " + strings.Join(items, " ")}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("elements (-want +got):\n%s", diff)
			}
		})
	}
}
