package parse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/folio/folio"
)

// SupervisorOptions configures a Supervisor.
type SupervisorOptions struct {
	// Options are the engine options; Instances is the number of worker
	// processes (default runtime.NumCPU()), each running one PDFium
	// instance with MemoryLimit.
	Options
	// Command and Args start a worker: a program that calls ServeWorker.
	// Command defaults to this executable.
	Command string
	Args    []string
	// Env is added to the worker's environment, which otherwise holds only
	// what running it needs (PATH, HOME, locale, temporary and cache
	// folders, tesseract and Go runtime settings): never the credentials
	// the parent may hold.
	Env []string
	// MaxRSS caps a worker's resident memory once it has started: one
	// that grows past it is killed and its document fails with
	// KindMemory. Default MemoryLimit plus 256 MiB (plus raceHeadroom in
	// race builds).
	MaxRSS int64
	// StartTimeout bounds a worker's start-up (its first compile of PDFium
	// takes seconds on a cold cache); default 2 minutes.
	StartTimeout time.Duration

	// onPages, for tests, is called with a worker's pid as each frame of
	// pages arrives from it: the event "the worker is inside a document".
	onPages func(pid int)
}

// Supervisor parses documents in worker processes, one document at a
// time each. A worker whose document runs past its deadline, grows past
// MaxRSS or dies is killed with all its children and replaced, so no
// input can hang or exhaust the parent; workers die with the parent. It
// is a folio.Parser and folio.Renderer and is safe for concurrent use.
type Supervisor struct {
	opts     SupervisorOptions
	log      *slog.Logger
	startMsg workerStart // every worker's first message
	env      []string
	idle     chan *worker // nil entries: a slot without a running worker

	mu      sync.Mutex
	workers map[*worker]struct{} // running, idle or busy
}

var (
	_ folio.Parser   = (*Supervisor)(nil)
	_ folio.Renderer = (*Supervisor)(nil)
)

// NewSupervisor starts one worker, so that a broken set-up (no PDFium,
// unwritable cache) fails here; the others start when first needed.
func NewSupervisor(ctx context.Context, opts SupervisorOptions) (*Supervisor, error) {
	o := &opts.Options
	if o.Instances <= 0 {
		o.Instances = runtime.NumCPU()
	}
	if o.MemoryLimit <= 0 {
		o.MemoryLimit = memoryShare(o.Instances)
	}
	if o.OCRWorkers <= 0 {
		// The tesseract processes of all workers together use the cores.
		o.OCRWorkers = max(1, (runtime.NumCPU()+o.Instances-1)/o.Instances)
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = folio.DefaultMaxBytes
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if opts.MaxRSS <= 0 {
		opts.MaxRSS = o.MemoryLimit + 256<<20 + raceHeadroom
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 2 * time.Minute
	}
	if opts.Command == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, folio.Errorf(folio.KindConfig, "parse", "find this executable to run parse workers: %w", err)
		}
		opts.Command = exe
	}
	s := &Supervisor{
		opts:    opts,
		log:     o.Logger,
		env:     append(workerEnv(os.Environ()), opts.Env...),
		idle:    make(chan *worker, o.Instances),
		workers: map[*worker]struct{}{},
	}
	var err error
	if s.startMsg, err = newWorkerStart(opts.Options, int(lowestLevel(ctx, o.Logger))); err != nil {
		return nil, folio.Errorf(folio.KindConfig, "parse", "encode the parse workers' options: %w", err)
	}
	w, err := s.start(ctx)
	if err != nil {
		return nil, err
	}
	s.idle <- w
	for range o.Instances - 1 {
		s.idle <- nil
	}
	return s, nil
}

