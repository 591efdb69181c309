package route

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/folio/folio"
)

// limited passes each request through its endpoint's limiter.
type limited struct {
	layer
	lim *limiter
}

// Run waits for the endpoint to admit the request, makes it, and corrects
// the endpoint's token count by what the request really used. A
// rate-limited answer with a Retry-After holds every request to the
// endpoint until then.
func (l *limited) Run(ctx context.Context, t Task) (Result, error) {
	est := estimate(l.next, t)
	tokens := est.Usage.InputTokens + est.Usage.OutputTokens
	send := func(ctx context.Context) (Result, error) { return l.next.Run(ctx, t) }
	if p, ok := l.next.(Preparer); ok {
		send = p.Prepare(ctx, t)
	}
	release, err := l.lim.acquire(ctx, tokens)
	if err != nil {
		return Result{USDMicros: free()}, err
	}
	defer release()
	res, err := send(ctx)
	l.lim.settle(tokens, res.Usage.InputTokens+res.Usage.OutputTokens)
	var ra RetryAfter
	if Classify(err) == folio.ClassRateLimit && errors.As(err, &ra) {
		l.lim.pause(ra.RetryAfter())
	}
	return res, err
}

// limiter holds one endpoint's limits: a semaphore for the requests in
// flight, token buckets for requests and tokens per minute, and a pause
// after the server asked to be left alone.
type limiter struct {
	sem   chan struct{} // nil: unlimited
	clock func() time.Time
	sleep func(context.Context, time.Duration) error

	mu    sync.Mutex
	rpm   *bucket // nil: unlimited
	tpm   *bucket
	until time.Time // no request before this
}

func newLimiter(o ModelOptions) *limiter {
	l := &limiter{clock: o.Clock, sleep: o.Sleep}
	if o.Concurrency > 0 {
		l.sem = make(chan struct{}, o.Concurrency)
	}
	if o.RPM > 0 {
		l.rpm = newBucket(o.RPM)
	}
	if o.TPM > 0 {
		l.tpm = newBucket(o.TPM)
	}
	return l
}

// acquire waits, until ctx ends, for a slot, the end of any pause, one
// request and the given tokens, and returns the function that gives the
// slot back.
func (l *limiter) acquire(ctx context.Context, tokens int64) (release func(), err error) {
	release = func() {}
	if l.sem != nil {
		select {
		case l.sem <- struct{}{}:
			release = func() { <-l.sem }
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	l.mu.Lock()
	now := l.clock()
	wait := l.until.Sub(now)
	if l.rpm != nil {
		wait = max(wait, l.rpm.take(now, 1))
	}
	if l.tpm != nil {
		wait = max(wait, l.tpm.take(now, float64(tokens)))
	}
	l.mu.Unlock()
	if err := l.sleep(ctx, wait); err != nil {
		l.mu.Lock()
		now = l.clock()
		if l.rpm != nil {
			l.rpm.give(now, 1)
		}
		if l.tpm != nil {
			l.tpm.give(now, float64(tokens))
		}
		l.mu.Unlock()
		release()
		return nil, err
	}
	return release, nil
}

// settle corrects the token bucket once the request's real usage is known:
// an estimate too low is debited after the fact, one too high refunded. A
// request that reports no usage (failed, or a server that does not count)
// keeps its estimate.
func (l *limiter) settle(estimated, used int64) {
	if l.tpm == nil || used == 0 || used == estimated {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock()
	if d := used - estimated; d > 0 {
		l.tpm.take(now, float64(d))
	} else {
		l.tpm.give(now, float64(-d))
	}
}

// pause holds new requests for d, capped at MaxRetryAfter.
func (l *limiter) pause(d time.Duration) {
	if d <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := l.clock().Add(min(d, MaxRetryAfter)); until.After(l.until) {
		l.until = until
	}
}

// bucket is a token bucket refilled at perMinute tokens a minute, holding
// at most a minute's worth. Takers may overdraw it: the debt is what later
// takers wait for, so waits queue up in the order of taking.
type bucket struct {
	rate   float64 // tokens a second
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(perMinute int) *bucket {
	return &bucket{rate: float64(perMinute) / 60, burst: float64(perMinute), tokens: float64(perMinute)}
}

func (b *bucket) refill(now time.Time) {
	if b.last.IsZero() {
		b.last = now
	}
	if d := now.Sub(b.last).Seconds(); d > 0 {
		b.tokens = min(b.burst, b.tokens+d*b.rate)
		b.last = now
	}
}

// take debits n tokens (at most a full bucket) and returns how long the
// taker must wait until the bucket covers them.
func (b *bucket) take(now time.Time, n float64) time.Duration {
	b.refill(now)
	b.tokens -= min(n, b.burst)
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// give returns n tokens.
func (b *bucket) give(now time.Time, n float64) {
	b.refill(now)
	b.tokens = min(b.burst, b.tokens+n)
}
