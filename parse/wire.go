package parse

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/folio/folio"
)

// The supervisor and its workers talk gob over the worker's stdin and
// stdout: first the worker's options, answered by a hello, then one
// request at a time, each answered by one response.

// workerStart is a worker's first message: the supervisor's Options as
// JSON, so that every field travels without a copy of the struct to keep
// in step (the Logger stays behind: the worker logs to its stderr at
// LogLevel; it runs one instance, without interrupt checks, as the
// supervisor kills it at a deadline).
type workerStart struct {
	Options  []byte
	LogLevel int
}

func newWorkerStart(o Options, level int) (workerStart, error) {
	b, err := json.Marshal(o)
	return workerStart{Options: b, LogLevel: level}, err
}

func (w workerStart) options() (Options, error) {
	var o Options
	if err := json.Unmarshal(w.Options, &o); err != nil {
		return o, err
	}
	o.Instances, o.NoInterrupt = 1, true
	return o, nil
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
	Drawings []folio.Drawing
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
