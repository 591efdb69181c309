package route

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// ModelOptions says how Wrap guards one model specialist.
type ModelOptions struct {
	// Endpoint keys the limiter: models on one endpoint share its
	// concurrency and rate limits. Empty gives the model a limiter of its
	// own. It is also recorded on calls that never reach the provider.
	Endpoint string
	// Concurrency bounds the requests in flight on the endpoint; 0 means
	// unlimited.
	Concurrency int
	// RPM and TPM are the endpoint's requests and tokens per minute; 0 means
	// unlimited. The first Wrap for an endpoint sets its limits.
	RPM, TPM int
	// MaxRetries is how often a rate-limited or transient failure is
	// retried; 0 means DefaultMaxRetries, negative means never.
	MaxRetries int
	// Backoff is the first retry's wait, doubled for each further retry,
	// with jitter, up to MaxBackoff; 0 means DefaultBackoff. A server's
	// Retry-After replaces it, up to MaxRetryAfter.
	Backoff time.Duration
	// Breaker is the model's circuit breaker.
	Breaker BreakerOptions
	// Cache, when set, answers repeated requests from earlier runs.
	Cache CacheStore
	// Budget, when set, is the run's money limit (share one across models).
	Budget *Budget
	// DryRun estimates calls instead of making them.
	DryRun bool

	// Clock and Sleep replace time.Now and a context-aware sleep in tests.
	// Sleep must return ctx's error when ctx ends first.
	Clock func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Logger receives cache failures and open breakers; nil discards them.
	Logger *slog.Logger
}

// BreakerOptions configures a model's circuit breaker. After Failures
// consecutive failed calls (transient, rate-limited, timed out or
// unclassified, after their retries) it opens: calls fail at once with
// folio.ClassBreakerOpen. After CoolDown it lets one probe call through; the
// probe's success closes it, its failure opens it for another CoolDown.
type BreakerOptions struct {
	// Failures is the number of consecutive failures that open the breaker;
	// 0 means DefaultBreakerFailures, negative disables the breaker.
	Failures int
	// CoolDown is how long the breaker stays open; 0 means
	// DefaultBreakerCoolDown.
	CoolDown time.Duration
}

