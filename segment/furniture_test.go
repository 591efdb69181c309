package segment

import (
	"fmt"
	"testing"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
)

func TestFurnitureByRepetition(t *testing.T) {
	var pages []*pageBuilder
	for n := 1; n <= 3; n++ {
		b := newPage(n)
		b.text(72, 30, 9, "Annual Report 2024")
		b.para(72, 100, 450, 10, 12, fmt.Sprintf("Page %d body. %s", n, lorem))
		b.text(300, 750, 9, fmt.Sprint(n+10))
		b.text(72, 750, 9, fmt.Sprintf("Chapter %d notes", n))
		pages = append(pages, b)
	}
	els := New(Options{}).Segment(parsed(pages...))
	type got struct {
		Page  int
		Type  folio.ElementType
		Layer string
		Text  string
	}
	var gots []got
	for _, e := range els {
		if e.Layer == folio.LayerFurniture {
			gots = append(gots, got{e.Page, e.Type, e.Layer, e.Text})
		}
	}
	var want []got
	for n := 1; n <= 3; n++ {
		want = append(want,
			got{n, folio.Header, "furniture", "Annual Report 2024"},
			got{n, folio.Footer, "furniture", fmt.Sprintf("Chapter %d notes", n)},
			got{n, folio.PageNumber, "furniture", fmt.Sprint(n + 10)},
		)
	}
	if diff := cmp.Diff(want, gots); diff != "" {
		t.Errorf("furniture (-want +got):\n%s", diff)
	}
	for _, e := range els {
		if e.Layer == folio.LayerBody && e.Type != folio.Paragraph {
			t.Errorf("body element %s %q, want only paragraphs", e.Type, e.Text)
		}
	}
}

func TestSinglePageFurnitureOnlyPageNumbers(t *testing.T) {
	b := newPage(1)
	b.text(72, 30, 9, "Running Head")
	b.para(72, 100, 450, 10, 12, lorem)
	b.text(300, 750, 9, "- 4 -")
	els := New(Options{}).Segment(parsed(b))
	got := texts(els)
	want := []string{"paragraph: Running Head", "paragraph: " + lorem, "page_number: - 4 -"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("elements (-want +got):\n%s", diff)
	}
}

func TestIsPageNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"12": true, "Page 3": true, "page 3 of 10": true, "3 / 10": true, "xiv": true, "- 7 -": true, "7-45": true,
		"civil": false, "Table 3": false, "12345": false, "mix": false,
	} {
		if got := isPageNumber(s); got != want {
			t.Errorf("isPageNumber(%q) = %v, want %v", s, got, want)
		}
	}
}
