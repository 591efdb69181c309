package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/folio/folio/parse"
)

// parseWorkerArg, as the only argument, makes folio a parse worker of a
// parent folio (parse.Supervisor) instead of a command-line tool.
const parseWorkerArg = "__parse-worker"

// serveParseWorker runs the worker until its parent closes its input. It
// ignores the signals a terminal or a service manager sends to the whole
// group: the parent finishes or kills its workers itself.
func serveParseWorker() int {
	signal.Ignore(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	if err := parse.ServeWorker(context.Background(), os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
