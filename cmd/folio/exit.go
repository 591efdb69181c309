package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes, documented in README.md.
const (
	exitOK          = 0
	exitFailed      = 1 // some documents failed; the rest were written
	exitUsage       = 2
	exitDeferred    = 75 // work deferred: budget exhausted with on_exhausted fail
	exitConfig      = 78
	exitInterrupted = 130 // SIGINT
	exitTerminated  = 143 // SIGTERM
)

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func configErrorf(format string, args ...any) error {
	return &exitError{code: exitConfig, err: fmt.Errorf(format, args...)}
}

// silentExit ends a command with a code after it has already reported why.
func silentExit(code int) error { return &exitError{code: code} }

// run executes the command line and maps its outcome to an exit code; it is
// the only place that decides exit codes.
func run(args []string, s *streams) int {
	ctx, sig := signalContext(context.Background())
	cmd := newRootCmd(s)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if got := sig(); got != nil {
		fmt.Fprintf(s.Err, "folio: interrupted by %v\n", got)
		if got == syscall.SIGTERM {
			return exitTerminated
		}
		return exitInterrupted
	}
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(s.Err, "folio: %v\n", ee.err)
		}
		return ee.code
	}
	// Anything cobra itself rejects (unknown flag, bad arguments) is usage.
	fmt.Fprintf(s.Err, "folio: %v\n", err)
	if isUsage(err) {
		return exitUsage
	}
	return exitFailed
}

// signalContext returns a context canceled on SIGINT or SIGTERM and a
// function reporting which signal, if any, arrived.
func signalContext(parent context.Context) (context.Context, func() os.Signal) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	got := make(chan os.Signal, 1)
	go func() {
		s := <-ch
		got <- s
		cancel()
		signal.Stop(ch)
	}()
	return ctx, func() os.Signal {
		select {
		case s := <-got:
			got <- s
			return s
		default:
			return nil
		}
	}
}
