package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/folio/folio"
)

// DefaultDocTimeout is a document's deadline unless Batch.DocTimeout says
// otherwise.
const DefaultDocTimeout = 120 * time.Second

// Batch runs documents through the stages: parse, segment, route, write and
// record. Documents are independent: one failing never stops the others.
type Batch struct {
	Parser    folio.Parser
	Segmenter folio.Segmenter
	Router    folio.Router
	Writer    folio.Writer
	Ledger    folio.Ledger

	// OutDir is where Writer puts outputs; a document is skipped only when
	// the ledger has it done and its outputs are still there as recorded.
	OutDir string
	// Workers is the number of documents in flight; default
	// runtime.NumCPU().
	Workers int
	// ParseSlots bounds the documents being parsed at once (the parser's
	// processes); default Workers. With more Workers than slots, documents
	// are segmented, routed and written while others are parsed. A
	// document's deadline starts when it gets a slot.
	ParseSlots int
	slots      chan struct{}
	// halted is set once the budget or the ledger deferred a document: no
	// document is started after it.
	halted atomic.Bool
	// inFlight counts the documents being worked on.
	inFlight atomic.Int64
	// DocTimeout bounds parsing and segmenting one document.
	DocTimeout time.Duration
	// MaxBytes is the largest input read; bigger files fail as too_large.
	MaxBytes int64
	// Config identifies the effective configuration (pipeline version and
	// routing policy); it is part of every document id.
	Config string
	// Version is the program version recorded with the run.
	Version string
	// Force redoes documents the ledger has done.
	Force bool
	// Prune removes, before the first document, the outputs of documents
	// whose input is not among this run's sources, and marks them pruned
	// in the ledger (their lineage and cost stay). It needs a Writer that
	// is an OutputDir, and does nothing when there is no source at all.
	Prune bool
	// Stop, when closed, ends the run early: no new document starts, and
	// documents in flight go on until they finish or ctx is canceled.
	Stop <-chan struct{}
	// Tags label the run in the ledger.
	Tags map[string]string
	// Baseline, when set, prices the document as if every page were sent
	// as an image to one large model; nil means unknown.
	Baseline func(doc *folio.Document) *int64
	// CheapBaseline, when set, prices it the same way with a cheap model.
	CheapBaseline func(doc *folio.Document) *int64
	// OnDocument, when set, is called with each routed document (before it
	// is written); calls are serialised.
	OnDocument func(doc *folio.Document)

	Logger *slog.Logger
	// OnEvent, when set, is called once per document as it finishes; calls
	// are serialised.
	OnEvent func(Event)

	onDocMu sync.Mutex
}

// Event reports one document's outcome.
type Event struct {
	Type string `json:"type"` // "document"
	Path string `json:"path,omitempty"`
	Rel  string `json:"rel"`
	ID   string `json:"id,omitempty"`
	// Status is ok, partial (written, but some pages could not be read:
	// Error names them), failed, skipped, refreshed (done, its Markdown
	// written or removed to match the run's outputs), deferred (budget exhausted or a model
	// endpoint unavailable: the next run does it), interrupted (canceled in
	// flight by a shutdown: the next run does it) or pruned (its input is
	// gone and --prune removed its outputs).
	Status   string     `json:"status"`
	Kind     folio.Kind `json:"reason,omitempty"`
	Error    string     `json:"error,omitempty"`
	Pages    int        `json:"pages"`
	Elements int        `json:"elements"`
	// ElementStatus counts the document's elements by status and reason
	// (ok and partial documents).
	ElementStatus *folio.ElementCounts `json:"element_status,omitempty"`
	// Seconds is the time spent on the document, without the time it
	// waited for a parse slot behind other documents.
	Seconds float64  `json:"seconds"`
	Outputs []string `json:"outputs,omitempty"`
	// Cost is what routing the document cost (ok documents only).
	Cost *folio.Cost `json:"cost,omitempty"`
}

