package config

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
)

// DefaultName is the policy file read from the working directory when no
// --config flag names one.
const DefaultName = "folio.yaml"

// Image token formulas, for [Model.ImageTokens]: how a provider counts the
// tokens of an image, used to estimate calls and the baseline.
const (
	// ImageTokensTiles512 counts 512-pixel tiles plus a base (gpt-4o, gpt-4.1).
	ImageTokensTiles512 = "tiles512"
	// ImageTokensPatches32 counts 32-pixel patches (gpt-4.1-mini, o4-mini).
	ImageTokensPatches32 = "patches32"
)

// What happens when the budget is spent, for [Budget.OnExhausted].
const (
	// OnExhaustedDegrade gives the remaining elements their best free
	// result, marked degraded.
	OnExhaustedDegrade = "degrade"
	// OnExhaustedFail stops dispatching model calls and fails the run.
	OnExhaustedFail = "fail"
)

// What happens to a document when an element got no accepted output
// because a model endpoint was unavailable, for [File.OnUnavailable].
const (
	// OnUnavailableDefer leaves the document undone this run (exit 75);
	// the next run does it.
	OnUnavailableDefer = "defer"
	// OnUnavailableDegrade keeps the element's best free result, marked
	// degraded, and the document is done.
	OnUnavailableDegrade = "degrade"
)

// File is a policy file as loaded: valid, with defaults applied.
type File struct {
	// Path is the name the file was read from, as given to Load or Parse.
	Path string
	// Endpoints are the OpenAI-compatible servers, by name.
	Endpoints map[string]Endpoint
	// Models are the model aliases, by alias; an alias is the name of its
	// link in routes.
	Models map[string]Model
	// Routes holds the chains the file sets, by element type. Types it does
	// not mention keep the chain of route.DefaultPolicy.
	Routes map[folio.ElementType][]route.Link
	// Baseline is the alias of the model "one big model per page" would have
	// used, for the saving figure; empty for none.
	Baseline string
	// Budget caps the run's spending.
	Budget Budget
	// Decorative says which images are decoration, never sent to a model;
	// the zero value takes route's defaults.
	Decorative route.Decorative
	// Retries is the number of retries of a failed request, nil for the
	// provider's default.
	Retries *int
	// Timeout bounds each request; zero means the provider's default.
	Timeout time.Duration
	// OnUnavailable is OnUnavailableDefer (the default) or
	// OnUnavailableDegrade.
	OnUnavailable string
}

// Endpoint is one OpenAI-compatible server.
type Endpoint struct {
	// BaseURL is the absolute http(s) URL requests go to, such as
	// "https://api.openai.com/v1".
	BaseURL string
	// APIKeyEnv names the environment variable holding the API key; empty
	// for a server that needs none.
	APIKeyEnv string
	// APIVersion is the api-version query parameter of Azure OpenAI.
	APIVersion string
	// Headers are extra request headers; they never hold keys.
	Headers map[string]string
	// Concurrency caps requests in flight, RPM requests and TPM tokens per
	// minute; zero means no limit of that kind.
	Concurrency, RPM, TPM int
}

// Model is a model alias: a model on an endpoint and its prices.
type Model struct {
	// Endpoint names the endpoint serving the model.
	Endpoint string
	// Model is the model name the endpoint knows ("gpt-4.1-mini").
	Model string
	// InputPerMTok, CachedInputPerMTok and OutputPerMTok are US dollars per
	// million tokens, which is also micro-dollars per token; nil is unknown,
	// never zero.
	InputPerMTok, CachedInputPerMTok, OutputPerMTok *float64
	// Vision reports whether the model accepts images.
	Vision bool
	// ImageTokens is the formula counting an image's tokens:
	// ImageTokensTiles512, ImageTokensPatches32, or empty for the one the
	// provider knows the model by.
	ImageTokens string
	// MaxOutputTokens caps each answer; zero means the provider's default.
	MaxOutputTokens int
	// MinImageDPI is the least resolution, in dots per inch of the page,
	// images and crops are sent to the model at (sharper ones are scaled
	// down to the size that costs the fewest image tokens); zero means the
	// provider's default.
	MinImageDPI float64
}

