package local

import (
	"context"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
)

// Text is the "local/text" specialist: it cleans an element's text with the
// rules of a Unicode compatibility normalisation that matter for extracted
// text (see cleanText), keeping line layout for code.
type Text struct{}

var _ route.Specialist = Text{}

// Name returns "local/text".
func (Text) Name() string { return "local/text" }

// Run returns the element's cleaned text.
func (Text) Run(_ context.Context, t route.Task) (route.Result, error) {
	var s string
	if t.Element.Type == folio.Code {
		s = cleanCode(t.Element.Text)
	} else {
		s = cleanText(t.Element.Text)
	}
	return route.Result{Text: &s, USDMicros: free()}, nil
}
