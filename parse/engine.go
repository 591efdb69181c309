// Package parse turns PDF bytes into Folio's page model: words with boxes
// and font styles, vector rulings and rectangles, image placements and
// metadata. It runs PDFium compiled to WebAssembly (go-pdfium's webassembly
// mode on wazero, no cgo), one document per instance with a deadline and a
// memory cap, and pdfcpu for validation, font inventory and metadata.
//
// Pages without a usable text layer (scans: no visible text, garbage text,
// or a stamp over a page-sized picture) are marked Scanned, drawn at 300
// dpi and read by the tesseract program (internal/tesseract) beside the
// parsing: their words get boxes, sizes, bold and italic from the pixels
// and OCR confidences, and their ruled lines become rulings, so that the
// segmenter finds headings, paragraphs and tables on scans too. PNG, JPEG
// and TIFF inputs are one-page documents read the same way.
package parse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/folio/folio"
	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// memoryShare is each of n instances' share of DefaultMemoryBudget, within
// minMemoryLimit and DefaultMemoryLimit.
func memoryShare(n int) int64 {
	return min(DefaultMemoryLimit, max(minMemoryLimit, DefaultMemoryBudget/int64(n)))
}

// recycleBytes: an instance whose memory grew past this is replaced after
// its document, so that the memory of a big document is not kept for the
// small ones after it (a new instance costs a few milliseconds).
const recycleBytes = 96 << 20

// wasmPageSize is the size of one WebAssembly memory page.
const wasmPageSize = 65536

// Options configures an Engine. Zero fields take the Default* values.
type Options struct {
	// Instances is the number of PDFium WebAssembly instances, which is the
	// number of documents parsed in parallel; default runtime.NumCPU().
	Instances int
	// MemoryLimit is the WebAssembly memory cap of one instance in bytes;
	// default 512 MiB. A document that needs more fails with KindMemory.
	// PDFium starts with 19 MiB; New fails below that.
	MemoryLimit int64
	// CacheDir holds wazero's compilation cache, which saves the one-off
	// compile of PDFium (seconds) on later runs; default
	// <os.UserCacheDir()>/folio/wazero.
	CacheDir string
	// MaxPages and MaxBytes bound a document; more fails with KindTooLarge.
	MaxPages int
	MaxBytes int64
	// ExtractImages fills ImagePlacement.PNG for images of at least 32×32
	// pixels drawn at least 24×24 points large.
	ExtractImages bool
	// MaxImagePixels bounds the images that are decoded; bigger ones are
	// placed but not decoded. Default 40e6.
	MaxImagePixels int64
	// Logger receives diagnostics; default slog.Default().
	Logger *slog.Logger `json:"-"`

	// NoOCR turns OCR off. By default pages without a usable text layer
	// (see Page.Scanned) and image inputs are read with the tesseract
	// program when it is installed; without it they get no words and the
	// document a warning.
	NoOCR bool
	// Tesseract is the tesseract program to run; default "tesseract",
	// searched in PATH.
	Tesseract string
	// OCRLanguage is the tesseract language, such as "eng" or "eng+deu";
	// default "eng".
	OCRLanguage string
	// OCRDPI is the resolution pages are rendered at for OCR; default 300,
	// lowered so that a page has at most OCRMaxPixels pixels (default
	// 12e6: A3 at 240 dpi).
	OCRDPI       float64
	OCRMaxPixels int64
	// OCRWorkers bounds the tesseract processes the engine runs at once,
	// across all documents; default runtime.NumCPU().
	OCRWorkers int

	// QPDF is the qpdf program that rebuilds a file PDFium cannot open as
	// written (no header, a broken cross-reference table) before it fails
	// as malformed; default "qpdf", searched in PATH; "-" turns repair off.
	// Without it such files fail.
	QPDF string

	// MaxPageGlyphs and MaxPageObjects bound the characters and the page
	// objects (text runs, paths, images, forms) of one page; a page with
	// more fails the document with KindTooLarge. Defaults 200000 and
	// 500000.
	MaxPageGlyphs  int
	MaxPageObjects int

	// NoInterrupt runs PDFium without wazero's context checks, which make
	// it 3.5–8× slower. A deadline can then not stop a parse in-process:
	// set it only where the process itself is killed at the deadline (a
	// worker under a Supervisor).
	NoInterrupt bool
}

