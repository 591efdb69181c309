package openai

import (
	"math"
	"unicode/utf8"

	"github.com/folio/folio"
)

// What "send every page as an image to one big model" would cost, the
// comparison Folio's saving is measured against: each page drawn at
// BaselineDPI and priced by the model's image token formula, plus a fixed
// instruction prompt, and an answer as long as the page's text in tokens
// (four characters a token) with a quarter more for markup.
const (
	BaselineDPI          = 150
	baselinePromptTokens = 150
	baselineAnswerFloor  = 50
)

// Baseline returns the baseline price of doc in micro-dollars with model
// m, or nil when m's prices are unknown.
func Baseline(m Model, doc *folio.Document) *int64 {
	p, err := newPrices(m)
	if err != nil || p.in == nil || p.out == nil {
		return nil
	}
	chars := map[int]int{}
	for _, el := range doc.Elements {
		chars[el.Page] += utf8.RuneCountInString(el.Text)
	}
	var u folio.Usage
	for _, pg := range doc.Pages {
		w := int(math.Ceil(pg.Width * BaselineDPI / 72))
		h := int(math.Ceil(pg.Height * BaselineDPI / 72))
		u.InputTokens += int64(m.imageTokens(w, h, detailHigh) + baselinePromptTokens)
		u.OutputTokens += int64(chars[pg.Page]*5/16 + baselineAnswerFloor)
	}
	return p.usdMicros(u)
}