// Parse parses one document under ctx's deadline: in one worker, or, for
// a long PDF when there is more than one worker, in chunks of its pages
// that any worker takes as it comes free.
func (s *Supervisor) Parse(ctx context.Context, src folio.Source, data []byte) (*folio.Parsed, error) {
	req := &request{Op: opParse, Src: src, Data: data}
	if err := s.check(ctx, opParse, req); err != nil {
		return nil, err
	}
	w, err := s.acquire(ctx, opParse, req)
	if err != nil {
		return nil, err
	}
	var r *response
	if cap(s.idle) > 1 && len(data) >= splitMinBytes && inputFormat(src, data) == "pdf" {
		r, err = s.chunks(ctx, w, req)
	} else {
		r, err = s.run(ctx, w, opParse, req, false)
	}
	if err != nil {
		return nil, err
	}
	if r.Parsed == nil {
		return nil, &folio.Error{Op: "parse", Doc: src.Rel, Kind: folio.KindInternal, Err: errors.New("worker returned no pages")}
	}
	// gob sends empty slices as nil; the engine's are empty, not nil.
	if r.Parsed.Pages == nil {
		r.Parsed.Pages = []folio.Page{}
	}
	for i := range r.Parsed.Pages {
		if r.Parsed.Pages[i].Words == nil {
			r.Parsed.Pages[i].Words = []folio.Word{}
		}
	}
	return r.Parsed, nil
}

// A PDF of at least splitMinBytes and 2×minChunk pages is parsed in
// chunks; smaller ones are not worth a second load of the document.
const (
	splitMinBytes = 512 << 10
	minChunk      = 48
)

