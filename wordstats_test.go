package folio

import (
	"strings"
	"testing"
)

func TestWordStatsHidden(t *testing.T) {
	word := func(x, y float64, hidden bool) Word {
		return Word{Text: "w", Box: Box{x, y, x + 10, y + 10}, Hidden: hidden}
	}
	p := &Parsed{Pages: []Page{
		{Number: 1, Words: []Word{word(10, 10, true), word(20, 10, true), word(10, 10, false), word(300, 300, true), word(110, 110, true)}},
		{Number: 2, Words: []Word{word(10, 10, true)}, Scanned: true},
		{Number: 3, Words: []Word{word(10, 10, true)}},
	}}
	els := []Element{
		{Page: 1, Box: Box{0, 0, 200, 200}},
		{Page: 1, Box: Box{100, 100, 150, 150}}, // nested: the smaller one gets its words
		{Page: 2, Box: Box{0, 0, 100, 100}},
		{Page: 9, Box: Box{0, 0, 100, 100}, Regions: []PageBox{{Page: 9, Box: Box{0, 0, 100, 100}}, {Page: 3, Box: Box{0, 0, 100, 100}}}},
	}
	warnings := wordStats(p, els)
	for i, want := range []int{2, 1, 0, 1} {
		if els[i].HiddenWords != want {
			t.Errorf("element %d: %d hidden words, want %d", i, els[i].HiddenWords, want)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "page 1: 1 words") {
		t.Errorf("warnings %q, want one for the word outside every element on page 1", warnings)
	}
}

func TestWordStatsOCR(t *testing.T) {
	word := func(x float64, conf float64) Word {
		return Word{Text: "w", Box: Box{x, 10, x + 10, 20}, Confidence: conf}
	}
	p := &Parsed{Pages: []Page{{Number: 1, Scanned: true,
		Words: []Word{word(10, 0.9), word(30, 0.5), word(210, 0.96), word(500, 0.2)}}}}
	els := []Element{
		{Page: 1, Box: Box{0, 0, 100, 100}},
		{Page: 1, Box: Box{200, 0, 300, 100}},
		{Page: 1, Box: Box{0, 200, 100, 300}}, // no words
	}
	wordStats(p, els)
	for i, want := range []float64{0.7, 0.96, 0} {
		if els[i].OCRConfidence != want {
			t.Errorf("element %d: OCR confidence %v, want %v", i, els[i].OCRConfidence, want)
		}
	}
}
