package serve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/folio/folio/serve"
)

// hostile is text a document may carry that would run as script if a page
// did not escape it.
const hostile = `<script>alert(1)</script>`

// fixture is an output folder with a ledger made through lineage's public
// API and the output JSON of its one finished document.
type fixture struct {
	out    string
	db     *lineage.DB
	doc    *folio.Document
	failed string // the id of the deferred document
	secret string // a file beside the output folder that must never be served
}

func price(n int64) *int64 { return &n }

// newFixture records run_1 (tagged team=finance): report.pdf, two pages,
// whose table was escalated to a model that answered at a price, and a
// document deferred for budget. The first paragraph's text is hostile.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	parent := t.TempDir()
	f := &fixture{out: filepath.Join(parent, "out"), secret: filepath.Join(parent, "secret.txt")}
	if err := os.WriteFile(f.secret, []byte("TOP-SECRET-BYTES"), 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := lineage.Open(ctx, filepath.Join(f.out, "folio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f.db = db

	run := folio.Run{ID: "run_1", Started: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), Version: "test", Config: "cfg",
		Args: []string{"parse", "in", "-o", "out"}, Tags: map[string]string{"team": "finance"}}
	if err := db.StartRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	sha := strings.Repeat("ab", 32)
	id := folio.DocumentID(sha, "cfg", "report.pdf")
	el := func(n int) string { return folio.ElementID(id, n) }
	fr := func(n int) string { return folio.FragmentID(el(n)) }
	doc := &folio.Document{
		Schema: folio.Schema, ID: id, Run: "run_1", Config: "cfg", Status: folio.DocumentOK,
		Source: folio.Source{Path: filepath.Join(parent, "in", "report.pdf"), Rel: "report.pdf", SHA256: sha, Bytes: 100, Format: "pdf", Pages: 2},
		Pages:  []folio.PageInfo{{Page: 1, Width: 600, Height: 800}, {Page: 2, Width: 600, Height: 800}},
		Elements: []folio.Element{
			{ID: el(0), Type: folio.Heading, Level: 1, Page: 1, Box: folio.Box{50, 50, 550, 80}, Text: "Results",
				Layer: folio.LayerBody, Confidence: 0.9, Fragment: fr(0), Model: "local/text", Status: folio.StatusOK},
			{ID: el(1), Type: folio.Paragraph, Page: 1, Box: folio.Box{50, 100, 550, 200}, Text: hostile,
				Layer: folio.LayerBody, Confidence: 0.9, Fragment: fr(1), Model: "local/text", Status: folio.StatusOK},
			{ID: el(2), Type: folio.TableType, Page: 1, Box: folio.Box{50, 300, 550, 500}, Text: "a\tb",
				Table: &folio.Table{Rows: [][]string{{"Region", "Sales"}, {"North", "12"}}, HeaderRows: 1},
				Layer: folio.LayerBody, Confidence: 0.5, Fragment: fr(2), Model: "openai/gpt-4.1-mini", Status: folio.StatusOK},
			{ID: el(3), Type: folio.PageNumber, Page: 1, Box: folio.Box{290, 760, 310, 780}, Text: "1",
				Layer: folio.LayerFurniture, Confidence: 0.9, Fragment: fr(3), Model: "local/text", Status: folio.StatusOK},
			{ID: el(4), Type: folio.Paragraph, Page: 2, Box: folio.Box{50, 50, 550, 100}, Text: "Second page",
				Layer: folio.LayerBody, Confidence: 0.9, Fragment: fr(4), Model: "local/text", Status: folio.StatusOK},
		},
	}
	for i, e := range doc.Elements {
		fg := folio.Fragment{ID: e.Fragment, ElementID: e.ID, Model: e.Model, Status: folio.StatusOK,
			Calls: []folio.Call{{Attempt: 1, Rule: "text", Model: "local/text", USDMicros: price(0), Latency: time.Millisecond, Status: "ok"}}}
		if i == 2 {
			fg.Calls[0].Rule, fg.Calls[0].Model, fg.Calls[0].Status, fg.Calls[0].ErrorClass = "table", "local/table", "rejected", "quality"
			fg.Calls = append(fg.Calls, folio.Call{Attempt: 2, Rule: "table-unruled", Model: "openai/gpt-4.1-mini",
				Usage: folio.Usage{InputTokens: 1200, OutputTokens: 300}, USDMicros: price(4321), Latency: 850 * time.Millisecond, Status: "ok"})
		}
		doc.Fragments = append(doc.Fragments, fg)
		doc.Cost.Add(fg.Calls)
	}
	doc.Cost.BaselineUSDMicros = price(20000)
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.out, "report.pdf.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordDocument(ctx, "run_1", doc, []folio.Output{{Path: "report.pdf.json"}}); err != nil {
		t.Fatal(err)
	}
	f.doc = doc

	def := &folio.Document{Schema: folio.Schema, ID: folio.DocumentID(strings.Repeat("cd", 32), "cfg", "later.pdf"),
		Config: "cfg", Source: folio.Source{Rel: "later.pdf", SHA256: strings.Repeat("cd", 32), Format: "pdf", Pages: 1}}
	if err := db.RecordUnfinished(ctx, "run_1", def, folio.KindDeferred, "budget exhausted"); err != nil {
		t.Fatal(err)
	}
	tr, err := db.Trace(ctx, "later.pdf")
	if err != nil {
		t.Fatal(err)
	}
	f.failed = tr[0].Document.ID
	run.Summary = folio.Summary{OK: 1, Failed: 1, Pages: 2, Elements: 5, Cost: doc.Cost, Seconds: 1.5}
	if err := db.FinishRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	return f
}

// server starts a server over f with o's other options.
func (f *fixture) server(t *testing.T, o serve.Options) *serve.Server {
	t.Helper()
	o.Out, o.DB = f.out, f.db
	s, err := serve.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// get sends a GET to h from this machine and returns the response and body.
func get(t *testing.T, h http.Handler, target string, mod ...func(*http.Request)) (*http.Response, string) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.Host = "127.0.0.1:8080"
	for _, m := range mod {
		m(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result(), w.Body.String()
}

// drawer is a PageDrawer drawing grey pages, counting its calls.
type drawer struct {
	mu    sync.Mutex
	calls int
	err   error
}

func (d *drawer) DrawPage(ctx context.Context, source, sha string, page int, dpi float64) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls++
	if d.err != nil {
		return nil, d.err
	}
	img := image.NewGray(image.Rect(0, 0, int(6*dpi), int(8*dpi)))
	for i := range img.Pix {
		img.Pix[i] = color.Gray{Y: byte(200 + page)}.Y
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
