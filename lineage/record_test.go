package lineage_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/google/go-cmp/cmp"
)

func TestDone(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	if err := db.StartRun(ctx, sampleRun("run_1", t0)); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordDocument(ctx, "run_1", sampleDoc("s1", "cfg1", "a.pdf", 3), nil); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordFailure(ctx, "run_1", folio.Source{Rel: "b.pdf", SHA256: "s2"}, folio.KindTimeout, "deadline"); err != nil {
		t.Fatal(err)
	}
	// A partial document (a page lost) is done, and its lost pages are
	// recorded as the reason.
	partial := sampleDoc("s4", "cfg1", "c.pdf", 2)
	partial.Status = folio.DocumentPartial
	partial.Pages = []folio.PageInfo{{Page: 1}, {Page: 2, Error: "pdfium could not load the page"}}
	if err := db.RecordDocument(ctx, "run_1", partial, nil); err != nil {
		t.Fatal(err)
	}
	ts, err := db.Trace(ctx, partial.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := ts[0].Document; d.Status != "partial" || d.ErrorKind != folio.KindMalformed || d.Error != "page 2: pdfium could not load the page" {
		t.Errorf("partial document recorded as %s (%s): %q", d.Status, d.ErrorKind, d.Error)
	}

	tests := []struct {
		name        string
		sha, config string
		want        bool
	}{
		{"finished", "s1", "cfg1", true},
		{"partial", "s4", "cfg1", true},
		{"other configuration", "s1", "cfg2", false},
		{"failed", "s2", "cfg1", false},
		{"never seen", "s3", "cfg1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Done(ctx, tt.sha, tt.config)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Done(%q, %q) = %v, want %v", tt.sha, tt.config, got, tt.want)
			}
		})
	}

	// A failed input that later succeeds is done.
	if err := db.RecordDocument(ctx, "run_1", sampleDoc("s2", "cfg1", "b.pdf", 3), nil); err != nil {
		t.Fatal(err)
	}
	if done, err := db.Done(ctx, "s2", "cfg1"); err != nil || !done {
		t.Errorf("Done after success = %v, %v; want true", done, err)
	}
}

