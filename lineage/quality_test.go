package lineage_test

import (
	"context"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/google/go-cmp/cmp"
)

// qElement is an element of a qualityDoc: its type and confidence, how
// routing left it, the calls made for it (attempts are numbered in order)
// and the answers kept for a reviewer.
type qElement struct {
	typ     folio.ElementType
	conf    float64
	status  string // ok when empty
	reason  string
	fell    string
	calls   []folio.Call
	answers []folio.Answer
}

// qualityDoc returns a one-page document of sha (at sha.pdf) with els, as
// the orchestrator records it: each element's model is the last call's.
func qualityDoc(sha string, els ...qElement) *folio.Document {
	doc := &folio.Document{
		Schema: folio.Schema, ID: folio.DocumentID(sha, "cfg1", sha+".pdf"), Config: "cfg1",
		Source: folio.Source{Rel: sha + ".pdf", SHA256: sha, Bytes: 100, Format: "pdf", Pages: 1},
	}
	for i, qe := range els {
		id := folio.ElementID(doc.ID, i)
		status := qe.status
		if status == "" {
			status = folio.StatusOK
		}
		f := folio.Fragment{ID: folio.FragmentID(id), ElementID: id, Status: status, Reason: qe.reason,
			FellBackFrom: qe.fell, Answers: qe.answers}
		for j, c := range qe.calls {
			c.Attempt = j + 1
			f.Calls = append(f.Calls, c)
			f.Model = c.Model
		}
		doc.Elements = append(doc.Elements, folio.Element{
			ID: id, Type: qe.typ, Page: 1, Box: folio.Box{72, float64(10 + 5*i), 540, float64(14 + 5*i)},
			Text: "x", Layer: folio.LayerBody, Confidence: qe.conf, Fragment: f.ID, Model: f.Model,
			Status: status, Reason: qe.reason, FellBackFrom: qe.fell,
		})
		doc.Fragments = append(doc.Fragments, f)
		doc.Cost.Add(f.Calls)
	}
	return doc
}

