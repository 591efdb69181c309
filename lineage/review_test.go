package lineage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/google/go-cmp/cmp"
)

// reviewDoc records a document with one table in review, whose fragment
// carries the answers a reviewer may choose between, and returns it.
func reviewDoc(t *testing.T, db *lineage.DB, run, sha string) *folio.Document {
	t.Helper()
	doc := sampleDoc(sha, "cfg1", "a.pdf", 8)
	rev := &doc.Elements[3]
	rev.Status, rev.Reason, rev.Model = folio.StatusReview, "grounding: number \"9\" is not in the source text (openai/gpt-4.1-mini)", folio.ModelSegment
	doc.Fragments[3].Status = folio.StatusReview
	doc.Fragments[3].Answers = []folio.Answer{
		{Model: folio.ModelSegment, Status: "ok", Text: "a | b", Table: &folio.Table{Rows: [][]string{{"a", "b"}}}},
		{Model: "openai/gpt-4.1-mini", Status: "rejected", Reason: rev.Reason, Table: &folio.Table{Rows: [][]string{{"a", "9"}}, HeaderRows: 1}},
	}
	if err := db.RecordDocument(context.Background(), run, doc, []folio.Output{{Path: "a.pdf.json", SHA256: "old"}}); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestReviewQueueAndDecisions(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	if err := db.StartRun(ctx, sampleRun("run_1", t0)); err != nil {
		t.Fatal(err)
	}
	doc := reviewDoc(t, db, "run_1", "s1")
	el := doc.Elements[3]

	q, total, err := db.ReviewQueue(ctx, lineage.ReviewFilter{})
	if err != nil || total != 1 || len(q) != 1 || q[0].Element != el.ID || q[0].Path != "a.pdf" {
		t.Fatalf("queue: %+v total %d, %v", q, total, err)
	}
	it, err := db.ReviewItem(ctx, el.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(doc.Fragments[3].Answers, it.Answers); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}

	d := folio.Decision{Element: el.ID, Action: folio.ActionCorrect, Reviewer: "ana", Note: "from the scan",
		Table: &folio.Table{Rows: [][]string{{"a", "b"}, {"1", "2"}}, HeaderRows: 1}}
	got, err := db.RecordDecision(ctx, it.Document.Rec, d, []folio.Output{{Path: "a.pdf.json", SHA256: "new"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID == 0 || got.SHA256 != "s1" || got.Page != el.Page || got.Type != el.Type || got.Box != el.Box || got.Fragment == "" || !got.Time.Equal(t0) {
		t.Errorf("recorded decision: %+v", got)
	}
	if outs, _, _ := db.Finished(ctx, doc.ID); len(outs) != 1 || outs[0].SHA256 != "new" {
		t.Errorf("outputs after the decision: %+v, want the rewritten hash", outs)
	}
	if _, total, _ := db.ReviewQueue(ctx, lineage.ReviewFilter{}); total != 0 {
		t.Errorf("queue after the decision: %d, want 0", total)
	}
	if _, total, _ := db.ReviewQueue(ctx, lineage.ReviewFilter{Decided: true}); total != 1 {
		t.Errorf("decided: %d, want 1", total)
	}
	ts, err := db.Trace(ctx, got.Fragment)
	if err != nil || ts[0].Element.ID != el.ID || len(ts[0].Decisions) != 1 || ts[0].Decisions[0].Reviewer != "ana" ||
		ts[0].Fragment == nil || ts[0].Fragment.Model == "human/ana" {
		t.Errorf("trace of the human fragment: %+v, %v; want the element, its routing fragment and the decision", ts, err)
	}

	// A later decision wins; Decisions gives the latest per element.
	db.Now = func() time.Time { return t0.Add(time.Hour) }
	if _, err := db.RecordDecision(ctx, it.Document.Rec, folio.Decision{Element: el.ID, Action: folio.ActionReject, Reviewer: "bo"}, nil); err != nil {
		t.Fatal(err)
	}
	ds, err := db.Decisions(ctx, "s1")
	if err != nil || len(ds) != 1 || ds[0].Action != folio.ActionReject || ds[0].Reviewer != "bo" {
		t.Errorf("decisions: %+v, %v; want bo's reject only", ds, err)
	}

	// Decisions are append-only.
	raw := rawDB(t, db)
	for _, q := range []string{`UPDATE decisions SET reviewer = 'x'`, `DELETE FROM decisions`} {
		if _, err := raw.Exec(q); err == nil {
			t.Errorf("%s: allowed", q)
		}
	}

	// A decision read against a recording since redone is refused.
	if err := db.RecordDocument(ctx, "run_1", sampleDoc("s1", "cfg1", "a.pdf", 8), nil); err != nil {
		t.Fatal(err)
	}
	_, err = db.RecordDecision(ctx, it.Document.Rec, folio.Decision{Element: el.ID, Action: folio.ActionAccept, Reviewer: "cy"}, nil)
	if !errors.Is(err, lineage.ErrNotFound) {
		t.Errorf("decision on a superseded recording: %v, want not found", err)
	}
	// Bad decisions never reach the ledger.
	for _, bad := range []folio.Decision{
		{Element: el.ID, Action: "approve", Reviewer: "a"},
		{Element: el.ID, Action: folio.ActionAccept},
		{Element: el.ID, Action: folio.ActionCorrect, Reviewer: "a"},
	} {
		if _, err := db.RecordDecision(ctx, it.Document.Rec, bad, nil); err == nil {
			t.Errorf("%+v: recorded", bad)
		}
	}
}