// Engine parses PDF documents with a pool of PDFium WebAssembly instances.
// It is safe for concurrent use; Parse blocks while all instances are busy.
type Engine struct {
	opts  Options
	log   *slog.Logger
	cache wazero.CompilationCache
	pool  pdfium.Pool

	closeOnce sync.Once
	closeErr  error

	ocr    ocrEngine
	repair repairer
}

var _ folio.Parser = (*Engine)(nil)

// New compiles (or loads from the cache) PDFium and starts the instance
// pool. The first New on a machine compiles the module, which takes several
// seconds; later ones load it from CacheDir.
func New(ctx context.Context, opts Options) (*Engine, error) {
	if opts.Instances <= 0 {
		opts.Instances = runtime.NumCPU()
	}
	if opts.MemoryLimit <= 0 {
		opts.MemoryLimit = memoryShare(opts.Instances)
	}
	if opts.MaxPages <= 0 {
		opts.MaxPages = DefaultMaxPages
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = folio.DefaultMaxBytes
	}
	if opts.MaxImagePixels <= 0 {
		opts.MaxImagePixels = DefaultMaxImagePixels
	}
	if opts.MaxPageGlyphs <= 0 {
		opts.MaxPageGlyphs = DefaultMaxPageGlyphs
	}
	if opts.MaxPageObjects <= 0 {
		opts.MaxPageObjects = DefaultMaxPageObjects
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.OCRDPI <= 0 || math.IsNaN(opts.OCRDPI) || math.IsInf(opts.OCRDPI, 0) {
		opts.OCRDPI = DefaultOCRDPI
	}
	if opts.OCRMaxPixels <= 0 {
		opts.OCRMaxPixels = DefaultOCRMaxPixels
	}
	if opts.OCRWorkers <= 0 {
		opts.OCRWorkers = runtime.NumCPU()
	}
	if opts.CacheDir == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return nil, folio.Errorf(folio.KindConfig, "parse", "no cache dir for the wasm compilation cache (set CacheDir): %w", err)
		}
		opts.CacheDir = filepath.Join(dir, "folio", "wazero")
	}
	pages := opts.MemoryLimit / wasmPageSize
	if pages > wasmPageSize {
		pages = wasmPageSize
	}
	e := &Engine{opts: opts, log: opts.Logger}
	e.ocr.init(&e.opts, e.log)
	e.repair.init(&e.opts, e.log)

	start := time.Now()
	cache, err := wazero.NewCompilationCacheWithDir(opts.CacheDir)
	if err != nil {
		return nil, folio.Errorf(folio.KindConfig, "parse", "open wasm compilation cache %s: %w", opts.CacheDir, err)
	}
	e.cache = cache
	rc := wazero.NewRuntimeConfig().
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		WithCompilationCache(cache).
		WithMemoryLimitPages(uint32(pages)).
		WithCloseOnContextDone(!opts.NoInterrupt)
	pool, err := webassembly.Init(webassembly.Config{
		// The pool outlives ctx's cancellation; instances are killed one by
		// one when a document's context ends.
		Context:  experimental.WithMemoryAllocator(context.WithoutCancel(ctx), newMemoryAllocator(uint64(pages)*65536)),
		MinIdle:  1,
		MaxIdle:  opts.Instances,
		MaxTotal: opts.Instances,
		// A non-nil empty FSConfig: the host file system is never mounted.
		FSConfig:      wazero.NewFSConfig(),
		RuntimeConfig: rc,
		Stdout:        io.Discard,
		Stderr:        &logWriter{log: e.log},
		ReuseWorkers:  true,
	})
	if err != nil {
		cache.Close(ctx)
		return nil, folio.Errorf(folio.KindConfig, "parse", "start pdfium: %w", err)
	}
	e.pool = pool
	if err := e.check(ctx); err != nil {
		e.Close()
		return nil, err
	}
	e.log.Debug("pdfium ready", "took", time.Since(start), "instances", opts.Instances,
		"memory_limit", opts.MemoryLimit, "cache", opts.CacheDir)
	return e, nil
}

