package parse

import (
	"testing"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// line lays out text on one horizontal line of 10 pt text: each rune is
// 5 pt wide; ' ' and '\n' become separators, '_' a 10 pt gap without one.
func line(text string, st *textStyle, y float64) []glyph {
	var gs []glyph
	x := 0.0
	for _, r := range text {
		switch r {
		case ' ':
			gs = append(gs, glyph{r: r, sep: sepSpace})
			x += 3
		case '\n':
			gs = append(gs, glyph{r: r, sep: sepLine})
		case '_':
			x += 10
		default:
			gs = append(gs, glyph{r: r, box: folio.Box{x, y, x + 5, y + 10}, style: st})
			x += 5
		}
	}
	return gs
}

func TestBuildWords(t *testing.T) {
	regular := &textStyle{font: "Helvetica", size: 10}
	bold := &textStyle{font: "Helvetica-Bold", size: 10, bold: true, weight: 700}
	hidden := &textStyle{font: "Helvetica", size: 10, hidden: true}
	small := &textStyle{font: "Helvetica", size: 6}
	type word struct {
		Text       string
		SpaceAfter bool
		Bold       bool
		Hidden     bool
		RTL        bool
	}
	join := func(parts ...[]glyph) []glyph {
		var out []glyph
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	sup := line("2", small, -4)
	for i := range sup {
		sup[i].box[0] += 20
		sup[i].box[2] += 20
	}
	softBreak := []glyph{{r: 0xAD, box: folio.Box{10, 0, 10, 10}, noBox: true, style: regular}}
	alef, alefHamza, lam := line("ا", regular, 0), line("إ", regular, 0), line("ل", regular, 0)
	alefHamza[0].box = folio.Box{30, 0, 38, 10}
	lam[0].box = alefHamza[0].box // one ligature glyph, two characters
	alef[0].box = folio.Box{38, 0, 41, 10}
	tests := []struct {
		name string
		gs   []glyph
		want []word
	}{
		{"spaces separate words", line("ab cd", regular, 0),
			[]word{{Text: "ab", SpaceAfter: true}, {Text: "cd"}}},
		{"line breaks separate words without a space", line("ab\ncd", regular, 0),
			[]word{{Text: "ab"}, {Text: "cd"}}},
		{"a wide gap separates words", line("ab_cd", regular, 0),
			[]word{{Text: "ab"}, {Text: "cd"}}},
		{"a baseline jump separates a superscript", join(line("abcd", regular, 0), sup),
			[]word{{Text: "abcd"}, {Text: "2"}}},
		{"visibility separates words", join(line("ab", regular, 0), line("cd", hidden, 0)),
			[]word{{Text: "ab"}, {Text: "cd", Hidden: true}}},
		{"style comes from the first character", line("ab", bold, 0),
			[]word{{Text: "ab", Bold: true}}},
		{"lam-alef ligatures are put back in logical order", join(alef, alefHamza, lam),
			[]word{{Text: "الإ", RTL: true}}},
		{"a drawn soft hyphen inside a line is a hyphen", line("ab\u00adcd", regular, 0),
			[]word{{Text: "ab-cd"}}},
		{"a soft hyphen without an advance is dropped", join(line("ab", regular, 0), softBreak, line("cd", regular, 0)),
			[]word{{Text: "abcd"}}},
		{"leader dots spaced out are one word", line("ab_._._._.", regular, 0),
			[]word{{Text: "ab"}, {Text: "...."}}},
		{"a soft hyphen ending a line is a hyphen", line("ab\u00ad\ncd", regular, 0),
			[]word{{Text: "ab-"}, {Text: "cd"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []word
			words, _ := buildWords(tt.gs, 612, 792)
			for _, w := range words {
				got = append(got, word{w.Text, w.SpaceAfter, w.Bold, w.Hidden, w.RTL})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("words (-want +got):\n%s", diff)
			}
		})
	}
}

// A gap splits two characters when it is wider than a word space can be
// narrow (a fifth of the em) and than a share of their advance; narrower
// gaps, from kerning or per-glyph positioning, do not.
func TestWordGap(t *testing.T) {
	st := &textStyle{size: 12}
	at := func(x0, x1 float64) *glyph { return &glyph{r: 'a', box: folio.Box{x0, 0, x1, 12}, style: st} }
	tests := []struct {
		name   string
		gap    float64 // points between two 7-point-wide glyphs of 12-point text
		splits bool
	}{
		{"touching glyphs stay", 0, false},
		{"kerning of 0.15 em stays", 1.8, false},
		{"a condensed word space of 0.23 em splits", 2.8, true},
		{"a word space of 0.28 em splits", 3.3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := splits(at(0, 7), at(7+tt.gap, 14+tt.gap)); got != tt.splits {
				t.Errorf("splits = %v, want %v", got, tt.splits)
			}
		})
	}
	// Wide glyphs (a size PDFium understates) need a gap wider than the em
	// share: 0.3 of their 30-point advance.
	if splits(at(0, 30), at(37, 67)) {
		t.Error("7-point gap between 30-point-wide glyphs splits")
	}
	if !splits(at(0, 30), at(40, 70)) {
		t.Error("10-point gap between 30-point-wide glyphs does not split")
	}
}

func TestBuildWordsBoxAndStyle(t *testing.T) {
	st := &textStyle{font: "Courier", size: 10.004, weight: 400, mono: true, angle: 0}
	got, _ := buildWords(line("ab", st, 100), 612, 792)
	want := []folio.Word{{Text: "ab", Box: folio.Box{0, 100, 10, 110}, Font: "Courier", Size: 10, Weight: 400, Mono: true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("words (-want +got):\n%s", diff)
	}
	off, _ := buildWords(line("ab", st, 900), 612, 792)
	if len(off) != 1 || !off[0].Hidden {
		t.Errorf("word below the page: got %+v, want one hidden word", off)
	}
}

func TestClassify(t *testing.T) {
	type class struct {
		Sep  sep
		Drop bool
	}
	tests := map[rune]class{
		'a':    {},
		' ':    {Sep: sepSpace},
		0xA0:   {Sep: sepSpace},
		'\t':   {Sep: sepSpace},
		'\r':   {Sep: sepLine},
		'\n':   {Sep: sepLine},
		0x01:   {Drop: true},
		0xFFFE: {Drop: true},
		0xFFFF: {Drop: true},
		0xD800: {Drop: true},
		0xFB01: {}, // the fi ligature stays as PDFium gives it
	}
	got := map[rune]class{}
	for r := range tests {
		s, d := classify(r)
		got[r] = class{s, d}
	}
	if diff := cmp.Diff(tests, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("classify (-want +got):\n%s", diff)
	}
}
