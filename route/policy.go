package route

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/folio/folio"
)

// policyVersion prefixes the encoding a policy hash is computed over.
const policyVersion = "folio.policy/v1"

// Policy decides each element's route: per element type, an ordered chain of
// links, cheapest first; every later link is an escalation tried only when
// the links before it failed. A type without a chain, or whose links all
// have rules the element does not meet, passes through unchanged.
type Policy struct {
	Routes map[folio.ElementType][]Link `json:"routes"`
	// Decorative says which images are decoration, never sent to a model.
	Decorative Decorative `json:"decorative,omitzero"`
}

// Link is one step of a chain: a specialist, and when it applies.
type Link struct {
	// Specialist is the name of the specialist to run ("local/table").
	Specialist string `json:"specialist"`
	// When restricts the link to some elements; the zero Rule always applies.
	When Rule `json:"when,omitzero"`
}

// Rule says when a link applies. Every condition set must hold; zero values
// set none. Fields are omitted from the policy's encoding when zero, so that
// adding a field leaves the hashes of existing policies unchanged.
type Rule struct {
	// MinCells requires a table with at least this many grid positions.
	MinCells int `json:"min_cells,omitempty"`
	// MaxConfidence requires the segmenter's confidence to be below it.
	MaxConfidence float64 `json:"max_confidence,omitempty"`
	// MinConfidence requires the segmenter's confidence to be at least it:
	// on a local link, it keeps doubtful elements for the models after it.
	MinConfidence float64 `json:"min_confidence,omitempty"`
	// NeedsNoTextLayer requires a page known to have no text layer.
	NeedsNoTextLayer bool `json:"needs_no_text_layer,omitempty"`
	// MinArea requires an element box of at least this many square points.
	MinArea float64 `json:"min_area,omitempty"`
	// MaxOCRConfidence requires an element read by OCR whose mean word
	// confidence is below it.
	MaxOCRConfidence float64 `json:"max_ocr_confidence,omitempty"`
}

// DefaultPolicy returns the fully local policy: text-like elements to
// local/text, tables to local/table and images to local/image.
func DefaultPolicy() Policy {
	text := []Link{{Specialist: "local/text"}}
	routes := map[folio.ElementType][]Link{
		folio.TableType: {{Specialist: "local/table"}},
		folio.ImageType: {{Specialist: "local/image"}},
	}
	for _, t := range []folio.ElementType{
		folio.Title, folio.Heading, folio.Paragraph, folio.ListItem, folio.Caption,
		folio.Footnote, folio.Formula, folio.Code, folio.Header, folio.Footer, folio.PageNumber,
	} {
		routes[t] = text
	}
	return Policy{Routes: routes}
}

// Chain returns the links for elements of type t, nil when there are none.
func (p Policy) Chain(t folio.ElementType) []Link { return p.Routes[t] }

