package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
)

// Hand-written fakes for the stages; the real ones are tested in their
// packages and end to end in cmd/folio.

type fakeParser struct{}

func (fakeParser) Parse(ctx context.Context, src folio.Source, data []byte) (*folio.Parsed, error) {
	switch {
	case strings.Contains(string(data), "broken"):
		return nil, &folio.Error{Op: "parse", Doc: src.Rel, Kind: folio.KindMalformed, Err: errors.New("no header")}
	case strings.Contains(string(data), "slow"):
		// A parse that would outlast any deadline ends when the deadline
		// passes. This one does at once: waiting for the deadline would
		// take one short enough to cut off the other documents on a slow
		// machine too. TestBatchSegmenterPastTheDeadlineFailsAsTimeout has
		// a deadline pass.
		if _, ok := ctx.Deadline(); !ok {
			return nil, errors.New("parse without a deadline")
		}
		return nil, &folio.Error{Op: "parse", Doc: src.Rel, Kind: folio.KindTimeout, Err: context.DeadlineExceeded}
	}
	return &folio.Parsed{Pages: []folio.Page{{Number: 1, Width: 612, Height: 792, Words: []folio.Word{{Text: string(data)}}}}}, nil
}

type fakeSegmenter struct{}

func (fakeSegmenter) Segment(p *folio.Parsed) []folio.Element {
	text := p.Pages[0].Words[0].Text
	if strings.Contains(text, "panic") {
		panic("segmenter bug")
	}
	return []folio.Element{
		{Type: folio.TableType, Page: 1, Text: text, CaptionRef: 2},
		{Type: folio.Caption, Page: 1, Text: "Table 1", ParentRef: 1},
	}
}

type fakeRouter struct{}

func (fakeRouter) Crops(*folio.Document) map[string]folio.Drawing { return nil }

func (fakeRouter) Route(ctx context.Context, doc *folio.Document, _ map[string][]byte) ([]folio.Fragment, error) {
	var out []folio.Fragment
	for _, el := range doc.Elements {
		zero := int64(0)
		out = append(out, folio.Fragment{ID: folio.FragmentID(el.ID), ElementID: el.ID, Model: "local/text", Status: folio.StatusOK,
			Calls: []folio.Call{{Attempt: 1, Model: "local/text", USDMicros: &zero, Status: "ok"}}})
	}
	return out, nil
}

type fakeWriter struct{ dir string }

func (w fakeWriter) Write(ctx context.Context, doc *folio.Document) ([]folio.Output, error) {
	p := filepath.Join(w.dir, doc.Source.Rel+".json")
	return []folio.Output{{Path: doc.Source.Rel + ".json"}}, os.WriteFile(p, []byte("{}"), 0o644)
}

type fakeLedger struct {
	mu       sync.Mutex
	docs     map[string]*folio.Document // by id
	outputs  map[string][]folio.Output  // by id
	failures map[string]folio.Kind      // by rel
	pruned   []string                   // ids
	runs     int
}

func (l *fakeLedger) StartRun(context.Context, folio.Run) error  { l.runs++; return nil }
func (l *fakeLedger) FinishRun(context.Context, folio.Run) error { return nil }
func (l *fakeLedger) Finished(_ context.Context, id string) ([]folio.Output, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.docs[id]
	return l.outputs[id], ok, nil
}
func (l *fakeLedger) RecordDocument(_ context.Context, _ string, doc *folio.Document, outs []folio.Output) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.docs[doc.ID] = doc
	if l.outputs == nil {
		l.outputs = map[string][]folio.Output{}
	}
	l.outputs[doc.ID] = outs
	return nil
}
func (l *fakeLedger) RecordUnfinished(_ context.Context, _ string, doc *folio.Document, kind folio.Kind, _ string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures[doc.Source.Rel] = kind
	return nil
}
func (l *fakeLedger) SetOutputs(_ context.Context, id string, outs []folio.Output) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.outputs[id] = outs
	return nil
}
func (l *fakeLedger) MarkPruned(_ context.Context, _, id string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.docs, id)
	l.pruned = append(l.pruned, id)
	return nil
}
func (l *fakeLedger) RecordFailure(_ context.Context, _ string, src folio.Source, kind folio.Kind, _ string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures[src.Rel] = kind
	return nil
}