// record records docs in a new run.
func record(t *testing.T, db *lineage.DB, run string, docs ...*folio.Document) {
	t.Helper()
	ctx := context.Background()
	if err := db.StartRun(ctx, sampleRun(run, db.Now())); err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if err := db.RecordDocument(ctx, run, d, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// attempt is a call of rule to model with status, price (nil: unknown) and
// latency.
func attempt(rule, model, status string, usd *int64, latency time.Duration) folio.Call {
	c := folio.Call{Rule: rule, Model: model, Status: status, USDMicros: usd, Latency: latency}
	if folio.IsLocal(model) && usd == nil {
		c.USDMicros = price(0)
	}
	if status == folio.CallFailed {
		c.ErrorClass = folio.ClassTransient
	}
	return c
}

// refusedCall is a call the budget refused before any request.
func refusedCall(rule, model string) folio.Call {
	return folio.Call{Rule: rule, Model: model, Status: folio.CallFailed, ErrorClass: folio.ClassBudget}
}

// decide records a reviewer's decision on element n of the current
// recording of doc, as the review API would (written with SQL: this
// package's tests do not depend on it).
func decide(t *testing.T, db *lineage.DB, doc *folio.Document, n int, action, answer, text string) {
	t.Helper()
	e := doc.Elements[n]
	_, err := rawDB(t, db).Exec(`
		INSERT INTO decisions (rec, document, sha256, path, element, page, type, x0, y0, x1, y1,
			fragment, reviewer, action, answer, text, created)
		SELECT rec, id, sha256, path, ?, ?, ?, ?, ?, ?, ?, ?, 'ann', ?, ?, ?, ?
		FROM documents WHERE id = ? AND superseded IS NULL`,
		e.ID, e.Page, string(e.Type), e.Box[0], e.Box[1], e.Box[2], e.Box[3],
		folio.HumanFragmentID(e.ID, "ann", t0), action, answer, text, "2026-03-04T06:00:00.000000000Z", doc.ID)
	if err != nil {
		t.Fatal(err)
	}
}

// qualityLedger records, at t0:
//
//	e0 table 0.9       local/table ok
//	e1 table 0.5       local/table rejected, openai/small ok $0.001
//	e2 table 0.4       local/table rejected, openai/small rejected $0.0008; review, accepted local
//	e3 table 0.3       openai/small failed (unpriced), openai/large ok $0.005
//	e4 paragraph       local/text ok
//	e5 table 0.2       local/table rejected, openai/small refused by the budget; degraded
//	e6 table 0.45      local/table rejected, openai/small rejected $0.0007; review, corrected
//
// and, not counted: a document recorded again since (its first recording
// paid openai/small $0.009999) and, when since is an hour before t0, one
// recorded two days earlier (openai/small ok $0.007777).
func qualityLedger(t *testing.T) *lineage.DB {
	t.Helper()
	db := newDB(t)
	now := t0
	db.Now = func() time.Time { return now }

	now = t0.Add(-48 * time.Hour)
	record(t, db, "run_old", qualityDoc("old", qElement{typ: folio.TableType, conf: 0.5,
		calls: []folio.Call{attempt("table#2", "openai/small", folio.CallOK, price(7777), time.Millisecond)}}))

	now = t0
	us := time.Microsecond
	local := func(status string) folio.Call { return attempt("table#1", "local/table", status, nil, 100*us) }
	small := func(status string, usd *int64, lat time.Duration) folio.Call {
		return attempt("table#2", "openai/small", status, usd, lat)
	}
	doc := qualityDoc("qa",
		qElement{typ: folio.TableType, conf: 0.9, calls: []folio.Call{local(folio.CallOK)}},
		qElement{typ: folio.TableType, conf: 0.5, calls: []folio.Call{local(folio.CallRejected),
			small(folio.CallOK, price(1000), 1000*us)}},
		qElement{typ: folio.TableType, conf: 0.4, status: folio.StatusReview, reason: "schema",
			calls: []folio.Call{local(folio.CallRejected), small(folio.CallRejected, price(800), 3000*us)},
			answers: []folio.Answer{{Model: "local/table", Status: folio.CallOK, Text: "A  b"},
				{Model: "openai/small", Status: folio.CallRejected, Text: "a c"}}},
		qElement{typ: folio.TableType, conf: 0.3, calls: []folio.Call{small(folio.CallFailed, nil, 2000*us),
			attempt("table#3", "openai/large", folio.CallOK, price(5000), 4000*us)}},
		qElement{typ: folio.Paragraph, conf: 1, calls: []folio.Call{attempt("paragraph#1", "local/text", folio.CallOK, nil, 10*us)}},
		qElement{typ: folio.TableType, conf: 0.2, status: folio.StatusDegraded, reason: "budget", fell: "openai/small",
			calls: []folio.Call{local(folio.CallRejected), refusedCall("table#2", "openai/small")}},
		qElement{typ: folio.TableType, conf: 0.45, status: folio.StatusReview, reason: "schema",
			calls: []folio.Call{local(folio.CallRejected), small(folio.CallRejected, price(700), 2000*us)},
			answers: []folio.Answer{{Model: "local/table", Status: folio.CallOK, Text: "x y"},
				{Model: "openai/small", Status: folio.CallRejected, Text: "X\nY"}}},
	)
	redone := qualityDoc("qb", qElement{typ: folio.TableType, conf: 0.5,
		calls: []folio.Call{small(folio.CallOK, price(9999), time.Second)}})
	record(t, db, "run_1", doc, redone)
	redone = qualityDoc("qb", qElement{typ: folio.Paragraph, conf: 1,
		calls: []folio.Call{attempt("paragraph#1", "local/text", folio.CallOK, nil, 10*us)}})
	record(t, db, "run_2", redone)
	decide(t, db, doc, 2, folio.ActionAccept, "local/table", "")
	decide(t, db, doc, 6, folio.ActionAccept, "openai/small", "")
	decide(t, db, doc, 6, folio.ActionCorrect, "", "x z") // the latest decision counts
	return db
}

func TestLinkQuality(t *testing.T) {
	db := qualityLedger(t)
	got, err := db.LinkQuality(context.Background(), t0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []lineage.LinkStats{
		{Type: folio.Paragraph, Rule: "paragraph#1", Model: "local/text", Local: true,
			Attempts: 2, Accepted: 2, AcceptanceRate: 1, MeanLatencyUS: 10},
		{Type: folio.TableType, Rule: "table#1", Model: "local/table", Local: true,
			Attempts: 5, Accepted: 1, Rejected: 4, Escalated: 4, AcceptanceRate: 0.2, EscalationRate: 0.8,
			MeanLatencyUS: 100,
			Review:        lineage.ReviewOutcomes{Elements: 2, AcceptedLocal: 1, AcceptedLink: 1, Corrected: 1}},
		{Type: folio.TableType, Rule: "table#2", Model: "openai/small",
			Attempts: 5, Accepted: 1, Rejected: 2, Failed: 1, Refused: 1, Escalated: 1,
			AcceptanceRate: 0.2, EscalationRate: 0.2,
			USDMicros: 2500, RejectedUSDMicros: 1500, Unpriced: 1, MeanLatencyUS: 2000,
			Review:    lineage.ReviewOutcomes{Elements: 2, AcceptedLocal: 1, Corrected: 1},
			Agreement: lineage.Agreement{Compared: 2, Agreed: 1, Decided: 2, LocalRight: 1}},
		{Type: folio.TableType, Rule: "table#3", Model: "openai/large",
			Attempts: 1, Accepted: 1, AcceptanceRate: 1, USDMicros: 5000, MeanLatencyUS: 4000},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("LinkQuality since an hour ago (-want +got):\n%s", d)
	}

	all, err := db.LinkQuality(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	small := all[2]
	if small.Model != "openai/small" || small.Attempts != 6 || small.Accepted != 2 || small.USDMicros != 2500+7777 {
		t.Errorf("LinkQuality since ever: openai/small = %+v, want 6 attempts, 2 accepted, 10277 usd micros", small)
	}
}

// A link whose local answers agree with the model's counts them, and a
// decision to accept a model's answer counts for that link.
func TestLinkQuality_acceptedModel(t *testing.T) {
	db := newDB(t)
	doc := qualityDoc("qm", qElement{typ: folio.Formula, conf: 0.5, status: folio.StatusReview,
		calls: []folio.Call{attempt("formula#1", "openai/small", folio.CallRejected, price(300), 0)},
		answers: []folio.Answer{{Model: folio.ModelSegment, Status: folio.CallOK, Text: "E = mc^2"},
			{Model: "openai/small", Status: folio.CallRejected, Text: "e = MC^2 "}}})
	record(t, db, "run_1", doc)
	decide(t, db, doc, 0, folio.ActionAccept, "openai/small", "")
	got, err := db.LinkQuality(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("LinkQuality = %+v, want one link", got)
	}
	wantReview := lineage.ReviewOutcomes{Elements: 1, AcceptedModel: 1, AcceptedLink: 1}
	wantAgreement := lineage.Agreement{Compared: 1, Agreed: 1, Decided: 1, LocalRight: 1, LinkRight: 1}
	if d := cmp.Diff(wantReview, got[0].Review); d != "" {
		t.Errorf("review outcomes (-want +got):\n%s", d)
	}
	if d := cmp.Diff(wantAgreement, got[0].Agreement); d != "" {
		t.Errorf("agreement (-want +got):\n%s", d)
	}
}

func TestLinkQuality_empty(t *testing.T) {
	got, err := newDB(t).LinkQuality(context.Background(), time.Time{})
	if err != nil || len(got) != 0 {
		t.Errorf("LinkQuality of an empty ledger = %v, %v; want nothing", got, err)
	}
}
