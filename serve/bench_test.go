package serve_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/folio/folio/serve"
)

// The benchmark ledger: benchDocs documents of benchElements elements
// each, recorded in one run over benchDays days up to benchEnd.
const (
	benchDocs     = 10000
	benchElements = 30
	benchDays     = 180
)

var benchEnd = time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)

// bigLedger is the benchmark ledger, built once per process in a
// temporary folder that TestMain removes.
var bigLedger struct {
	once  sync.Once
	dir   string
	doc   *folio.Document // the document the document pages show
	build time.Duration
	err   error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bigLedger.dir != "" && os.Getenv(keepLedger) == "" {
		os.RemoveAll(bigLedger.dir)
	}
	os.Exit(code)
}

// benchDoc is document n of the benchmark ledger: three pages of ten
// elements, a heading, paragraphs read locally and every sixth element a
// table read by local/table, rejected and answered by a model at a price.
// Every fourth document's paragraph 1 goes to openai/tiny first, rejected
// three times in four (and escalated to openai/big); every tenth
// document leaves a table in review with both answers kept.
func benchDoc(n int) *folio.Document {
	sha := fmt.Sprintf("%064x", n+1)
	rel := fmt.Sprintf("batch/%03d/doc-%05d.pdf", n%100, n)
	var els []routedEl
	for i := range benchElements {
		local := paidCall("text#1", "local/text", folio.CallOK, 0)
		local.Usage = folio.Usage{}
		el := routedEl{typ: folio.Paragraph, calls: []folio.Call{local}}
		switch {
		case i == 0:
			el.typ = folio.Heading
		case i%6 == 5:
			el.typ = folio.TableType
			localTable := paidCall("table#1", "local/table", folio.CallRejected, 0)
			localTable.Usage, localTable.ErrorClass = folio.Usage{}, "quality"
			model := "openai/gpt-4.1-mini"
			if (n+i)%5 == 0 {
				model = "openai/gpt-4.1"
			}
			el.calls = []folio.Call{localTable, paidCall("table#2", model, folio.CallOK, int64(800+(n*7+i)%900))}
			if n%10 == 0 && i == 5 {
				el.status = folio.StatusReview
				el.calls[1].Status = folio.CallRejected
				el.answers = []folio.Answer{
					{Model: "local/table", Status: folio.CallRejected, Text: "a | b"},
					{Model: model, Status: folio.CallRejected, Text: "a | c"},
				}
			}
		case i == 1 && n%4 == 0:
			first := paidCall("paragraph#2", "openai/tiny", folio.CallOK, 300)
			el.calls = []folio.Call{first}
			if n%16 != 0 {
				first.Status = folio.CallRejected
				el.calls = []folio.Call{first, paidCall("paragraph#3", "openai/big", folio.CallOK, 2500)}
			}
		}
		els = append(els, el)
	}
	doc := routedDoc(sha, rel, price(int64(15000+n%2000)), els...)
	doc.Source.Pages = 3
	doc.Pages = []folio.PageInfo{{Page: 1, Width: 612, Height: 792}, {Page: 2, Width: 612, Height: 792}, {Page: 3, Width: 612, Height: 792}}
	for i := range doc.Elements {
		doc.Elements[i].Page = 1 + i/10
		doc.Elements[i].Text = fmt.Sprintf("Element %d of document %d, with some text to store.", i, n)
	}
	return doc
}

// buildBigLedger records the benchmark ledger in dir through lineage's
// public API, with its output JSON for the document the pages show.
func buildBigLedger(dir string) (*folio.Document, error) {
	ctx := context.Background()
	now := benchEnd.Add(-benchDays * 24 * time.Hour)
	db, err := lineage.Open(ctx, filepath.Join(dir, "folio.db"))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.Now = func() time.Time { return now }
	run := folio.Run{ID: "run_big", Started: now, Version: "bench", Config: "cfg", Args: []string{"parse", "batch", "-o", "out"}}
	if err := db.StartRun(ctx, run); err != nil {
		return nil, err
	}
	if err := db.SetRunTags(ctx, run.ID, map[string]string{"team": "finance"}); err != nil {
		return nil, err
	}
	step := benchDays * 24 * time.Hour / benchDocs
	var shown *folio.Document
	for n := range benchDocs {
		doc := benchDoc(n)
		var outputs []folio.Output
		if n == benchDocs/2 {
			shown = doc
			data, err := json.Marshal(doc)
			if err != nil {
				return nil, err
			}
			out := doc.Source.Rel + ".json"
			if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(out)), 0o755); err != nil {
				return nil, err
			}
			if err := os.WriteFile(filepath.Join(dir, out), data, 0o644); err != nil {
				return nil, err
			}
			outputs = []folio.Output{{Path: out}}
		}
		if err := db.RecordDocument(ctx, run.ID, doc, outputs); err != nil {
			return nil, err
		}
		run.Summary.OK++
		run.Summary.Elements += len(doc.Elements)
		run.Summary.Cost.Merge(doc.Cost)
		now = now.Add(step)
	}
	if err := db.FinishRun(ctx, run); err != nil {
		return nil, err
	}
	return shown, nil
}