// chunks parses req's document in contiguous chunks of its pages and joins
// them. w, which the caller holds, counts the pages and takes the first
// chunk; every other chunk waits for a worker like any document, in the
// order asked, so a long document first in line keeps all workers busy
// instead of holding one while the others finish the short ones, and does
// not hold back documents already waiting. About two chunks per worker
// even out chunks that parse at different speeds. The first chunk brings
// the metadata and fonts; a failure of any chunk fails the document.
func (s *Supervisor) chunks(ctx context.Context, w *worker, req *request) (*response, error) {
	cr, err := s.run(ctx, w, opCount, &request{Op: opCount, Src: req.Src, Data: req.Data}, true)
	if err != nil {
		return nil, err
	}
	n := cr.Total
	k := min(2*cap(s.idle), n/minChunk)
	if k < 2 {
		return s.run(ctx, w, opParse, req, false)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rs := make([]*response, k)
	errs := make([]error, k)
	var wg sync.WaitGroup
	for i := range k {
		part := *req
		part.From, part.To = i*n/k, (i+1)*n/k
		wg.Go(func() {
			x := w
			if i > 0 {
				if x, errs[i] = s.acquire(ctx, opParse, &part); errs[i] != nil {
					cancel()
					return
				}
			}
			if rs[i], errs[i] = s.run(ctx, x, opParse, &part, false); errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	// The first failure is the document's; the others may only be the
	// cancellation it caused.
	var first error
	for _, err := range errs {
		if err != nil && (first == nil || folio.ErrorKind(first) == folio.KindCanceled) {
			first = err
		}
	}
	if first != nil {
		return nil, first
	}
	joined := rs[0]
	if joined.Parsed == nil {
		return joined, nil // Parse reports it
	}
	for _, r := range rs[1:] {
		if r.Parsed == nil {
			continue
		}
		joined.Parsed.Pages = append(joined.Parsed.Pages, r.Parsed.Pages...)
		joined.Parsed.Warnings = append(joined.Parsed.Warnings, r.Parsed.Warnings...)
	}
	s.log.Debug("parsed in chunks", "doc", req.Src.Rel, "pages", n, "chunks", k)
	return joined, nil
}

// Render draws regions of a document in a worker; see Engine.Render.
func (s *Supervisor) Render(ctx context.Context, src folio.Source, data []byte, drawings []folio.Drawing) ([][]byte, error) {
	if len(drawings) == 0 {
		return nil, nil
	}
	r, err := s.do(ctx, opRender, &request{Op: opRender, Src: src, Data: data, Drawings: drawings})
	if err != nil {
		return nil, err
	}
	if len(r.PNGs) != len(drawings) {
		return nil, &folio.Error{Op: "render", Doc: src.Rel, Kind: folio.KindInternal,
			Err: fmt.Errorf("worker returned %d images for %d drawings", len(r.PNGs), len(drawings))}
	}
	return r.PNGs, nil
}

// Close stops the workers: each sees its input end and exits, or is
// killed after a grace period. Workers still busy are killed.
func (s *Supervisor) Close() error {
	s.mu.Lock()
	ws := make([]*worker, 0, len(s.workers))
	for w := range s.workers {
		ws = append(ws, w)
	}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Go(func() { w.stop(2 * time.Second) })
	}
	wg.Wait()
	return nil
}

// pids returns the process ids of the running workers.
func (s *Supervisor) pids() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for w := range s.workers {
		if !w.exited() {
			out = append(out, w.cmd.Process.Pid)
		}
	}
	return out
}

// do sends req to an idle worker, starting one if needed, and waits for
// its response, ctx's end, or the worker's death.
func (s *Supervisor) do(ctx context.Context, op string, req *request) (*response, error) {
	if err := s.check(ctx, op, req); err != nil {
		return nil, err
	}
	w, err := s.acquire(ctx, op, req)
	if err != nil {
		return nil, err
	}
	return s.run(ctx, w, op, req, false)
}

// check refuses a request whose context has ended or whose document is
// over the size limit, before any worker is bothered.
func (s *Supervisor) check(ctx context.Context, op string, req *request) error {
	if err := ctx.Err(); err != nil {
		return req.fail(op, ctxKind(err), err)
	}
	if int64(len(req.Data)) > s.opts.MaxBytes {
		return req.fail(op, folio.KindTooLarge, fmt.Errorf("%d bytes, limit %d", len(req.Data), s.opts.MaxBytes))
	}
	return nil
}

// acquire waits for a worker slot and makes sure it has a running worker.
func (s *Supervisor) acquire(ctx context.Context, op string, req *request) (*worker, error) {
	select {
	case w := <-s.idle:
		return s.ready(ctx, op, req, w)
	case <-ctx.Done():
		return nil, req.fail(op, ctxKind(ctx.Err()), ctx.Err())
	}
}

// ready starts a worker for a slot that has none (or a dead one); on
// failure the slot is given back.
func (s *Supervisor) ready(ctx context.Context, op string, req *request, w *worker) (*worker, error) {
	if w != nil && !w.exited() {
		return w, nil
	}
	w, err := s.start(ctx)
	if err != nil {
		s.idle <- nil
		if ctx.Err() != nil {
			return nil, req.fail(op, ctxKind(ctx.Err()), ctx.Err())
		}
		return nil, err
	}
	return w, nil
}

// run sends req to w, which it holds, waits for the response, ctx's end
// or w's death, and gives the slot back, unless keep is set and the
// request succeeded: then the caller still holds w.
func (s *Supervisor) run(ctx context.Context, w *worker, op string, req *request, keep bool) (*response, error) {
	fail := func(kind folio.Kind, err error) error { return req.fail(op, kind, err) }
	if d, ok := ctx.Deadline(); ok {
		req.Deadline = d
	}
	start := time.Now()
	r, err := w.roundTrip(ctx, req)
	if err != nil {
		// The worker is dead or was killed: its slot gets a new one later.
		s.idle <- nil
		if ctx.Err() != nil {
			return nil, fail(ctxKind(ctx.Err()), fmt.Errorf("after %v: %w", time.Since(start).Round(time.Millisecond), ctx.Err()))
		}
		if w.overMemory() {
			return nil, fail(folio.KindMemory, fmt.Errorf("worker grew past %d MiB resident", s.opts.MaxRSS>>20))
		}
		return nil, fail(folio.KindCrash, err)
	}
	if r.Err != nil {
		if retire(r.Err.Kind) {
			// A document that ended this way may leave the engine in a
			// state nobody should trust.
			w.kill()
			s.idle <- nil
		} else {
			s.idle <- w
		}
		return nil, r.Err.err(req.Src.Rel)
	}
	if !keep {
		s.idle <- w
	}
	return r, nil
}

func retire(k folio.Kind) bool {
	switch k {
	case folio.KindTimeout, folio.KindCanceled, folio.KindCrash, folio.KindMemory, folio.KindInternal:
		return true
	}
	return false
}

// start runs a worker and waits for its hello.
func (s *Supervisor) start(ctx context.Context) (*worker, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.StartTimeout)
	defer cancel()
	w, err := spawn(s.opts.Command, s.opts.Args, s.env, s.log, s.opts.MaxRSS)
	if err != nil {
		return nil, folio.Errorf(folio.KindConfig, "parse", "start parse worker %s: %w", s.opts.Command, err)
	}
	w.onPages = s.opts.onPages
	s.mu.Lock()
	s.workers[w] = struct{}{}
	s.mu.Unlock()
	go func() {
		<-w.done
		s.mu.Lock()
		delete(s.workers, w)
		s.mu.Unlock()
	}()
	hello, err := w.roundTrip(ctx, &s.startMsg)
	if err == nil && hello.Err != nil {
		err = errors.New(hello.Err.Msg)
	}
	if err != nil {
		w.kill()
		if tail := w.lastLines(); tail != "" {
			err = fmt.Errorf("%w (worker said: %s)", err, tail)
		}
		return nil, folio.Errorf(folio.KindConfig, "parse", "start parse worker: %w", err)
	}
	// The cap is for documents. Start-up reads none: it compiles or loads
	// the embedded PDFium, trusted work whose memory depends on the build
	// and the cache (a compile takes hundreds of MiB, more than a small
	// cap on a machine with many cores), bounded by StartTimeout. The
	// worker gives that memory back before its hello.
	go w.watchMemory()
	return w, nil
}

// roundTrip writes msg and reads one response, killing the worker when
// ctx ends first.
func (w *worker) roundTrip(ctx context.Context, msg any) (*response, error) {
	type result struct {
		r   *response
		err error
	}
	ch := make(chan result, 1)
	go func() {
		err := w.enc.Encode(msg)
		if err == nil {
			err = w.out.Flush()
		}
		var pages []folio.Page
		fonts := fontNames{}
		for err == nil {
			var r response
			if err = w.dec.Decode(&r); err != nil {
				break
			}
			if r.More {
				if w.onPages != nil {
					w.onPages(w.cmd.Process.Pid)
				}
				fonts.share(r.Pages)
				pages = append(pages, r.Pages...)
				continue
			}
			if r.Parsed != nil {
				fonts.share(r.Parsed.Pages)
				// Pages OCR read come after the others.
				r.Parsed.Pages = append(pages, r.Parsed.Pages...)
				slices.SortStableFunc(r.Parsed.Pages, func(a, b folio.Page) int { return a.Number - b.Number })
			}
			ch <- result{&r, nil}
			return
		}
		ch <- result{nil, err}
	}()
	select {
	case res := <-ch:
		if res.err != nil {
			w.kill()
			return nil, w.deathError(res.err)
		}
		return res.r, nil
	case <-ctx.Done():
		w.kill()
		<-ch
		return nil, ctx.Err()
	}
}

// fontNames holds one copy of each font name of a document's words.
type fontNames map[string]string

// share points the words' font names at one copy each: gob gives every
// word its own, a tenth of a long document's memory in the parent.
func (fs fontNames) share(pages []folio.Page) {
	for i := range pages {
		ws := pages[i].Words
		for j := range ws {
			if s, ok := fs[ws[j].Font]; ok {
				ws[j].Font = s
			} else if len(fs) < maxFonts {
				fs[ws[j].Font] = ws[j].Font
			}
		}
	}
}

// deathError describes why a worker stopped answering.
func (w *worker) deathError(err error) error {
	<-w.done
	msg := "parse worker died"
	if w.state != nil {
		msg += " (" + w.state.String() + ")"
	}
	if tail := w.lastLines(); tail != "" {
		msg += ": " + tail
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// lowestLevel is the lowest log level log has enabled, which workers
// use for theirs.
func lowestLevel(ctx context.Context, log *slog.Logger) slog.Level {
	for _, l := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn} {
		if log.Enabled(ctx, l) {
			return l
		}
	}
	return slog.LevelError
}

// workerEnv keeps of env what a worker needs to run.
func workerEnv(env []string) []string {
	keep := []string{"PATH=", "HOME=", "TMPDIR=", "LANG=", "LC_ALL=", "LC_CTYPE=", "XDG_CACHE_HOME=",
		"TESSDATA_PREFIX=", "OMP_THREAD_LIMIT=", "GOGC=", "GOMEMLIMIT=", "GOMAXPROCS=", "GODEBUG=",
		"GORACE=", "GOTRACEBACK=", "GOCOVERDIR=", "FOLIO_WORKER_CPUPROFILE="}
	var out []string
	for _, kv := range env {
		for _, k := range keep {
			if strings.HasPrefix(kv, k) {
				out = append(out, kv)
				break
			}
		}
	}
	return out
}
