package serve_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/folio/folio/serve"
)

// routedEl is an element of a routedDoc: its type, how routing left it,
// the calls made for it (attempts are numbered in order) and the answers
// kept for a reviewer.
type routedEl struct {
	typ     folio.ElementType
	status  string // ok when empty
	calls   []folio.Call
	answers []folio.Answer
}

// paidCall is a call of rule to model with a status at a price in
// micro-dollars; local models are free.
func paidCall(rule, model, status string, usd int64) folio.Call {
	return folio.Call{Rule: rule, Model: model, Status: status, USDMicros: price(usd), Latency: 20 * time.Millisecond,
		Usage: folio.Usage{InputTokens: 1000, OutputTokens: 100}}
}

// routedDoc returns a one-page document of sha at rel with els, as the
// orchestrator records it: each element's model is the last call's.
func routedDoc(sha, rel string, baseline *int64, els ...routedEl) *folio.Document {
	doc := &folio.Document{
		Schema: folio.Schema, ID: folio.DocumentID(sha, "cfg", rel), Config: "cfg", Status: folio.DocumentOK,
		Source: folio.Source{Rel: rel, SHA256: sha, Bytes: 100, Format: "pdf", Pages: 1},
		Pages:  []folio.PageInfo{{Page: 1, Width: 612, Height: 792}},
	}
	for i, re := range els {
		id := folio.ElementID(doc.ID, i)
		status := re.status
		if status == "" {
			status = folio.StatusOK
		}
		f := folio.Fragment{ID: folio.FragmentID(id), ElementID: id, Status: status, Answers: re.answers}
		for j, c := range re.calls {
			c.Attempt = j + 1
			f.Calls = append(f.Calls, c)
			f.Model = c.Model
		}
		doc.Elements = append(doc.Elements, folio.Element{
			ID: id, Type: re.typ, Page: 1, Box: folio.Box{72, float64(10 + 20*(i%35)), 540, float64(28 + 20*(i%35))},
			Text: "x", Layer: folio.LayerBody, Confidence: 0.9, Fragment: f.ID, Model: f.Model, Status: status,
		})
		doc.Fragments = append(doc.Fragments, f)
		doc.Cost.Add(f.Calls)
	}
	doc.Cost.BaselineUSDMicros = baseline
	return doc
}

// clock is a settable time for the ledger and the server.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// openLedger opens a new ledger in out whose clock is c.
func openLedger(t testing.TB, out string, c *clock) *lineage.DB {
	t.Helper()
	db, err := lineage.Open(context.Background(), filepath.Join(out, "folio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = c.Now
	return db
}

// recordRun records docs in a new run, each at its time in at.
func recordRun(t testing.TB, db *lineage.DB, c *clock, run string, at []time.Time, docs ...*folio.Document) {
	t.Helper()
	ctx := context.Background()
	c.now = at[0]
	if err := db.StartRun(ctx, folio.Run{ID: run, Started: at[0], Version: "test", Config: "cfg", Args: []string{"parse"}}); err != nil {
		t.Fatal(err)
	}
	for i, d := range docs {
		c.now = at[i]
		if err := db.RecordDocument(ctx, run, d, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// newServer serves the ledger db over out at the clock c.
func newServer(t testing.TB, out string, db *lineage.DB, c *clock) *serve.Server {
	t.Helper()
	s, err := serve.New(serve.Options{Out: out, DB: db, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
