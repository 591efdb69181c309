package openai_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/folio/folio/route/openai"
	"github.com/folio/folio/route/openai/oaitest"
)

// bigTable returns a table task of rows×cols numeric cells.
func bigTable(rows, cols int) route.Task {
	t := tableTask()
	tb := &folio.Table{HeaderRows: 1}
	text := ""
	for i := range rows {
		var r []string
		for j := range cols {
			s := fmt.Sprintf("%d.%02d", i*cols+j, j)
			r = append(r, s)
			text += s + " "
		}
		tb.Rows = append(tb.Rows, r)
	}
	t.Element.Table, t.Element.Text = tb, text
	return t
}

// TestEstimateNearUsage compares estimates with the usage the default
// server reports (a quarter of the request bytes, images by the tile
// formula; a quarter of the answer bytes).
func TestEstimateNearUsage(t *testing.T) {
	srv := oaitest.New(t)
	s := newSpecialist(t, srv, mini())
	withCrop := bigTable(12, 6)
	withCrop.Crop = pngOf(t, 1200, 600)
	for _, tt := range []struct {
		name string
		task route.Task
	}{
		{"small table", tableTask()},
		{"12x6 table", bigTable(12, 6)},
		{"12x6 table with crop", withCrop},
		{"image", imageTask(t)},
		{"paragraph", paragraphTask()},
		{"scan", scanTask(t)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			est, err := s.Estimate(tt.task)
			if err != nil {
				t.Fatalf("Estimate: %v", err)
			}
			res, err := s.Run(context.Background(), tt.task)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			in, out := float64(est.Usage.InputTokens), float64(est.Usage.OutputTokens)
			gotIn, gotOut := float64(res.Usage.InputTokens), float64(res.Usage.OutputTokens)
			if in < gotIn*0.7 || in > gotIn*1.5 {
				t.Errorf("estimated %v input tokens, server reported %v", in, gotIn)
			}
			// The guess is for a real model's answer; the default answer is
			// an echo, so only a loose bound holds.
			if out < gotOut*0.5 || out > gotOut*20+50 {
				t.Errorf("estimated %v output tokens, server reported %v", out, gotOut)
			}
			if est.USDMicros == nil {
				t.Errorf("estimate has no price")
			}
			t.Logf("estimate %+v, usage %+v", est.Usage, res.Usage)
		})
	}
}

func TestEstimatePriceAndCap(t *testing.T) {
	srv := oaitest.New(t)
	m := mini()
	m.MaxOutputTokens = 100
	s := newSpecialist(t, srv, m)
	est, err := s.Estimate(bigTable(40, 10))
	if err != nil {
		t.Fatal(err)
	}
	if est.Usage.OutputTokens != 100 {
		t.Errorf("output tokens %d, want the cap 100", est.Usage.OutputTokens)
	}
	if est.Usage.CachedTokens != 0 {
		t.Errorf("cached tokens %d, want 0", est.Usage.CachedTokens)
	}
	// price = ⌊(in·400000 + 100·1600000 + 500000) / 10⁶⌋
	want := (est.Usage.InputTokens*400000 + 100*1600000 + 500000) / 1000000
	if diff := cmp.Diff(micros(want), est.USDMicros); diff != "" {
		t.Errorf("price (-want +got):\n%s", diff)
	}

	unpriced := mini()
	unpriced.OutputPerMTok = nil
	est, err = newSpecialist(t, srv, unpriced).Estimate(tableTask())
	if err != nil {
		t.Fatal(err)
	}
	if est.USDMicros != nil {
		t.Errorf("price %d with an unknown output price, want nil", *est.USDMicros)
	}
}

func TestEstimateImageTokensByFormula(t *testing.T) {
	srv := oaitest.New(t)
	// Both images fill an 800 pt square: the large one is 92 dpi, under the
	// minimum resolution, so that nothing is scaled for detail.
	task := imageTask(t)
	task.Element.Box = folio.Box{0, 0, 800, 800}
	task.Element.Image.PNG = pngOf(t, 1024, 1024)
	text := task
	text.Element.Image = &folio.Image{PNG: pngOf(t, 1, 1)} // 85 (low detail) or 2 image tokens
	tests := []struct {
		formula string
		model   string
		want    int64 // the 1024×1024 image's tokens less the 1×1's
	}{
		{openai.ImageTokensTiles, "gpt-4.1", 765 - 85},
		{"", "gpt-4.1", 765 - 85},
		{"", "gpt-4o-mini", 2833 + 4*5667 - 2833},
		{openai.ImageTokensPatches, "gpt-4.1-mini", 1659 - 2},
		{"", "gpt-4.1-mini", 1659 - 2},
		{openai.ImageTokensPatches, "gpt-4.1-nano", 2520 - 3},
		{openai.ImageTokensTiles, "gpt-4.1-nano", 765 - 85}, // the configured formula wins
	}
	for _, tt := range tests {
		t.Run(tt.formula+"/"+tt.model, func(t *testing.T) {
			m := mini()
			m.Model, m.ImageTokens = tt.model, tt.formula
			s := newSpecialist(t, srv, m)
			big, err := s.Estimate(task)
			if err != nil {
				t.Fatal(err)
			}
			small, err := s.Estimate(text)
			if err != nil {
				t.Fatal(err)
			}
			if got := big.Usage.InputTokens - small.Usage.InputTokens; got != tt.want {
				t.Errorf("1024×1024 image costs %d tokens more than 1×1, want %d", got, tt.want)
			}
		})
	}
}

