package lineage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/google/go-cmp/cmp"
)

// paid is a model call at a known price.
func paid(model string, usd, in, cached, out int64) folio.Call {
	return folio.Call{Model: model, Usage: folio.Usage{InputTokens: in, CachedTokens: cached, OutputTokens: out},
		USDMicros: price(usd), Status: folio.CallOK}
}

// unpriced is a model call whose price is unknown.
func unpriced(model string, in, out int64) folio.Call {
	return folio.Call{Model: model, Usage: folio.Usage{InputTokens: in, OutputTokens: out}, Status: folio.CallOK}
}

// hit is a model call answered from the cache, free, that saved what the
// answer cost when it was bought (nil: unknown).
func hit(model string, saved *int64, in, out int64) folio.Call {
	return folio.Call{Model: model, Usage: folio.Usage{InputTokens: in, OutputTokens: out},
		USDMicros: price(0), SavedUSDMicros: saved, CacheHit: true, Status: folio.CallOK}
}

// local is a free local specialist call.
func local(model string) folio.Call {
	return folio.Call{Model: model, USDMicros: price(0), Status: folio.CallOK}
}

// costElement is an element of a costDoc and the calls made for it.
type costElement struct {
	typ   folio.ElementType
	calls []folio.Call
}

// costDoc returns a document of one page whose elements have the given
// calls, with its cost summed as the orchestrator does and the given
// baseline.
func costDoc(sha, rel string, baseline *int64, els ...costElement) *folio.Document {
	doc := &folio.Document{
		Schema: folio.Schema, ID: folio.DocumentID(sha, "cfg1", rel), Config: "cfg1",
		Source: folio.Source{Rel: rel, SHA256: sha, Bytes: 100, Format: "pdf", Pages: 1},
	}
	for i, ce := range els {
		id := folio.ElementID(doc.ID, i)
		f := folio.Fragment{ID: folio.FragmentID(id), ElementID: id, Status: folio.StatusOK}
		for j, c := range ce.calls {
			c.Attempt = j + 1
			f.Calls = append(f.Calls, c)
			f.Model = c.Model
		}
		doc.Elements = append(doc.Elements, folio.Element{
			ID: id, Type: ce.typ, Page: 1, Box: folio.Box{72, float64(100 + 20*i), 540, float64(110 + 20*i)},
			Text: "x", Layer: folio.LayerBody, Confidence: 1, Fragment: f.ID, Model: f.Model, Status: folio.StatusOK,
		})
		doc.Fragments = append(doc.Fragments, f)
		doc.Cost.Add(f.Calls)
	}
	doc.Cost.BaselineUSDMicros = baseline
	return doc
}

