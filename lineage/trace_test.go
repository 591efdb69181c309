package lineage_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// resultsDoc is a small document written by hand: a heading, a table whose
// calls escalated from a local specialist to a model (which was sent a
// downscaled crop of the table), and the table's
// caption, whose model call hit the cache at an unknown price and saved
// what the answer cost when it was bought. The baseline is known.
func resultsDoc() *folio.Document {
	const sha = "5d41402abc4b2a76b9719d911017c592ae4b1f2c1a6e5f8b3c2d1e0f9a8b7c6d"
	id := folio.DocumentID(sha, "cfg1", "a/b.pdf")
	el := func(n int) string { return folio.ElementID(id, n) }
	fr := func(n int) string { return folio.FragmentID(el(n)) }
	doc := &folio.Document{
		Schema: folio.Schema, ID: id, Run: "run_1", Config: "cfg1",
		Source: folio.Source{Path: "/home/u/docs/a/b.pdf", Rel: "a/b.pdf", SHA256: sha, Bytes: 1234, Format: "pdf", Pages: 3},
		Elements: []folio.Element{
			{ID: el(0), Type: folio.Heading, Level: 2, Page: 1, Box: folio.Box{72, 96, 540, 118}, Text: "2. Results",
				Layer: folio.LayerBody, Confidence: 0.95, Fragment: fr(0), Model: "local/text", Status: folio.StatusOK},
			{ID: el(1), Type: folio.TableType, Page: 2, Box: folio.Box{72, 200, 540, 400.5}, Text: longText,
				Layer: folio.LayerBody, Parent: el(0), Caption: el(2), Confidence: 0.6,
				Fragment: fr(1), Model: "openai/gpt-4.1-mini", Status: folio.StatusOK},
			{ID: el(2), Type: folio.Caption, Page: 2, Box: folio.Box{72, 404, 540, 420}, Text: "Table 1: Sales by region",
				Layer: folio.LayerBody, Parent: el(0), CaptionOf: el(1), Confidence: 0.8,
				Fragment: fr(2), Model: "openai/custom", Status: folio.StatusReview},
		},
		Fragments: []folio.Fragment{
			{ID: fr(0), ElementID: el(0), Model: "local/text", Status: folio.StatusOK, Calls: []folio.Call{
				{Attempt: 1, Rule: "text", Model: "local/text", USDMicros: price(0), Latency: 3 * time.Millisecond, Status: "ok"},
			}},
			{ID: fr(1), ElementID: el(1), Model: "openai/gpt-4.1-mini", Status: folio.StatusOK, Calls: []folio.Call{
				{Attempt: 1, Rule: "table-ruled", Model: "local/table", USDMicros: price(0), Latency: 12*time.Millisecond + 345*time.Microsecond,
					Status: "rejected", ErrorClass: "quality"},
				{Attempt: 2, Rule: "table-escalate", Model: "openai/gpt-4.1-mini", Endpoint: "https://api.openai.com/v1",
					Usage: folio.Usage{InputTokens: 1200, CachedTokens: 200, OutputTokens: 300}, USDMicros: price(1234),
					Latency: 850 * time.Millisecond, Status: "ok", Prompt: "table", PromptVersion: 3, RequestHash: "rh1",
					ImageSent: folio.ImageSent{ImageWidth: 736, ImageHeight: 355, EstimatedImageTokens: 448}},
			}},
			{ID: fr(2), ElementID: el(2), Model: "openai/custom", Status: folio.StatusReview, Calls: []folio.Call{
				{Attempt: 1, Rule: "caption", Model: "openai/custom", Endpoint: "http://localhost:11434/v1",
					Usage: folio.Usage{InputTokens: 40, OutputTokens: 10}, CacheHit: true, SavedUSDMicros: price(56),
					Status: "ok", Prompt: "caption", PromptVersion: 1},
			}},
		},
	}
	for _, f := range doc.Fragments {
		doc.Cost.Add(f.Calls)
	}
	doc.Cost.BaselineUSDMicros = price(45000)
	return doc
}

