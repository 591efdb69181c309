package segment

import (
	"math"
	"strings"
	"testing"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
)

func mkWord(t string, x0, y0, x1 float64, rtl bool) *word {
	return wordOf(folio.Word{Text: t, Box: folio.Box{x0, y0, x1, y0 + 10}, Size: 10, RTL: rtl, SpaceAfter: true})
}

func TestBuildLines(t *testing.T) {
	tests := []struct {
		name  string
		words []*word
		want  []string
	}{
		{
			name: "shuffled words sort into lines top to bottom, left to right",
			words: []*word{
				mkWord("line", 50, 20, 70, false), mkWord("second", 10, 20, 40, false),
				mkWord("first", 10, 5, 35, false), mkWord("line", 40, 5.5, 60, false),
			},
			want: []string{"first line", "second line"},
		},
		{
			name: "a superscript stays on its line",
			words: []*word{
				wordOf(folio.Word{Text: "note", Box: folio.Box{10, 5, 30, 15}, Size: 10}),
				wordOf(folio.Word{Text: "1", Box: folio.Box{31, 3, 34, 9}, Size: 6}),
				mkWord("next", 10, 18, 30, false),
			},
			want: []string{"note1", "next"},
		},
		{
			name: "right-to-left words read right to left, a Latin run inside keeps its order",
			words: []*word{
				mkWord("ثالث", 10, 5, 30, true), mkWord("Python", 35, 5, 60, false),
				mkWord("R", 62, 5, 66, false), mkWord("ثاني", 70, 5, 90, true), mkWord("أول", 95, 5, 110, true),
			},
			want: []string{"أول ثاني Python R ثالث"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, l := range buildLines(tt.words) {
				got = append(got, l.text)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDehyphenate(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{"hyphen before lower case joins the word", []string{"an exam-", "ple here"}, "an example here"},
		{"hyphen before upper case stays", []string{"the Anglo-", "Saxon era"}, "the Anglo- Saxon era"},
		{"dash after a digit stays", []string{"pages 10-", "twelve"}, "pages 10- twelve"},
		{"plain lines join with a space", []string{"one", "two"}, "one two"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ls []*line
			for _, s := range tt.lines {
				ls = append(ls, &line{text: s})
			}
			if got := joinLines(ls); got != tt.want {
				t.Errorf("joinLines = %q, want %q", got, tt.want)
			}
		})
	}
}

// wordOf returns a segmentation word of its own copy of fw.
func wordOf(fw folio.Word) *word {
	w := newWord(&fw)
	return &w
}

// Some fonts declare an ascent and descent far beyond their glyphs
// (Cambria in Word output): PDFium's boxes for consecutive lines then
// overlap by most of their height. The lines stay apart, in order.
func TestTallFontBoxes(t *testing.T) {
	const size, pitch = 9.96, 25.68
	b := newPage(1)
	lines := []string{
		"3. Mix reagents by pipetting gently up and down.",
		"4. Incubate all of the reaction tubes for 1 hour at 37 °C.",
		"NOTE: Your instructor will freeze your completed restriction digests.",
	}
	for i, s := range lines {
		// The box of the real page: 3 sizes above the baseline, 2.6 below.
		base := 218.5 + pitch*float64(i)
		x := 72.0
		for _, f := range strings.Fields(s) {
			w := textW(f, size)
			b.p.Words = append(b.p.Words, folio.Word{Text: f, Box: folio.Box{x, base - 29.83, x + w, base + 25.76},
				Size: size, SpaceAfter: true, Font: "Cambria"})
			x += w + 0.25*size
		}
	}
	if a, c := b.p.Words[0].Box, b.p.Words[len(strings.Fields(lines[0]))].Box; overlapY(a, c) < 0.5*a.Height() {
		t.Fatalf("boxes %v and %v of consecutive lines should overlap as PDFium reports them", a, c)
	}
	got := texts(New(Options{}).Segment(parsed(b)))
	want := []string{
		"list_item: Mix reagents by pipetting gently up and down.",
		"list_item: Incubate all of the reaction tubes for 1 hour at 37 °C.",
		"paragraph: " + lines[2],
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("elements (-want +got):\n%s", diff)
	}
}

// Words whose boxes are far taller than their size get a box of their
// glyphs about the same centre; ordinary words keep theirs.
func TestTightenTallBoxes(t *testing.T) {
	plain := mkWord("plain", 72, 100, 100, false)
	tall := wordOf(folio.Word{Text: "Mix", Box: folio.Box{72, 188.67, 110, 244.26}, Size: 9.96, Font: "Cambria"})
	tightenTallBoxes([]*page{{words: []*word{plain, tall}}})
	if got, want := plain.Box, (folio.Box{72, 100, 100, 110}); got != want {
		t.Errorf("plain word box = %v, want %v unchanged", got, want)
	}
	cy := (188.67 + 244.26) / 2
	if math.Abs(tall.Box[1]-(cy-glyphAbove*9.96)) > 1e-9 || math.Abs(tall.Box[3]-(cy+glyphBelow*9.96)) > 1e-9 || tall.Box[0] != 72 || tall.Box[2] != 110 {
		t.Errorf("tall word box = %v, want one of the size's height about the same centre", tall.Box)
	}
}