// costLedger records, in four runs an hour apart:
//
//	run_1  team=finance project=q1  a.pdf (replaced by run_2), d.pdf (all local), e.pdf (above its baseline)
//	run_2  team=legal               a.pdf again (forced), b.pdf (a failed and an unpriced call), bad.pdf failed
//	run_3                           c.pdf, a.pdf with new content
//	run_4                           nothing: every input was done
//
// Model calls that count (usd micros; tokens in/cached/out):
//
//	a.pdf   table      openai/small   640   1000/100/200
//	a.pdf   image      openai/small   hit, saved 500   800/0/100
//	b.pdf   table      openai/small   600 (failed)   1500/0/0
//	b.pdf   table      openai/large   5400  1500/0/300
//	b.pdf   image      openai/custom  unpriced   700/0/50
//	c.pdf   table      openai/small   700   1100/0/250
//	e.pdf   table      openai/large   2000  400/0/100
//	e.pdf   paragraph  openai/small   hit, saving unknown   300/0/80
//	a.pdf'  table      openai/small   650   1000/0/210
//
// Baselines: a.pdf 100000 (both), b.pdf 200000, c.pdf 80000, d.pdf 50000,
// e.pdf 1500.
func costLedger(t *testing.T) *lineage.DB {
	t.Helper()
	db := newDB(t)
	ctx := context.Background()
	aOld := costDoc("sa", "a.pdf", price(100000),
		costElement{folio.TableType, []folio.Call{paid("openai/large", 9999, 5000, 0, 500)}})
	a := costDoc("sa", "a.pdf", price(100000),
		costElement{folio.Paragraph, []folio.Call{local("local/text")}},
		costElement{folio.TableType, []folio.Call{{Model: "local/table", USDMicros: price(0), Status: folio.CallRejected},
			paid("openai/small", 640, 1000, 100, 200)}},
		costElement{folio.ImageType, []folio.Call{hit("openai/small", price(500), 800, 100)}})
	failed := paid("openai/small", 600, 1500, 0, 0)
	failed.Status, failed.ErrorClass, failed.Error = folio.CallFailed, "transient", "500 Internal Server Error"
	b := costDoc("sb", "b.pdf", price(200000),
		costElement{folio.TableType, []folio.Call{failed, paid("openai/large", 5400, 1500, 0, 300)}},
		costElement{folio.ImageType, []folio.Call{unpriced("openai/custom", 700, 50)}})
	c := costDoc("sc", "c.pdf", price(80000),
		costElement{folio.Paragraph, []folio.Call{local("local/text")}},
		costElement{folio.TableType, []folio.Call{paid("openai/small", 700, 1100, 0, 250)}})
	d := costDoc("sd", "d.pdf", price(50000),
		costElement{folio.Heading, []folio.Call{local("local/text")}})
	e := costDoc("se", "e.pdf", price(1500),
		costElement{folio.TableType, []folio.Call{paid("openai/large", 2000, 400, 0, 100)}},
		costElement{folio.Paragraph, []folio.Call{hit("openai/small", nil, 300, 80)}})
	a2 := costDoc("sa2", "a.pdf", price(100000),
		costElement{folio.TableType, []folio.Call{paid("openai/small", 650, 1000, 0, 210)}})

	runs := []struct {
		id   string
		tags map[string]string
		docs []*folio.Document
	}{
		{"run_1", map[string]string{"team": "finance", "project": "q1"}, []*folio.Document{aOld, d, e}},
		{"run_2", map[string]string{"team": "legal"}, []*folio.Document{a, b}},
		{"run_3", nil, []*folio.Document{c, a2}},
		{"run_4", nil, nil},
	}
	for i, r := range runs {
		run := sampleRun(r.id, t0.Add(time.Duration(i)*time.Hour))
		if err := db.StartRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		if err := db.SetRunTags(ctx, r.id, r.tags); err != nil {
			t.Fatal(err)
		}
		for _, doc := range r.docs {
			if err := db.RecordDocument(ctx, r.id, doc, nil); err != nil {
				t.Fatal(err)
			}
			// What the run paid, replaced documents included, which the
			// report does not use.
			run.Summary.OK++
			run.Summary.Cost.Calls += doc.Cost.Calls
			run.Summary.Cost.USDMicros += doc.Cost.USDMicros
		}
		if r.id == "run_2" {
			if err := db.RecordFailure(ctx, r.id, folio.Source{Rel: "bad.pdf", SHA256: "sbad", Format: "pdf"}, folio.KindMalformed, "no xref"); err != nil {
				t.Fatal(err)
			}
		}
		if r.id == "run_4" {
			run.Summary.Skipped = 6
		}
		if err := db.FinishRun(ctx, run); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestCost(t *testing.T) {
	db := costLedger(t)
	total := lineage.CostRow{Key: "total", BaselineUSDMicros: price(531500), Documents: 6, Spend: folio.Spend{Calls: 9, CacheHits: 2, Unpriced: 1, InputTokens: 8300, CachedTokens: 100, OutputTokens: 1290, USDMicros: 9990, SavedUSDMicros: 500}}
	run1 := lineage.CostRow{BaselineUSDMicros: price(51500), Documents: 2, Spend: folio.Spend{Calls: 2, CacheHits: 1, InputTokens: 700, OutputTokens: 180, USDMicros: 2000}}
	run2 := lineage.CostRow{BaselineUSDMicros: price(300000), Documents: 2, Spend: folio.Spend{Calls: 5, CacheHits: 1, Unpriced: 1, InputTokens: 5500, CachedTokens: 100, OutputTokens: 650, USDMicros: 6640, SavedUSDMicros: 500}}
	run3 := lineage.CostRow{BaselineUSDMicros: price(180000), Documents: 2, Spend: folio.Spend{Calls: 2, InputTokens: 2100, OutputTokens: 460, USDMicros: 1350}}
	key := func(k string, r lineage.CostRow) lineage.CostRow { r.Key = k; return r }

	tests := []struct {
		by   string
		rows []lineage.CostRow
	}{
		{"model", []lineage.CostRow{{Key: "openai/custom", Documents: 1, Spend: folio.Spend{Calls: 1, Unpriced: 1, InputTokens: 700, OutputTokens: 50}},
			{Key: "openai/large", Documents: 2, Spend: folio.Spend{Calls: 2, InputTokens: 1900, OutputTokens: 400, USDMicros: 7400}},
			{Key: "openai/small", Documents: 5, Spend: folio.Spend{Calls: 6, CacheHits: 2, InputTokens: 5700, CachedTokens: 100, OutputTokens: 840, USDMicros: 2590, SavedUSDMicros: 500}}}},
		{"type", []lineage.CostRow{{Key: "image", Documents: 2, Spend: folio.Spend{Calls: 2, CacheHits: 1, Unpriced: 1, InputTokens: 1500, OutputTokens: 150, SavedUSDMicros: 500}},
			{Key: "paragraph", Documents: 1, Spend: folio.Spend{Calls: 1, CacheHits: 1, InputTokens: 300, OutputTokens: 80}},
			{Key: "table", Documents: 5, Spend: folio.Spend{Calls: 6, InputTokens: 6500, CachedTokens: 100, OutputTokens: 1060, USDMicros: 9990}}}},
		{"document", []lineage.CostRow{{Key: "a.pdf", BaselineUSDMicros: price(200000), Documents: 2, Spend: folio.Spend{Calls: 3, CacheHits: 1, InputTokens: 2800, CachedTokens: 100, OutputTokens: 510, USDMicros: 1290, SavedUSDMicros: 500}},
			{Key: "b.pdf", BaselineUSDMicros: price(200000), Documents: 1, Spend: folio.Spend{Calls: 3, Unpriced: 1, InputTokens: 3700, OutputTokens: 350, USDMicros: 6000}},
			{Key: "c.pdf", BaselineUSDMicros: price(80000), Documents: 1, Spend: folio.Spend{Calls: 1, InputTokens: 1100, OutputTokens: 250, USDMicros: 700}},
			{Key: "d.pdf", BaselineUSDMicros: price(50000), Documents: 1},
			{Key: "e.pdf", BaselineUSDMicros: price(1500), Documents: 1, Spend: folio.Spend{Calls: 2, CacheHits: 1, InputTokens: 700, OutputTokens: 180, USDMicros: 2000}}}},
		{"tag", []lineage.CostRow{key("project=q1", run1),
			key("team=finance", run1),
			key("team=legal", run2),
			key("(untagged)", run3)}},
		{"run", []lineage.CostRow{key("run_1 2026-03-04T05:06:07Z", run1),
			key("run_2 2026-03-04T06:06:07Z", run2),
			key("run_3 2026-03-04T07:06:07Z", run3),
			{Key: "run_4 2026-03-04T08:06:07Z"}}},
	}
	// Money spent also counts the first recording of a.pdf, superseded in
	// run_2: one openai/large table call in run_1.
	aOld := lineage.CostRow{Documents: 1, Spend: folio.Spend{Calls: 1, InputTokens: 5000, OutputTokens: 500, USDMicros: 9999}}
	spent := func(by string, r lineage.CostRow) lineage.CostRow {
		switch r.Key {
		case "total", "run_1 2026-03-04T05:06:07Z", "project=q1", "team=finance", "a.pdf":
			r.BaselineUSDMicros = price(*r.BaselineUSDMicros + 100000)
		case "openai/large", "table":
		default:
			return r
		}
		r.Calls += aOld.Calls
		r.InputTokens += aOld.InputTokens
		r.OutputTokens += aOld.OutputTokens
		r.USDMicros += aOld.USDMicros
		r.Documents += aOld.Documents
		return r
	}
	for _, scope := range []lineage.Scope{lineage.Outputs, lineage.Spent} {
		for _, tt := range tests {
			t.Run(string(scope)+"/"+tt.by, func(t *testing.T) {
				got, err := db.Cost(context.Background(), tt.by, scope)
				if err != nil {
					t.Fatal(err)
				}
				want := &lineage.CostReport{By: tt.by, Scope: scope, BaselineKind: folio.BaselineKind, Rows: []lineage.CostRow{}, Total: total}
				want.Rows = append(want.Rows, tt.rows...)
				if scope == lineage.Spent {
					want.Total = spent(tt.by, total)
					for i := range want.Rows {
						want.Rows[i] = spent(tt.by, want.Rows[i])
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("Cost(%q, %s) (-want +got):\n%s", tt.by, scope, diff)
				}
			})
		}
	}
	if err := db.IntegrityCheck(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestCost_unknownDimension(t *testing.T) {
	db := newDB(t)
	for _, by := range []string{"", "Model", "page"} {
		if _, err := db.Cost(context.Background(), by, lineage.Spent); err == nil || !strings.Contains(err.Error(), "want one of model, type, document, tag, run") {
			t.Errorf("Cost(%q) = %v, want an error naming the dimensions", by, err)
		}
	}
}

// A document recorded again (a forced re-run) keeps what every recording
// spent: money spent counts each recording in the run that made it, the
// cost of the current outputs counts the last one once. A run that skips it,
// or in which it fails, counts nothing for it.
func TestCost_reRecording(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	doc := func() *folio.Document {
		return costDoc("s1", "a.pdf", price(10000),
			costElement{folio.TableType, []folio.Call{paid("openai/small", 100, 1000, 0, 100)}},
			costElement{folio.ImageType, []folio.Call{hit("openai/small", price(40), 500, 50)}})
	}
	for i, id := range []string{"run_1", "run_2", "run_3"} {
		if err := db.StartRun(ctx, sampleRun(id, t0.Add(time.Duration(i)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	calls := 0
	for _, run := range []string{"run_1", "run_2", "run_2"} {
		if err := db.RecordDocument(ctx, run, doc(), nil); err != nil {
			t.Fatal(err)
		}
		calls += 2
		if got := counts(t, rawDB(t, db))["calls"]; got != fmt.Sprint(calls) {
			t.Fatalf("after recording in %s: %s call rows, want %d (calls are never deleted)", run, got, calls)
		}
	}
	if err := db.RecordFailure(ctx, "run_3", doc().Source, folio.KindTimeout, "deadline"); err != nil {
		t.Fatal(err)
	}

	once := lineage.CostRow{BaselineUSDMicros: price(10000), Documents: 1, Spend: folio.Spend{Calls: 2, CacheHits: 1, InputTokens: 1500, OutputTokens: 150, USDMicros: 100, SavedUSDMicros: 40}}
	times := func(r lineage.CostRow, n int, key string) lineage.CostRow {
		r.Key = key
		r.Calls *= n
		r.CacheHits *= n
		r.InputTokens *= int64(n)
		r.OutputTokens *= int64(n)
		r.USDMicros *= int64(n)
		r.SavedUSDMicros *= int64(n)
		r.BaselineUSDMicros = price(*r.BaselineUSDMicros * int64(n))
		r.Documents *= n
		return r
	}
	r1, r2, r3 := "run_1 2026-03-04T05:06:07Z", "run_2 2026-03-04T06:06:07Z", "run_3 2026-03-04T07:06:07Z"
	for _, tt := range []struct {
		scope lineage.Scope
		want  *lineage.CostReport
	}{
		{lineage.Spent, &lineage.CostReport{By: "run", Scope: lineage.Spent, BaselineKind: folio.BaselineKind, Total: times(once, 3, "total"),
			Rows: []lineage.CostRow{times(once, 1, r1),
				times(once, 2, r2),
				{Key: r3}}}},
		{lineage.Outputs, &lineage.CostReport{By: "run", Scope: lineage.Outputs, BaselineKind: folio.BaselineKind, Total: times(once, 1, "total"),
			Rows: []lineage.CostRow{{Key: r1},
				times(once, 1, r2),
				{Key: r3}}}},
	} {
		got, err := db.Cost(ctx, "run", tt.scope)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Cost by run, %s (-want +got):\n%s", tt.scope, diff)
		}
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}

// unknownBaselineLedger records two documents, one without a baseline.
func unknownBaselineLedger(t *testing.T) *lineage.DB {
	t.Helper()
	db := newDB(t)
	ctx := context.Background()
	if err := db.StartRun(ctx, sampleRun("run_1", t0)); err != nil {
		t.Fatal(err)
	}
	for _, doc := range []*folio.Document{
		costDoc("s1", "known.pdf", price(1000), costElement{folio.TableType, []folio.Call{paid("openai/small", 100, 10, 0, 1)}}),
		costDoc("s2", "unknown.pdf", nil, costElement{folio.TableType, []folio.Call{paid("openai/small", 200, 20, 0, 2)}}),
	} {
		if err := db.RecordDocument(ctx, "run_1", doc, nil); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// A group's baseline is known only when every one of its documents has
// one.
func TestCost_unknownBaseline(t *testing.T) {
	got, err := unknownBaselineLedger(t).Cost(context.Background(), "document", lineage.Spent)
	if err != nil {
		t.Fatal(err)
	}
	want := &lineage.CostReport{By: "document", Scope: lineage.Spent, BaselineKind: folio.BaselineKind,
		Rows: []lineage.CostRow{{Key: "known.pdf", BaselineUSDMicros: price(1000), Documents: 1, Spend: folio.Spend{Calls: 1, InputTokens: 10, OutputTokens: 1, USDMicros: 100}},
			{Key: "unknown.pdf", Documents: 1, Spend: folio.Spend{Calls: 1, InputTokens: 20, OutputTokens: 2, USDMicros: 200}}},
		Total: lineage.CostRow{Key: "total", Documents: 2, Spend: folio.Spend{Calls: 2, InputTokens: 30, OutputTokens: 3, USDMicros: 300}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Cost by document (-want +got):\n%s", diff)
	}
}

func TestCostReportWriteText(t *testing.T) {
	db := costLedger(t)
	empty := newDB(t)
	tests := []struct {
		name string
		db   *lineage.DB
		by   string
	}{
		{"model", db, "model"},
		{"type", db, "type"},
		{"document", db, "document"},
		{"tag", db, "tag"},
		{"run", db, "run"},
		{"empty", empty, "model"},
		{"unknown_baseline", unknownBaselineLedger(t), "run"},
		{"run_outputs", db, "run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scope := lineage.Spent
			if strings.HasSuffix(tt.name, "_outputs") {
				scope = lineage.Outputs
			}
			r, err := tt.db.Cost(context.Background(), tt.by, scope)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := r.WriteText(&buf); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "cost_"+tt.name+".golden")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("WriteText (-%s +got):\n%s", golden, diff)
			}
		})
	}
}

// errWriter fails every write.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestCostReportWriteText_writeError(t *testing.T) {
	r := &lineage.CostReport{By: "model", Rows: []lineage.CostRow{}, Total: lineage.CostRow{Key: "total"}}
	if err := r.WriteText(errWriter{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("WriteText to a failing writer = %v, want its error", err)
	}
}

// The ledger's views answer as folio cost does, and count a model call as
// folio.Cost.Add does: refused calls (budget, open breaker) and dry-run
// estimates are not model calls.
func TestViewsAgreeWithCost(t *testing.T) {
	db := costLedger(t)
	ctx := context.Background()
	refused := folio.Call{Model: "openai/small", Status: folio.CallFailed, ErrorClass: folio.ClassBudget}
	open := folio.Call{Model: "openai/large", Status: folio.CallFailed, ErrorClass: folio.ClassBreakerOpen}
	estimated := folio.Call{Model: "openai/small", Status: folio.CallEstimated, USDMicros: price(77),
		Usage: folio.Usage{InputTokens: 900}}
	rejected := paid("openai/small", 450, 700, 0, 90)
	rejected.Status, rejected.ErrorClass = folio.CallRejected, "schema"
	doc := costDoc("sf", "f.pdf", price(1000),
		costElement{folio.TableType, []folio.Call{refused, open, local("local/table")}},
		costElement{folio.ImageType, []folio.Call{estimated}},
		costElement{folio.TableType, []folio.Call{paid("openai/small", 300, 500, 0, 50)}},
		costElement{folio.TableType, []folio.Call{rejected}})
	if err := db.StartRun(ctx, sampleRun("run_5", t0.Add(5*time.Hour))); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordDocument(ctx, "run_5", doc, nil); err != nil {
		t.Fatal(err)
	}
	if doc.Cost.Calls != 2 || doc.Cost.Unpriced != 0 {
		t.Fatalf("fixture: Cost.Add counts %d calls, %d unpriced; want 2 and 0", doc.Cost.Calls, doc.Cost.Unpriced)
	}

	rep, err := db.Cost(ctx, "run", lineage.Spent)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range rep.Rows {
		id, _, _ := strings.Cut(r.Key, " ")
		want = append(want, fmt.Sprintf("%s %d %d %d %d %d %d %d %d %d", id, r.Calls, r.CacheHits, r.Unpriced,
			r.InputTokens, r.CachedTokens, r.OutputTokens, r.USDMicros, r.RejectedUSDMicros, r.SavedUSDMicros))
	}
	got := query(t, rawDB(t, db), `
		SELECT run || ' ' || calls || ' ' || cache_hits || ' ' || unpriced || ' ' || input_tokens || ' ' ||
			cached_tokens || ' ' || output_tokens || ' ' || usd_micros || ' ' || rejected_usd_micros || ' ' || saved_usd_micros
		FROM spend_by_run ORDER BY started`)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spend_by_run against folio cost by run (-cost +view):\n%s", diff)
	}
	if last := rep.Rows[len(rep.Rows)-1]; last.Calls != doc.Cost.Calls || last.USDMicros != doc.Cost.USDMicros || last.Unpriced != 0 ||
		last.RejectedUSDMicros != 450 {
		t.Errorf("cost of run_5: %+v; want the document's own cost %+v", last, doc.Cost)
	}

	outputs, err := db.Cost(ctx, "document", lineage.Outputs)
	if err != nil {
		t.Fatal(err)
	}
	got = query(t, rawDB(t, db), `
		SELECT d.path || ' ' || count(c.id) || ' ' || COALESCE(sum(c.usd_micros), 0)
		FROM current_documents d LEFT JOIN model_calls c ON c.document = d.id AND c.current
		GROUP BY d.path ORDER BY d.path`)
	want = nil
	for _, r := range outputs.Rows {
		want = append(want, fmt.Sprintf("%s %d %d", r.Key, r.Calls, r.USDMicros))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("current_documents and model_calls against folio cost --scope outputs (-cost +view):\n%s", diff)
	}
}

// Every SQL example in docs/ledger.md runs against a ledger.
func TestLedgerDocQueries(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "ledger.md"))
	if err != nil {
		t.Fatal(err)
	}
	db := costLedger(t)
	raw := rawDB(t, db)
	n := 0
	for _, block := range strings.Split(string(b), "```sql\n")[1:] {
		q, _, ok := strings.Cut(block, "```")
		if !ok {
			t.Fatalf("unterminated sql block: %.60s", block)
		}
		rows, err := raw.Query(strings.ReplaceAll(q, "'el_…'", "'el_x'"))
		if err != nil {
			t.Errorf("docs/ledger.md query fails: %v\n%s", err, q)
			continue
		}
		for rows.Next() {
		}
		if err := rows.Err(); err != nil {
			t.Errorf("docs/ledger.md query fails: %v\n%s", err, q)
		}
		rows.Close()
		n++
	}
	if n < 5 {
		t.Errorf("ran %d queries from docs/ledger.md, want at least 5", n)
	}
}

// Every error class the program knows counts alike in a document's cost
// (the JSON), in folio cost and in the ledger's views: a call refused
// before any request is no model call, any other is. A class added to
// folio's list is covered here without a change.
func TestEveryErrorClassCountsAlike(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	classes := folio.ErrorClasses()
	if err := db.StartRun(ctx, sampleRun("run_c", t0)); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for i, c := range classes {
		call := paid("openai/small", 100, 10, 0, 1)
		call.Status, call.ErrorClass, call.Error = folio.CallFailed, c, "it failed"
		doc := costDoc(fmt.Sprintf("s%d", i), string(c)+".pdf", nil, costElement{folio.TableType, []folio.Call{call}})
		n := 1
		if c.Refused() {
			n = 0
		}
		if doc.Cost.Calls != n || call.Billable() != (n == 1) {
			t.Errorf("class %s: the document's cost counts %d calls, Billable %v; want %d", c, doc.Cost.Calls, call.Billable(), n)
		}
		if err := db.RecordDocument(ctx, "run_c", doc, nil); err != nil {
			t.Fatal(err)
		}
		want[string(c)+".pdf"] = n
	}
	rep, err := db.Cost(ctx, "document", lineage.Spent)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, c := range classes {
		got[string(c)+".pdf"] = 0
	}
	for _, r := range rep.Rows {
		got[r.Key] = r.Calls
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("folio cost by document (-want +got):\n%s", diff)
	}
	view := map[string]int{}
	for _, c := range classes {
		view[string(c)+".pdf"] = 0
	}
	for _, row := range query(t, rawDB(t, db), `SELECT path FROM model_calls`) {
		view[row]++
	}
	if diff := cmp.Diff(want, view); diff != "" {
		t.Errorf("model_calls view by document (-want +got):\n%s", diff)
	}
	var stored []string
	for _, c := range classes {
		stored = append(stored, fmt.Sprintf("%s %v", c, c.Refused()))
	}
	if diff := cmp.Diff(stored, query(t, rawDB(t, db),
		`SELECT class || ' ' || CASE WHEN refused THEN 'true' ELSE 'false' END FROM error_classes ORDER BY class`)); diff != "" {
		t.Errorf("error_classes table against folio.ErrorClasses (-program +ledger):\n%s", diff)
	}
}
