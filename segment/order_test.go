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
