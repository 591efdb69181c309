package folio

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Hand-written fakes for the stages; the real ones are tested in their
// packages and end to end in cmd/folio.

type fakeParser struct{}

func (fakeParser) Parse(ctx context.Context, src Source, data []byte) (*Parsed, error) {
	switch {
	case strings.Contains(string(data), "broken"):
		return nil, &Error{Op: "parse", Doc: src.Rel, Kind: KindMalformed, Err: errors.New("no header")}
	case strings.Contains(string(data), "slow"):
		<-ctx.Done()
		return nil, &Error{Op: "parse", Doc: src.Rel, Kind: KindTimeout, Err: ctx.Err()}
	}
	return &Parsed{Pages: []Page{{Number: 1, Width: 612, Height: 792, Words: []Word{{Text: string(data)}}}}}, nil
}

type fakeSegmenter struct{}

func (fakeSegmenter) Segment(p *Parsed) []Element {
	text := p.Pages[0].Words[0].Text
	if strings.Contains(text, "panic") {
		panic("segmenter bug")
	}
	return []Element{
		{Type: TableType, Page: 1, Text: text, CaptionRef: 2},
		{Type: Caption, Page: 1, Text: "Table 1", ParentRef: 1},
	}
}

type fakeRouter struct{}

func (fakeRouter) Route(ctx context.Context, doc *Document) ([]Fragment, error) {
	var out []Fragment
	for _, el := range doc.Elements {
		zero := int64(0)
		out = append(out, Fragment{ID: FragmentID(el.ID), ElementID: el.ID, Model: "local/text", Status: StatusOK,
			Calls: []Call{{Attempt: 1, Model: "local/text", USDMicros: &zero, Status: "ok"}}})
	}
	return out, nil
}

type fakeWriter struct{ dir string }

func (w fakeWriter) Write(ctx context.Context, doc *Document) ([]string, error) {
	p := filepath.Join(w.dir, doc.Source.Rel+".json")
	return []string{doc.Source.Rel + ".json"}, os.WriteFile(p, []byte("{}"), 0o644)
}

type fakeLedger struct {
	mu       sync.Mutex
	docs     map[string]*Document // by sha
	failures map[string]Kind      // by rel
	runs     int
}

func (l *fakeLedger) StartRun(context.Context, Run) error  { l.runs++; return nil }
func (l *fakeLedger) FinishRun(context.Context, Run) error { return nil }
func (l *fakeLedger) Done(_ context.Context, sha, config string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	d, ok := l.docs[sha]
	return ok && d.Config == config, nil
}
func (l *fakeLedger) RecordDocument(_ context.Context, _ string, doc *Document, _ []string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.docs[doc.Source.SHA256] = doc
	return nil
}
func (l *fakeLedger) RecordFailure(_ context.Context, _ string, src Source, kind Kind, _ string) error {
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
	l := &fakeLedger{docs: map[string]*Document{}, failures: map[string]Kind{}}
	b := &Batch{Parser: fakeParser{}, Segmenter: fakeSegmenter{}, Router: fakeRouter{}, Writer: fakeWriter{out},
		Ledger: l, OutDir: out, Workers: 2, DocTimeout: 50e6, Config: "cfg"}
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
	if got, want := run.Summary, (Summary{OK: 1, Failed: 3, Pages: 1, Elements: 2, Seconds: run.Summary.Seconds}); !cmp.Equal(got, want) {
		t.Errorf("summary = %+v, want %+v", got, want)
	}
	wantFail := map[string]Kind{"broken.pdf": KindMalformed, "panic.pdf": KindCrash, "slow.pdf": KindTimeout}
	if diff := cmp.Diff(wantFail, l.failures); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
	if len(events) != 4 {
		t.Errorf("got %d events, want 4", len(events))
	}
	var doc *Document
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
	if table.Fragment == "" || table.Model != "local/text" || table.Status != StatusOK {
		t.Errorf("fragment not applied: %+v", table)
	}
	if doc.ID != DocumentID(doc.Source.SHA256, "cfg", doc.Source.Rel) || table.ID != ElementID(doc.ID, 0) {
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
	if got := l.failures["ok.pdf"]; got != KindTooLarge {
		t.Errorf("failure kind = %q, want %q", got, KindTooLarge)
	}
}

type budgetRouter struct{}

func (budgetRouter) Route(ctx context.Context, doc *Document) ([]Fragment, error) {
	return nil, fmt.Errorf("route table: %w", ErrBudgetExhausted)
}

func TestBatchBudgetExhaustedDefersTheRest(t *testing.T) {
	b, l, in := newTestBatch(t)
	b.Router = budgetRouter{}
	b.Workers = 1
	var srcs []Source
	for i := range 5 {
		p := filepath.Join(in, fmt.Sprintf("doc%d.pdf", i))
		if err := os.WriteFile(p, []byte(fmt.Sprint("content ", i)), 0o644); err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, Source{Path: p, Rel: filepath.Base(p)})
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

func TestBatchDryRunWritesAndRecordsNothing(t *testing.T) {
	b, l, in := newTestBatch(t)
	b.DryRun = true
	var seen []string
	b.OnDocument = func(d *Document) { seen = append(seen, d.Source.Rel) }
	srcs, _, _ := Walk([]string{filepath.Join(in, "ok.pdf")})
	run, err := b.Run(context.Background(), srcs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.Summary.OK != 1 || len(seen) != 1 {
		t.Errorf("summary %+v, OnDocument saw %v; want 1 document", run.Summary, seen)
	}
	if len(l.docs) != 0 {
		t.Error("dry run recorded a document")
	}
	if _, err := os.Stat(filepath.Join(b.OutDir, "ok.pdf.json")); err == nil {
		t.Error("dry run wrote an output")
	}
}