// Hash returns the hex sha256 of the policy's canonical encoding: element
// types sorted, links in chain order, zero rule fields omitted. It is the
// "config" written into every output.
func (p Policy) Hash() string {
	b, err := json.Marshal(p)
	if err != nil {
		// Only a non-finite float, which Validate rejects, gets here; fmt
		// prints maps sorted, so the hash is still deterministic.
		b = fmt.Appendf(nil, "invalid %v", p)
	}
	h := sha256.New()
	h.Write([]byte(policyVersion + "\n"))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// Identifier is implemented by specialists whose results depend on more
// than their name: a model alias stands for a model id on an endpoint with
// settings and prompt templates. Identity returns all that changes results
// (never prices or credentials), so that changing it redoes the documents.
type Identifier interface {
	Identity() string
}

// HashWith returns the policy's hash combined with the identities of the
// specialists its chains name, among specs: switching the model behind an
// alias changes it. A policy whose specialists have no identity (the local
// ones) hashes as Hash does, so its outputs stay done.
func (p Policy) HashWith(specs []Specialist) string {
	named := map[string]bool{}
	for _, chain := range p.Routes {
		for _, l := range chain {
			named[l.Specialist] = true
		}
	}
	var ids []string
	for _, s := range specs {
		if i, ok := s.(Identifier); ok && named[s.Name()] {
			if id := i.Identity(); id != "" {
				ids = append(ids, s.Name()+"="+id)
			}
		}
	}
	if len(ids) == 0 {
		return p.Hash()
	}
	slices.Sort(ids)
	h := sha256.New()
	h.Write([]byte(p.Hash() + "\n"))
	for _, id := range ids {
		h.Write([]byte(id + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Validate reports the first problem with the policy: an unknown element
// type, a link without a specialist, a specialist twice in one chain, or a
// rule or decorative threshold out of range.
func (p Policy) Validate() error {
	switch d := p.Decorative; {
	case !(d.MinArea >= 0 && d.MinArea < 1e12):
		return fmt.Errorf("policy decorative: min_area %v is out of range", d.MinArea)
	case !(d.MaxAspect == 0 || d.MaxAspect >= 1 && d.MaxAspect < 1e12):
		return fmt.Errorf("policy decorative: max_aspect %v is not 1 or more", d.MaxAspect)
	case d.RepeatedPages < 0:
		return fmt.Errorf("policy decorative: repeated_pages %d is negative", d.RepeatedPages)
	}
	for t, chain := range p.Routes {
		if !knownType(t) {
			return fmt.Errorf("policy: unknown element type %q", t)
		}
		seen := make(map[string]bool, len(chain))
		for i, l := range chain {
			name := ruleName(t, i)
			switch {
			case l.Specialist == "":
				return fmt.Errorf("policy %s: no specialist", name)
			case seen[l.Specialist]:
				return fmt.Errorf("policy %s: %s appears twice in the chain", name, l.Specialist)
			case l.When.MinCells < 0:
				return fmt.Errorf("policy %s: min_cells %d is negative", name, l.When.MinCells)
			case !(l.When.MaxConfidence >= 0 && l.When.MaxConfidence <= 1):
				return fmt.Errorf("policy %s: max_confidence %v is not within 0-1", name, l.When.MaxConfidence)
			case !(l.When.MinConfidence >= 0 && l.When.MinConfidence <= 1):
				return fmt.Errorf("policy %s: min_confidence %v is not within 0-1", name, l.When.MinConfidence)
			case !(l.When.MaxOCRConfidence >= 0 && l.When.MaxOCRConfidence <= 1):
				return fmt.Errorf("policy %s: max_ocr_confidence %v is not within 0-1", name, l.When.MaxOCRConfidence)
			case !(l.When.MinArea >= 0 && l.When.MinArea < 1e12):
				return fmt.Errorf("policy %s: min_area %v is out of range", name, l.When.MinArea)
			}
			seen[l.Specialist] = true
		}
	}
	return nil
}

// Applies reports whether t meets every condition of the rule.
func (r Rule) Applies(t Task) bool {
	e := t.Element
	if r.MinCells > 0 && tableCells(e.Table) < r.MinCells {
		return false
	}
	if r.MaxConfidence > 0 && !(e.Confidence < r.MaxConfidence) {
		return false
	}
	if r.MinConfidence > 0 && e.Confidence < r.MinConfidence {
		return false
	}
	if r.NeedsNoTextLayer && (t.Page.Page == 0 || t.Page.TextLayer) {
		return false
	}
	if r.MinArea > 0 && e.Box.Area() < r.MinArea {
		return false
	}
	if r.MaxOCRConfidence > 0 && !(e.OCRConfidence > 0 && e.OCRConfidence < r.MaxOCRConfidence) {
		return false
	}
	return true
}

// tableCells counts the grid positions of t: rows times the widest row, or
// the extent of its cells when that is larger.
func tableCells(t *folio.Table) int {
	if t == nil {
		return 0
	}
	rows, cols := len(t.Rows), 0
	for _, r := range t.Rows {
		cols = max(cols, len(r))
	}
	for _, c := range t.Cells {
		rows = max(rows, c.Row+max(c.RowSpan, 1))
		cols = max(cols, c.Col+max(c.ColSpan, 1))
	}
	return rows * cols
}

// ruleName names the i-th link (0-based) of type t's chain: "table#1".
func ruleName(t folio.ElementType, i int) string { return fmt.Sprintf("%s#%d", t, i+1) }

func knownType(t folio.ElementType) bool {
	switch t {
	case folio.Title, folio.Heading, folio.Paragraph, folio.ListItem, folio.TableType,
		folio.ImageType, folio.Caption, folio.Formula, folio.Code, folio.Footnote,
		folio.Header, folio.Footer, folio.PageNumber:
		return true
	}
	return false
}
