package openai_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/folio/folio/route/openai/oaitest"
)

func strp(s string) *string { return &s }

func TestRunAnswersEachTaskKind(t *testing.T) {
	img := imageTask(t)
	tableWithCrop := tableTask()
	tableWithCrop.Crop = pngOf(t, 400, 120)
	tests := []struct {
		name      string
		task      route.Task
		step      oaitest.Step
		want      route.Result // RequestHash is filled in from RequestKey
		wantImage bool
		wantFmt   string
	}{{
		name: "table with spans and a crop",
		task: tableWithCrop,
		step: oaitest.Step{
			Content: `{"rows":[["Region","Quarter",""],["","Q1","Q2"],["North","12.5","−3"]],"header_rows":2,` +
				`"cells":[{"row":0,"col":0,"row_span":2,"col_span":1,"text":"Region"},` +
				`{"row":0,"col":1,"row_span":1,"col_span":2,"text":"Quarter"}]}`,
			Usage: oaitest.Usage{PromptTokens: 1500, CachedTokens: 1024, CompletionTokens: 120},
		},
		// 476·0.40 + 1024·0.10 + 120·1.60 = 484.8 µ$ → 485.
		want: route.Result{
			Table: &folio.Table{
				Rows:       [][]string{{"Region", "Quarter", ""}, {"", "Q1", "Q2"}, {"North", "12.5", "−3"}},
				HeaderRows: 2,
				Cells: []folio.Cell{
					{Row: 0, Col: 0, RowSpan: 2, ColSpan: 1, Text: "Region", Header: true},
					{Row: 0, Col: 1, RowSpan: 1, ColSpan: 2, Text: "Quarter", Header: true},
					{Row: 1, Col: 1, RowSpan: 1, ColSpan: 1, Text: "Q1", Header: true},
					{Row: 1, Col: 2, RowSpan: 1, ColSpan: 1, Text: "Q2", Header: true},
					{Row: 2, Col: 0, RowSpan: 1, ColSpan: 1, Text: "North"},
					{Row: 2, Col: 1, RowSpan: 1, ColSpan: 1, Text: "12.5"},
					{Row: 2, Col: 2, RowSpan: 1, ColSpan: 1, Text: "−3"},
				},
				HTML: `<table><thead><tr><th rowspan="2">Region</th><th colspan="2">Quarter</th></tr>` +
					`<tr><th>Q1</th><th>Q2</th></tr></thead><tbody><tr><td>North</td><td>12.5</td><td>−3</td></tr></tbody></table>`,
			},
			Usage:     folio.Usage{InputTokens: 1500, CachedTokens: 1024, OutputTokens: 120},
			USDMicros: micros(485),
			Prompt:    "table/v2", PromptVersion: 2,
			// The 400×120 crop of a 468×100 pt table is 62 dpi, under the
			// minimum: sent whole, 13×4 patches × 1.62 = 84.24 → 85.
			ImageSent: folio.ImageSent{ImageWidth: 400, ImageHeight: 120, EstimatedImageTokens: 85},
		},
		wantImage: true,
		wantFmt:   "folio_table",
	}, {
		name: "image",
		task: img,
		step: oaitest.Step{
			Content: `{"description":"A bar chart of revenue.","visible_text":"Revenue 2024\n","kind":"chart"}`,
			Usage:   oaitest.Usage{PromptTokens: 300, CompletionTokens: 25},
		},
		// 300·0.40 + 25·1.60 = 160 µ$.
		want: route.Result{
			Image: &folio.Image{Width: 64, Height: 32, PNG: img.Element.Image.PNG,
				Description: "A bar chart of revenue.", OCRText: "Revenue 2024", Kind: "chart"},
			Usage:     folio.Usage{InputTokens: 300, OutputTokens: 25},
			USDMicros: micros(160),
			Prompt:    "image/v1", PromptVersion: 1,
			// 2×1 patches × 1.62 = 3.24 → 4.
			ImageSent: folio.ImageSent{ImageWidth: 64, ImageHeight: 32, EstimatedImageTokens: 4},
		},
		wantImage: true,
		wantFmt:   "folio_image",
	}, {
		name: "text clean-up on a page with a text layer",
		task: paragraphTask(),
		step: oaitest.Step{
			Content: `{"text":"Revenue grew by 12 percent in 2024."}`,
			Usage:   oaitest.Usage{PromptTokens: 250, CompletionTokens: 10},
		},
		// 250·0.40 + 10·1.60 = 116 µ$.
		want: route.Result{
			Text:      strp("Revenue grew by 12 percent in 2024."),
			Usage:     folio.Usage{InputTokens: 250, OutputTokens: 10},
			USDMicros: micros(116),
			Prompt:    "text/v1", PromptVersion: 1,
		},
		wantFmt: "folio_text",
	}, {
		name: "transcription on a page without a text layer",
		task: scanTask(t),
		step: oaitest.Step{
			Content: `{"text":"Scanned words."}`,
			Usage:   oaitest.Usage{PromptTokens: 1005, CachedTokens: 5, CompletionTokens: 5},
		},
		// 1000·0.40 + 5·0.10 + 5·1.60 = 408.5 µ$ → 409, half rounds up.
		want: route.Result{
			Text:      strp("Scanned words."),
			Usage:     folio.Usage{InputTokens: 1005, CachedTokens: 5, OutputTokens: 5},
			USDMicros: micros(409),
			Prompt:    "transcribe/v1", PromptVersion: 1,
			// 600×80 for 468×40 pt is 92 dpi: sent whole, 19×3 patches ×
			// 1.62 = 92.34 → 93.
			ImageSent: folio.ImageSent{ImageWidth: 600, ImageHeight: 80, EstimatedImageTokens: 93},
		},
		wantImage: true,
		wantFmt:   "folio_text",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := oaitest.New(t)
			s := newSpecialist(t, srv, mini())
			srv.Script("gpt-4.1-mini", tt.step)
			key, err := s.RequestKey(tt.task)
			if err != nil {
				t.Fatalf("RequestKey: %v", err)
			}
			want := tt.want
			want.Model, want.Endpoint, want.RequestHash = "openai/gpt-4.1-mini", "test", key

			got, err := s.Run(context.Background(), tt.task)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Run result (-want +got):\n%s", diff)
			}
			if err := route.Check(tt.task, got); err != nil {
				t.Errorf("route.Check rejects the result: %v", err)
			}
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("server saw %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			gotReq := []any{r.Path, r.Model, r.Messages, r.HasImage, r.Format, r.Strict, r.MaxTokens, r.AuthSHA256}
			wantReq := []any{"/v1/chat/completions", "gpt-4.1-mini", 2, tt.wantImage, tt.wantFmt, true, int64(4096), sha("Bearer " + fakeKey)}
			if diff := cmp.Diff(wantReq, gotReq); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRunDefaultServer runs every task kind against the server's default
// answers, as end-to-end runs do.
func TestRunDefaultServer(t *testing.T) {
	srv := oaitest.New(t)
	s := newSpecialist(t, srv, mini())
	for _, task := range []route.Task{tableTask(), imageTask(t), paragraphTask(), scanTask(t)} {
		t.Run(string(task.Element.Type)+"/"+task.Element.ID, func(t *testing.T) {
			res, err := s.Run(context.Background(), task)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if err := route.Check(task, res); err != nil {
				t.Errorf("route.Check: %v", err)
			}
			if err := s.Check(task, res); err != nil {
				t.Errorf("Check: %v", err)
			}
			if res.USDMicros == nil || res.Usage.InputTokens == 0 {
				t.Errorf("usage %+v, price %v: want both reported", res.Usage, res.USDMicros)
			}
		})
	}
	res, err := s.Run(context.Background(), tableTask())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tableTask().Element.Table.Rows, res.Table.Rows); diff != "" {
		t.Errorf("default table answer (-input +echo):\n%s", diff)
	}
}

func TestRunInputErrors(t *testing.T) {
	noVision := mini()
	noVision.Vision = false
	noPixels := imageTask(t)
	noPixels.Element.Image.PNG = nil
	notPNG := scanTask(t)
	notPNG.Crop = []byte("not a png")
	emptyTable := tableTask()
	emptyTable.Element.Text, emptyTable.Element.Table = "", nil
	tests := []struct {
		name  string
		task  route.Task
		noVis bool // the model has no vision
	}{
		{name: "image without pixels", task: noPixels},
		{name: "image on a model without vision", task: imageTask(t), noVis: true},
		{name: "scan without vision", task: scanTask(t), noVis: true},
		{name: "crop that is not a PNG", task: notPNG},
		{name: "table with nothing to read", task: emptyTable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := oaitest.New(t)
			m := mini()
			if tt.noVis {
				m = noVision
			}
			s := newSpecialist(t, srv, m)
			res, err := s.Run(context.Background(), tt.task)
			if got := route.Classify(err); got != folio.ClassInput {
				t.Errorf("class %q (%v), want %q", got, err, folio.ClassInput)
			}
			if res.USDMicros == nil || *res.USDMicros != 0 {
				t.Errorf("price %v, want 0: no request was made", res.USDMicros)
			}
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("server saw %d requests, want 0", n)
			}
			if _, err := s.Estimate(tt.task); route.Classify(err) != folio.ClassInput {
				t.Errorf("Estimate error %v, want class input", err)
			}
		})
	}
}

