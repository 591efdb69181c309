package segment

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTwoColumnOrder(t *testing.T) {
	b := newPage(1)
	b.text(150, 60, 20, "A Title Across Columns", style{bold: true})
	words := strings.Fields(lorem)
	// Left column: two paragraphs; right column: two paragraphs. The
	// paragraphs' gaps line up across the gutter, which must not cut the
	// page into strips read left-right-left-right.
	y := b.para(72, 120, 220, 10, 12, "Left one "+strings.Join(words[:30], " "))
	b.para(72, y+10, 220, 10, 12, "Left two "+strings.Join(words[5:35], " "))
	y = b.para(320, 120, 220, 10, 12, "Right one "+strings.Join(words[2:32], " "))
	b.para(320, y+10, 220, 10, 12, "Right two "+strings.Join(words[6:36], " "))
	els := New(Options{}).Segment(parsed(b))
	var got []string
	for _, e := range els {
		f := strings.Fields(e.Text)
		got = append(got, string(e.Type)+": "+strings.Join(f[:min(2, len(f))], " "))
	}
	want := []string{"title: A Title", "paragraph: Left one", "paragraph: Left two", "paragraph: Right one", "paragraph: Right two"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func TestFullWidthFigureInterruptsColumns(t *testing.T) {
	b := newPage(1)
	words := strings.Fields(lorem)
	b.para(72, 80, 220, 10, 12, "Top left "+strings.Join(words[:20], " "))
	b.para(320, 80, 220, 10, 12, "Top right "+strings.Join(words[:20], " "))
	b.image([4]float64{72, 200, 540, 400})
	b.para(72, 420, 220, 10, 12, "Bottom left "+strings.Join(words[:20], " "))
	b.para(320, 420, 220, 10, 12, "Bottom right "+strings.Join(words[:20], " "))
	els := New(Options{}).Segment(parsed(b))
	var got []string
	for _, e := range els {
		f := strings.Fields(e.Text)
		got = append(got, string(e.Type)+": "+strings.Join(f[:min(2, len(f))], " "))
	}
	want := []string{"paragraph: Top left", "paragraph: Top right", "image: ", "paragraph: Bottom left", "paragraph: Bottom right"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

// Notes at the foot of each column are read after the page's text, left
// column's first: a reader does not stop in the middle of a sentence that
// runs on into the next column to read the notes under the first. A note
// whose second line opens with an initial ("S. Hattox") stays one note.
func TestColumnNotesAfterText(t *testing.T) {
	b := newPage(1)
	words := strings.Fields(lorem)
	for _, col := range []struct {
		x    float64
		name string
	}{{72, "Left"}, {320, "Right"}} {
		y := b.para(col.x, 80, 220, 10, 12, col.name+" body "+strings.Join(words, " ")+" "+strings.Join(words, " "))
		b.para(col.x, y+8, 220, 10, 12, col.name+" more "+strings.Join(words, " ")+" "+strings.Join(words, " "))
		y = 620.0
		b.text(col.x, y, 8, "25 "+col.name+" note on coffee and wine, see Ralph")
		b.text(col.x+12, y+10, 8, "S. Hattox, Coffee and Coffeehouses (Seattle, 1985).")
		b.text(col.x, y+20, 8, "26 "+col.name+" second note, 1:440.")
	}
	els := New(Options{}).Segment(parsed(b))
	var got []string
	for _, e := range els {
		f := strings.Fields(e.Text)
		got = append(got, string(e.Type)+": "+strings.Join(f[:min(3, len(f))], " "))
	}
	want := []string{
		"paragraph: Left body Lorem", "paragraph: Left more Lorem",
		"paragraph: Right body Lorem", "paragraph: Right more Lorem",
		"footnote: 25 Left note", "footnote: S. Hattox, Coffee", "footnote: 26 Left second",
		"footnote: 25 Right note", "footnote: S. Hattox, Coffee", "footnote: 26 Right second",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}