// recordResults records resultsDoc in a finished run_1 and returns the
// document.
func recordResults(t *testing.T, db *lineage.DB) *folio.Document {
	t.Helper()
	ctx := context.Background()
	doc := resultsDoc()
	run := sampleRun("run_1", t0.Add(-time.Minute))
	if err := db.StartRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordDocument(ctx, "run_1", doc, []folio.Output{{Path: "a/b.pdf.json"}, {Path: "a/b.pdf.md"}}); err != nil {
		t.Fatal(err)
	}
	run.Finished = t0.Add(time.Minute)
	run.Summary = folio.Summary{OK: 1, Skipped: 2, Pages: 3, Elements: 3, Cost: doc.Cost, Seconds: 120.5}
	if err := db.FinishRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestTrace(t *testing.T) {
	db := newDB(t)
	doc := recordResults(t, db)
	el, fr := doc.Elements, doc.Fragments

	document := lineage.DocumentRecord{
		ID: doc.ID, Path: "a/b.pdf", SHA256: doc.Source.SHA256, Bytes: 1234, Format: "pdf", Pages: 3,
		Config: "cfg1", Run: "run_1", Status: "ok", Outputs: []string{"a/b.pdf.json", "a/b.pdf.md"},
		Cost:     folio.Cost{BaselineUSDMicros: price(45000), Spend: folio.Spend{USDMicros: 1234, InputTokens: 1240, OutputTokens: 310, Calls: 2, CacheHits: 1, Unpriced: 1, SavedUSDMicros: 56}},
		Finished: t0,
	}
	run := sampleRun("run_1", t0.Add(-time.Minute))
	run.Finished = t0.Add(time.Minute)
	run.Summary = folio.Summary{OK: 1, Skipped: 2, Pages: 3, Elements: 3, Cost: document.Cost, Seconds: 120.5}
	table := lineage.Trace{
		Element: &lineage.ElementRecord{
			ID: el[1].ID, Ord: 1, Type: folio.TableType, Page: 2, Box: folio.Box{72, 200, 540, 400.5},
			Layer: "body", Parent: el[0].ID, Caption: el[2].ID,
			Text:       strings.Repeat("é", lineage.MaxText), // cut at MaxText characters
			Confidence: 0.6, Fragment: fr[1].ID, Model: "openai/gpt-4.1-mini", Status: "ok",
		},
		Fragment: &lineage.FragmentRecord{
			ID: fr[1].ID, Element: el[1].ID, Model: "openai/gpt-4.1-mini", Status: "ok", Calls: fr[1].Calls,
		},
		Document: document,
		Run:      run,
	}
	whole := lineage.Trace{
		Document: document,
		Run:      run,
		Elements: []lineage.ElementSummary{
			{ID: el[0].ID, Type: folio.Heading, Page: 1, Model: "local/text", Status: "ok"},
			{ID: el[1].ID, Type: folio.TableType, Page: 2, Model: "openai/gpt-4.1-mini", Status: "ok"},
			{ID: el[2].ID, Type: folio.Caption, Page: 2, Model: "openai/custom", Status: "review"},
		},
	}

	tests := []struct {
		name string
		id   string
		want lineage.Trace
	}{
		{"element id", el[1].ID, table},
		{"fragment id", fr[1].ID, table},
		{"document id", doc.ID, whole},
		{"relative path", "a/b.pdf", whole},
		{"path with a longer prefix", "testdata/samples/a/b.pdf", whole},
		{"absolute path", "/home/u/docs/a/b.pdf", whole},
		{"dotted path", "./a/b.pdf", whole},
		{"path with spaces around", " a/b.pdf\n", whole},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Trace(context.Background(), tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]lineage.Trace{tt.want}, got); diff != "" {
				t.Errorf("Trace(%q) (-want +got):\n%s", tt.id, diff)
			}
		})
	}
}