// TestRunConcurrently shares one specialist between goroutines, as the
// worker pool does; run with -race.
func TestRunConcurrently(t *testing.T) {
	srv := oaitest.New(t)
	s := newSpecialist(t, srv, mini())
	tasks := []route.Task{tableTask(), imageTask(t), paragraphTask(), scanTask(t)}
	errs := make(chan error, 4*len(tasks))
	for range 4 {
		for _, task := range tasks {
			go func() {
				_, err := s.Run(context.Background(), task)
				errs <- err
			}()
		}
	}
	for range 4 * len(tasks) {
		if err := <-errs; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	if n := len(srv.Requests()); n != 4*len(tasks) {
		t.Errorf("server saw %d requests, want %d", n, 4*len(tasks))
	}
}

// A model's answer for a table of contents is still one: the kind of
// table is the segmenter's finding.
func TestRunKeepsContentsTable(t *testing.T) {
	srv := oaitest.New(t)
	s := newSpecialist(t, srv, mini())
	for _, contents := range []bool{true, false} {
		task := tableTask()
		task.Element.Table.Contents = contents
		res, err := s.Run(context.Background(), task)
		if err != nil {
			t.Fatal(err)
		}
		if res.Table == nil || res.Table.Contents != contents {
			t.Errorf("contents %v: answer table %+v, want Contents %v", contents, res.Table, contents)
		}
	}
}