func TestRequestKey(t *testing.T) {
	srv := oaitest.New(t)
	base := newSpecialist(t, srv, mini())
	key := func(t *testing.T, s *openai.Specialist, task route.Task) string {
		t.Helper()
		k, err := s.RequestKey(task)
		if err != nil {
			t.Fatalf("RequestKey: %v", err)
		}
		return k
	}
	want := key(t, base, tableTask())
	if len(want) != 64 {
		t.Fatalf("key %q is not a hex SHA-256", want)
	}
	t.Run("stable", func(t *testing.T) {
		same := []struct {
			name string
			s    *openai.Specialist
			task route.Task
		}{
			{"again", base, tableTask()},
			{"other key, timeout, headers, name", newSpecialist(t, srv, mini(), func(ep *openai.Endpoint) {
				ep.APIKey, ep.Timeout, ep.Name = "sk-another-key", time.Second, "other"
				ep.Headers = map[string]string{"X-Trace": "1"}
			}), tableTask()},
			{"other prices and alias", func() *openai.Specialist {
				m := mini()
				m.Alias, m.InputPerMTok = "cheap", price(0.01)
				return newSpecialist(t, srv, m)
			}(), tableTask()},
			{"trailing slash", newSpecialist(t, srv, mini(), func(ep *openai.Endpoint) { ep.BaseURL += "/" }), tableTask()},
			{"other element id, rule and attempt", base, func() route.Task {
				tt := tableTask()
				tt.Element.ID, tt.Rule, tt.Attempt = "el_other", "table#3", 5
				return tt
			}()},
			// A table with a grid is sent as its grid: the element's
			// text, the same words again, is not part of the request.
			{"table text beside its grid", base, func() route.Task {
				tt := tableTask()
				tt.Element.Text += "!"
				return tt
			}()},
		}
		for _, c := range same {
			if got := key(t, c.s, c.task); got != want {
				t.Errorf("%s: key changed", c.name)
			}
		}
	})
	// withCells gives the task's table one cell per position, its columns
	// 100 points wide starting dx to the right.
	withCells := func(tt *route.Task, dx float64) {
		for i, row := range tt.Element.Table.Rows {
			for j, text := range row {
				x, y := 72+dx+float64(j)*100, 100+float64(i)*20
				tt.Element.Table.Cells = append(tt.Element.Table.Cells, folio.Cell{Row: i, Col: j, RowSpan: 1, ColSpan: 1,
					Text: text, Box: folio.Box{x, y, x + 90, y + 15}})
			}
		}
	}
	t.Run("sensitive", func(t *testing.T) {
		other := func(edit func(*route.Task)) route.Task {
			tt := tableTask()
			edit(&tt)
			return tt
		}
		withModel := func(id string, tokens int) *openai.Specialist {
			m := mini()
			m.Model, m.MaxOutputTokens = id, tokens
			return newSpecialist(t, srv, m)
		}
		diff := []struct {
			name string
			s    *openai.Specialist
			task route.Task
		}{
			{"model", withModel("gpt-4.1", 0), tableTask()},
			{"max output tokens", withModel("gpt-4.1-mini", 1000), tableTask()},
			{"base URL path", newSpecialist(t, srv, mini(), func(ep *openai.Endpoint) { ep.BaseURL += "/proxy" }), tableTask()},
			{"API version", newSpecialist(t, srv, mini(), func(ep *openai.Endpoint) { ep.APIVersion = "2024-10-21" }), tableTask()},
			{"cell text", base, other(func(tt *route.Task) { tt.Element.Table.Rows[1][1] = "12.6" })},
			{"element text of a table without a grid", base, other(func(tt *route.Task) { tt.Element.Table = nil })},
			{"cell geometry", base, other(func(tt *route.Task) { withCells(tt, 0) })},
			{"other cell geometry", base, other(func(tt *route.Task) { withCells(tt, 30) })},
			{"crop", base, other(func(tt *route.Task) { tt.Crop = pngOf(t, 10, 10) })},
			{"crop bytes", base, other(func(tt *route.Task) { tt.Crop = pngOf(t, 10, 11) })},
		}
		seen := map[string]string{want: "base"}
		for _, c := range diff {
			got := key(t, c.s, c.task)
			if prev, dup := seen[got]; dup {
				t.Errorf("%s: same key as %s", c.name, prev)
			}
			seen[got] = c.name
		}
	})
	t.Run("recorded on the result", func(t *testing.T) {
		res, err := base.Run(context.Background(), tableTask())
		if err != nil {
			t.Fatal(err)
		}
		if res.RequestHash != want {
			t.Errorf("Result.RequestHash %q, want RequestKey %q", res.RequestHash, want)
		}
	})
}
