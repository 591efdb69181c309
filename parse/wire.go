package parse

import (
	"errors"
	"time"

	"github.com/folio/folio"
)

// The supervisor and its workers talk gob over the worker's stdin and
// stdout: first the worker's options, answered by a hello, then one
// request at a time, each answered by one response.

// wireOptions are the Options a worker starts its engine with.
type wireOptions struct {
	MemoryLimit    int64
	CacheDir       string
	MaxPages       int
	MaxBytes       int64
	ExtractImages  bool
	MaxImagePixels int64
	NoOCR          bool
	Tesseract      string
	QPDF           string
	OCRLanguage    string
	OCRDPI         float64
	OCRMaxPixels   int64
	OCRWorkers     int
	MaxPageGlyphs  int
	MaxPageObjects int
	LogLevel       int
}

func toWire(o Options, level int) wireOptions {
	return wireOptions{
		MemoryLimit: o.MemoryLimit, CacheDir: o.CacheDir, MaxPages: o.MaxPages, MaxBytes: o.MaxBytes,
		ExtractImages: o.ExtractImages, MaxImagePixels: o.MaxImagePixels, NoOCR: o.NoOCR,
		Tesseract: o.Tesseract, QPDF: o.QPDF, OCRLanguage: o.OCRLanguage, OCRDPI: o.OCRDPI,
		OCRMaxPixels: o.OCRMaxPixels, OCRWorkers: o.OCRWorkers,
		MaxPageGlyphs: o.MaxPageGlyphs, MaxPageObjects: o.MaxPageObjects, LogLevel: level,
	}
}

func (w wireOptions) options() Options {
	return Options{
		Instances: 1, MemoryLimit: w.MemoryLimit, CacheDir: w.CacheDir, MaxPages: w.MaxPages,
		MaxBytes: w.MaxBytes, ExtractImages: w.ExtractImages, MaxImagePixels: w.MaxImagePixels,
		NoOCR: w.NoOCR, Tesseract: w.Tesseract, QPDF: w.QPDF, OCRLanguage: w.OCRLanguage, OCRDPI: w.OCRDPI,
		OCRMaxPixels: w.OCRMaxPixels, OCRWorkers: w.OCRWorkers,
		MaxPageGlyphs: w.MaxPageGlyphs, MaxPageObjects: w.MaxPageObjects, NoInterrupt: true,
	}
}

// Request operations.
const (
	opParse  = "parse"
	opRender = "render"
	opCount  = "count" // the document's page count, in Total
)

type request struct {
	Op       string
	Src      folio.Source
	Data     []byte
	Deadline time.Time // zero: none
	// Parse only: the pages from (0-based) to to, all when To is 0.
	From, To int
	// Render only.
	Regions   []folio.PageBox
	DPI       float64
	MaxPixels int64
}

// response answers a request. A parse's pages come in frames of at most
// pagesPerFrame pages with More set, before the last frame with the rest
// of Parsed: neither side holds the whole document encoded at once.
type response struct {
	Parsed *folio.Parsed
	PNGs   [][]byte
	Err    *wireError
	Pages  []folio.Page
	More   bool
	Total  int // the document's page count (parse, count)
}

const pagesPerFrame = 16

// wireError carries a *folio.Error (or any error, as KindInternal).
type wireError struct {
	Op   string
	Page int
	Kind folio.Kind
	Msg  string
}

func toWireError(err error) *wireError {
	if err == nil {
		return nil
	}
	var fe *folio.Error
	if errors.As(err, &fe) {
		msg := ""
		if fe.Err != nil {
			msg = fe.Err.Error()
		}
		return &wireError{Op: fe.Op, Page: fe.Page, Kind: fe.Kind, Msg: msg}
	}
	return &wireError{Op: "worker", Kind: folio.KindInternal, Msg: err.Error()}
}

// fail is the *folio.Error of op on req's document.
func (r *request) fail(op string, kind folio.Kind, err error) error {
	return &folio.Error{Op: op, Doc: r.Src.Rel, Kind: kind, Err: err}
}

func (w *wireError) err(doc string) error {
	return &folio.Error{Op: w.Op, Doc: doc, Page: w.Page, Kind: w.Kind, Err: errors.New(w.Msg)}
}
