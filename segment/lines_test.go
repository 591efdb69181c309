package segment

import (
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