// check binds one instance to make sure the PDFium exports are reachable.
func (e *Engine) check(ctx context.Context) error {
	inst, err := e.pool.GetInstanceWithContext(ctx)
	if err != nil {
		return folio.Errorf(folio.KindConfig, "parse", "get pdfium instance: %w", err)
	}
	l, err := bind(ctx, inst)
	if err != nil {
		inst.Kill()
		return folio.Errorf(folio.KindInternal, "parse", "%w", err)
	}
	l.release()
	if l.err != nil {
		inst.Kill()
		return folio.Errorf(folio.KindInternal, "parse", "%w", l.err)
	}
	return inst.Close()
}

// Close stops the instance pool and releases the compilation cache.
func (e *Engine) Close() error {
	e.closeOnce.Do(func() {
		if e.pool != nil {
			e.closeErr = e.pool.Close()
		}
		if e.cache != nil {
			if err := e.cache.Close(context.Background()); err != nil && e.closeErr == nil {
				e.closeErr = err
			}
		}
	})
	return e.closeErr
}

// Parse parses one PDF. ctx carries the document's deadline: when it ends,
// the PDFium instance is interrupted and discarded and Parse fails with
// KindTimeout (or KindCanceled). Failures are *folio.Error values.
func (e *Engine) Parse(ctx context.Context, src folio.Source, data []byte) (*folio.Parsed, error) {
	p, _, err := e.parsePages(ctx, src, data, 0, 0, nil)
	return p, err
}

// parsePages parses pages from (0-based) to to of a document, all when to
// is 0, and returns how many pages the document has. The metadata, fonts
// and pdfcpu's checks come with the first page only. With emit set, the
// pages OCR does not change go to emit as they are done, in order, and the
// Parsed holds only the others.
func (e *Engine) parsePages(ctx context.Context, src folio.Source, data []byte, from, to int, emit func(folio.Page)) (*folio.Parsed, int, error) {
	if f := inputFormat(src, data); f != "pdf" {
		p, err := e.parseImage(ctx, src, data, f)
		if err != nil {
			return nil, 0, err
		}
		return p, len(p.Pages), nil
	}
	start := time.Now()
	var parsed *folio.Parsed
	total := 0
	ocr := e.ocr.start()
	var cpu *cpuResult
	startCPU := func() *cpuResult {
		if cpu == nil {
			cpu = startPDFCPU(ctx, data)
		}
		return cpu
	}
	err := e.withDocument(ctx, "parse", src, data, func(l *lib, doc uint32, pages int) *docError {
		d := &docParser{l: l, opts: &e.opts, log: e.log, doc: doc, ocr: ocr, emit: emit, cpu: startCPU}
		if l.repaired != nil {
			data = l.repaired // for pdfcpu too
			d.warn(repairWarning)
		}
		total = pages
		parsed = d.parse(ctx, pages, from, to)
		return d.fail
	})
	// Scanned pages are read beside the parsing and may still be running.
	ocr.wait()
	if err != nil {
		return nil, 0, err
	}
	if err := ocr.merge(ctx, parsed); err != nil {
		return nil, 0, &folio.Error{Op: "ocr", Doc: src.Rel, Kind: ctxKind(err), Err: err}
	}
	if from == 0 {
		// pdfcpu is cheap (60 ms for 619 pages against PDFium's
		// seconds); it runs once PDFium has accepted the file, unless
		// optional content on a page needed it earlier.
		startCPU().merge(ctx, parsed)
	}
	e.log.Debug("parsed", "doc", src.Rel, "pages", len(parsed.Pages), "of", total, "took", time.Since(start))
	return parsed, total, nil
}

// count returns a document's page count (at most MaxPages).
func (e *Engine) count(ctx context.Context, src folio.Source, data []byte) (int, error) {
	if inputFormat(src, data) != "pdf" {
		return 1, nil
	}
	n := 0
	err := e.withDocument(ctx, "parse", src, data, func(_ *lib, _ uint32, pages int) *docError {
		n = pages
		return nil
	})
	return n, err
}

// docFunc works on a document opened in a bound instance: doc is its
// handle and pages its page count (0 to MaxPages). It returns a failure of
// the whole document; failed guest calls it may leave in l.err, which
// withDocument turns into KindCrash or KindMemory.
type docFunc func(l *lib, doc uint32, pages int) *docError