// CheapBaseline returns the alias of the model a cheap page-image
// baseline uses: the vision model with the lowest known price per page-sized
// answer (input then output price), "" when no vision model has both
// prices or it is the baseline model itself.
func (f *File) CheapBaseline() string {
	if f == nil {
		return ""
	}
	best := ""
	for _, alias := range sortedKeys(f.Models) {
		m := f.Models[alias]
		if !m.Vision || m.InputPerMTok == nil || m.OutputPerMTok == nil {
			continue
		}
		if b, ok := f.Models[best]; !ok || *m.InputPerMTok < *b.InputPerMTok ||
			*m.InputPerMTok == *b.InputPerMTok && *m.OutputPerMTok < *b.OutputPerMTok {
			best = alias
		}
	}
	if best == f.Baseline {
		return ""
	}
	return best
}

// Budget caps what a run spends on models.
type Budget struct {
	// MaxUSD is the most a run may spend in US dollars, or with Period the
	// most every run of the period together may; nil for no cap.
	MaxUSD *float64
	// OnExhausted is OnExhaustedDegrade (the default) or OnExhaustedFail.
	OnExhausted string
	// Period is "", PeriodDay or PeriodMonth (UTC): MaxUSD and PerTag then
	// cap the spend the ledger records in the current period, this run's
	// included.
	Period string
	// PerTag caps, per run tag "key=value", the period's spend of the runs
	// carrying it (with Period only).
	PerTag map[string]float64
	// WarnAt is the share of a period cap past which a run warns; 0.8
	// when unset.
	WarnAt float64
}

// Budget periods.
const (
	PeriodDay   = "day"
	PeriodMonth = "month"
)

// MaxUSDMicros returns the cap in micro-dollars, rounded to the nearest, and
// false when there is none.
func (b Budget) MaxUSDMicros() (int64, bool) {
	if b.MaxUSD == nil {
		return 0, false
	}
	return int64(math.Round(*b.MaxUSD * 1e6)), true
}

// APIKey returns the value of the environment variable named by APIKeyEnv,
// without surrounding white space, and "" when the endpoint names none. It
// fails, naming the variable, when the variable is unset or empty.
func (e Endpoint) APIKey() (string, error) {
	if e.APIKeyEnv == "" {
		return "", nil
	}
	key := strings.TrimSpace(os.Getenv(e.APIKeyEnv))
	if key == "" {
		return "", &Error{Err: fmt.Errorf("environment variable %s, named by api_key_env, is not set", e.APIKeyEnv)}
	}
	return key, nil
}

// Load reads, parses and checks the policy file at path. Known names extra
// specialists a link may use besides local/text, local/table and local/image.
func Load(path string, known ...string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Err: err} // err names the path
	}
	return Parse(path, data, known...)
}

// Parse parses and checks a policy file read from name. Known names extra
// specialists a link may use besides local/text, local/table and local/image.
// The error lists every problem found, one per line, in file order.
func Parse(name string, data []byte, known ...string) (*File, error) {
	d := newDecoder(name)
	f := d.decode(data)
	if f != nil {
		d.validate(f, known)
		if f.Budget.OnExhausted == "" {
			f.Budget.OnExhausted = OnExhaustedDegrade
		}
		if f.OnUnavailable == "" {
			f.OnUnavailable = OnUnavailableDefer
		}
	}
	if err := d.err(); err != nil {
		return nil, err
	}
	f.Path = name
	return f, nil
}

// Policy returns the routing policy the file describes: its routes laid over
// route.DefaultPolicy, so that element types it does not mention keep their
// local chain. A link's specialist is a model alias or a local specialist's
// name. A nil File gives the default policy.
func (f *File) Policy() route.Policy {
	p := route.DefaultPolicy()
	if f == nil {
		return p
	}
	for t, chain := range f.Routes {
		p.Routes[t] = slices.Clone(chain)
	}
	p.Decorative = f.Decorative
	return p
}
