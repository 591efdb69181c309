package segment

import (
	"strings"
	"testing"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
)

// ruledPage draws a 3×3 grid whose top-right two cells merge: the inner
// vertical rule stops below the first row.
func ruledPage() *pageBuilder {
	b := newPage(1)
	b.para(72, 40, 450, 10, 12, lorem)
	xs := []float64{100, 200, 300, 400}
	ys := []float64{100, 120, 140, 160}
	for _, y := range ys {
		b.rule(xs[0], y, xs[3], y)
	}
	b.rule(100, 100, 100, 160)
	b.rule(200, 100, 200, 160)
	b.rule(300, 120, 300, 160) // missing across the first row
	b.rule(400, 100, 400, 160)
	b.text(105, 105, 10, "Region", style{bold: true})
	b.text(230, 105, 10, "Sales", style{bold: true})
	b.text(105, 125, 10, "North")
	b.text(205, 125, 10, "12")
	b.text(305, 125, 10, "13")
	b.text(105, 145, 10, "South")
	b.text(205, 145, 10, "14")
	b.text(305, 145, 10, "15")
	b.text(100, 165, 10, "Table 1: Sales by region")
	b.para(72, 200, 450, 10, 12, lorem)
	return b
}

func TestRuledTableWithSpan(t *testing.T) {
	els := New(Options{}).Segment(parsed(ruledPage()))
	var tbl, capt *folio.Element
	tblIdx := 0
	for i := range els {
		switch els[i].Type {
		case folio.TableType:
			tbl, tblIdx = &els[i], i+1
		case folio.Caption:
			capt = &els[i]
		}
	}
	if tbl == nil {
		t.Fatalf("no table in %v", texts(els))
	}
	wantRows := [][]string{{"Region", "Sales", ""}, {"North", "12", "13"}, {"South", "14", "15"}}
	if diff := cmp.Diff(wantRows, tbl.Table.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	wantCells := []folio.Cell{
		{Row: 0, Col: 0, RowSpan: 1, ColSpan: 1, Text: "Region", Box: folio.Box{100, 100, 200, 120}, Header: true},
		{Row: 0, Col: 1, RowSpan: 1, ColSpan: 2, Text: "Sales", Box: folio.Box{200, 100, 400, 120}, Header: true},
		{Row: 1, Col: 0, RowSpan: 1, ColSpan: 1, Text: "North", Box: folio.Box{100, 120, 200, 140}},
		{Row: 1, Col: 1, RowSpan: 1, ColSpan: 1, Text: "12", Box: folio.Box{200, 120, 300, 140}},
		{Row: 1, Col: 2, RowSpan: 1, ColSpan: 1, Text: "13", Box: folio.Box{300, 120, 400, 140}},
		{Row: 2, Col: 0, RowSpan: 1, ColSpan: 1, Text: "South", Box: folio.Box{100, 140, 200, 160}},
		{Row: 2, Col: 1, RowSpan: 1, ColSpan: 1, Text: "14", Box: folio.Box{200, 140, 300, 160}},
		{Row: 2, Col: 2, RowSpan: 1, ColSpan: 1, Text: "15", Box: folio.Box{300, 140, 400, 160}},
	}
	if diff := cmp.Diff(wantCells, tbl.Table.Cells); diff != "" {
		t.Errorf("cells (-want +got):\n%s", diff)
	}
	if tbl.Table.HeaderRows != 1 || !tbl.Table.Ruled {
		t.Errorf("header rows %d ruled %v, want 1 true", tbl.Table.HeaderRows, tbl.Table.Ruled)
	}
	if capt == nil || tbl.CaptionRef == 0 || els[tbl.CaptionRef-1].Text != "Table 1: Sales by region" || capt.ParentRef != tblIdx {
		t.Errorf("caption not linked: table caption ref %d, caption %+v", tbl.CaptionRef, capt)
	}
	for _, e := range els {
		if e.Type == folio.Paragraph && (strings.Contains(e.Text, "North") || strings.Contains(e.Text, "Region")) {
			t.Errorf("table words leaked into %q", e.Text)
		}
	}
}

func TestCaptionKind(t *testing.T) {
	for s, want := range map[string]int{
		"Table 1: Results":           2,
		"Figure 7-26. Self-locking":  2,
		"Fig. 3 Overview of the set": 1,
		"Table 2-2 shows the values": 0,
		"Figure 3":                   2,
		"Tableau de bord":            -1,
		"Table 1.5 million":          0,
	} {
		it := newTextItem(1, []entry{{ln: &line{text: s, wideGap: -1}}})
		if _, got := captionKind(it); got != want {
			t.Errorf("captionKind(%q) = %d, want %d", s, got, want)
		}
	}
}
