package route

import (
	"context"
	"time"

	"github.com/folio/folio"
)

// RetryAfter is implemented by errors that carry the server's wish for how
// long to wait before the next request (HTTP Retry-After).
type RetryAfter interface {
	RetryAfter() time.Duration
}

// Estimate is what a call is expected to use before it is made: the basis
// for budget reservations, rate-limit token buckets and --dry-run.
type Estimate struct {
	Usage folio.Usage
	// USDMicros is nil when the model's price is unknown.
	USDMicros *int64
	// WorstUSDMicros bounds what the call can cost: every input token at
	// the list price (a token is at least one byte) and the answer cap's
	// output tokens. A budget reserves it, so that spending never passes
	// the maximum; nil when unknown, and then USDMicros is reserved.
	WorstUSDMicros *int64
}

// Estimator is implemented by specialists that cost money.
type Estimator interface {
	Estimate(t Task) (Estimate, error)
}

// Keyer is implemented by specialists whose answers can be cached: the key
// is a hash of the whole request (model, prompt template and version,
// inputs) without volatile fields.
type Keyer interface {
	RequestKey(t Task) (string, error)
}

// CacheStore keeps serialized model answers by request key, so that a
// re-run, or a run after a crash, pays nothing twice. The ledger's Cache
// implements it (in bytes, so it needs no route types); routing gets that
// narrow type, never the ledger.
type CacheStore interface {
	// Get returns the stored value for key; ok is false on a miss.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Put stores value under key, replacing any older value.
	Put(ctx context.Context, key string, value []byte) error
}

// ModelNamer is implemented by model specialists whose calls are recorded
// under the provider's model id ("openai/gpt-4.1-mini") rather than the
// policy's alias ("small"), even when a call fails before any answer.
type ModelNamer interface {
	ModelName() string
}

// Sighted is implemented by specialists that read page regions (vision
// models). ImageDPI is the resolution a region must be drawn at for them;
// 0 when they take no images.
type Sighted interface {
	ImageDPI() float64
}

// imageDPI is the resolution s needs page regions drawn at, 0 when s takes
// no images.
func imageDPI(s Specialist) float64 {
	if v, ok := s.(Sighted); ok {
		return v.ImageDPI()
	}
	return 0
}

// modelName is the name s's calls are recorded under.
func modelName(s Specialist) string {
	if m, ok := s.(ModelNamer); ok {
		return m.ModelName()
	}
	return s.Name()
}
