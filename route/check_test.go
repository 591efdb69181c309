package route_test

import (
	"context"
	"errors"
	"testing"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
)

func TestCheck(t *testing.T) {
	para := func(s string) route.Task { return route.Task{Element: folio.Element{Type: folio.Paragraph, Text: s}} }
	tableTask := route.Task{Element: folio.Element{Type: folio.TableType}}
	pixels := []byte("png")
	imageTask := route.Task{Element: folio.Element{Type: folio.ImageType, Image: &folio.Image{PNG: pixels}}}
	tests := []struct {
		name      string
		task      route.Task
		res       route.Result
		wantClass folio.ErrorClass
	}{
		{"text_ok", para("a"), route.Result{Text: ptr("a")}, ""},
		{"empty_input_empty_output_ok", para(" "), route.Result{Text: ptr("")}, ""},
		{"text_missing", para("a"), route.Result{}, folio.ClassSchema},
		{"text_emptied", para("a"), route.Result{Text: ptr(" \u200B ")}, folio.ClassEmpty},
		{"text_invalid_utf8", para("a"), route.Result{Text: ptr("a\xff")}, folio.ClassSchema},
		{"table_ok", tableTask, route.Result{Table: &folio.Table{Rows: [][]string{{"a", ""}}}}, ""},
		{"table_missing", tableTask, route.Result{Text: ptr("a")}, folio.ClassSchema},
		{"table_no_rows", tableTask, route.Result{Table: &folio.Table{}}, folio.ClassSchema},
		{"table_ragged", tableTask, route.Result{Table: &folio.Table{Rows: [][]string{{"a", "b"}, {"c"}}}}, folio.ClassSchema},
		{"table_header_rows_out_of_range", tableTask, route.Result{Table: &folio.Table{Rows: [][]string{{"a"}}, HeaderRows: 2}}, folio.ClassSchema},
		{"table_cell_outside", tableTask, route.Result{Table: &folio.Table{
			Rows: [][]string{{"a"}}, Cells: []folio.Cell{{Row: 0, Col: 0, RowSpan: 2, ColSpan: 1}},
		}}, folio.ClassSchema},
		{"table_cells_overlap", tableTask, route.Result{Table: &folio.Table{
			Rows:  [][]string{{"a", "b"}},
			Cells: []folio.Cell{{Row: 0, Col: 0, RowSpan: 1, ColSpan: 2}, {Row: 0, Col: 1, RowSpan: 1, ColSpan: 1}},
		}}, folio.ClassSchema},
		{"table_without_text", tableTask, route.Result{Table: &folio.Table{Rows: [][]string{{"", " "}}}}, folio.ClassEmpty},
		{"image_ok", imageTask, route.Result{Image: &folio.Image{Width: 2, Height: 1, PNG: pixels}}, ""},
		{"image_missing", imageTask, route.Result{}, folio.ClassSchema},
		{"image_without_size", imageTask, route.Result{Image: &folio.Image{PNG: pixels}}, folio.ClassSchema},
		{"image_pixels_lost", imageTask, route.Result{Image: &folio.Image{Width: 2, Height: 1, Description: "a chart"}}, folio.ClassEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := route.Check(tt.task, tt.res)
			if got := route.Classify(err); got != tt.wantClass {
				t.Errorf("Check() = %v (class %q), want class %q", err, got, tt.wantClass)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want folio.ErrorClass
	}{
		{"nil", nil, ""},
		{"plain", errors.New("x"), folio.ClassError},
		{"classified", route.Errorf("rate_limit", "429"), "rate_limit"},
		{"wrapped", errors.Join(errors.New("ctx"), route.Errorf("auth", "401")), "auth"},
		{"canceled", context.Canceled, folio.ClassCanceled},
		{"deadline", context.DeadlineExceeded, folio.ClassTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := route.Classify(tt.err); got != tt.want {
				t.Errorf("Classify(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}
