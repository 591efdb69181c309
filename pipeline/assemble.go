package pipeline

import (
	"slices"

	"github.com/folio/folio"
)

// newDocument assembles the output document from the parse and segment
// results: ids for the document and its elements, and element links turned
// from positions into ids.
func newDocument(src folio.Source, runID, config string, p *folio.Parsed, els []folio.Element) *folio.Document {
	doc := &folio.Document{
		Schema:   folio.Schema,
		ID:       folio.DocumentID(src.SHA256, config, src.Rel),
		Source:   src,
		Run:      runID,
		Config:   config,
		Meta:     p.Meta,
		Pages:    make([]folio.PageInfo, len(p.Pages)),
		Elements: els,
		Warnings: append([]string{}, p.Warnings...),
	}
	for i, pg := range p.Pages {
		doc.Pages[i] = folio.PageInfo{Page: pg.Number, Width: pg.Width, Height: pg.Height,
			Rotation: pg.Rotation, TextLayer: pg.TextLayer(), Error: pg.Error}
	}
	doc.Status = folio.DocumentOK
	if doc.LostPages() != "" {
		doc.Status = folio.DocumentPartial
	}
	for i := range els {
		els[i].ID = folio.ElementID(doc.ID, i)
		els[i].Box = els[i].Box.Rounded()
		if els[i].Layer == "" {
			els[i].Layer = folio.LayerBody
		}
	}
	ref := func(r int) string {
		if r <= 0 || r > len(els) {
			return ""
		}
		return els[r-1].ID
	}
	for i := range els {
		els[i].Parent = ref(els[i].ParentRef)
		els[i].Caption = ref(els[i].CaptionRef)
		if c := els[i].CaptionRef; c > 0 && c <= len(els) {
			els[c-1].CaptionOf = els[i].ID
		}
	}
	if slices.ContainsFunc(els, isCandidate) {
		doc.Elements = slices.DeleteFunc(slices.Clone(els), isCandidate)
		for _, el := range els {
			if isCandidate(el) {
				doc.Candidates = append(doc.Candidates, el)
			}
		}
	}
	return doc
}

func isCandidate(el folio.Element) bool { return el.Layer == folio.LayerCandidate }

// applyFragments copies each fragment's output onto its element and sums
// the document's cost.
func applyFragments(doc *folio.Document, frags []folio.Fragment) {
	byElement := make(map[string]*folio.Fragment, len(frags))
	for i := range frags {
		byElement[frags[i].ElementID] = &frags[i]
	}
	for _, els := range [][]folio.Element{doc.Elements, doc.Candidates} {
		for i := range els {
			el := &els[i]
			f, ok := byElement[el.ID]
			if !ok {
				el.Status = folio.StatusFailed
				continue
			}
			el.Fragment, el.Model, el.Status = f.ID, f.Model, f.Status
			el.Reason, el.FellBackFrom = f.Reason, f.FellBackFrom
			if f.Text != nil {
				el.Text = *f.Text
			}
			if f.Table != nil {
				el.Table = f.Table
			}
			if f.Image != nil {
				el.Image = f.Image
			}
			doc.Cost.Add(f.Calls)
		}
	}
	doc.Fragments = frags
	promoteCandidates(doc)
}

// promoteCandidates moves into the body every refused table candidate a
// model answered with a table of two rows or more: the table takes the
// reading position of the first body element it covers, and the body
// elements whose centres lie inside it move to LayerReplaced (kept, with
// their fragments, as the lineage of what the table replaced). A table
// covering nothing goes after the last element of its page.
func promoteCandidates(doc *folio.Document) {
	var keep []folio.Element
	for _, c := range doc.Candidates {
		if folio.IsLocal(c.Model) || c.Status != folio.StatusOK || c.Table == nil || len(c.Table.Rows) < 2 {
			keep = append(keep, c)
			continue
		}
		at := -1
		for i := range doc.Elements {
			el := &doc.Elements[i]
			if el.Layer != folio.LayerBody || el.Page != c.Page || !c.Box.Contains(el.Box.CenterX(), el.Box.CenterY()) {
				continue
			}
			el.Layer = folio.LayerReplaced
			if at < 0 {
				at = i
			}
		}
		if at < 0 {
			at = len(doc.Elements)
			for i, el := range doc.Elements {
				if el.Page > c.Page {
					at = i
					break
				}
			}
		}
		c.Layer = folio.LayerBody
		doc.Elements = slices.Insert(doc.Elements, at, c)
	}
	doc.Candidates = keep
}

// applyDecisions applies reviewers' decisions on the document's content:
// each to the element it names or, when ids changed with the
// configuration, to the element in its place. A decision applied adds its
// human fragment to the document's lineage.
func applyDecisions(doc *folio.Document, ds []folio.Decision) int {
	n := 0
	for _, d := range ds {
		for _, els := range [][]folio.Element{doc.Elements, doc.Candidates} {
			i := slices.IndexFunc(els, func(e folio.Element) bool { return e.ID == d.Element })
			if i < 0 {
				i = slices.IndexFunc(els, func(e folio.Element) bool { return d.Matches(&e) })
			}
			if i < 0 {
				continue
			}
			d.Apply(&els[i])
			doc.Fragments = append(doc.Fragments, d.AsFragment(els[i].ID))
			n++
			break
		}
	}
	return n
}
