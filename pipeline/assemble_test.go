package pipeline

import (
	"slices"
	"testing"

	"github.com/folio/folio"
)

// Candidates leave the elements at assembly; a model's table moves one
// back in at the reading place of the first element it covers, and what it
// covers is kept as replaced. A local answer, a failed call or a one-row
// answer leaves the candidate where it was.
func TestCandidatesAssembled(t *testing.T) {
	box := folio.Box{70, 100, 300, 200}
	segmented := func() []folio.Element {
		return []folio.Element{
			{Type: folio.Heading, Page: 1, Box: folio.Box{70, 60, 300, 80}, Text: "Results"},
			{Type: folio.Paragraph, Page: 1, Box: folio.Box{70, 110, 200, 120}, Text: "Added cation"},
			{Type: folio.Paragraph, Page: 1, Box: folio.Box{70, 130, 100, 140}, Text: "K+"},
			{Type: folio.Paragraph, Page: 1, Box: folio.Box{70, 220, 300, 260}, Text: "After the table."},
			{Type: folio.Paragraph, Page: 2, Box: folio.Box{70, 110, 200, 120}, Text: "Next page."},
			{Type: folio.TableType, Layer: folio.LayerCandidate, Page: 1, Box: box, Text: "Added cation\nK+", Confidence: 0.25},
		}
	}
	twoRows := &folio.Table{Rows: [][]string{{"Added cation", "Size"}, {"K+", ""}}}
	for _, tc := range []struct {
		name   string
		frag   folio.Fragment // the candidate's
		want   []string       // element texts and layers in order
		remain int            // candidates left
	}{
		{"kept by a local link", folio.Fragment{Model: folio.ModelSegment, Status: folio.StatusOK}, []string{
			"Results/body", "Added cation/body", "K+/body", "After the table./body", "Next page./body"}, 1},
		{"a model's table", folio.Fragment{Model: "openai/gpt-4.1-mini", Status: folio.StatusOK, Table: twoRows}, []string{
			"Results/body", "table/body", "Added cation/replaced", "K+/replaced", "After the table./body", "Next page./body"}, 0},
		{"a model's one-row answer", folio.Fragment{Model: "openai/gpt-4.1-mini", Status: folio.StatusOK,
			Table: &folio.Table{Rows: [][]string{{"Added cation K+"}}}}, []string{
			"Results/body", "Added cation/body", "K+/body", "After the table./body", "Next page./body"}, 1},
		{"a failed call", folio.Fragment{Model: "openai/gpt-4.1-mini", Status: folio.StatusDegraded}, []string{
			"Results/body", "Added cation/body", "K+/body", "After the table./body", "Next page./body"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &folio.Parsed{Pages: []folio.Page{{Number: 1}, {Number: 2}}}
			doc := newDocument(folio.Source{SHA256: "ab", Rel: "a.pdf"}, "run", "cfg", p, segmented())
			if len(doc.Elements) != 5 || len(doc.Candidates) != 1 {
				t.Fatalf("assembled %d elements, %d candidates; want 5 and 1", len(doc.Elements), len(doc.Candidates))
			}
			var frags []folio.Fragment
			for _, el := range slices.Concat(doc.Elements, doc.Candidates) {
				f := folio.Fragment{ID: folio.FragmentID(el.ID), ElementID: el.ID, Model: folio.ModelSegment, Status: folio.StatusOK}
				if el.Layer == folio.LayerCandidate {
					f = tc.frag
					f.ID, f.ElementID = folio.FragmentID(el.ID), el.ID
				}
				frags = append(frags, f)
			}
			applyFragments(doc, frags)
			var got []string
			for _, el := range doc.Elements {
				text := el.Text
				if el.Type == folio.TableType {
					text = "table"
				}
				got = append(got, text+"/"+el.Layer)
			}
			if !slices.Equal(got, tc.want) || len(doc.Candidates) != tc.remain {
				t.Errorf("elements %q, %d candidates; want %q, %d", got, len(doc.Candidates), tc.want, tc.remain)
			}
		})
	}
}