func (o *ModelOptions) setDefaults() {
	if o.MaxRetries == 0 {
		o.MaxRetries = DefaultMaxRetries
	}
	o.MaxRetries = max(o.MaxRetries, 0)
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	if o.Breaker.Failures == 0 {
		o.Breaker.Failures = DefaultBreakerFailures
	}
	if o.Breaker.CoolDown <= 0 {
		o.Breaker.CoolDown = DefaultBreakerCoolDown
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Shared holds what the wrapped models of one run share: a limiter per
// endpoint and a circuit breaker per model. It is safe for concurrent use.
type Shared struct {
	mu       sync.Mutex
	limiters map[string]*limiter
	breakers map[string]*breaker
}

// NewShared returns an empty Shared for one run.
func NewShared() *Shared {
	return &Shared{limiters: map[string]*limiter{}, breakers: map[string]*breaker{}}
}

// Wrap guards the model specialist s with, from the outside in:
//
//	cache    a stored answer to the same request is returned at no cost
//	dry-run  the call is estimated, not made (folio.ClassDryRun)
//	budget   the estimate is reserved, then settled to the actual price
//	breaker  a model failing again and again is refused (folio.ClassBreakerOpen)
//	retry    rate-limited and transient failures are retried
//	limiter  endpoint concurrency, requests and tokens per minute
//	s        the provider
//
// The cache sits outside dry-run so that a dry run counts answers already
// bought as free; retry sits outside the limiter so that every request,
// retries included, passes the endpoint's limits and a retry's wait does
// not hold an endpoint slot. Layers a zero option turns off (cache, budget,
// dry-run) are left out. Every layer forwards Checker, Estimator, Keyer and
// Committer to s, so the router sees the wrapped specialist as it sees s.
// The router records one call per Run of the outermost layer, whatever
// happens inside. Wrap is for specialists that call models; shared may be
// nil for a model that shares nothing.
func Wrap(s Specialist, o ModelOptions, shared *Shared) Specialist {
	o.setDefaults()
	if shared == nil {
		shared = NewShared()
	}
	key := o.Endpoint
	if key == "" {
		key = "model:" + s.Name()
	}
	s = &limited{layer{s}, shared.limiter(key, o)}
	s = &retrying{layer{s}, o.MaxRetries, o.Backoff, o.Sleep}
	if o.Breaker.Failures > 0 {
		s = &breaking{layer{s}, shared.breaker(s.Name(), o), o.Endpoint, o.Logger}
	}
	if o.Budget != nil {
		s = &budgeted{layer{s}, o.Budget, o.Endpoint}
	}
	if o.DryRun {
		s = &dryRun{layer{s}, o.Endpoint}
	}
	if o.Cache != nil {
		s = &caching{layer: layer{s}, store: o.Cache, log: o.Logger}
	}
	return s
}

func (sh *Shared) limiter(key string, o ModelOptions) *limiter {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	l := sh.limiters[key]
	if l == nil {
		l = newLimiter(o)
		sh.limiters[key] = l
	}
	return l
}

func (sh *Shared) breaker(model string, o ModelOptions) *breaker {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	b := sh.breakers[model]
	if b == nil {
		b = &breaker{threshold: o.Breaker.Failures, coolDown: o.Breaker.CoolDown, clock: o.Clock}
		sh.breakers[model] = b
	}
	return b
}

// layer is embedded by every wrapper: it holds the wrapped specialist and
// forwards the optional interfaces to it, so that a wrapper only writes the
// methods it changes.
type layer struct{ next Specialist }

var _ interface {
	Checker
	Estimator
	Keyer
	Committer
	Identifier
} = layer{}

// Name returns the wrapped specialist's name.
func (l layer) Name() string { return l.next.Name() }

// ModelName forwards the inner specialist's record name.
func (l layer) ModelName() string { return modelName(l.next) }

// ImageDPI forwards the inner specialist's image resolution, 0 when it
// takes no images.
func (l layer) ImageDPI() float64 { return imageDPI(l.next) }

// Identity forwards the inner specialist's identity, "" when it has none.
func (l layer) Identity() string {
	if i, ok := l.next.(Identifier); ok {
		return i.Identity()
	}
	return ""
}

// Check runs the wrapped specialist's own checks, if it has any.
func (l layer) Check(t Task, r Result) error {
	if c, ok := l.next.(Checker); ok {
		return c.Check(t, r)
	}
	return nil
}

// Estimate returns the wrapped specialist's estimate, or errNoEstimate.
func (l layer) Estimate(t Task) (Estimate, error) {
	if e, ok := l.next.(Estimator); ok {
		return e.Estimate(t)
	}
	return Estimate{}, errNoEstimate
}

// RequestKey returns the wrapped specialist's request key, or errNoKey.
func (l layer) RequestKey(t Task) (string, error) {
	if k, ok := l.next.(Keyer); ok {
		return k.RequestKey(t)
	}
	return "", errNoKey
}

// Commit tells the wrapped specialist its result was accepted.
func (l layer) Commit(ctx context.Context, t Task, r Result) {
	if c, ok := l.next.(Committer); ok {
		c.Commit(ctx, t, r)
	}
}

var (
	errNoEstimate = errors.New("specialist gives no estimates")
	errNoKey      = errors.New("specialist gives no request keys")
)

// estimate returns s's estimate for t; an estimate that cannot be made is
// the zero Estimate: no tokens, unknown price.
func estimate(s Specialist, t Task) Estimate {
	e, ok := s.(Estimator)
	if !ok {
		return Estimate{}
	}
	est, err := e.Estimate(t)
	if err != nil {
		return Estimate{}
	}
	return est
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// free returns a known price of zero, for calls refused before any request.
func free() *int64 { return new(int64) }
