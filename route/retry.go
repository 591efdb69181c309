package route

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/folio/folio"
)

// retrying retries rate-limited and transient failures: it is the only
// retry layer (providers must not retry themselves). Every other class
// fails at once, since the next link is a better use of the time. The tries
// of one Run are one recorded call: the Result carries their summed usage
// and price and the number of retries.
type retrying struct {
	layer
	retries int
	backoff time.Duration
	sleep   func(context.Context, time.Duration) error
}

// Run runs the wrapped specialist until it succeeds, fails with a class
// that is not retried, or has been retried r.retries times.
func (r *retrying) Run(ctx context.Context, t Task) (Result, error) {
	var earlier *Result // the tries so far, as one call
	for n := 0; ; n++ {
		res, err := r.next.Run(ctx, t)
		res = addSpend(earlier, res)
		res.Retries = n
		if err == nil || !retryable(err) || n == r.retries || ctx.Err() != nil {
			if err != nil && n > 0 {
				err = fmt.Errorf("after %d retries: %w", n, err)
			}
			return res, err
		}
		earlier = &res
		if serr := r.sleep(ctx, r.wait(n, err)); serr != nil {
			return res, fmt.Errorf("waiting to retry after %v: %w", err, serr)
		}
	}
}

// retryable reports whether err's class is worth another try.
func retryable(err error) bool {
	switch Classify(err) {
	case folio.ClassRateLimit, folio.ClassTransient:
		return true
	}
	return false
}

// wait returns how long to wait before retry n+1 (n from 0): the server's
// Retry-After when it gave one, capped at MaxRetryAfter, else the backoff
// doubled n times, capped at MaxBackoff, of which the second half is
// random so that callers failing together do not retry together.
func (r *retrying) wait(n int, err error) time.Duration {
	var ra RetryAfter
	if errors.As(err, &ra) && ra.RetryAfter() > 0 {
		return min(ra.RetryAfter(), MaxRetryAfter)
	}
	d := r.backoff
	for range n {
		if d >= MaxBackoff {
			break
		}
		d *= 2
	}
	d = min(d, MaxBackoff)
	return d/2 + rand.N(d/2+1)
}

// addSpend returns r with the usage and price of the earlier tries added,
// as one recorded call. The sum's price is unknown when r's is, or when an
// earlier try used tokens at an unknown price; an earlier try that used
// nothing and gave no price (a 429) cost nothing.
func addSpend(acc *Result, r Result) Result {
	if acc == nil {
		return r
	}
	r.Usage.InputTokens += acc.Usage.InputTokens
	r.Usage.CachedTokens += acc.Usage.CachedTokens
	r.Usage.OutputTokens += acc.Usage.OutputTokens
	a, known := acc.USDMicros, acc.USDMicros != nil || acc.Usage == (folio.Usage{})
	switch {
	case r.USDMicros == nil || !known:
		r.USDMicros = nil
	case a != nil:
		sum := *a + *r.USDMicros
		r.USDMicros = &sum
	}
	return r
}