func newTestBatch(t *testing.T) (*Batch, *fakeLedger, string) {
	in, out := t.TempDir(), t.TempDir()
	for name, body := range map[string]string{"ok.pdf": "hello", "broken.pdf": "broken", "panic.pdf": "panic", "slow.pdf": "slow"} {
		if err := os.WriteFile(filepath.Join(in, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l := &fakeLedger{docs: map[string]*folio.Document{}, failures: map[string]folio.Kind{}}
	// The deadline only guards against a hang: a document must never fail
	// because the machine is slow.
	b := &Batch{Parser: fakeParser{}, Segmenter: fakeSegmenter{}, Router: fakeRouter{}, Writer: fakeWriter{out},
		Ledger: l, OutDir: out, Workers: 2, DocTimeout: time.Minute, Config: "cfg"}
	return b, l, in
}

func TestBatchOneBadDocumentNeverStopsTheBatch(t *testing.T) {
	b, l, in := newTestBatch(t)
	srcs, _, err := Walk([]string{in})
	if err != nil {
		t.Fatal(err)
	}
	var events []Event
	b.OnEvent = func(ev Event) { events = append(events, ev) }
	run, err := b.Run(context.Background(), srcs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := run.Summary, (folio.Summary{OK: 1, Failed: 3, Pages: 1, Elements: 2, ElementStatus: folio.ElementCounts{OK: 2}, Seconds: run.Summary.Seconds}); !cmp.Equal(got, want) {
		t.Errorf("summary = %+v, want %+v", got, want)
	}
	wantFail := map[string]folio.Kind{"broken.pdf": folio.KindMalformed, "panic.pdf": folio.KindCrash, "slow.pdf": folio.KindTimeout}
	if diff := cmp.Diff(wantFail, l.failures); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
	if len(events) != 4 {
		t.Errorf("got %d events, want 4", len(events))
	}
	var doc *folio.Document
	for _, d := range l.docs {
		doc = d
	}
	if doc == nil {
		t.Fatal("no document recorded")
	}
	table, caption := doc.Elements[0], doc.Elements[1]
	if table.Caption != caption.ID || caption.Parent != table.ID || caption.CaptionOf != table.ID {
		t.Errorf("links not resolved: table.caption=%q caption.parent=%q caption.caption_of=%q (ids %q, %q)",
			table.Caption, caption.Parent, caption.CaptionOf, table.ID, caption.ID)
	}
	if table.Fragment == "" || table.Model != "local/text" || table.Status != folio.StatusOK {
		t.Errorf("fragment not applied: %+v", table)
	}
	if doc.ID != folio.DocumentID(doc.Source.SHA256, "cfg", doc.Source.Rel) || table.ID != folio.ElementID(doc.ID, 0) {
		t.Errorf("ids not deterministic: doc %s element %s", doc.ID, table.ID)
	}
}

func TestBatchSkipsUnchangedAndForceRedoes(t *testing.T) {
	b, _, in := newTestBatch(t)
	srcs, _, err := Walk([]string{filepath.Join(in, "ok.pdf")})
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		force      bool
		ok, skiped int
	}{{false, 1, 0}, {false, 0, 1}, {true, 1, 0}} {
		b.Force = tc.force
		run, err := b.Run(context.Background(), srcs, nil)
		if err != nil {
			t.Fatal(err)
		}
		if run.Summary.OK != tc.ok || run.Summary.Skipped != tc.skiped {
			t.Errorf("run %d: ok=%d skipped=%d, want %d %d", i+1, run.Summary.OK, run.Summary.Skipped, tc.ok, tc.skiped)
		}
	}
}

func TestBatchTooLarge(t *testing.T) {
	b, l, in := newTestBatch(t)
	b.MaxBytes = 3
	srcs, _, _ := Walk([]string{filepath.Join(in, "ok.pdf")})
	if _, err := b.Run(context.Background(), srcs, nil); err != nil {
		t.Fatal(err)
	}
	if got := l.failures["ok.pdf"]; got != folio.KindTooLarge {
		t.Errorf("failure kind = %q, want %q", got, folio.KindTooLarge)
	}
}

type budgetRouter struct{ fakeRouter }

func (budgetRouter) Route(ctx context.Context, doc *folio.Document, _ map[string][]byte) ([]folio.Fragment, error) {
	return nil, fmt.Errorf("route table: %w", folio.ErrBudgetExhausted)
}

func TestBatchBudgetExhaustedDefersTheRest(t *testing.T) {
	b, l, in := newTestBatch(t)
	b.Router = budgetRouter{}
	b.Workers = 1
	var srcs []folio.Source
	for i := range 5 {
		p := filepath.Join(in, fmt.Sprintf("doc%d.pdf", i))
		if err := os.WriteFile(p, []byte(fmt.Sprint("content ", i)), 0o644); err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, folio.Source{Path: p, Rel: filepath.Base(p)})
	}
	run, err := b.Run(context.Background(), srcs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.Summary.Deferred != 5 || run.Summary.OK+run.Summary.Failed != 0 {
		t.Errorf("summary = %+v, want all 5 deferred", run.Summary)
	}
	if len(l.docs) != 0 || len(l.failures) != 0 {
		t.Errorf("deferred documents were recorded: docs %d, failures %v", len(l.docs), l.failures)
	}
}

// dirWriter is a fakeWriter that is also an OutputDir.
type dirWriter struct {
	fakeWriter
	temps   int
	found   []folio.Found
	removed []string
}

func (w *dirWriter) Recover(context.Context) (int, []folio.Found, error) {
	return w.temps, w.found, nil
}
func (w *dirWriter) Remove(_ context.Context, rel string) ([]string, error) {
	w.removed = append(w.removed, rel)
	return []string{rel + ".json"}, nil
}

func TestBatchPrunesOutputsOfGoneInputs(t *testing.T) {
	b, l, in := newTestBatch(t)
	w := &dirWriter{fakeWriter: fakeWriter{b.OutDir}, temps: 2,
		found: []folio.Found{{Rel: "ok.pdf", ID: "doc_live"}, {Rel: "gone.pdf", ID: "doc_gone"}}}
	b.Writer = w
	srcs, _, _ := Walk([]string{filepath.Join(in, "ok.pdf")})
	for _, prune := range []bool{false, true} {
		b.Prune = prune
		run, err := b.Run(context.Background(), srcs, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		if prune {
			want = 1
		}
		if run.Summary.Pruned != want || len(w.removed) != want || len(l.pruned) != want {
			t.Errorf("prune=%v: pruned %d, removed %v, ledger marked %v; want %d", prune, run.Summary.Pruned, w.removed, l.pruned, want)
		}
	}
	if diff := cmp.Diff([]string{"doc_gone"}, l.pruned); diff != "" {
		t.Errorf("ledger marks (-want +got):\n%s", diff)
	}

	// No input at all (an empty or unmounted folder) prunes nothing.
	w.removed = nil
	if run, err := b.Run(context.Background(), nil, nil); err != nil || run.Summary.Pruned != 0 || len(w.removed) != 0 {
		t.Errorf("run without inputs: %+v, %v; removed %v", run.Summary, err, w.removed)
	}
}

func TestBatchRedoesDocumentWhoseOutputChanged(t *testing.T) {
	b, l, in := newTestBatch(t)
	srcs, _, _ := Walk([]string{filepath.Join(in, "ok.pdf")})
	if _, err := b.Run(context.Background(), srcs, nil); err != nil {
		t.Fatal(err)
	}
	// The ledger recorded the JSON's hash; a JSON that is not the one
	// written (another content's, an edit) makes the document redone.
	for id, outs := range l.outputs {
		sum := sha256.Sum256([]byte("{}"))
		outs[0].SHA256 = hex.EncodeToString(sum[:])
		l.outputs[id] = outs
	}
	for i, tc := range []struct {
		json      string
		ok, skips int
	}{{"{}", 0, 1}, {`{"edited": true}`, 1, 0}} {
		if err := os.WriteFile(filepath.Join(b.OutDir, "ok.pdf.json"), []byte(tc.json), 0o644); err != nil {
			t.Fatal(err)
		}
		run, err := b.Run(context.Background(), srcs, nil)
		if err != nil {
			t.Fatal(err)
		}
		if run.Summary.OK != tc.ok || run.Summary.Skipped != tc.skips {
			t.Errorf("case %d: ok=%d skipped=%d, want %d %d", i, run.Summary.OK, run.Summary.Skipped, tc.ok, tc.skips)
		}
	}
}

func TestBatchSameContentElsewhereIsNotSkipped(t *testing.T) {
	b, _, in := newTestBatch(t)
	if err := os.WriteFile(filepath.Join(in, "copy.pdf"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	srcs, _, _ := Walk([]string{filepath.Join(in, "ok.pdf")})
	if _, err := b.Run(context.Background(), srcs, nil); err != nil {
		t.Fatal(err)
	}
	srcs, _, _ = Walk([]string{filepath.Join(in, "ok.pdf"), filepath.Join(in, "copy.pdf")})
	run, err := b.Run(context.Background(), srcs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.Summary.OK != 1 || run.Summary.Skipped != 1 {
		t.Errorf("summary %+v: want the copy done and the original skipped", run.Summary)
	}
}

// gateRouter blocks every document until release is closed, reporting
// each arrival on started.
type gateRouter struct {
	started chan string
	release chan struct{}
}

func (gateRouter) Crops(*folio.Document) map[string]folio.Drawing { return nil }

func (g gateRouter) Route(ctx context.Context, doc *folio.Document, _ map[string][]byte) ([]folio.Fragment, error) {
	g.started <- doc.Source.Rel
	select {
	case <-g.release:
		return fakeRouter{}.Route(ctx, doc, nil)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func TestBatchStopLetsDocumentsInFlightFinish(t *testing.T) {
	b, l, in := newTestBatch(t)
	g := gateRouter{started: make(chan string, 10), release: make(chan struct{})}
	b.Router, b.Workers = g, 2
	var srcs []folio.Source
	for i := range 6 {
		p := filepath.Join(in, fmt.Sprintf("doc%d.pdf", i))
		if err := os.WriteFile(p, []byte(fmt.Sprint("content ", i)), 0o644); err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, folio.Source{Path: p, Rel: filepath.Base(p)})
	}
	stop := make(chan struct{})
	b.Stop = stop
	type result struct {
		run folio.Run
		err error
	}
	done := make(chan result, 1)
	go func() {
		run, err := b.Run(context.Background(), srcs, nil)
		done <- result{run, err}
	}()
	<-g.started
	<-g.started
	close(stop)
	close(g.release)
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if s := r.run.Summary; s.OK != 2 || s.NotStarted != 4 || s.Interrupted != 0 || len(l.docs) != 2 {
		t.Errorf("summary %+v, %d recorded; want the 2 in flight done and recorded, 4 not started", s, len(l.docs))
	}
}

func TestBatchCancelInterruptsWithoutRecordingFailures(t *testing.T) {
	b, l, in := newTestBatch(t)
	g := gateRouter{started: make(chan string, 10), release: make(chan struct{})}
	b.Router, b.Workers = g, 1
	srcs, _, _ := Walk([]string{filepath.Join(in, "ok.pdf")})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-g.started
		cancel()
	}()
	run, err := b.Run(ctx, srcs, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if run.Summary.Interrupted != 1 || run.Summary.Failed != 0 || len(l.failures) != 0 || len(l.docs) != 0 {
		t.Errorf("summary %+v, failures %v: want 1 interrupted, nothing recorded", run.Summary, l.failures)
	}
}

type slowSegmenter struct{ release chan struct{} }

func (s slowSegmenter) Segment(*folio.Parsed) []folio.Element {
	<-s.release
	return nil
}

func TestBatchSegmenterPastTheDeadlineFailsAsTimeout(t *testing.T) {
	b, l, in := newTestBatch(t)
	release := make(chan struct{})
	defer close(release)
	// The segmenter never returns before the test ends: the deadline
	// passes however fast the machine, and Run returns only if it gives up
	// on the segmenter.
	b.Segmenter, b.DocTimeout = slowSegmenter{release}, 50*time.Millisecond
	srcs, _, _ := Walk([]string{filepath.Join(in, "ok.pdf")})
	done := make(chan error, 1)
	go func() {
		_, err := b.Run(context.Background(), srcs, nil)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the run waits for a segmenter past the 50ms deadline")
	}
	if got := l.failures["ok.pdf"]; got != folio.KindTimeout {
		t.Errorf("failure kind = %q, want %q", got, folio.KindTimeout)
	}
}

// heldParser parses like fakeParser, but holds the first document it gets
// until release is closed, naming it on held; a document that comes in
// while another is being parsed fails.
type heldParser struct {
	held    chan string
	release chan struct{}
	holding atomic.Bool
	inside  atomic.Int32
}

func (p *heldParser) Parse(ctx context.Context, src folio.Source, data []byte) (*folio.Parsed, error) {
	defer p.inside.Add(-1)
	if p.inside.Add(1) > 1 {
		return nil, errors.New("parsed while another document was")
	}
	if p.holding.CompareAndSwap(false, true) {
		p.held <- src.Rel
		<-p.release
	}
	return fakeParser{}.Parse(ctx, src, data)
}

// askedLedger is a fakeLedger that reports each Finished call on asked: a
// document asks it just before it waits for a parse slot.
type askedLedger struct {
	*fakeLedger
	asked chan struct{}
}

func (l askedLedger) Finished(ctx context.Context, id string) ([]folio.Output, bool, error) {
	l.asked <- struct{}{}
	return l.fakeLedger.Finished(ctx, id)
}

// A document's seconds are its own: not the time it waited for a parse
// slot behind another document.
func TestBatchSecondsLeaveOutTheWaitForASlot(t *testing.T) {
	b, l, _ := newTestBatch(t)
	in := t.TempDir()
	for _, name := range []string{"a.pdf", "b.pdf", "alone.pdf"} {
		if err := os.WriteFile(filepath.Join(in, name), []byte("content of "+name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var events []Event
	b.OnEvent = func(ev Event) { events = append(events, ev) }
	// What a document takes with nothing in its way, on this machine now;
	// the other document is held back far longer than that.
	alone, _, err := Walk([]string{filepath.Join(in, "alone.pdf")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Run(context.Background(), alone, nil); err != nil || len(events) != 1 || events[0].Status != "ok" {
		t.Fatalf("a document alone: %v, events %+v", err, events)
	}
	own := time.Duration(events[0].Seconds * float64(time.Second))
	hold := max(50*own, 200*time.Millisecond)

	srcs, _, err := Walk([]string{filepath.Join(in, "a.pdf"), filepath.Join(in, "b.pdf")})
	if err != nil {
		t.Fatal(err)
	}
	p := &heldParser{held: make(chan string, 1), release: make(chan struct{})}
	asked := make(chan struct{}, len(srcs))
	b.Parser, b.Ledger = p, askedLedger{l, asked}
	b.ParseSlots, b.DocTimeout = 1, time.Hour
	events = nil
	done := make(chan error, 1)
	go func() {
		_, err := b.Run(context.Background(), srcs, nil)
		done <- err
	}()
	first := <-p.held
	<-asked
	<-asked // from now on the other document waits for the only slot
	time.Sleep(hold)
	close(p.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 {
		t.Fatalf("%d events, want 2", len(events))
	}
	for _, ev := range events {
		switch {
		case ev.Status != "ok":
			t.Errorf("%s: %s (%s), want ok", ev.Rel, ev.Status, ev.Error)
		case ev.Rel == first && ev.Seconds < hold.Seconds():
			t.Errorf("%s was held %v in the parser, yet took %.3f s", ev.Rel, hold, ev.Seconds)
		case ev.Rel != first && ev.Seconds >= hold.Seconds():
			t.Errorf("%s took %.3f s, with its wait of %v or more for the slot; alone a document takes %v", ev.Rel, ev.Seconds, hold, own)
		}
	}
}

// visionRouter asks for every table drawn, as a router with a vision
// link for tables does.
type visionRouter struct{ fakeRouter }

func (visionRouter) Crops(doc *folio.Document) map[string]folio.Drawing { return tableCrops(doc, 200) }

// countingEngine is a parser and renderer that counts the document's
// visits.
type countingEngine struct {
	fakeParser
	fakeRenderer
	parses int
}

func (e *countingEngine) Parse(ctx context.Context, src folio.Source, data []byte) (*folio.Parsed, error) {
	e.parses++
	return e.fakeParser.Parse(ctx, src, data)
}

// figureSegmenter gives a table and, when figure is set, a vector figure.
type figureSegmenter struct{ figure bool }

func (s figureSegmenter) Segment(p *folio.Parsed) []folio.Element {
	els := []folio.Element{{Type: folio.TableType, Page: 1, Box: folio.Box{72, 72, 300, 200}, Text: "a | b"}}
	if s.figure {
		els = append(els, folio.Element{Type: folio.ImageType, Page: 1, Box: folio.Box{72, 300, 300, 500}})
	}
	return els
}

// A document is handed to the engine at most twice: once parsed, then
// drawn once, figures and crops together, and only when a figure lacks
// pixels or a vision model may be sent a region.
func TestBatchEngineVisitsPerDocument(t *testing.T) {
	for _, tc := range []struct {
		name    string
		figure  bool
		vision  bool
		renders int
	}{
		{"nothing to draw", false, false, 0},
		{"a figure without pixels", true, false, 1},
		{"a vision route for tables", false, true, 1},
		{"both", true, true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, out := t.TempDir(), t.TempDir()
			if err := os.WriteFile(filepath.Join(in, "a.pdf"), []byte("hello"), 0o644); err != nil {
				t.Fatal(err)
			}
			e := &countingEngine{}
			b := &Batch{Parser: e, Segmenter: figureSegmenter{tc.figure}, Router: fakeRouter{}, Writer: fakeWriter{out},
				Ledger: &fakeLedger{docs: map[string]*folio.Document{}, failures: map[string]folio.Kind{}},
				OutDir: out, Workers: 1, DocTimeout: time.Minute, Config: "cfg"}
			if tc.vision {
				b.Router = visionRouter{}
			}
			srcs, _, err := Walk([]string{in})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.Run(context.Background(), srcs, nil); err != nil {
				t.Fatal(err)
			}
			if e.parses != 1 || e.calls != tc.renders {
				t.Errorf("%d parses and %d drawing calls, want 1 and %d", e.parses, e.calls, tc.renders)
			}
		})
	}
}