// withDocument opens data on an instance of the pool and calls fn with it,
// under ctx's deadline: when ctx ends, the call stops (wazero's interrupt
// checks; without them, NoInterrupt, it runs to its end), the instance is
// killed and withDocument fails with KindTimeout (or KindCanceled). Panics become
// KindCrash; PDFium's load errors, exhausted wasm memory and the size limits
// become their kinds. Failures are *folio.Error values with the given op.
// The instance goes back to the pool unless it may be unusable or grew big.
func (e *Engine) withDocument(ctx context.Context, op string, src folio.Source, data []byte, fn docFunc) error {
	fail := func(kind folio.Kind, err error) error {
		return &folio.Error{Op: op, Doc: src.Rel, Kind: kind, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return fail(ctxKind(err), err)
	}
	if int64(len(data)) > e.opts.MaxBytes {
		return fail(folio.KindTooLarge, fmt.Errorf("%d bytes, limit %d", len(data), e.opts.MaxBytes))
	}
	start := time.Now()
	inst, err := e.pool.GetInstanceWithContext(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return fail(ctxKind(ctx.Err()), ctx.Err())
		}
		return fail(folio.KindInternal, fmt.Errorf("get pdfium instance: %w", err))
	}
	// With interrupt checks, wazero stops the call under way when ctx ends
	// (WithCloseOnContextDone marks the module closed without freeing it);
	// the instance is killed here, once the call has returned. Killing it
	// from another goroutine while the call runs would free its memory
	// under it.
	memBytes, perr := e.run(ctx, inst, data, fn)

	switch {
	case ctx.Err() != nil:
		inst.Kill()
		err := ctx.Err()
		if err == nil {
			err = context.DeadlineExceeded
		}
		e.log.Debug("pdfium instance killed", "op", op, "doc", src.Rel, "after", time.Since(start), "err", perr)
		return fail(ctxKind(err), fmt.Errorf("after %v: %w", time.Since(start).Round(time.Millisecond), err))
	case perr != nil && perr.fatal:
		// A trap or exhausted memory leaves the instance in an unknown state.
		inst.Kill()
	case memBytes > min(e.opts.MemoryLimit/2, recycleBytes):
		// WebAssembly memory never shrinks; start afresh after a big
		// document, which gives the memory back.
		e.log.Debug("pdfium instance recycled", "doc", src.Rel, "wasm_mib", memBytes>>20)
		inst.Kill()
	default:
		if err := inst.Close(); err != nil {
			e.log.Warn("close pdfium instance", "err", err)
		}
	}
	if perr != nil {
		return fail(perr.kind, perr.err)
	}
	return nil
}

// run opens data on inst and calls fn, turning panics into KindCrash. It
// also returns the size the instance's memory grew to.
func (e *Engine) run(ctx context.Context, inst pdfium.Pdfium, data []byte, fn docFunc) (memBytes int64, perr *docError) {
	defer func() {
		if r := recover(); r != nil {
			e.log.Error("panic in pdfium document", "panic", r)
			perr = &docError{kind: folio.KindCrash, err: fmt.Errorf("panic: %v", r), fatal: true}
		}
	}()
	l, err := bind(ctx, inst)
	if err != nil {
		return 0, &docError{kind: folio.KindInternal, err: err, fatal: true}
	}
	perr = l.document(data, e.opts.MaxPages, fn)
	if repairable(perr) && l.err == nil && ctx.Err() == nil {
		if fixed := e.repair.repair(ctx, data, e.opts.MaxBytes); fixed != nil {
			l.repaired = fixed
			if p := l.document(fixed, e.opts.MaxPages, fn); !repairable(p) {
				perr = p
			}
		}
	}
	l.release()
	memBytes = int64(l.mem.Size())
	if perr != nil && perr.kind == folio.KindCrash && memBytes >= e.opts.MemoryLimit*3/4 {
		// PDFium aborts (a wasm trap) when an allocation fails; a trap
		// with the memory near its cap is the cap.
		perr.kind = folio.KindMemory
		perr.err = fmt.Errorf("wasm memory limit of %d MiB reached: %w", e.opts.MemoryLimit>>20, perr.err)
	}
	return memBytes, perr
}

// ctxKind maps a context error to a failure kind.
func ctxKind(err error) folio.Kind {
	if errors.Is(err, context.Canceled) {
		return folio.KindCanceled
	}
	return folio.KindTimeout
}

// logWriter forwards the wasm module's stderr to the logger.
type logWriter struct{ log *slog.Logger }

func (w *logWriter) Write(b []byte) (int, error) {
	w.log.Debug("pdfium stderr", "text", string(b))
	return len(b), nil
}
