package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Exit codes, documented in README.md.
const (
	exitOK          = 0
	exitFailed      = 1 // some documents failed or are partial; the rest were written
	exitUsage       = 2
	exitDeferred    = 75 // work deferred: budget exhausted with on_exhausted fail, or a model endpoint unavailable
	exitLocked      = 75 // another run holds the output folder: try later
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
	sh := newShutdown(context.Background())
	defer sh.close()
	cmd := newRootCmd(s, sh)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(sh.ctx)
	report := func(code int, msg string) int {
		if jsonLog(args) {
			// One JSON object, as the rest of stderr under --log-format json.
			slog.New(slog.NewJSONHandler(s.Err, nil)).Error(msg, "exit_code", code)
		} else {
			fmt.Fprintf(s.Err, "folio: %s\n", msg)
		}
		return code
	}
	if got := sh.signal(); got != nil {
		code := exitInterrupted
		if got == syscall.SIGTERM {
			code = exitTerminated
		}
		return report(code, fmt.Sprintf("interrupted (%s)", signalName(got)))
	}
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err == nil {
			return ee.code
		}
		return report(ee.code, ee.err.Error())
	}
	// Anything cobra itself rejects (unknown flag, bad arguments) is usage.
	if isUsage(err) {
		return report(exitUsage, err.Error())
	}
	return report(exitFailed, err.Error())
}

// jsonLog reports whether args, or else FOLIO_LOG_FORMAT, ask for
// --log-format json. It reads the arguments itself, so that errors cobra
// meets before parsing its flags are reported in that format too.
func jsonLog(args []string) bool {
	for i, a := range args {
		switch {
		case a == "--":
			return false
		case strings.HasPrefix(a, "--log-format="):
			return a == "--log-format=json"
		case a == "--log-format" && i+1 < len(args):
			return args[i+1] == "json"
		}
	}
	return os.Getenv(envName("log-format")) == "json"
}

// signalName names a signal as people write it: SIGINT, SIGTERM.
func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

// shutdown turns SIGINT and SIGTERM into a graceful stop. The first signal
// closes stop, so that commands start no new work; ctx, the commands'
// context, is canceled then, or after the grace period a command set
// (parse's --shutdown-timeout), or at a second signal, whichever is first.
type shutdown struct {
	ctx    context.Context
	cancel context.CancelFunc
	stop   chan struct{}

	mu     sync.Mutex
	grace  time.Duration
	sig    os.Signal
	notice func(sig os.Signal, grace time.Duration, second bool) // acknowledges a signal at once
}

func newShutdown(parent context.Context) *shutdown {
	ctx, cancel := context.WithCancel(parent)
	sh := &shutdown{ctx: ctx, cancel: cancel, stop: make(chan struct{})}
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go sh.watch(ch)
	return sh
}

// watch runs until ctx is canceled, by a signal or by close.
func (sh *shutdown) watch(ch chan os.Signal) {
	defer signal.Stop(ch)
	var got os.Signal
	select {
	case got = <-ch:
	case <-sh.ctx.Done():
		return
	}
	sh.mu.Lock()
	sh.sig = got
	grace, notice := sh.grace, sh.notice
	sh.mu.Unlock()
	if notice != nil {
		notice(got, grace, false)
	}
	close(sh.stop)
	if grace > 0 {
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-t.C:
		case again := <-ch:
			if notice != nil {
				notice(again, grace, true)
			}
		case <-sh.ctx.Done():
		}
	}
	sh.cancel()
}

// onSignal sets what acknowledges a signal when it arrives: the first
// (second false) and, during the grace period, the one that aborts it.
func (sh *shutdown) onSignal(fn func(sig os.Signal, grace time.Duration, second bool)) {
	sh.mu.Lock()
	sh.notice = fn
	sh.mu.Unlock()
}

// setGrace lets work in flight go on for d after the first signal.
func (sh *shutdown) setGrace(d time.Duration) {
	sh.mu.Lock()
	sh.grace = d
	sh.mu.Unlock()
}

// stopping is closed at the first signal.
func (sh *shutdown) stopping() <-chan struct{} { return sh.stop }

// signal returns the signal that arrived, if any.
func (sh *shutdown) signal() os.Signal {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.sig
}

// close ends the watch; signals then have their default effect again.
func (sh *shutdown) close() { sh.cancel() }