// Run processes sources and returns the run with its summary. The error is
// non-nil only when the run itself could not proceed (ledger unusable, ctx
// canceled); failed documents are counted in the summary.
//
// Before the first document it recovers the output folder when the Writer
// is an OutputDir: temporary files of interrupted writes are removed, and
// with Prune the outputs of inputs that are gone are removed too. Closing
// Stop ends the run early: no new document starts, and the ones in flight
// go on until they finish or ctx is canceled; what finished is recorded.
func (b *Batch) Run(ctx context.Context, srcs []folio.Source, args []string) (folio.Run, error) {
	b.setDefaults()
	start := time.Now()
	run := folio.Run{ID: folio.RunID(start.UnixNano(), fmt.Sprint(os.Getpid())), Started: start.UTC(),
		Version: b.Version, Config: b.Config, Args: args, Tags: b.Tags}
	if err := b.Ledger.StartRun(ctx, run); err != nil {
		return run, fmt.Errorf("start run: %w", err)
	}

	var mu sync.Mutex // guards run.Summary and OnEvent
	report := func(ev Event) {
		mu.Lock()
		defer mu.Unlock()
		switch ev.Status {
		case "ok":
			run.Summary.OK++
		case "partial":
			run.Summary.Partial++
		case "failed":
			run.Summary.Failed++
		case "skipped":
			run.Summary.Skipped++
		case "refreshed":
			run.Summary.Refreshed++
		case "deferred":
			run.Summary.Deferred++
		case "interrupted":
			run.Summary.Interrupted++
		case "pruned":
			run.Summary.Pruned++
		}
		run.Summary.Pages += ev.Pages
		run.Summary.Elements += ev.Elements
		if ev.ElementStatus != nil {
			run.Summary.ElementStatus.Merge(*ev.ElementStatus)
		}
		if ev.Cost != nil {
			run.Summary.Cost.Merge(*ev.Cost)
		}
		if b.OnEvent != nil {
			b.OnEvent(ev)
		}
	}
	notStarted := func(n int) {
		mu.Lock()
		run.Summary.NotStarted += n
		mu.Unlock()
	}

	err := b.recoverOutputs(ctx, run.ID, srcs, report)
	if err == nil {
		b.Logger.Info("run started", "run", run.ID, "documents", len(srcs))
		b.feed(ctx, srcs, run.ID, report, notStarted)
		err = ctx.Err()
	}
	if n := run.Summary.NotStarted + run.Summary.Interrupted; n > 0 {
		b.Logger.Warn("run stopped early: the next run does the rest",
			"interrupted", run.Summary.Interrupted, "not_started", run.Summary.NotStarted)
	}

	run.Finished = time.Now().UTC()
	run.Summary.Seconds = time.Since(start).Seconds()
	// The run's record must survive a canceled ctx.
	if ferr := b.Ledger.FinishRun(context.WithoutCancel(ctx), run); ferr != nil {
		return run, errors.Join(err, fmt.Errorf("finish run: %w", ferr))
	}
	return run, err
}

// feed hands the sources to Workers goroutines and waits for them.
func (b *Batch) feed(ctx context.Context, srcs []folio.Source, runID string, report func(Event), notStarted func(int)) {
	jobs := make(chan folio.Source)
	// stop is closed when a document is deferred for a reason that applies
	// to the whole run (budget exhausted): no new documents are started.
	stop := make(chan struct{})
	var stopOnce sync.Once
	var wg sync.WaitGroup
	for range b.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for src := range jobs {
				if b.stopping() || ctx.Err() != nil {
					notStarted(1)
					continue
				}
				b.inFlight.Add(1)
				ev := b.document(ctx, runID, src)
				b.inFlight.Add(-1)
				if b.halted.Load() {
					stopOnce.Do(func() { close(stop) })
				}
				report(ev)
			}
		}()
	}
feed:
	for i, src := range srcs {
		if b.stopping() || ctx.Err() != nil {
			notStarted(len(srcs) - i)
			break
		}
		select {
		case jobs <- src:
		case <-stop:
			for _, rest := range srcs[i:] {
				report(Event{Type: "document", Path: rest.Path, Rel: rest.Rel, Status: "deferred", Kind: folio.KindDeferred,
					Error: folio.ErrBudgetExhausted.Error()})
			}
			break feed
		case <-b.Stop:
			notStarted(len(srcs) - i)
			break feed
		case <-ctx.Done():
			notStarted(len(srcs) - i)
			break feed
		}
	}
	close(jobs)
	wg.Wait()
}