// keepLedger names an environment variable: a folder where the benchmark
// ledger is built once and kept, to measure again without rebuilding it
// (FOLIO_BENCH_LEDGER=/tmp/l go test -bench BenchmarkPages ./serve/).
const keepLedger = "FOLIO_BENCH_LEDGER"

// shownDoc is the document the pages show, as buildBigLedger wrote it.
func shownDoc(dir string) (*folio.Document, error) {
	doc := benchDoc(benchDocs / 2)
	data, err := os.ReadFile(filepath.Join(dir, doc.Source.Rel+".json"))
	if err != nil {
		return nil, err
	}
	var d folio.Document
	return &d, json.Unmarshal(data, &d)
}

// benchServer serves the benchmark ledger, building it on first use.
func benchServer(b *testing.B) (http.Handler, *folio.Document) {
	b.Helper()
	bigLedger.once.Do(func() {
		if dir := os.Getenv(keepLedger); dir != "" {
			bigLedger.dir = dir
			if _, err := os.Stat(filepath.Join(dir, "folio.db")); err == nil {
				bigLedger.doc, bigLedger.err = shownDoc(dir)
				return
			}
			bigLedger.err = os.MkdirAll(dir, 0o755)
		} else {
			bigLedger.dir, bigLedger.err = os.MkdirTemp("", "folio-bench-serve-")
		}
		if bigLedger.err != nil {
			return
		}
		start := time.Now()
		bigLedger.doc, bigLedger.err = buildBigLedger(bigLedger.dir)
		bigLedger.build = time.Since(start)
		fmt.Fprintf(os.Stderr, "benchmark ledger: %d documents of %d elements recorded in %v\n",
			benchDocs, benchElements, bigLedger.build.Round(time.Second))
	})
	if bigLedger.err != nil {
		b.Fatal(bigLedger.err)
	}
	// As folio serve opens it.
	db, err := lineage.OpenReadOnlyLive(context.Background(), filepath.Join(bigLedger.dir, "folio.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	s, err := serve.New(serve.Options{Out: bigLedger.dir, DB: db, Now: func() time.Time { return benchEnd }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s.Handler(), bigLedger.doc
}

// BenchmarkPages serves each page of the control plane from a ledger of
// 10,000 documents, the page images left out (no drawer). Run with
// -benchtime 20x: each page is one request.
func BenchmarkPages(b *testing.B) {
	h, doc := benchServer(b)
	table := doc.Elements[5].ID
	for _, p := range []struct{ name, target string }{
		{"runs", "/"},
		{"run", "/runs/run_big"},
		{"doc", "/docs/" + doc.ID},
		{"doc-el", "/docs/" + doc.ID + "?el=" + table},
		{"cost-by-model", "/cost?by=model"},
		{"cost-by-document", "/cost?by=document"},
		{"cost-week", "/cost?period=week"},
		{"quality", "/quality"},
		{"review", "/review"},
		{"review-item", "/review/" + inReview(b)},
	} {
		b.Run(p.name, func(b *testing.B) {
			res, body := serveOnce(h, p.target)
			if res.StatusCode != http.StatusOK {
				b.Fatalf("GET %s = %d\n%s", p.target, res.StatusCode, body)
			}
			for b.Loop() {
				if res, _ := serveOnce(h, p.target); res.StatusCode != http.StatusOK {
					b.Fatalf("GET %s = %d", p.target, res.StatusCode)
				}
			}
			b.ReportMetric(float64(b.Elapsed())/float64(time.Millisecond)/float64(b.N), "ms/op")
		})
	}
}

// The quality page keeps its report until the ledger changes: the first
// request after a change computes it, from every call in its window.
func BenchmarkQualityFirstRequest(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		h, _ := benchServer(b) // a new server, with nothing kept
		b.StartTimer()
		if res, _ := serveOnce(h, "/quality"); res.StatusCode != http.StatusOK {
			b.Fatalf("GET /quality = %d", res.StatusCode)
		}
	}
	b.ReportMetric(float64(b.Elapsed())/float64(time.Millisecond)/float64(b.N), "ms/op")
}

// inReview is an element of the benchmark ledger waiting for review.
func inReview(b *testing.B) string {
	b.Helper()
	db, err := lineage.OpenReadOnlyLive(context.Background(), filepath.Join(bigLedger.dir, "folio.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	q, _, err := db.ReviewQueue(context.Background(), lineage.ReviewFilter{Limit: 1})
	if err != nil || len(q) == 0 {
		b.Fatalf("no element in review in the benchmark ledger: %v", err)
	}
	return q[0].Element
}

// serveOnce sends one GET from this machine to h.
func serveOnce(h http.Handler, target string) (*http.Response, string) {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.Host = "127.0.0.1:8080"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result(), w.Body.String()
}
