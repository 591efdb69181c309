package openai_test

import (
	"strings"
	"testing"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/folio/folio/route/openai/oaitest"
)

func TestCheckGrounding(t *testing.T) {
	table := func(rows ...[]string) route.Result { return route.Result{Table: &folio.Table{Rows: rows}} }
	text := func(s string) route.Result { return route.Result{Text: &s} }
	img := func(ocr string) route.Result {
		return route.Result{Image: &folio.Image{Width: 1, Height: 1, OCRText: ocr}}
	}
	noLayer := tableTask()
	noLayer.Page.TextLayer = false
	labelled := imageTask(t)
	labelled.Element.Text = "Revenue 2023 2024 USD"
	tests := []struct {
		name    string
		task    route.Task
		res     route.Result
		missing string // the token the error names; "" for a pass
	}{
		{"table copied", tableTask(), table([]string{"Region", "Q1", "Q2"}, []string{"North", "12.5", "-3"},
			[]string{"South", "1234", "40"}), ""},
		{"table with a number not in the source", tableTask(), table([]string{"Region", "Q1"}, []string{"North", "12.6"}),
			`number "12.6"`},
		{"table with a minus sign the source lacks", tableTask(), table([]string{"Region"}, []string{"-40"}),
			`number "-40"`},
		{"table with unsigned number whose source is negative", tableTask(), table([]string{"Region", "3"}), ""},
		{"table with invented words", tableTask(), table([]string{"Territory", "Quarter", "Sum"}, []string{"North", "12.5", "40"}),
			`"territory"`},
		{"one unknown word in five passes", tableTask(),
			table([]string{"Region", "North", "South", "Region", "Total"}), ""},
		{"page without a text layer is not checked", noLayer, table([]string{"Invented", "999"}), ""},
		{"text clean-up joins a broken word", paragraphTask(), text("Revenue grew by 12 percent in 2024."), ""},
		{"text with a changed number", paragraphTask(), text("Revenue grew by 13 percent in 2024."), `number "13"`},
		{"image visible text grounded in its labels", labelled, img("Revenue 2024"), ""},
		{"image visible text with a number not in its labels", labelled, img("Revenue 2025"), `number "2025"`},
		{"image without source text is not checked", imageTask(t), img("Anything 42"), ""},
	}
	srv := oaitest.New(t)
	s := newSpecialist(t, srv, mini())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Check(tt.task, tt.res)
			switch {
			case tt.missing == "" && err != nil:
				t.Errorf("Check: %v, want a pass", err)
			case tt.missing != "" && route.Classify(err) != folio.ClassGrounding:
				t.Errorf("Check: %v, want class %s", err, folio.ClassGrounding)
			case tt.missing != "" && !strings.Contains(err.Error(), tt.missing):
				t.Errorf("Check: %v, want it to name %s", err, tt.missing)
			}
		})
	}
}