// InFlight returns how many documents are being worked on.
func (b *Batch) InFlight() int { return int(b.inFlight.Load()) }

// stopping reports whether Stop is closed.
func (b *Batch) stopping() bool {
	select {
	case <-b.Stop:
		return true
	default:
		return false
	}
}

// recoverOutputs readies the output folder after whatever happened to the
// last run: temporary files are removed; outputs of inputs that are not in
// this run are pruned with Prune, or, when the ledger has no record of
// them, reported. Outputs without a ledger record whose input is in this
// run need nothing here: the ledger does not have them done, so they are
// redone.
func (b *Batch) recoverOutputs(ctx context.Context, runID string, srcs []folio.Source, report func(Event)) error {
	od, ok := b.Writer.(folio.OutputDir)
	if !ok {
		return nil
	}
	removed, found, err := od.Recover(ctx)
	if err != nil {
		return &folio.Error{Op: "recover output folder", Kind: folio.KindConfig, Err: err}
	}
	if removed > 0 {
		b.Logger.Info("removed temporary files left by an interrupted run", "count", removed)
	}
	live := make(map[string]bool, len(srcs))
	for _, s := range srcs {
		live[s.Rel] = true
	}
	if b.Prune && len(srcs) == 0 && len(found) > 0 {
		b.Logger.Warn("no input found: not pruning", "outputs", len(found))
		return nil
	}
	for _, f := range found {
		if live[f.Rel] {
			continue
		}
		if !b.Prune {
			if _, done, err := b.Ledger.Finished(ctx, f.ID); err == nil && !done {
				b.Logger.Warn("output has no ledger record and its input is not in this run (--prune removes it)",
					"path", f.Rel+".json")
			}
			continue
		}
		ev := Event{Type: "document", Rel: f.Rel, ID: f.ID, Status: "pruned"}
		paths, err := od.Remove(ctx, f.Rel)
		if err == nil {
			err = b.Ledger.MarkPruned(ctx, runID, f.ID)
		}
		if err != nil {
			ev.Status, ev.Kind, ev.Error = "failed", folio.KindIO, fmt.Sprintf("prune: %v", err)
			b.Logger.Error("document failed", "path", f.Rel, "reason", string(folio.KindIO), "err", ev.Error)
		} else {
			b.Logger.Info("pruned outputs of a removed input", "path", f.Rel, "files", len(paths))
		}
		ev.Outputs = paths
		report(ev)
	}
	return ctx.Err()
}

func (b *Batch) setDefaults() {
	if b.Workers <= 0 {
		b.Workers = runtime.NumCPU()
	}
	if b.ParseSlots <= 0 || b.ParseSlots > b.Workers {
		b.ParseSlots = b.Workers
	}
	b.slots = make(chan struct{}, b.ParseSlots)
	if b.DocTimeout <= 0 {
		b.DocTimeout = DefaultDocTimeout
	}
	if b.MaxBytes <= 0 {
		b.MaxBytes = folio.DefaultMaxBytes
	}
	if b.Logger == nil {
		b.Logger = slog.New(slog.DiscardHandler)
	}
}