// Recording a document id again (a forced re-run) replaces its rows.
func TestRecordDocument_supersedes(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	for i, id := range []string{"run_1", "run_2"} {
		if err := db.StartRun(ctx, sampleRun(id, t0.Add(time.Duration(i)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	other := sampleDoc("s9", "cfg1", "other.pdf", 4)
	if err := db.RecordDocument(ctx, "run_1", other, nil); err != nil {
		t.Fatal(err)
	}
	doc := sampleDoc("s1", "cfg1", "a.pdf", 12)
	if err := db.RecordDocument(ctx, "run_1", doc, []folio.Output{{Path: "a.pdf.json"}}); err != nil {
		t.Fatal(err)
	}

	again := sampleDoc("s1", "cfg1", "a.pdf", 12)
	again.Elements[0].Text = "1. Introduction, revised"
	again.Fragments[0].Calls = append(again.Fragments[0].Calls, folio.Call{Attempt: 2, Model: "local/ocr", USDMicros: price(0), Status: "ok"})
	if err := db.RecordDocument(ctx, "run_2", again, []folio.Output{{Path: "a.pdf.json"}, {Path: "a.pdf.md"}}); err != nil {
		t.Fatal(err)
	}

	want := map[string]string{
		"runs":      "2",
		"documents": "3",
		"elements":  fmt.Sprint(4 + 12 + 12),
		"fragments": fmt.Sprint(4 + 12 + 12),
		"calls":     fmt.Sprint(sampleCalls(4) + sampleCalls(12) + sampleCalls(12) + 1),
	}
	if diff := cmp.Diff(want, counts(t, rawDB(t, db))); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	ts, err := db.Trace(ctx, doc.Elements[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	got := []any{ts[0].Element.Text, len(ts[0].Fragment.Calls), ts[0].Document.Run, ts[0].Document.Outputs}
	if diff := cmp.Diff([]any{"1. Introduction, revised", 2, "run_2", []string{"a.pdf.json", "a.pdf.md"}}, got); diff != "" {
		t.Errorf("re-recorded element (-want +got):\n%s", diff)
	}
	// The first recording stays, marked superseded by the second.
	got = nil
	for _, s := range query(t, rawDB(t, db), `
		SELECT d.run || ' ' || CASE WHEN d.superseded IS NOT NULL THEN 1 ELSE 0 END || ' ' || COALESCE(n.run, '-')
		FROM documents d LEFT JOIN documents n ON n.rec = d.superseded_by
		WHERE d.id = ? ORDER BY d.rec`, doc.ID) {
		got = append(got, s)
	}
	if diff := cmp.Diff([]any{"run_1 1 run_2", "run_2 0 -"}, got); diff != "" {
		t.Errorf("recordings of the document (-want +got):\n%s", diff)
	}
	if !ts[0].Document.Superseded.IsZero() {
		t.Errorf("trace shows a superseded recording: %+v", ts[0].Document)
	}
	// Calls are never deleted or changed, even by a connection of its own.
	for _, q := range []string{"DELETE FROM calls", "UPDATE calls SET usd_micros = 0"} {
		if _, err := rawDB(t, db).Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want the append-only refusal", q, err)
		}
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}

// cancelAfter is a context cancelled by the n-th call of its Done method,
// which database/sql and the driver call around every statement: it cancels
// a transaction partway through.
type cancelAfter struct {
	context.Context
	cancel context.CancelFunc
	n      atomic.Int64
}

func (c *cancelAfter) Done() <-chan struct{} {
	if c.n.Add(-1) == 0 {
		c.cancel()
	}
	return c.Context.Done()
}

// A document that cannot be recorded whole leaves the ledger as it was: no
// partial rows, the earlier recording of the same id intact, and the
// ledger still writable.
func TestRecordDocument_atomic(t *testing.T) {
	tests := []struct {
		name  string
		run   string
		spoil func(doc *folio.Document)
		ctx   func() (context.Context, context.CancelFunc)
	}{
		{name: "parent not in the document", spoil: func(doc *folio.Document) { doc.Elements[5].Parent = "el_missing" }},
		{name: "caption not in the document", spoil: func(doc *folio.Document) { doc.Elements[3].Caption = "el_missing" }},
		{name: "fragment of an unknown element", spoil: func(doc *folio.Document) { doc.Fragments[30].ElementID = "el_missing" }},
		{name: "duplicate element id", spoil: func(doc *folio.Document) { doc.Elements[40].ID = doc.Elements[39].ID }},
		{name: "duplicate fragment id", spoil: func(doc *folio.Document) { doc.Fragments[41].ID = doc.Fragments[2].ID }},
		{name: "unknown run", run: "run_missing"},
		{name: "cancelled before", ctx: func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}},
		{name: "cancelled halfway", ctx: func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			c := &cancelAfter{Context: ctx, cancel: cancel}
			c.n.Store(20) // of some 45 context checks on PostgreSQL (multi-row statements), hundreds on SQLite
			return c, cancel
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := newDB(t)
			ctx := context.Background()
			if err := db.StartRun(ctx, sampleRun("run_1", t0)); err != nil {
				t.Fatal(err)
			}
			first := sampleDoc("s1", "cfg1", "a.pdf", 100)
			if err := db.RecordDocument(ctx, "run_1", first, []folio.Output{{Path: "a.pdf.json"}}); err != nil {
				t.Fatal(err)
			}
			raw := rawDB(t, db)
			wantRows := counts(t, raw)
			wantTrace, err := db.Trace(ctx, first.ID)
			if err != nil {
				t.Fatal(err)
			}

			again := sampleDoc("s1", "cfg1", "a.pdf", 100)
			for i := range again.Elements {
				again.Elements[i].Text = "changed"
			}
			if tt.spoil != nil {
				tt.spoil(again)
			}
			run := "run_1"
			if tt.run != "" {
				run = tt.run
			}
			rctx := ctx
			if tt.ctx != nil {
				var cancel context.CancelFunc
				rctx, cancel = tt.ctx()
				defer cancel()
			}
			if err := db.RecordDocument(rctx, run, again, []folio.Output{{Path: "a.pdf.json"}, {Path: "a.pdf.md"}}); err == nil {
				t.Fatal("RecordDocument succeeded, want an error")
			}

			if diff := cmp.Diff(wantRows, counts(t, raw)); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			gotTrace, err := db.Trace(ctx, first.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantTrace, gotTrace); diff != "" {
				t.Errorf("earlier recording (-want +got):\n%s", diff)
			}
			if err := db.IntegrityCheck(ctx); err != nil {
				t.Error(err)
			}
			if err := db.RecordDocument(ctx, "run_1", sampleDoc("s2", "cfg1", "b.pdf", 10), nil); err != nil {
				t.Errorf("ledger not writable after the failure: %v", err)
			}
		})
	}
}

func TestRecordDocument_cancelledIsContextError(t *testing.T) {
	db := newDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := db.RecordDocument(ctx, "run_1", sampleDoc("s1", "cfg1", "a.pdf", 1), nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("RecordDocument with a cancelled context = %v, want context.Canceled", err)
	}
}

// An unknown price is NULL in the ledger and nil after reading it back; a
// known price of zero stays zero; counts are integers.
func TestRecordDocument_unknownPrice(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	if err := db.StartRun(ctx, sampleRun("run_1", t0)); err != nil {
		t.Fatal(err)
	}
	doc := sampleDoc("s1", "cfg1", "a.pdf", 8) // element 3 priced, element 7 not
	if err := db.RecordDocument(ctx, "run_1", doc, nil); err != nil {
		t.Fatal(err)
	}
	raw := rawDB(t, db)

	got := query(t, raw, `
		SELECT e.ord || ' ' || c.attempt || ' ' || CASE WHEN c.usd_micros IS NULL THEN 'null' ELSE 'integer' END
			|| ' ' || COALESCE(CAST(c.usd_micros AS TEXT), 'NULL')
		FROM calls c JOIN fragments f ON f.id = c.fragment JOIN elements e ON e.id = f.element
		WHERE e.ord IN (3, 7) ORDER BY e.ord, c.attempt`)
	want := []string{"3 1 integer 0", "3 2 integer 1003", "7 1 integer 0", "7 2 null NULL"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored prices (-want +got):\n%s", diff)
	}
	if onPostgres {
		return // the rest is about SQLite's storage classes
	}
	got = query(t, raw, `
		SELECT DISTINCT typeof(attempt) || typeof(input_tokens) || typeof(cached_tokens) || typeof(output_tokens) ||
			typeof(latency_us) || typeof(cache_hit) || typeof(prompt_version) FROM calls
		UNION ALL
		SELECT typeof(usd_micros) || ' ' || usd_micros || ' ' || unpriced || ' ' || calls FROM documents`)
	want = []string{"integerintegerintegerintegerintegerintegerinteger", "integer 1003 1 2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored types (-want +got):\n%s", diff)
	}

	for _, i := range []int{3, 7} {
		ts, err := db.Trace(ctx, doc.Elements[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(doc.Fragments[i].Calls, ts[0].Fragment.Calls); diff != "" {
			t.Errorf("element %d calls (-want +got):\n%s", i, diff)
		}
	}
}

// Endpoints are stored without anything that may carry a credential, and
// no column is named like one.
func TestRecordDocument_noCredentials(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	if err := db.StartRun(ctx, sampleRun("run_1", t0)); err != nil {
		t.Fatal(err)
	}
	doc := sampleDoc("s1", "cfg1", "a.pdf", 1)
	endpoints := []string{
		"https://api.openai.com/v1",
		"https://user:sk-secret@proxy.example.com:8443/v1?api-key=sk-secret#frag",
		"http://localhost:11434/v1?key=sk-secret",
		"::not a url sk-secret",
	}
	doc.Fragments[0].Calls = nil
	for i, e := range endpoints {
		doc.Fragments[0].Calls = append(doc.Fragments[0].Calls, folio.Call{Attempt: i + 1, Model: "openai/m", Endpoint: e, Status: "ok"})
	}
	if err := db.RecordDocument(ctx, "run_1", doc, nil); err != nil {
		t.Fatal(err)
	}
	raw := rawDB(t, db)
	got := query(t, raw, "SELECT endpoint FROM calls ORDER BY attempt")
	want := []string{
		"https://api.openai.com/v1",
		"https://proxy.example.com:8443/v1",
		"http://localhost:11434/v1",
		"(unparsable endpoint)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored endpoints (-want +got):\n%s", diff)
	}
	// A cache entry's request key (a hash) and a run tag's key are not
	// credentials.
	cols := query(t, raw, `
		`+columnsQuery()+`
		AND (c.name LIKE '%key%' OR c.name LIKE '%secret%'
			OR c.name LIKE '%auth%' OR c.name LIKE '%password%')
			AND m.name || '.' || c.name NOT IN ('cache.key', 'run_tags.key')`)
	if len(cols) > 0 {
		t.Errorf("columns named like credentials: %v", cols)
	}
}

func TestRecordFailure(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	if err := db.StartRun(ctx, folio.Run{ID: "run_1", Started: t0, Version: "0.1.0", Config: "cfg1"}); err != nil {
		t.Fatal(err)
	}
	src := folio.Source{Path: "/in/x/bomb.pdf", Rel: "x/bomb.pdf", SHA256: "s1", Bytes: 627, Format: "pdf"}
	for range 2 { // recording the same failure twice keeps one row
		if err := db.RecordFailure(ctx, "run_1", src, folio.KindTooLarge, "page tree too deep"); err != nil {
			t.Fatal(err)
		}
	}
	if done, err := db.Done(ctx, "s1", "cfg1"); err != nil || done {
		t.Errorf("Done after failure = %v, %v; want false", done, err)
	}
	ts, err := db.Trace(ctx, "x/bomb.pdf")
	if err != nil {
		t.Fatal(err)
	}
	want := []lineage.Trace{{
		Document: lineage.DocumentRecord{
			ID: lineage.FailureID("s1", "run_1", "x/bomb.pdf"), Path: "x/bomb.pdf", SHA256: "s1", Bytes: 627, Format: "pdf",
			Config: "cfg1", Run: "run_1", Status: "failed", ErrorKind: folio.KindTooLarge, Error: "page tree too deep",
			Outputs: []string{}, Finished: t0,
		},
		Run: folio.Run{ID: "run_1", Started: t0, Version: "0.1.0", Config: "cfg1", Args: []string{}},
	}}
	if diff := cmp.Diff(want, ts); diff != "" {
		t.Errorf("Trace (-want +got):\n%s", diff)
	}

	err = db.RecordFailure(ctx, "run_missing", src, folio.KindTimeout, "deadline")
	if !errors.Is(err, lineage.ErrNotFound) {
		t.Errorf("RecordFailure in an unknown run = %v, want ErrNotFound", err)
	}
}

func TestRuns(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	// A run without a start time starts now.
	if err := db.StartRun(ctx, folio.Run{ID: "run_1", Version: "0.1.0", Config: "cfg1"}); err != nil {
		t.Fatal(err)
	}
	if err := db.StartRun(ctx, folio.Run{ID: "run_1"}); err == nil {
		t.Error("StartRun of an existing run succeeded, want an error")
	}
	if err := db.FinishRun(ctx, folio.Run{ID: "run_missing"}); !errors.Is(err, lineage.ErrNotFound) {
		t.Errorf("FinishRun of an unknown run = %v, want ErrNotFound", err)
	}
	if err := db.RecordDocument(ctx, "run_1", sampleDoc("s1", "cfg1", "a.pdf", 1), nil); err != nil {
		t.Fatal(err)
	}
	// A run without an end time ends now.
	sum := folio.Summary{OK: 1, Failed: 2, Skipped: 3, Pages: 4, Elements: 5, Seconds: 6.25,
		Cost: folio.Cost{BaselineUSDMicros: price(14), Spend: folio.Spend{USDMicros: 7, InputTokens: 8, OutputTokens: 9, Calls: 10, CacheHits: 11, Unpriced: 12, SavedUSDMicros: 13}}}
	if err := db.FinishRun(ctx, folio.Run{ID: "run_1", Summary: sum}); err != nil {
		t.Fatal(err)
	}
	ts, err := db.Trace(ctx, "a.pdf")
	if err != nil {
		t.Fatal(err)
	}
	want := folio.Run{ID: "run_1", Started: t0, Finished: t0, Version: "0.1.0", Config: "cfg1", Args: []string{}, Summary: sum}
	if diff := cmp.Diff(want, ts[0].Run); diff != "" {
		t.Errorf("run (-want +got):\n%s", diff)
	}
}

// A cache hit's saving is stored with the call, and a document's savings
// and baseline with the document; a saving on a call that is not a hit is
// dropped, and an unknown baseline is NULL.
func TestRecordDocument_savingsAndBaseline(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	if err := db.StartRun(ctx, sampleRun("run_1", t0)); err != nil {
		t.Fatal(err)
	}
	withBaseline := sampleDoc("s1", "cfg1", "a.pdf", 1)
	withBaseline.Fragments[0].Calls = []folio.Call{
		{Attempt: 1, Model: "openai/m", USDMicros: price(0), CacheHit: true, SavedUSDMicros: price(700), Status: "ok"},
		{Attempt: 2, Model: "openai/m", USDMicros: price(0), CacheHit: true, Status: "ok"},
		{Attempt: 3, Model: "openai/m", USDMicros: price(300), SavedUSDMicros: price(999), Status: "ok"},
	}
	withBaseline.Cost = folio.Cost{}
	withBaseline.Cost.Add(withBaseline.Fragments[0].Calls)
	withBaseline.Cost.BaselineUSDMicros = price(25000)
	noBaseline := sampleDoc("s2", "cfg1", "b.pdf", 1)
	for _, doc := range []*folio.Document{withBaseline, noBaseline} {
		if err := db.RecordDocument(ctx, "run_1", doc, nil); err != nil {
			t.Fatal(err)
		}
	}
	raw := rawDB(t, db)
	got := query(t, raw, `
		SELECT c.attempt || ' ' || c.cache_hit || ' ' || COALESCE(CAST(c.saved_usd_micros AS TEXT), 'NULL') FROM calls c
		JOIN documents d ON d.rec = c.rec
		WHERE d.id = ? ORDER BY c.attempt`, withBaseline.ID)
	if diff := cmp.Diff([]string{"1 1 700", "2 1 NULL", "3 0 NULL"}, got); diff != "" {
		t.Errorf("calls' savings (-want +got):\n%s", diff)
	}
	got = query(t, raw, `SELECT path || ' ' || saved_usd_micros || ' ' || COALESCE(CAST(baseline_usd_micros AS TEXT), 'NULL') FROM documents ORDER BY path`)
	if diff := cmp.Diff([]string{"a.pdf 700 25000", "b.pdf 0 NULL"}, got); diff != "" {
		t.Errorf("documents' savings and baselines (-want +got):\n%s", diff)
	}
	ts, err := db.Trace(ctx, withBaseline.Elements[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	want := withBaseline.Fragments[0].Calls
	want[2].SavedUSDMicros = nil
	if diff := cmp.Diff(want, ts[0].Fragment.Calls); diff != "" {
		t.Errorf("calls read back (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(withBaseline.Cost, ts[0].Document.Cost); diff != "" {
		t.Errorf("document cost read back (-want +got):\n%s", diff)
	}
}

// BenchmarkRecordDocument records documents of 100 elements, each with one
// fragment and one call, into a growing ledger.
func BenchmarkRecordDocument(b *testing.B) {
	const elements = 100
	db := newDB(b)
	ctx := context.Background()
	if err := db.StartRun(ctx, sampleRun("run_1", t0)); err != nil {
		b.Fatal(err)
	}
	template := sampleDoc("s", "cfg1", "a.pdf", elements)
	calls := 0
	n := 0
	for b.Loop() {
		doc := *template
		doc.ID = fmt.Sprintf("doc_%d", n)
		doc.Elements = make([]folio.Element, len(template.Elements))
		doc.Fragments = make([]folio.Fragment, len(template.Fragments))
		for i := range doc.Elements {
			e, f := template.Elements[i], template.Fragments[i]
			e.ID, e.Fragment = fmt.Sprintf("el_%d_%d", n, i), fmt.Sprintf("fr_%d_%d", n, i)
			if e.Parent != "" {
				e.Parent = fmt.Sprintf("el_%d_0", n)
			}
			if e.Caption != "" {
				e.Caption = fmt.Sprintf("el_%d_%d", n, i+1)
			}
			f.ID, f.ElementID, f.Calls = e.Fragment, e.ID, f.Calls[:1]
			doc.Elements[i], doc.Fragments[i] = e, f
		}
		if err := db.RecordDocument(ctx, "run_1", &doc, []folio.Output{{Path: "a.pdf.json"}}); err != nil {
			b.Fatal(err)
		}
		calls += elements
		n++
	}
	b.ReportMetric(float64(calls)/b.Elapsed().Seconds(), "calls/s")
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "docs/s")
}

func TestFinishedAndMarkPruned(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	if err := db.StartRun(ctx, sampleRun("run_1", t0)); err != nil {
		t.Fatal(err)
	}
	doc := sampleDoc("s1", "cfg1", "a.pdf", 3)
	outs := []folio.Output{{Path: "a.pdf.assets/p1-1.png", SHA256: "aa"}, {Path: "a.pdf.json", SHA256: "bb"}}
	if err := db.RecordDocument(ctx, "run_1", doc, outs); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordFailure(ctx, "run_1", folio.Source{Rel: "bad.pdf", SHA256: "s2", Format: "pdf"}, folio.KindMalformed, "no header"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		id   string
		want []folio.Output
		ok   bool
	}{
		{"a finished document has its outputs with hashes", doc.ID, outs, true},
		{"a failure is not finished", lineage.FailureID("s2", "run_1", "bad.pdf"), nil, false},
		{"an unknown id is not finished", "doc_nope", nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := db.Finished(ctx, tt.id)
			if err != nil || ok != tt.ok {
				t.Fatalf("Finished = %v, %v; want ok %v", ok, err, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("outputs (-want +got):\n%s", diff)
			}
		})
	}

	// Pruning keeps the lineage but ends Finished; recording again revives.
	for range 2 {
		if err := db.MarkPruned(ctx, "run_1", doc.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.MarkPruned(ctx, "run_1", "doc_nope"); err != nil {
		t.Errorf("MarkPruned of an unknown id: %v", err)
	}
	if _, ok, _ := db.Finished(ctx, doc.ID); ok {
		t.Error("a pruned document is still finished")
	}
	ts, err := db.Trace(ctx, doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := ts[0].Document; d.Pruned.IsZero() || d.OutputSHA256["a.pdf.json"] != "bb" || len(d.Outputs) != 2 {
		t.Errorf("trace of the pruned document: %+v; want pruned, with outputs and hashes", d)
	}
	if err := db.RecordDocument(ctx, "run_1", doc, outs); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.Finished(ctx, doc.ID); !ok {
		t.Error("a document recorded again after pruning is not finished")
	}
}

// Rows written under schema 1 hold their outputs as a list of paths.
func TestFinishedReadsSchema1Outputs(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	if err := db.StartRun(ctx, sampleRun("run_1", t0)); err != nil {
		t.Fatal(err)
	}
	doc := sampleDoc("s1", "cfg1", "a.pdf", 1)
	if err := db.RecordDocument(ctx, "run_1", doc, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := rawDB(t, db).Exec(`UPDATE documents SET outputs = '["a.pdf.json","a.pdf.md"]'`); err != nil {
		t.Fatal(err)
	}
	got, ok, err := db.Finished(ctx, doc.ID)
	if err != nil || !ok {
		t.Fatalf("Finished = %v, %v", ok, err)
	}
	if diff := cmp.Diff([]folio.Output{{Path: "a.pdf.json"}, {Path: "a.pdf.md"}}, got); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
}

// An element in review gets a review row with its reason; a degraded one
// keeps why and the model it fell back from. Both show in its trace.
func TestRecordDocument_reviewAndDegraded(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	if err := db.StartRun(ctx, sampleRun("run_1", t0)); err != nil {
		t.Fatal(err)
	}
	doc := sampleDoc("s1", "cfg1", "a.pdf", 8)
	rev, deg := &doc.Elements[3], &doc.Elements[7]
	rev.Status, rev.Reason, rev.Model = folio.StatusReview, "schema: answer cut off at 4096 output tokens (openai/gpt-4.1-mini)", folio.ModelSegment
	deg.Status, deg.Reason, deg.FellBackFrom, deg.Model = folio.StatusDegraded, "budget", "openai/gpt-4.1-mini", folio.ModelSegment
	if err := db.RecordDocument(ctx, "run_1", doc, nil); err != nil {
		t.Fatal(err)
	}
	got := query(t, rawDB(t, db), `SELECT element || ' ' || reason FROM review`)
	if diff := cmp.Diff([]string{rev.ID + " " + rev.Reason}, got); diff != "" {
		t.Errorf("review rows (-want +got):\n%s", diff)
	}
	for _, e := range []*folio.Element{rev, deg} {
		ts, err := db.Trace(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		r := ts[0].Element
		if r.Status != e.Status || r.Reason != e.Reason || r.FellBackFrom != e.FellBackFrom || r.Model != folio.ModelSegment {
			t.Errorf("trace of %s: %+v; want status %s, reason %q, fell back from %q", e.ID, r, e.Status, e.Reason, e.FellBackFrom)
		}
	}
}

// A document with elements degraded because the budget ran out or an
// endpoint was down is not finished: the next run finishes it. Other
// degraded elements (an input a model cannot read) do not hold it back.
func TestFinishedWaitsForDegradedElements(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	if err := db.StartRun(ctx, sampleRun("run_1", t0)); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		reason   string
		finished bool
	}{
		{"budget", false},
		{"unavailable: transient", false},
		{"unavailable: breaker_open", false},
		{"input", true},
		{"auth", true},
	} {
		doc := sampleDoc("s-"+tt.reason, "cfg1", tt.reason+".pdf", 4)
		doc.Elements[3].Status, doc.Elements[3].Reason = folio.StatusDegraded, tt.reason
		if err := db.RecordDocument(ctx, "run_1", doc, nil); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := db.Finished(ctx, doc.ID); err != nil || ok != tt.finished {
			t.Errorf("degraded for %q: Finished = %v, %v; want %v", tt.reason, ok, err, tt.finished)
		}
	}
}

// A document that did not finish keeps what it spent: its failure row holds
// its elements and the calls made, money spent counts them in its run, the
// cost of the current outputs does not, and it is not done.
func TestRecordUnfinished(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	if err := db.StartRun(ctx, sampleRun("run_1", t0)); err != nil {
		t.Fatal(err)
	}
	doc := sampleDoc("s1", "cfg1", "a.pdf", 8)
	// Routing stopped: only the first four elements made calls.
	doc.Fragments = doc.Fragments[:4]
	doc.Cost = folio.Cost{}
	for _, f := range doc.Fragments {
		doc.Cost.Add(f.Calls)
	}
	if err := db.RecordUnfinished(ctx, "run_1", doc, folio.KindDeferred, "model endpoint unavailable"); err != nil {
		t.Fatal(err)
	}
	if got := counts(t, rawDB(t, db))["calls"]; got != fmt.Sprint(sampleCalls(4)) {
		t.Errorf("%s call rows, want %d", got, sampleCalls(4))
	}
	spent, err := db.Cost(ctx, "run", lineage.Spent)
	if err != nil {
		t.Fatal(err)
	}
	outputs, err := db.Cost(ctx, "run", lineage.Outputs)
	if err != nil {
		t.Fatal(err)
	}
	if spent.Total.USDMicros != doc.Cost.USDMicros || spent.Total.Calls != doc.Cost.Calls || doc.Cost.Calls == 0 {
		t.Errorf("money spent %+v, want the unfinished document's %+v", spent.Total, doc.Cost)
	}
	if outputs.Total.Calls != 0 {
		t.Errorf("cost of the current outputs counts an unfinished document: %+v", outputs.Total)
	}
	if done, err := db.Done(ctx, "s1", "cfg1"); err != nil || done {
		t.Errorf("Done = %v, %v; an unfinished document is not done", done, err)
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}
