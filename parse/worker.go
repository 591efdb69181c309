package parse

import (
	"bufio"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"

	"github.com/folio/folio"
)

// ServeWorker is the body of a worker process started by a Supervisor: it
// reads its options and then requests from in, and writes a response to
// out for each, until in ends. Its diagnostics go to logs as JSON lines,
// which the supervisor forwards to its own logger. The process should
// ignore SIGINT and SIGTERM: its supervisor decides when it stops.
func ServeWorker(ctx context.Context, in io.Reader, out io.Writer, logs io.Writer) error {
	dec := gob.NewDecoder(bufio.NewReader(in))
	bw := bufio.NewWriter(out)
	enc := gob.NewEncoder(bw)
	send := func(r *response) error {
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("parse worker: send: %w", err)
		}
		return bw.Flush()
	}

	var start workerStart
	if err := dec.Decode(&start); err != nil {
		return fmt.Errorf("parse worker: read options: %w", err)
	}
	opts, err := start.options()
	if err != nil {
		return fmt.Errorf("parse worker: decode options: %w", err)
	}
	opts.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.Level(start.LogLevel)}))
	e, err := New(ctx, opts)
	if err != nil {
		// The hello carries the failure; the supervisor reports it.
		_ = send(&response{Err: toWireError(err)})
		return err
	}
	defer e.Close()
	// Compiling PDFium on a cold cache leaves hundreds of MiB of garbage;
	// give it back now, or it would count against the first documents'
	// share of the supervisor's memory cap.
	debug.FreeOSMemory()
	if err := send(&response{}); err != nil {
		return err
	}
	for {
		var req request
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("parse worker: read request: %w", err)
		}
		// Pages go out as they are done, so that neither side holds a
		// long document twice; a failed send ends the worker below.
		var sendErr error
		emit := func(pg folio.Page) {
			if sendErr == nil {
				sendErr = send(&response{Pages: []folio.Page{pg}, More: true})
			}
		}
		r := serve(ctx, e, &req, emit)
		if sendErr != nil {
			return sendErr
		}
		if p := r.Parsed; p != nil {
			// Frames of pages, each dropped once sent.
			for len(p.Pages) > 0 {
				n := min(pagesPerFrame, len(p.Pages))
				if err := send(&response{Pages: p.Pages[:n], More: true}); err != nil {
					return err
				}
				clear(p.Pages[:n])
				p.Pages = p.Pages[n:]
			}
			p.Pages = nil
		}
		if err := send(r); err != nil {
			return err
		}
	}
}

// serve answers one request; a parse sends its pages through emit as
// they are done.
func serve(ctx context.Context, e *Engine, req *request, emit func(folio.Page)) *response {
	if !req.Deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, req.Deadline)
		defer cancel()
	}
	switch req.Op {
	case opParse:
		p, total, err := e.parsePages(ctx, req.Src, req.Data, req.From, req.To, emit)
		return &response{Parsed: p, Total: total, Err: toWireError(err)}
	case opCount:
		n, err := e.count(ctx, req.Src, req.Data)
		return &response{Total: n, Err: toWireError(err)}
	case opRender:
		pngs, err := e.Render(ctx, req.Src, req.Data, req.Drawings)
		return &response{PNGs: pngs, Err: toWireError(err)}
	}
	return &response{Err: toWireError(fmt.Errorf("unknown operation %q", req.Op))}
}
