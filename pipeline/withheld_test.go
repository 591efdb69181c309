package pipeline

import (
	"strings"
	"testing"

	"github.com/folio/folio"
)

func TestWithheldWordsOutsideEveryElement(t *testing.T) {
	word := func(x, y float64, hidden bool) folio.Word {
		return folio.Word{Text: "w", Box: folio.Box{x, y, x + 10, y + 10}, Hidden: hidden}
	}
	p := &folio.Parsed{Pages: []folio.Page{
		{Number: 1, Words: []folio.Word{word(10, 10, true), word(20, 10, true), word(10, 10, false), word(300, 300, true), word(110, 110, true)}},
		{Number: 2, Words: []folio.Word{word(300, 300, true)}, Scanned: true},
		{Number: 3, Words: []folio.Word{word(10, 10, true), word(500, 500, true), word(510, 500, true)}},
	}}
	els := []folio.Element{
		{Page: 1, Box: folio.Box{0, 0, 200, 200}},
		{Page: 9, Box: folio.Box{0, 0, 100, 100}, Regions: []folio.PageBox{{Page: 9, Box: folio.Box{0, 0, 100, 100}}, {Page: 3, Box: folio.Box{0, 0, 100, 100}}}},
	}
	got := withheld(p, els)
	want := []string{
		"page 1: 1 words of invisible text withheld (in no element)",
		"page 3: 2 words of invisible text withheld (in no element)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings %q, want %q (the scanned page's layer is not counted)", got, want)
	}
}
