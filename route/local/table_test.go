package local

import (
	"context"
	"testing"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/google/go-cmp/cmp"
)

func TestTable(t *testing.T) {
	tests := []struct {
		name string
		in   *folio.Table
		text string
	}{
		{
			name: "ragged_rows_padded",
			in: &folio.Table{
				Rows:       [][]string{{"Region", "Q1", "Q2"}, {"North", "12.5"}, {"South"}},
				HeaderRows: 1,
				Ruled:      true,
			},
			text: "Region Q1 Q2 North 12.5 South",
		},
		{
			name: "spans_from_cells",
			in: &folio.Table{
				Rows: [][]string{
					{"Region", "Sales", ""},
					{"", "Q1", "Q2"},
					{"North", "1", "2"},
					{"Total", "3", ""},
				},
				HeaderRows: 1,
				Cells: []folio.Cell{
					{Row: 0, Col: 0, RowSpan: 2, ColSpan: 1, Text: "Region"},
					{Row: 0, Col: 1, RowSpan: 1, ColSpan: 2, Text: "Sales"},
					{Row: 1, Col: 1, RowSpan: 1, ColSpan: 1, Text: "Q1"},
					{Row: 1, Col: 2, RowSpan: 1, ColSpan: 1, Text: "Q2"},
					{Row: 2, Col: 0, RowSpan: 1, ColSpan: 1, Text: "North"},
					{Row: 2, Col: 1, RowSpan: 1, ColSpan: 1, Text: "1"},
					{Row: 2, Col: 2, RowSpan: 1, ColSpan: 1, Text: "2"},
					{Row: 3, Col: 0, RowSpan: 1, ColSpan: 1, Text: "Total", Header: true},
					{Row: 3, Col: 1, RowSpan: 1, ColSpan: 2, Text: "3"},
				},
			},
		},
		{
			name: "cells_and_rows_reconciled",
			in: &folio.Table{
				Rows: [][]string{
					{"A", "dup", "x"},
					{"B", "dup", "tail"},
				},
				Cells: []folio.Cell{
					{Row: 0, Col: 1, RowSpan: 2, ColSpan: 1, Text: ""},
					{Row: 0, Col: 2, RowSpan: 5, ColSpan: 0, Text: "ﬁrst"},
				},
			},
		},
		{
			name: "header_rows_clamped",
			in:   &folio.Table{Rows: [][]string{{"a"}, {"b"}}, HeaderRows: 7},
		},
		{
			name: "negative_header_rows",
			in:   &folio.Table{Rows: [][]string{{"a"}, {"b"}}, HeaderRows: -1},
		},
		{
			name: "cells_widen_grid",
			in: &folio.Table{
				Rows:  [][]string{{"a"}},
				Cells: []folio.Cell{{Row: 1, Col: 1, Text: "d"}},
			},
		},
		{
			name: "text_cleaned_and_html_escaped",
			in: &folio.Table{
				Rows:       [][]string{{"<b>ﬁ</b>", "A\u00A0&\u00A0B"}, {"\"q\" 'q'", "x\u00ADy\n z"}},
				HeaderRows: 1,
			},
			text: "  caption\u00A0text ",
		},
		{
			name: "overlapping_cells_fail",
			in: &folio.Table{
				Rows: [][]string{{"a", "b"}, {"c", "d"}},
				Cells: []folio.Cell{
					{Row: 0, Col: 0, RowSpan: 2, ColSpan: 1, Text: "a"},
					{Row: 1, Col: 0, RowSpan: 1, ColSpan: 1, Text: "c"},
				},
			},
		},
		{name: "no_cells_fail", in: &folio.Table{}},
		{name: "no_table_fail"},
		{
			name: "cell_far_outside_fail",
			in:   &folio.Table{Cells: []folio.Cell{{Row: 1 << 30, Col: 0, Text: "x"}}},
		},
	}
	type outcome struct {
		Table *folio.Table     `json:"table,omitempty"`
		Text  *string          `json:"text,omitempty"`
		Class folio.ErrorClass `json:"error_class,omitempty"`
		Error string           `json:"error,omitempty"`
	}
	got := make(map[string]outcome, len(tests))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			task := route.Task{Element: folio.Element{Type: folio.TableType, Table: tt.in, Text: tt.text}}
			res, err := Table{}.Run(context.Background(), task)
			if res.USDMicros == nil || *res.USDMicros != 0 {
				t.Errorf("USDMicros = %v, want a known 0", res.USDMicros)
			}
			o := outcome{Table: res.Table, Text: res.Text}
			if err != nil {
				o.Class, o.Error = route.Classify(err), err.Error()
			} else if err := route.Check(task, res); err != nil {
				t.Errorf("route.Check rejects the normalised table: %v", err)
			}
			got[tt.name] = o
		})
	}
	checkGolden(t, "table.golden", got)
}

func TestTableWithoutTextIsRejected(t *testing.T) {
	task := route.Task{Element: folio.Element{
		Type:  folio.TableType,
		Table: &folio.Table{Rows: [][]string{{"", " "}, {"\u00A0", ""}}},
	}}
	res, err := Table{}.Run(context.Background(), task)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := route.Classify(route.Check(task, res)), folio.ClassEmpty; got != want {
		t.Errorf("check class = %q, want %q", got, want)
	}
}

func TestTableDoesNotChangeInput(t *testing.T) {
	in := &folio.Table{
		Rows:  [][]string{{"ﬁ", "b"}},
		Cells: []folio.Cell{{Row: 0, Col: 1, RowSpan: 0, ColSpan: 0, Text: "b"}},
	}
	want := &folio.Table{
		Rows:  [][]string{{"ﬁ", "b"}},
		Cells: []folio.Cell{{Row: 0, Col: 1, RowSpan: 0, ColSpan: 0, Text: "b"}},
	}
	if _, err := (Table{}).Run(context.Background(), route.Task{Element: folio.Element{Type: folio.TableType, Table: in}}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, in); diff != "" {
		t.Errorf("input table changed (-want +got):\n%s", diff)
	}
}
