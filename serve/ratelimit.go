package serve

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// maxClients bounds the clients a RateLimiter remembers; past it, those
// whose buckets are full again are forgotten.
const maxClients = 10000

// RateLimiter is a token bucket per client: each client may make burst
// requests at once and one more every interval. It is safe for concurrent
// use.
type RateLimiter struct {
	every time.Duration
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewRateLimiter returns a limiter allowing burst requests at once and one
// per every after that, per client.
func NewRateLimiter(every time.Duration, burst int) *RateLimiter {
	return &RateLimiter{every: every, burst: float64(max(burst, 1)), now: time.Now, buckets: map[string]*bucket{}}
}

// Allow takes a token from client's bucket, reporting whether there was
// one.
func (l *RateLimiter) Allow(client string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[client]
	if b == nil {
		if len(l.buckets) >= maxClients {
			l.forget(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[client] = b
	}
	b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.last))/float64(l.every))
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// forget drops the buckets that are full again, and every bucket when
// none is.
func (l *RateLimiter) forget(now time.Time) {
	full := time.Duration(l.burst * float64(l.every))
	for k, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxClients {
		clear(l.buckets)
	}
}

// Limit answers 429 Too Many Requests to the requests of a client (by
// ClientKey) that has no token left.
func (l *RateLimiter) Limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !l.Allow(ClientKey(r)) {
			w.Header().Set("Retry-After", strconv.Itoa(max(1, int(l.every.Seconds()))))
			http.Error(w, "too many requests", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ClientKey names the client of r for rate limiting: its IP address (the
// server is not meant to sit behind a proxy, so X-Forwarded-For is not
// trusted).
func ClientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
