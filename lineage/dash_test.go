package lineage_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/google/go-cmp/cmp"
)

// dashLedger records three runs: run_1 (tagged team=finance) records two
// documents, run_2 records a.pdf again (superseding run_1's) and a deferred
// document, run_3 records nothing.
func dashLedger(t *testing.T) *lineage.DB {
	t.Helper()
	ctx := context.Background()
	db := newDB(t)
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for i, id := range []string{"run_1", "run_2", "run_3"} {
		r := sampleRun(id, t0.Add(time.Duration(i)*time.Hour))
		if id == "run_1" {
			r.Tags = map[string]string{"team": "finance"}
		}
		if err := db.StartRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	a := sampleDoc(strings.Repeat("a", 64), "cfg1", "a.pdf", 12)
	a.Source.Path = "/in/a.pdf"
	b := sampleDoc(strings.Repeat("b", 64), "cfg1", "b.pdf", 3)
	for _, rec := range []struct {
		run string
		doc *folio.Document
	}{{"run_1", a}, {"run_1", b}, {"run_2", a}} {
		if err := db.RecordDocument(ctx, rec.run, rec.doc, []folio.Output{{Path: rec.doc.Source.Rel + ".json"}}); err != nil {
			t.Fatal(err)
		}
	}
	c := sampleDoc(strings.Repeat("c", 64), "cfg1", "c.pdf", 4)
	if err := db.RecordUnfinished(ctx, "run_2", c, folio.KindDeferred, "budget exhausted"); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestRunsPage(t *testing.T) {
	db := dashLedger(t)
	ctx := context.Background()
	p, err := db.Runs(ctx, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 3 || len(p.Runs) != 2 || p.Runs[0].ID != "run_3" || p.Runs[1].ID != "run_2" {
		t.Fatalf("first page: total %d, runs %v; want 3, [run_3 run_2]", p.Total, ids(p.Runs))
	}
	if got := p.Runs[1].Deferred; got != 1 {
		t.Errorf("run_2 deferred = %d, want 1", got)
	}
	// sampleDoc's tables escalate: the local call is rejected at $0, so
	// nothing is rejected in dollars; a rejected model call counts.
	p, err = db.Runs(ctx, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Runs) != 1 || p.Runs[0].ID != "run_1" {
		t.Fatalf("second page: %v, want [run_1]", ids(p.Runs))
	}
	if diff := cmp.Diff(map[string]string{"team": "finance"}, p.Runs[0].Tags); diff != "" {
		t.Errorf("run_1 tags (-want +got):\n%s", diff)
	}
	if p.Runs[0].RejectedUSDMicros != 0 {
		t.Errorf("run_1 rejected = %d, want 0 (only $0 local calls were rejected)", p.Runs[0].RejectedUSDMicros)
	}
	if _, err := db.Run(ctx, "run_nope"); !errors.Is(err, lineage.ErrNotFound) {
		t.Errorf("Run(unknown) = %v, want ErrNotFound", err)
	}
}

func TestRunsRejectedSpend(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	if err := db.StartRun(ctx, sampleRun("run_1", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	d := sampleDoc(strings.Repeat("d", 64), "cfg1", "d.pdf", 8)
	var want int64
	for i := range d.Fragments {
		for j, c := range d.Fragments[i].Calls {
			if c.USDMicros != nil && *c.USDMicros > 0 && i == 3 {
				d.Fragments[i].Calls[j].Status = "rejected"
				want += *c.USDMicros
			}
		}
	}
	if want == 0 {
		t.Fatal("sampleDoc has no priced model call on element 3")
	}
	if err := db.RecordDocument(ctx, "run_1", d, nil); err != nil {
		t.Fatal(err)
	}
	r, err := db.Run(ctx, "run_1")
	if err != nil {
		t.Fatal(err)
	}
	if r.RejectedUSDMicros != want {
		t.Errorf("rejected = %d, want %d", r.RejectedUSDMicros, want)
	}
}

func TestRunDocuments(t *testing.T) {
	db := dashLedger(t)
	ctx := context.Background()
	p, err := db.RunDocuments(ctx, "run_1", 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 2 || len(p.Documents) != 1 || p.Documents[0].Path != "b.pdf" {
		t.Fatalf("run_1 page 2: total %d, %+v; want 2, [b.pdf]", p.Total, p.Documents)
	}
	if d := p.Documents[0]; d.Elements != 3 || d.Status != "ok" || d.Superseded {
		t.Errorf("b.pdf = %+v, want 3 elements, ok, current", d)
	}
	p, err = db.RunDocuments(ctx, "run_1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Documents) != 2 || p.Documents[0].Path != "a.pdf" || !p.Documents[0].Superseded {
		t.Errorf("run_1 documents = %+v, want a.pdf superseded first", p.Documents)
	}
	p, err = db.RunDocuments(ctx, "run_2", 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range p.Documents {
		got = append(got, fmt.Sprintf("%s %s %s", d.Path, d.Status, d.ErrorKind))
	}
	if diff := cmp.Diff([]string{"a.pdf ok ", "c.pdf failed deferred"}, got); diff != "" {
		t.Errorf("run_2 documents (-want +got):\n%s", diff)
	}
}

func TestDocumentView(t *testing.T) {
	db := dashLedger(t)
	ctx := context.Background()
	id := folio.DocumentID(strings.Repeat("a", 64), "cfg1", "a.pdf")
	v, err := db.DocumentView(ctx, id, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Current || v.Run != "run_2" || len(v.Recordings) != 2 || v.Rec != v.Recordings[1] {
		t.Errorf("current view: current %v, run %s, rec %d of %v; want the second recording, of run_2", v.Current, v.Run, v.Rec, v.Recordings)
	}
	if v.Source != "/in/a.pdf" || v.SHA256 != strings.Repeat("a", 64) {
		t.Errorf("source %q sha %q", v.Source, v.SHA256)
	}
	if len(v.Elements) != 12 || v.Elements[0].Ord != 0 || v.Elements[11].Ord != 11 {
		t.Errorf("elements: %d, want 12 in reading order", len(v.Elements))
	}

	old, err := db.DocumentView(ctx, id, v.Recordings[0], 2)
	if err != nil {
		t.Fatal(err)
	}
	if old.Current || old.Run != "run_1" {
		t.Errorf("first recording: current %v run %s, want superseded, run_1", old.Current, old.Run)
	}
	// sampleDoc puts elements 10 and 11 on page 2.
	if len(old.Elements) != 2 || old.Elements[0].Page != 2 {
		t.Errorf("page 2 elements: %d, want 2", len(old.Elements))
	}

	for _, tt := range []struct {
		id  string
		rec int64
	}{{"doc_nope", 0}, {id, 999}, {"doc_nope", v.Rec}} {
		if _, err := db.DocumentView(ctx, tt.id, tt.rec, 0); !errors.Is(err, lineage.ErrNotFound) {
			t.Errorf("DocumentView(%s, %d) = %v, want ErrNotFound", tt.id, tt.rec, err)
		}
	}
}

// TestDashQueriesUseIndexes keeps the control plane's page queries off
// full scans of the big tables, so that a ledger of many documents renders
// fast.
func TestDashQueriesUseIndexes(t *testing.T) {
	sqliteOnly(t)
	db := dashLedger(t)
	raw := rawDB(t, db)
	for q, args := range lineage.DashQueries {
		rows, err := raw.Query("EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, step := range plan {
			for _, big := range []string{"documents", "elements", "calls"} {
				if strings.HasPrefix(step, "SCAN "+big) && !strings.Contains(step, "USING") {
					t.Errorf("query scans %s:\n%s\nplan:\n%s", big, q, strings.Join(plan, "\n"))
				}
			}
			// A document's elements and calls are found by its rec, not by
			// a column shared across the whole ledger.
			if strings.HasPrefix(step, "SEARCH e ") || strings.HasPrefix(step, "SEARCH c ") {
				if !strings.Contains(step, "(rec=?") {
					t.Errorf("query searches without rec: %s\n%s", step, q)
				}
			}
		}
	}
}

func ids(rs []lineage.RunRow) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// TestOpenReadOnlyLive opens a ledger no process has open (no -wal file)
// and sees what a parse writes afterwards.
func TestOpenReadOnlyLive(t *testing.T) {
	ctx := context.Background()
	w := newDB(t)
	path := w.Path()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := lineage.OpenReadOnlyLive(ctx, ledgerAt(t, path))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err = lineage.Open(ctx, ledgerAt(t, path))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.StartRun(ctx, sampleRun("run_late", time.Now())); err != nil {
		t.Fatal(err)
	}
	p, err := r.Runs(ctx, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 1 || p.Runs[0].ID != "run_late" {
		t.Errorf("reader sees %d runs, want run_late written after it opened", p.Total)
	}
	if err := r.StartRun(ctx, sampleRun("run_no", time.Now())); !errors.Is(err, lineage.ErrReadOnly) {
		t.Errorf("write through the reader = %v, want ErrReadOnly", err)
	}
}