// document runs one source through every stage and records the outcome.
func (b *Batch) document(ctx context.Context, runID string, src folio.Source) Event {
	t0 := time.Now()
	ev := Event{Type: "document", Path: src.Path, Rel: src.Rel}
	var waited time.Duration
	doc, outputs, err := b.process(ctx, runID, &src, &waited)
	ev.Seconds = (time.Since(t0) - waited).Seconds()
	switch {
	case errors.Is(err, errSkip):
		ev.Status = "skipped"
		return ev
	case errors.Is(err, errRefreshed):
		ev.Status = "refreshed"
		return ev
	case deferred(err):
		if errors.Is(err, folio.ErrBudgetExhausted) || errors.Is(err, folio.ErrLedgerUnavailable) {
			b.halted.Store(true)
		}
		ev.Status, ev.Kind, ev.Error = "deferred", folio.KindDeferred, detail(err)
		b.Logger.Warn("document deferred", "path", src.Path, "reason", string(folio.KindDeferred), "err", detail(err))
		b.recordSpend(ctx, runID, doc, &ev)
		return ev
	case err != nil && ctx.Err() != nil:
		// Canceled by a shutdown: not the document's fault; the next run
		// does it. Only what its model calls cost is recorded.
		ev.Status, ev.Kind, ev.Error = "interrupted", folio.KindCanceled, err.Error()
		b.Logger.Warn("document interrupted", "path", src.Path, "reason", string(folio.KindCanceled))
		b.recordSpend(ctx, runID, doc, &ev)
		return ev
	case err != nil:
		kind := folio.ErrorKind(err)
		ev.Status, ev.Kind, ev.Error = "failed", kind, err.Error()
		b.Logger.Error("document failed", "path", src.Path, "reason", string(kind), "err", detail(err))
		if doc != nil {
			b.recordSpend(ctx, runID, doc, &ev)
		} else if rerr := b.Ledger.RecordFailure(context.WithoutCancel(ctx), runID, src, kind, err.Error()); rerr != nil {
			b.Logger.Error("record failure", "path", src.Path, "err", rerr)
		}
		return ev
	}
	ev.Status, ev.ID = "ok", doc.ID
	if doc.Status == folio.DocumentPartial {
		// The pages that could be read are written and done; the lost
		// ones are named, and the run exits 1.
		ev.Status, ev.Kind, ev.Error = "partial", folio.KindMalformed, doc.LostPages()
		b.Logger.Error("document partial", "path", src.Path, "reason", string(folio.KindMalformed), "err", ev.Error)
	}
	for _, o := range outputs {
		ev.Outputs = append(ev.Outputs, o.Path)
	}
	ev.Pages, ev.Elements = len(doc.Pages), len(doc.Elements)
	var counts folio.ElementCounts
	counts.Count(doc.Elements)
	ev.ElementStatus = &counts
	cost := doc.Cost
	ev.Cost = &cost
	b.Logger.Debug("document done", "path", src.Path, "pages", ev.Pages, "elements", ev.Elements, "seconds", ev.Seconds)
	return ev
}

// recordSpend records a document that did not finish after routing began
// (deferred, interrupted, or failed while writing) with the model calls
// made for it, so that what they cost is never lost; its event carries the
// cost. A document without a model call is not recorded unless it failed.
func (b *Batch) recordSpend(ctx context.Context, runID string, doc *folio.Document, ev *Event) {
	if doc == nil {
		return
	}
	if doc.Cost.Calls == 0 && ev.Status != "failed" {
		return
	}
	cost := doc.Cost
	ev.Cost = &cost
	if err := b.Ledger.RecordUnfinished(context.WithoutCancel(ctx), runID, doc, ev.Kind, ev.Error); err != nil {
		b.Logger.Error("record unfinished document", "path", doc.Source.Path, "err", err)
	}
}

var (
	errSkip      = errors.New("unchanged")
	errRefreshed = errors.New("outputs refreshed")
)

// refresh brings the derived outputs of a done document in line with the
// outputs asked for, when the Writer can: errSkip when nothing changed,
// errRefreshed when something did (and the ledger says so).
func (b *Batch) refresh(ctx context.Context, src *folio.Source, outs []folio.Output) error {
	r, ok := b.Writer.(folio.Refresher)
	if !ok {
		return errSkip
	}
	now, changed, err := r.Refresh(ctx, src.Rel, outs)
	if err != nil {
		return &folio.Error{Op: "refresh outputs", Doc: src.Path, Kind: folio.KindIO, Err: err}
	}
	if !changed {
		return errSkip
	}
	if err := b.Ledger.SetOutputs(context.WithoutCancel(ctx), folio.DocumentID(src.SHA256, b.Config, src.Rel), now); err != nil {
		return &folio.Error{Op: "record outputs", Doc: src.Path, Kind: folio.KindIO, Err: err}
	}
	return errRefreshed
}

// deferred reports whether a router's err leaves the document for the next
// run rather than failing it.
func deferred(err error) bool {
	return errors.Is(err, folio.ErrBudgetExhausted) || errors.Is(err, folio.ErrUnavailable) ||
		errors.Is(err, folio.ErrLedgerUnavailable)
}

