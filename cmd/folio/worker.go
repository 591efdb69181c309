package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"syscall"

	"github.com/folio/folio/parse"
)

// parseWorkerArg, as the only argument, makes folio a parse worker of a
// parent folio (parse.Supervisor) instead of a command-line tool.
const parseWorkerArg = "__parse-worker"

// Soft limits of the Go heap (GOMEMLIMIT, when not set): a worker's and
// the parent's during folio parse. Past them the garbage collector works
// harder, so that a long run's memory stays flat.
const (
	workerHeapLimit = 64 << 20
	parentHeapLimit = 160 << 20
)

// serveParseWorker runs the worker until its parent closes its input. It
// ignores the signals a terminal or a service manager sends to the whole
// group: the parent finishes or kills its workers itself.
func serveParseWorker() int {
	signal.Ignore(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	if os.Getenv("GOMEMLIMIT") == "" {
		// The Go heap of a worker holds one document's pages at a time
		// (PDFium's memory is apart from it): collect early rather than
		// let it double.
		debug.SetMemoryLimit(workerHeapLimit)
	}
	if prefix := os.Getenv("FOLIO_WORKER_CPUPROFILE"); prefix != "" {
		// For BENCHMARKS.md's profiles: one file per worker.
		if f, err := os.Create(fmt.Sprintf("%s.%d", prefix, os.Getpid())); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer func() { pprof.StopCPUProfile(); f.Close() }()
			} else {
				f.Close()
			}
		}
	}
	code := 0
	if err := parse.ServeWorker(context.Background(), os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	return code
}
