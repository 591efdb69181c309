package route

import (
	"cmp"
	"context"
	"crypto/sha256"
	"slices"

	"github.com/folio/folio"
)

// Why an image is decoration, the end of the rule its call records
// ("decorative:repeated").
const (
	DecorativeTiny     = "tiny"
	DecorativeRule     = "rule"
	DecorativeRepeated = "repeated"
)

// Decorative says which images are decoration: tiny ones, rules and bars,
// and the same picture repeated over the document's pages. Decoration is
// never sent to a model: when an image's chain has a model link, a
// decorative image goes to local/image alone, and its call's rule says why
// ("decorative:tiny"). Zero fields take the defaults, so that the zero
// value is the default and leaves policy hashes unchanged.
type Decorative struct {
	// Send turns the skip off: decorative images follow their chain.
	Send bool `json:"send,omitempty"`
	// MinArea is the least area, in square points, of an image that is not
	// decoration; DefaultDecorativeArea when zero.
	MinArea float64 `json:"min_area,omitempty"`
	// MaxAspect is the most an image's longer side may be over its shorter
	// for it not to be a rule; DefaultDecorativeAspect when zero.
	MaxAspect float64 `json:"max_aspect,omitempty"`
	// RepeatedPages is the fewest pages, besides half of the document's,
	// the same picture must be on to be decoration;
	// DefaultDecorativePages when zero.
	RepeatedPages int `json:"repeated_pages,omitempty"`
}

// Why returns why image element el is decoration, or "" when it is not
// (or when el is no image, or Send is set): DecorativeRule when its sides
// are further apart than MaxAspect, DecorativeTiny when its box is under
// MinArea, DecorativeRepeated when its picture is on pages of the
// document's total pages, at least RepeatedPages and half of total. An
// element without a box is measured by its pixels, one to a point.
func (d Decorative) Why(el *folio.Element, pages, total int) string {
	if d.Send || el.Type != folio.ImageType {
		return ""
	}
	w, h := el.Box.Width(), el.Box.Height()
	if !(w > 0 && h > 0) && el.Image != nil {
		w, h = float64(el.Image.Width), float64(el.Image.Height)
	}
	if w > 0 && h > 0 {
		if max(w, h)/min(w, h) > cmp.Or(d.MaxAspect, DefaultDecorativeAspect) {
			return DecorativeRule
		}
		if w*h < cmp.Or(d.MinArea, DefaultDecorativeArea) {
			return DecorativeTiny
		}
	}
	if pages >= max(cmp.Or(d.RepeatedPages, DefaultDecorativePages), (total+1)/2) {
		return DecorativeRepeated
	}
	return ""
}

// decorative returns, by element index, why each image of doc that the
// policy would send to a model is decoration (see Decorative.Why); nil
// when there is none.
func (r *Router) decorative(doc *folio.Document) []string {
	d := r.policy.Decorative
	if d.Send || !slices.ContainsFunc(r.policy.Chain(folio.ImageType), func(l Link) bool { return !folio.IsLocal(l.Specialist) }) {
		return nil
	}
	// The pages each picture is on, by the SHA-256 of its pixels.
	onPages := map[[sha256.Size]byte]map[int]bool{}
	sums := make([][sha256.Size]byte, len(doc.Elements))
	total := len(doc.Pages)
	for i, el := range doc.Elements {
		total = max(total, el.Page)
		if el.Type != folio.ImageType || el.Image == nil || len(el.Image.PNG) == 0 {
			continue
		}
		sums[i] = sha256.Sum256(el.Image.PNG)
		if onPages[sums[i]] == nil {
			onPages[sums[i]] = map[int]bool{}
		}
		onPages[sums[i]][el.Page] = true
	}
	var why []string
	for i := range doc.Elements {
		el := &doc.Elements[i]
		if el.Type != folio.ImageType {
			continue
		}
		if w := d.Why(el, len(onPages[sums[i]]), total); w != "" {
			if why == nil {
				why = make([]string, len(doc.Elements))
			}
			why[i] = w
		}
	}
	return why
}

// routeDecorative gives a decorative image to local/image, never to a
// model, under the rule "decorative:"+why; without local/image the image
// keeps its content, with no call.
func (r *Router) routeDecorative(ctx context.Context, t Task, why string) folio.Fragment {
	el := &t.Element
	f := folio.Fragment{ID: folio.FragmentID(el.ID), ElementID: el.ID, Calls: []folio.Call{}, Status: folio.StatusOK}
	s, ok := r.specialists[localImage]
	if !ok || ctx.Err() != nil {
		return f
	}
	t.Rule, t.Attempt = "decorative:"+why, 1
	a := r.attempt(ctx, s, t)
	f.Calls = append(f.Calls, a.call)
	if a.call.Status == folio.CallOK {
		f.Model, f.Image = a.call.Model, a.res.Image
		return f
	}
	f.Status = settle(el, f.Calls)
	return f
}

// localImage is the specialist decorative images go to.
const localImage = "local/image"
