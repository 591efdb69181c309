package openai

import (
	"fmt"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
)

// messageOverhead approximates the tokens of the chat format around the
// messages and the response format.
const messageOverhead = 20

// Estimate returns what Run on t is expected to use, for budgets, token
// buckets and --dry-run: input tokens as a quarter of the characters of the
// system prompt, the user message and the answer schema, plus each image's
// tokens by the model's formula at the size and detail it is sent at; output tokens as the lesser of
// MaxOutputTokens and a guess by element type (table: 50 + 6 per grid
// position, more when its text is long; image: 200; text: its tokens + 20); the
// price from the same arithmetic as a call's, nil when a price is unknown.
// WorstUSDMicros bounds the price: a token per byte of text and the answer
// cap's output tokens.
func (s *Specialist) Estimate(t route.Task) (route.Estimate, error) {
	req, err := s.build(t)
	if err != nil {
		return route.Estimate{}, fmt.Errorf("estimate %s: %w", s.m.Model, err)
	}
	chars := len(req.tpl.System) + len(req.input) + len(req.tpl.Schema.canonical()) + len(req.tpl.Format)
	in := textTokens(chars) + messageOverhead
	for _, img := range req.images {
		in += int64(img.tokens)
	}
	u := folio.Usage{InputTokens: in, OutputTokens: req.outGuess}
	// The worst case: a token is at least one byte of the text, images
	// count as their formula says, and the answer runs to its cap.
	worstIn := int64(chars) + messageOverhead
	for _, img := range req.images {
		worstIn += int64(img.tokens)
	}
	worst := folio.Usage{InputTokens: worstIn, OutputTokens: int64(s.m.MaxOutputTokens)}
	return route.Estimate{Usage: u, USDMicros: s.prices.usdMicros(u), WorstUSDMicros: s.prices.usdMicros(worst)}, nil
}
