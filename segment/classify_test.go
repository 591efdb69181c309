package segment

import (
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