func TestTrace_elementWithoutCalls(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	if err := db.StartRun(ctx, sampleRun("run_1", t0)); err != nil {
		t.Fatal(err)
	}
	doc := sampleDoc("s1", "cfg1", "a.pdf", 2)
	doc.Fragments = nil
	if err := db.RecordDocument(ctx, "run_1", doc, nil); err != nil {
		t.Fatal(err)
	}
	got, err := db.Trace(ctx, doc.Elements[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Element == nil || got[0].Fragment != nil {
		t.Fatalf("Trace = %+v, want the element without a fragment", got)
	}
	if diff := cmp.Diff([]string{}, got[0].Document.Outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
}

// Which document a path names: the longest stored path the query ends with,
// newest run first; failing that, every stored path that ends with the query.
func TestTrace_path(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	record := func(run, sha, rel string) string {
		t.Helper()
		doc := sampleDoc(sha, "cfg1", rel, 2)
		if err := db.RecordDocument(ctx, run, doc, nil); err != nil {
			t.Fatal(err)
		}
		return doc.ID
	}
	for i, id := range []string{"run_1", "run_2"} {
		if err := db.StartRun(ctx, sampleRun(id, t0.Add(time.Duration(i)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	// Record run_2's a/b.pdf first, so the order of recording cannot
	// decide which is the newest.
	abNew := record("run_2", "s6", "a/b.pdf")
	abOld := record("run_1", "s1", "a/b.pdf")
	b := record("run_1", "s2", "b.pdf")
	deep := record("run_1", "s3", "deep/x/c.pdf")
	other := record("run_1", "s4", "other/c.pdf")
	notes := record("run_1", "s7", "el_notes.pdf")
	if err := db.RecordFailure(ctx, "run_1", folio.Source{Rel: "bad.pdf", SHA256: "s5", Format: "pdf"}, folio.KindMalformed, "no xref"); err != nil {
		t.Fatal(err)
	}
	bad := lineage.FailureID("s5", "run_1", "bad.pdf")

	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"newest run", "a/b.pdf", []string{abNew}},
		{"older run by id", abOld, []string{abOld}},
		{"longer query", "testdata/a/b.pdf", []string{abNew}},
		{"backslashes", `docs\a\b.pdf`, []string{abNew}},
		{"exact beats longer stored path", "b.pdf", []string{b}},
		{"shorter stored path", "z/b.pdf", []string{b}},
		{"stored path ends with query", "x/c.pdf", []string{deep}},
		{"every stored path ending with query", "c.pdf", []string{deep, other}},
		{"failure by path", "bad.pdf", []string{bad}},
		{"failure by id", bad, []string{bad}},
		{"file named like an element id", "el_notes.pdf", []string{notes}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := db.Trace(ctx, tt.query)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tr := range ts {
				got = append(got, tr.Document.ID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Trace(%q) documents (-want +got):\n%s", tt.query, diff)
			}
		})
	}
}

func TestTrace_notFound(t *testing.T) {
	db := newDB(t)
	recordResults(t, db)
	for _, id := range []string{"", "  ", "nope.pdf", "ab.pdf", "/", ".", "el_0000", "fr_0000", "doc_0000", "fail_0000", "run_1"} {
		t.Run(id, func(t *testing.T) {
			got, err := db.Trace(context.Background(), id)
			if !errors.Is(err, lineage.ErrNotFound) {
				t.Errorf("Trace(%q) = %v, %v; want ErrNotFound", id, got, err)
			}
		})
	}
}

func TestTraceWriteText(t *testing.T) {
	db := newDB(t)
	doc := recordResults(t, db)
	if err := db.RecordFailure(context.Background(), "run_1",
		folio.Source{Rel: "bad.pdf", SHA256: "e3b0c442", Bytes: 627, Format: "pdf"}, folio.KindTimeout, "parse: deadline exceeded"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, id string
	}{
		{"element", doc.Elements[1].ID},
		{"cache_hit", doc.Elements[2].ID},
		{"document", doc.ID},
		{"failure", "bad.pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := db.Trace(context.Background(), tt.id)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			for _, tr := range ts {
				if err := tr.WriteText(&buf); err != nil {
					t.Fatal(err)
				}
			}
			golden := filepath.Join("testdata", "trace_"+tt.name+".golden")
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

// An output path, from OUT or from anywhere, names the document that wrote
// it, whether the ledger keeps outputs with their hashes or (schema 1) as
// bare paths.
func TestTrace_outputPath(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	doc := recordResults(t, db) // outputs a/b.pdf.json, a/b.pdf.md
	if err := db.StartRun(ctx, sampleRun("run_2", t0)); err != nil {
		t.Fatal(err)
	}
	other := sampleDoc("s2", "cfg1", "x/b.pdf", 2)
	if err := db.RecordDocument(ctx, "run_2", other, []folio.Output{{Path: "x/b.pdf.json", SHA256: "h"}}); err != nil {
		t.Fatal(err)
	}
	old := sampleDoc("s3", "cfg1", "old.pdf", 2)
	if err := db.RecordDocument(ctx, "run_2", old, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := rawDB(t, db).Exec(`UPDATE documents SET outputs = '["old.pdf.json","old.pdf.md"]' WHERE id = ?`, old.ID); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"relative to OUT", "a/b.pdf.json", []string{doc.ID}},
		{"markdown", "a/b.pdf.md", []string{doc.ID}},
		{"through OUT", "out/a/b.pdf.json", []string{doc.ID}},
		{"absolute", "/tmp/run/out/a/b.pdf.md", []string{doc.ID}},
		{"other folder", "out/x/b.pdf.json", []string{other.ID}},
		{"every output ending with the query", "b.pdf.json", []string{doc.ID, other.ID}},
		{"schema 1 outputs", "out/old.pdf.md", []string{old.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := db.Trace(ctx, tt.query)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tr := range ts {
				got = append(got, tr.Document.ID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Trace(%q) documents (-want +got):\n%s", tt.query, diff)
			}
		})
	}
	for _, q := range []string{"a/b.pdf.png", "a/b.pdf.jsonx", "ab.pdf.json"} {
		if _, err := db.Trace(ctx, q); !errors.Is(err, lineage.ErrNotFound) {
			t.Errorf("Trace(%q) = %v, want ErrNotFound", q, err)
		}
	}
}

// shortestUnique returns the shortest prefix of id, with at least
// lineage.MinIDPrefix hex digits, that no other of ids starts with.
func shortestUnique(id string, ids []string) string {
	kind := strings.Index(id, "_") + 1
	for n := kind + lineage.MinIDPrefix; n <= len(id); n++ {
		shared := false
		for _, other := range ids {
			if other != id && strings.HasPrefix(other, id[:n]) {
				shared = true
			}
		}
		if !shared {
			return id[:n]
		}
	}
	return id
}

// A unique id prefix stands for its id, among current and past recordings;
// a prefix several ids share lists them; a prefix too short is no prefix.
func TestTrace_idPrefix(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	if err := db.StartRun(ctx, sampleRun("run_1", t0)); err != nil {
		t.Fatal(err)
	}
	// Enough elements for some to share their first four hex digits.
	doc := sampleDoc("s1", "cfg1", "big.pdf", 1500)
	if err := db.RecordDocument(ctx, "run_1", doc, nil); err != nil {
		t.Fatal(err)
	}
	// Recorded again: the first recording is kept, superseded.
	if err := db.RecordDocument(ctx, "run_1", doc, nil); err != nil {
		t.Fatal(err)
	}
	var elements, fragments []string
	byPrefix := map[string][]string{}
	for _, e := range doc.Elements {
		elements = append(elements, e.ID)
		fragments = append(fragments, e.Fragment)
		byPrefix[e.ID[:3+lineage.MinIDPrefix]] = append(byPrefix[e.ID[:3+lineage.MinIDPrefix]], e.ID)
	}
	var shared string
	for p, ids := range byPrefix {
		if len(ids) > len(byPrefix[shared]) || len(ids) == len(byPrefix[shared]) && p < shared {
			shared = p
		}
	}
	if len(byPrefix[shared]) < 2 {
		t.Fatal("no two elements share a prefix; record more")
	}

	el := doc.Elements[10]
	for _, tt := range []struct{ name, query, wantElement, wantDoc string }{
		{"element", shortestUnique(el.ID, elements), el.ID, doc.ID},
		{"fragment", shortestUnique(el.Fragment, fragments), el.ID, doc.ID},
		{"document", doc.ID[:4+lineage.MinIDPrefix], "", doc.ID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := db.Trace(ctx, tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != 1 || ts[0].Document.ID != tt.wantDoc || tt.wantElement != "" && (ts[0].Element == nil || ts[0].Element.ID != tt.wantElement) {
				t.Errorf("Trace(%q) = %+v, want element %q of %s", tt.query, ts, tt.wantElement, tt.wantDoc)
			}
		})
	}

	t.Run("ambiguous", func(t *testing.T) {
		_, err := db.Trace(ctx, shared)
		var amb *lineage.AmbiguousError
		if !errors.As(err, &amb) {
			t.Fatalf("Trace(%q) = %v, want an AmbiguousError", shared, err)
		}
		want := byPrefix[shared]
		slices.Sort(want)
		if len(want) > lineage.MaxCandidates {
			want = want[:lineage.MaxCandidates]
		}
		if diff := cmp.Diff(want, amb.Candidates); diff != "" {
			t.Errorf("candidates (-want +got):\n%s", diff)
		}
		if amb.More != (len(byPrefix[shared]) > lineage.MaxCandidates) {
			t.Errorf("More = %v with %d matches", amb.More, len(byPrefix[shared]))
		}
		if !strings.Contains(err.Error(), want[0]) || !strings.Contains(err.Error(), "ambiguous") {
			t.Errorf("error %q does not name the candidates", err)
		}
	})

	for _, q := range []string{el.ID[:3+lineage.MinIDPrefix-1], "el_zzzz", strings.ToUpper(el.ID[:8])} {
		if _, err := db.Trace(ctx, q); !errors.Is(err, lineage.ErrNotFound) {
			t.Errorf("Trace(%q) = %v, want ErrNotFound", q, err)
		}
	}
}

func TestCompleteIDs(t *testing.T) {
	db := newDB(t)
	doc := recordResults(t, db)
	ctx := context.Background()
	all := []string{doc.ID}
	for _, e := range doc.Elements {
		all = append(all, e.ID, e.Fragment)
	}
	slices.Sort(all)
	for _, tt := range []struct {
		prefix string
		limit  int
		want   []string
	}{
		{"", 50, all},
		{"", 2, all[:2]},
		{"el_", 50, []string{doc.Elements[0].ID, doc.Elements[1].ID, doc.Elements[2].ID}},
		{doc.Elements[1].ID[:6], 50, []string{doc.Elements[1].ID}},
		{"doc", 50, []string{doc.ID}},
		{"zz", 50, nil},
	} {
		got, err := db.CompleteIDs(ctx, tt.prefix, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		want := slices.Clone(tt.want)
		slices.Sort(want)
		if tt.prefix == "el_" || tt.prefix == "" {
			want = want[:min(len(want), tt.limit)]
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("CompleteIDs(%q, %d) (-want +got):\n%s", tt.prefix, tt.limit, diff)
		}
	}
}
