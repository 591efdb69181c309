package folio

import "time"

// Usage counts the tokens of one model call.
type Usage struct {
	InputTokens  int64 `json:"input_tokens"`
	CachedTokens int64 `json:"cached_tokens"`
	OutputTokens int64 `json:"output_tokens"`
}

// Call is one attempt at producing a fragment: a local specialist run or a
// model request. A fragment has one call per attempt, escalations included.
type Call struct {
	Attempt  int    `json:"attempt"`
	Rule     string `json:"rule,omitempty"` // the routing rule that chose this link
	Model    string `json:"model"`          // "local/text", "openai/gpt-4.1-mini", …
	Endpoint string `json:"endpoint,omitempty"`
	Usage
	// USDMicros is the call's price in micro-dollars; nil when the price is
	// unknown (never zero for "unknown").
	USDMicros *int64 `json:"usd_micros"`
	// EstimatedUSDMicros is what the call was expected to cost before it
	// was made, by its model's estimator; nil for local specialists and
	// when the price is unknown. The ledger's history of estimates against
	// prices calibrates later estimates.
	EstimatedUSDMicros *int64 `json:"estimated_usd_micros,omitempty"`
	// SavedUSDMicros is, on a cache hit, what the answer cost when it was
	// first bought.
	SavedUSDMicros *int64        `json:"saved_usd_micros,omitempty"`
	Latency        time.Duration `json:"latency_ns"`
	CacheHit       bool          `json:"cache_hit"`
	Status         string        `json:"status"` // CallOK, CallFailed, CallRejected
	ErrorClass     ErrorClass    `json:"error_class,omitempty"`
	// Error says why a failed or rejected attempt was not kept. It never
	// holds request headers or credentials.
	Error         string `json:"error,omitempty"`
	Prompt        string `json:"prompt,omitempty"` // template id
	PromptVersion int    `json:"prompt_version,omitempty"`
	RequestHash   string `json:"request_hash,omitempty"`
	// Retries counts the requests retried within this attempt (429, 5xx).
	Retries int `json:"retries,omitempty"`
	// ImageSent describes the image a vision request carried; zero when it
	// carried none.
	ImageSent
}

// ImageSent is the image a vision request sent: its size after
// downscaling, the detail level asked for, and the image tokens the model's
// published formula gives for that size and detail.
type ImageSent struct {
	ImageWidth  int `json:"image_width,omitempty"`
	ImageHeight int `json:"image_height,omitempty"`
	// ImageDetail is "low" or "high" for models priced by 512-pixel tiles,
	// empty for models priced by 32-pixel patches, which take no detail.
	ImageDetail string `json:"image_detail,omitempty"`
	// EstimatedImageTokens is the image's share of the input tokens by the
	// formula, before the provider reports the usage.
	EstimatedImageTokens int64 `json:"estimated_image_tokens,omitempty"`
}

// Call statuses.
const (
	CallOK       = "ok"       // output accepted
	CallFailed   = "failed"   // the specialist returned an error or panicked
	CallRejected = "rejected" // the output failed a quality check
	// CallEstimated: a dry run's stand-in for a model call, carrying the
	// estimate as its usage and price; no request was sent.
	CallEstimated = "estimated"
)

// Fragment is what routing produced for one element: the final content and
// every call made for it.
type Fragment struct {
	ID        string `json:"id"`
	ElementID string `json:"element"`
	Model     string `json:"model"` // the link whose output was kept
	Status    string `json:"status"`
	// Reason says why Status is not ok: for review, the check the last
	// answer failed and the model that gave it ("schema (openai/gpt-4.1):
	// answer cut off …"); for degraded, why the model wanted was not
	// reached ("budget", "unavailable", …).
	Reason string `json:"reason,omitempty"`
	// FellBackFrom names, for a degraded fragment, the model that was
	// wanted but not reached.
	FellBackFrom string `json:"fell_back_from,omitempty"`
	// Output replaces the element's content fields (text, table, image)
	// where set.
	Text  *string `json:"text,omitempty"`
	Table *Table  `json:"table,omitempty"`
	Image *Image  `json:"image,omitempty"`
	Calls []Call  `json:"calls"`
	// Answers are, for a fragment in review, what a reviewer may choose
	// between: the content kept first, then each rejected answer that
	// could be read.
	Answers []Answer `json:"answers,omitempty"`
}

