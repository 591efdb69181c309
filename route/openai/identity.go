package openai

import (
	"fmt"
	"strings"

	"github.com/folio/folio/route"
)

var _ route.Identifier = (*Specialist)(nil)

// templates are every prompt template a Specialist may send.
var templates = []*template{tableV2, imageV1, textV1, transcribeV1}

// Identity returns what the specialist's results depend on besides its
// alias: the model id, where it is served, how images are sized for it,
// its answer cap and the prompt templates' versions. Prices, timeouts,
// headers and the key are left out: they change what a call costs or how
// it is sent, not what it answers.
func (s *Specialist) Identity() string {
	prompts := make([]string, len(templates))
	for i, t := range templates {
		prompts[i] = fmt.Sprintf("%s@%d", t.ID, t.Version)
	}
	return fmt.Sprintf("openai model=%s base=%s api-version=%s vision=%t image-tokens=%s min-image-dpi=%g max-output-tokens=%d prompts=%s",
		s.m.Model, s.keyBase, s.ep.APIVersion, s.m.Vision, s.m.ImageTokens, s.m.minImageDPI(), s.m.MaxOutputTokens,
		strings.Join(prompts, ","))
}
