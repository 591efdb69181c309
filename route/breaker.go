package route

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/folio/folio"
)

// breaking refuses calls to a model whose breaker is open.
type breaking struct {
	layer
	b        *breaker
	endpoint string
	log      *slog.Logger
}

// Run fails at once with folio.ClassBreakerOpen while the model's breaker is
// open; otherwise it runs the call and tells the breaker how it went.
func (w *breaking) Run(ctx context.Context, t Task) (res Result, err error) {
	probe, ok := w.b.allow()
	if !ok {
		return Result{USDMicros: free(), Endpoint: w.endpoint},
			Errorf(folio.ClassBreakerOpen, "%s: circuit breaker open", w.Name())
	}
	outcome := failure // a panic below counts as a failure
	defer func() {
		if w.b.done(probe, outcome) {
			w.log.Warn("circuit breaker open", "model", w.Name(), "cool_down", w.b.coolDown, "err", err)
		}
	}()
	res, err = w.next.Run(ctx, t)
	outcome = judge(ctx, err)
	return res, err
}

// Outcomes of a call, for the breaker.
const (
	success = iota
	failure
	neutral // says nothing about the model's health
)

// judge says whether err is the model failing. Answers the model gave (a
// refusal, a context too long, an auth error the router acts on) and a
// caller's ended context say nothing about its health.
func judge(ctx context.Context, err error) int {
	if err == nil {
		return success
	}
	if ctx.Err() != nil {
		return neutral
	}
	switch Classify(err) {
	case folio.ClassTransient, folio.ClassRateLimit, folio.ClassTimeout, folio.ClassError:
		return failure
	case folio.ClassCanceled:
		return neutral
	}
	return success
}

// breaker is one model's circuit breaker: closed, open until a time, or
// half-open with one probe call in flight.
type breaker struct {
	threshold int
	coolDown  time.Duration
	clock     func() time.Time

	mu       sync.Mutex
	failures int // consecutive
	open     bool
	until    time.Time // end of the cool-down while open
	probing  bool
}

// allow reports whether a call may go ahead, and whether it is the probe of
// a half-open breaker.
func (b *breaker) allow() (probe, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case !b.open:
		return false, true
	case b.probing || b.clock().Before(b.until):
		return false, false
	}
	b.probing = true
	return true, true
}

// done records a call's outcome and reports whether it opened the breaker.
func (b *breaker) done(probe bool, outcome int) (opened bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if probe {
		b.probing = false
	}
	switch outcome {
	case success:
		b.failures, b.open = 0, false
	case failure:
		b.failures++
		if probe || b.failures >= b.threshold {
			opened = !b.open || probe
			b.open, b.until = true, b.clock().Add(b.coolDown)
		}
	}
	return opened
}