// detail returns err's message without the document name, which log lines
// already carry: the operation and the innermost cause.
func detail(err error) string {
	var fe *folio.Error
	if errors.As(err, &fe) && fe.Err != nil {
		if fe.Page > 0 {
			return fmt.Sprintf("%s page %d: %v", fe.Op, fe.Page, detail(fe.Err))
		}
		return fe.Op + ": " + detail(fe.Err)
	}
	return err.Error()
}

// process runs src through every stage; it adds the time it waited for a
// parse slot to waited.
func (b *Batch) process(ctx context.Context, runID string, src *folio.Source, waited *time.Duration) (*folio.Document, []folio.Output, error) {
	data, err := readInput(src.Path, b.MaxBytes)
	if err != nil {
		return nil, nil, &folio.Error{Op: "read", Doc: src.Path, Kind: kindOfReadError(err), Err: err}
	}
	sum := sha256.Sum256(data)
	src.SHA256 = hex.EncodeToString(sum[:])
	src.Bytes = int64(len(data))
	// A document is done when the ledger has this content at this path
	// under this configuration and its outputs are as recorded. The same
	// content under another path (a copy, a rename) is parsed again, and
	// its model answers come from the response cache.
	if !b.Force {
		outs, done, err := b.Ledger.Finished(ctx, folio.DocumentID(src.SHA256, b.Config, src.Rel))
		if err != nil {
			return nil, nil, &folio.Error{Op: "ledger", Doc: src.Path, Kind: folio.KindIO, Err: err}
		}
		if done && b.intact(src.Rel, outs) {
			return nil, nil, b.refresh(ctx, src, outs)
		}
	}

	queued := time.Now()
	select {
	case b.slots <- struct{}{}:
		*waited += time.Since(queued)
	case <-ctx.Done():
		return nil, nil, &folio.Error{Op: "parse", Doc: src.Path, Kind: folio.KindCanceled, Err: ctx.Err()}
	}
	docCtx, cancel := context.WithTimeout(ctx, b.DocTimeout)
	defer cancel()
	parsed, err := b.Parser.Parse(docCtx, *src, data)
	<-b.slots
	if err != nil {
		return nil, nil, err
	}
	src.Pages = len(parsed.Pages)
	if err := unreadable(src.Rel, parsed); err != nil {
		return nil, nil, err
	}
	elements, err := segmentWithin(docCtx, b.Segmenter, parsed)
	if err != nil {
		kind := folio.KindCrash
		if docCtx.Err() != nil {
			kind = folio.KindTimeout
		}
		return nil, nil, &folio.Error{Op: "segment", Doc: src.Path, Kind: kind, Err: err}
	}

	warnings := withheld(parsed, elements)
	doc := newDocument(*src, runID, b.Config, parsed, elements)
	var crops map[string][]byte
	if r, ok := b.Parser.(folio.Renderer); ok {
		var ws []string
		crops, ws = drawPages(docCtx, r, *src, data, doc, b.Router.Crops(doc))
		warnings = append(warnings, ws...)
	}
	doc.Warnings = append(doc.Warnings, warnings...)
	if b.Baseline != nil {
		doc.Cost.BaselineUSDMicros = b.Baseline(doc)
		if doc.Cost.BaselineUSDMicros != nil {
			doc.Cost.BaselineKind = folio.BaselineKind
		}
	}
	if b.CheapBaseline != nil {
		doc.Cost.CheapBaselineUSDMicros = b.CheapBaseline(doc)
	}
	frags, err := b.Router.Route(ctx, doc, crops)
	if err != nil {
		// The calls already made were paid for: the document goes back
		// with them, for the ledger.
		doc.Fragments = frags
		for _, f := range frags {
			doc.Cost.Add(f.Calls)
		}
		if deferred(err) {
			return doc, nil, err
		}
		kind := folio.KindCanceled
		if errors.Is(err, context.DeadlineExceeded) {
			kind = folio.KindTimeout
		}
		return doc, nil, &folio.Error{Op: "route", Doc: src.Path, Kind: kind, Err: err}
	}
	applyFragments(doc, frags)
	if err := b.applyDecisions(ctx, doc); err != nil {
		return doc, nil, &folio.Error{Op: "read review decisions", Doc: src.Path, Kind: folio.KindIO, Err: err}
	}
	if b.OnDocument != nil {
		b.onDocMu.Lock()
		b.OnDocument(doc)
		b.onDocMu.Unlock()
	}
	outputs, err := b.Writer.Write(ctx, doc)
	if err != nil {
		return doc, nil, &folio.Error{Op: "write", Doc: src.Path, Kind: folio.KindIO, Err: err}
	}
	// The ledger row is written after the outputs are durably in place, and
	// must be written even when the run is being interrupted.
	if err := b.Ledger.RecordDocument(context.WithoutCancel(ctx), runID, doc, outputs); err != nil {
		return nil, nil, &folio.Error{Op: "record", Doc: src.Path, Kind: folio.KindIO, Err: err}
	}
	return doc, outputs, nil
}