// Spend is the one row of money and tokens: what model calls cost,
// summed for a document or run (Cost), a cost report's row
// (lineage.CostRow) or an estimate's (route.TallyRow).
type Spend struct {
	USDMicros    int64 `json:"usd_micros"` // the known prices
	InputTokens  int64 `json:"input_tokens"`
	CachedTokens int64 `json:"cached_tokens,omitempty"` // part of InputTokens
	OutputTokens int64 `json:"output_tokens"`
	Calls        int   `json:"calls"`      // model calls, cache hits included
	CacheHits    int   `json:"cache_hits"` // calls answered from the cache
	// Unpriced counts model calls whose price is unknown: USDMicros is then
	// a lower bound.
	Unpriced int `json:"unpriced,omitempty"`
	// SavedUSDMicros is what the cache hits' answers cost when they were
	// bought.
	SavedUSDMicros int64 `json:"saved_usd_micros,omitempty"`
}

// Count adds c, a model call (see Call.Billable), to s.
func (s *Spend) Count(c Call) {
	s.Calls++
	if c.CacheHit {
		s.CacheHits++
		if c.SavedUSDMicros != nil {
			s.SavedUSDMicros += *c.SavedUSDMicros
		}
	}
	s.InputTokens += c.InputTokens
	s.CachedTokens += c.CachedTokens
	s.OutputTokens += c.OutputTokens
	if c.USDMicros != nil {
		s.USDMicros += *c.USDMicros
	} else {
		s.Unpriced++
	}
}

// Merge adds o to s.
func (s *Spend) Merge(o Spend) {
	s.USDMicros += o.USDMicros
	s.InputTokens += o.InputTokens
	s.CachedTokens += o.CachedTokens
	s.OutputTokens += o.OutputTokens
	s.Calls += o.Calls
	s.CacheHits += o.CacheHits
	s.Unpriced += o.Unpriced
	s.SavedUSDMicros += o.SavedUSDMicros
}

// Cost sums the money and tokens spent on a document or run, and what the
// baselines would have cost.
type Cost struct {
	Spend
	// BaselineUSDMicros is what sending every page as an image to the
	// policy's baseline model would have cost; nil when there is no
	// baseline or its price is unknown.
	BaselineUSDMicros *int64 `json:"baseline_usd_micros,omitempty"`
	// BaselineKind says what the baseline is (BaselineKind: modelled) when
	// there is one.
	BaselineKind string `json:"baseline_kind,omitempty"`
	// CheapBaselineUSDMicros is the same modelled baseline with the
	// policy's cheapest vision model: the saving against sending pages to
	// a cheap model rather than a big one. nil when there is none.
	CheapBaselineUSDMicros *int64 `json:"cheap_baseline_usd_micros,omitempty"`
}

// Add counts c's calls into the cost. Local specialist calls are free and
// not counted as model calls.
func (c *Cost) Add(calls []Call) {
	for _, k := range calls {
		if k.Billable() {
			c.Count(k)
		}
	}
}

// IsLocal reports whether a model name is a built-in local specialist.
func IsLocal(model string) bool { return len(model) > 6 && model[:6] == "local/" }

// Merge adds o to c: spend, tokens, calls and the baselines.
func (c *Cost) Merge(o Cost) {
	c.Spend.Merge(o.Spend)
	if o.BaselineUSDMicros != nil {
		sum := *o.BaselineUSDMicros
		if c.BaselineUSDMicros != nil {
			sum += *c.BaselineUSDMicros
		}
		c.BaselineUSDMicros = &sum
		c.BaselineKind = o.BaselineKind
	}
	if o.CheapBaselineUSDMicros != nil {
		sum := *o.CheapBaselineUSDMicros
		if c.CheapBaselineUSDMicros != nil {
			sum += *c.CheapBaselineUSDMicros
		}
		c.CheapBaselineUSDMicros = &sum
	}
}
