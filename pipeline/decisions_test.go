package pipeline

import (
	"testing"

	"github.com/folio/folio"
)

// A decision applies to the element it names or, when ids changed with the
// configuration, to the one in its place; one about a place no element
// holds applies to nothing.
func TestApplyDecisions(t *testing.T) {
	els := []folio.Element{
		{ID: "el_a", Type: folio.Paragraph, Page: 1, Box: folio.Box{72, 100, 540, 120}, Text: "Helo", Model: "local/text", Status: folio.StatusOK},
		{ID: "el_b", Type: folio.TableType, Page: 2, Box: folio.Box{72, 200, 540, 400}, Text: "x", Table: &folio.Table{Rows: [][]string{{"x"}}},
			Model: folio.ModelSegment, Status: folio.StatusReview, Reason: "grounding"},
		{ID: "el_c", Type: folio.Paragraph, Page: 2, Box: folio.Box{72, 420, 540, 440}, Text: "junk", Status: folio.StatusOK},
	}
	doc := &folio.Document{Elements: els}
	ds := []folio.Decision{
		{Element: "el_a", Action: folio.ActionCorrect, Text: "Hello", Reviewer: "ana", Fragment: "fr_h1"},
		// ids from another configuration: matched by place (within a point).
		{Element: "el_old_b", Page: 2, Type: folio.TableType, Box: folio.Box{72.4, 200, 540, 400.6}, Action: folio.ActionAccept,
			Table: &folio.Table{Rows: [][]string{{"A", "B"}, {"1", "2"}}, HeaderRows: 1}, Reviewer: "bo", Fragment: "fr_h2"},
		{Element: "el_old_c", Page: 2, Type: folio.Paragraph, Box: folio.Box{72, 420, 540, 440}, Action: folio.ActionReject, Reviewer: "cy", Fragment: "fr_h3"},
		{Element: "el_gone", Page: 3, Type: folio.Paragraph, Box: folio.Box{72, 420, 540, 440}, Action: folio.ActionReject, Reviewer: "cy", Fragment: "fr_h4"},
	}
	if n := applyDecisions(doc, ds); n != 3 {
		t.Fatalf("applied %d decisions, want 3", n)
	}
	a, b, c := doc.Elements[0], doc.Elements[1], doc.Elements[2]
	if a.Text != "Hello" || a.Model != "human/ana" || a.Fragment != "fr_h1" {
		t.Errorf("corrected paragraph: %+v", a)
	}
	if b.Status != folio.StatusOK || b.Reason != "" || b.Text != "A\tB\n1\t2" || b.Table.HeaderRows != 1 || b.Model != "human/bo" {
		t.Errorf("accepted table: %+v %+v", b, b.Table)
	}
	if c.Status != folio.StatusRejected || c.Text != "junk" {
		t.Errorf("rejected paragraph: %+v", c)
	}
	if len(doc.Fragments) != 3 || doc.Fragments[1].ElementID != "el_b" || doc.Fragments[1].Model != "human/bo" || doc.Fragments[2].Status != folio.StatusRejected {
		t.Errorf("human fragments: %+v", doc.Fragments)
	}
}
