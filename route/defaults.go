package route

import "time"

// Defaults, in one place: of ModelOptions and BreakerOptions (Wrap), of
// Decorative, and of the Router.
const (
	DefaultMaxRetries = 3
	DefaultBackoff    = 500 * time.Millisecond
	// MaxBackoff caps the exponential backoff between retries.
	MaxBackoff = 30 * time.Second
	// MaxRetryAfter caps how long a server's Retry-After is honoured, by a
	// retry and by the endpoint's limiter.
	MaxRetryAfter = 2 * time.Minute
	// DefaultBreakerFailures consecutive failures open a model's breaker.
	DefaultBreakerFailures = 5
	// DefaultBreakerCoolDown is how long an open breaker refuses calls
	// before it lets one probe through.
	DefaultBreakerCoolDown = 30 * time.Second

	// DefaultDecorativeArea: an image of fewer square points is decoration
	// (an icon, a bullet, a mark of 40×40 pt).
	DefaultDecorativeArea = 1600
	// DefaultDecorativeAspect: an image this many times longer than it is
	// high, or the reverse, is a rule or a bar.
	DefaultDecorativeAspect = 20
	// DefaultDecorativePages: the same picture on at least this many pages,
	// and on at least half of the document's, is a logo or a letterhead.
	DefaultDecorativePages = 3

	// DefaultMaxAttempts bounds the attempts made for one element.
	DefaultMaxAttempts = 6
)
