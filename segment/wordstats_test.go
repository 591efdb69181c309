package segment

import (
	"testing"

	"github.com/folio/folio"
)

func TestWordStatsHidden(t *testing.T) {
	word := func(x, y float64, hidden bool) folio.Word {
		return folio.Word{Text: "w", Box: folio.Box{x, y, x + 10, y + 10}, Hidden: hidden}
	}
	p := &folio.Parsed{Pages: []folio.Page{
		{Number: 1, Words: []folio.Word{word(10, 10, true), word(20, 10, true), word(10, 10, false), word(300, 300, true), word(110, 110, true)}},
		{Number: 2, Words: []folio.Word{word(10, 10, true)}, Scanned: true},
		{Number: 3, Words: []folio.Word{word(10, 10, true)}},
	}}
	els := []folio.Element{
		{Page: 1, Box: folio.Box{0, 0, 200, 200}},
		{Page: 1, Box: folio.Box{100, 100, 150, 150}}, // nested: the smaller one gets its words
		{Page: 2, Box: folio.Box{0, 0, 100, 100}},
		{Page: 9, Box: folio.Box{0, 0, 100, 100}, Regions: []folio.PageBox{{Page: 9, Box: folio.Box{0, 0, 100, 100}}, {Page: 3, Box: folio.Box{0, 0, 100, 100}}}},
	}
	wordStats(p, els)
	for i, want := range []int{2, 1, 0, 1} {
		if els[i].HiddenWords != want {
			t.Errorf("element %d: %d hidden words, want %d", i, els[i].HiddenWords, want)
		}
	}
}

func TestWordStatsOCR(t *testing.T) {
	word := func(x float64, conf float64) folio.Word {
		return folio.Word{Text: "w", Box: folio.Box{x, 10, x + 10, 20}, Confidence: conf}
	}
	p := &folio.Parsed{Pages: []folio.Page{{Number: 1, Scanned: true,
		Words: []folio.Word{word(10, 0.9), word(30, 0.5), word(210, 0.96), word(500, 0.2)}}}}
	els := []folio.Element{
		{Page: 1, Box: folio.Box{0, 0, 100, 100}},
		{Page: 1, Box: folio.Box{200, 0, 300, 100}},
		{Page: 1, Box: folio.Box{0, 200, 100, 300}}, // no words
	}
	wordStats(p, els)
	for i, want := range []float64{0.7, 0.96, 0} {
		if els[i].OCRConfidence != want {
			t.Errorf("element %d: OCR confidence %v, want %v", i, els[i].OCRConfidence, want)
		}
	}
}
