package segment

import (
	"fmt"
	"testing"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
)

func TestFormulaLike(t *testing.T) {
	for s, want := range map[string]bool{
		"a2 + 8 = 12":                  true,
		"x = (a + b) / 2":              true,
		"2 = 6.671, v = 3, p = 0.083":  true,
		"The total is = to the sum":    false,
		"1. Includes data from all EU": false,
		"no operator here at all":      false,
	} {
		it := &item{text: s, lines: []*line{{text: s}}}
		if got := formulaLike(it); got != want {
			t.Errorf("formulaLike(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestContentsTable(t *testing.T) {
	b := newPage(1)
	b.text(72, 60, 20, "Contents", style{bold: true})
	entries := []struct{ title, page string }{{"Notices", "vii"}, {"Preface", "xi"}, {"Chapter 1. Securing data", "1"}, {"1.1 Security fundamentals", "2"}}
	for i, e := range entries {
		y := 100 + float64(i)*14
		x := b.text(72, y, 10, e.title)
		for x < 480 {
			x = b.text(x, y, 10, ".")
		}
		b.text(500, y, 10, e.page)
	}
	els := New(Options{}).Segment(parsed(b))
	var tbl *folio.Element
	for i := range els {
		if els[i].Type == folio.TableType {
			tbl = &els[i]
		}
	}
	if tbl == nil {
		t.Fatalf("no contents table in %v", texts(els))
	}
	want := [][]string{{"Notices", "vii"}, {"Preface", "xi"}, {"Chapter 1. Securing data", "1"}, {"1.1 Security fundamentals", "2"}}
	if diff := cmp.Diff(want, tbl.Table.Rows); diff != "" {
		t.Errorf("contents rows (-want +got):\n%s", diff)
	}
}

// Without dot leaders, a run of entries whose right-aligned page numbers
// never decrease is a table of contents; a two-column table whose
// numbers do not read as page numbers stays a table.
func TestContentsWithoutLeaders(t *testing.T) {
	page := func(nums []string) []folio.Element {
		b := newPage(1)
		b.text(72, 60, 20, "Table of contents", style{bold: true})
		for i, n := range nums {
			y := 100 + float64(i)*14
			b.text(72, y, 10, fmt.Sprintf("%d. Chapter about topic %c", i+1, 'A'+i))
			b.text(520-textW(n, 10), y, 10, n)
		}
		return New(Options{}).Segment(parsed(b))
	}
	contents := func(els []folio.Element) *folio.Table {
		for _, e := range els {
			if e.Type == folio.TableType && e.Table.Contents {
				return e.Table
			}
		}
		return nil
	}
	tbl := contents(page([]string{"7", "12", "21", "26", "30", "35"}))
	if tbl == nil || len(tbl.Rows) != 6 || tbl.Rows[5][1] != "35" {
		t.Fatalf("contents table = %+v, want 6 entries with their pages", tbl)
	}
	if tbl := contents(page([]string{"7", "120", "21", "26", "30", "35"})); tbl != nil {
		t.Errorf("numbers out of order read as a table of contents: %v", tbl.Rows)
	}
}

// A statistics table's last column (a maximum of 1 on every row) is no
// list of page numbers.
func TestRepeatedNumbersAreNoContents(t *testing.T) {
	b := newPage(1)
	for i, name := range []string{"Lower secondary", "Upper secondary", "Post secondary", "Tertiary level", "Doctoral level"} {
		y := 100 + float64(i)*14
		b.text(72, y, 10, name)
		b.text(520-textW("1", 10), y, 10, "1")
	}
	for _, e := range New(Options{}).Segment(parsed(b)) {
		if e.Type == folio.TableType && e.Table.Contents {
			t.Errorf("contents table %v, want none", e.Table.Rows)
		}
	}
}