// intact reports whether a done document's outputs are still in OutDir as
// recorded: the JSON, written last, with the hash the ledger has, and the
// other files present. Outputs recorded without a hash are only checked to
// be present, and a record without outputs stands for OUT/<rel>.json.
func (b *Batch) intact(rel string, outs []folio.Output) bool {
	if b.OutDir == "" {
		return false
	}
	if len(outs) == 0 {
		outs = []folio.Output{{Path: rel + ".json"}}
	}
	for _, o := range outs {
		name := filepath.FromSlash(o.Path)
		if !filepath.IsLocal(name) {
			return false
		}
		if o.Derived() {
			continue // the Refresher's to check
		}
		p := filepath.Join(b.OutDir, name)
		if o.SHA256 != "" && strings.HasSuffix(o.Path, ".json") {
			if sum, err := fileSHA256(p); err != nil || sum != o.SHA256 {
				return false
			}
			continue
		}
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
			return false
		}
	}
	return true
}

func fileSHA256(path string) (string, error) {
	f, err := openNonBlocking(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// readInput reads a whole input file, refusing files over max bytes and
// anything that is not a regular file (a FIFO would block forever).
func readInput(path string, max int64) ([]byte, error) {
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errNotRegular
	}
	if st.Size() > max {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", errTooBig, st.Size(), max)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: limit %d bytes", errTooBig, max)
	}
	return data, nil
}

var (
	errTooBig     = errors.New("file too large")
	errNotRegular = errors.New("not a regular file")
)

func kindOfReadError(err error) folio.Kind {
	if errors.Is(err, errTooBig) {
		return folio.KindTooLarge
	}
	return folio.KindIO
}

// segmentWithin runs the segmenter and gives up when ctx ends: segmentation
// is pure computation that cannot be interrupted, so a pathological page
// must not hold its document past the deadline. The abandoned goroutine
// finishes on its own; its work is bounded by the parser's page limits.
func segmentWithin(ctx context.Context, s folio.Segmenter, p *folio.Parsed) ([]folio.Element, error) {
	type result struct {
		els []folio.Element
		err error
	}
	done := make(chan result, 1)
	go func() {
		els, err := segmentSafely(s, p)
		done <- result{els, err}
	}()
	select {
	case r := <-done:
		return r.els, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// segmentSafely runs the segmenter, turning a panic into an error so that a
// segmenter bug fails one document, not the batch.
func segmentSafely(s folio.Segmenter, p *folio.Parsed) (els []folio.Element, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("segmenter panic: %v\n%s", r, debug.Stack())
		}
	}()
	return s.Segment(p), nil
}

// applyDecisions applies what reviewers decided on this content, when the
// ledger keeps decisions: a re-run never undoes a person's decision unless
// the source changed.
func (b *Batch) applyDecisions(ctx context.Context, doc *folio.Document) error {
	dl, ok := b.Ledger.(folio.Decided)
	if !ok {
		return nil
	}
	ds, err := dl.Decisions(ctx, doc.Source.SHA256)
	if err != nil || len(ds) == 0 {
		return err
	}
	if n := applyDecisions(doc, ds); n > 0 {
		b.Logger.Debug("applied review decisions", "doc", doc.Source.Rel, "decisions", n)
	}
	return nil
}
