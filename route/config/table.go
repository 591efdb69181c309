package config

import (
	"slices"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
)

// Table is the policy in effect as `folio routes --json` prints it: what
// WriteText shows, with stable field names. Prices are US dollars per
// million tokens, null when unknown; a zero limit means none (or the
// provider's default).
type Table struct {
	Policy        string           `json:"policy"` // the file's path, "" for none (fully local)
	Hash          string           `json:"policy_hash"`
	Endpoints     []TableEndpoint  `json:"endpoints"`
	Models        []TableModel     `json:"models"`
	Routes        []TableRoute     `json:"routes"`
	Baseline      string           `json:"baseline"` // a model alias, "" for none
	Budget        TableBudget      `json:"budget"`
	Decorative    route.Decorative `json:"decorative"` // defaults filled in
	Retries       *int             `json:"retries"`    // null: the provider's default
	Timeout       string           `json:"timeout"`    // a Go duration, "" for the provider's default
	OnUnavailable string           `json:"on_unavailable"`
}

// TableEndpoint is an endpoint of a Table: the name of its key's variable,
// never the key, and the names of its extra headers, never their values.
type TableEndpoint struct {
	Name        string   `json:"name"`
	BaseURL     string   `json:"base_url"`
	APIKeyEnv   string   `json:"api_key_env"`
	APIVersion  string   `json:"api_version"`
	Headers     []string `json:"headers"`
	Concurrency int      `json:"concurrency"`
	RPM         int      `json:"rpm"`
	TPM         int      `json:"tpm"`
}

// TableModel is a model alias of a Table.
type TableModel struct {
	Alias              string   `json:"alias"`
	Endpoint           string   `json:"endpoint"`
	Model              string   `json:"model"`
	InputPerMTok       *float64 `json:"input_per_mtok"`
	CachedInputPerMTok *float64 `json:"cached_input_per_mtok"`
	OutputPerMTok      *float64 `json:"output_per_mtok"`
	Vision             bool     `json:"vision"`
	ImageTokens        string   `json:"image_tokens"` // "" for the one the provider knows the model by
	MinImageDPI        float64  `json:"min_image_dpi"`
	MaxOutputTokens    int      `json:"max_output_tokens"`
}

// TableRoute is one element type's chain, cheapest first; Default reports
// that the file leaves the type to route.DefaultPolicy.
type TableRoute struct {
	Type    folio.ElementType `json:"type"`
	Chain   []route.Link      `json:"chain"`
	Default bool              `json:"default"`
}

// TableBudget is a run's cap on model spending.
type TableBudget struct {
	MaxUSD      *float64 `json:"max_usd"` // null for no cap
	OnExhausted string   `json:"on_exhausted"`
	// Period is "day" or "month" when the caps hold for every run of the
	// period together; PerTag caps the runs carrying a tag.
	Period string             `json:"period,omitempty"`
	PerTag map[string]float64 `json:"per_tag,omitempty"`
}

// Table returns the policy p in effect and the file's settings, sorted by
// name, for printing as JSON. A nil File stands for no policy file.
func (f *File) Table(p route.Policy) Table {
	path := ""
	if f != nil {
		path = f.Path
	} else {
		f = &File{}
	}
	t := Table{
		Policy: path, Hash: p.Hash(), Baseline: f.Baseline,
		Endpoints: []TableEndpoint{}, Models: []TableModel{}, Routes: []TableRoute{},
		Budget: TableBudget{MaxUSD: f.Budget.MaxUSD, OnExhausted: cmpOr(f.Budget.OnExhausted, OnExhaustedDegrade),
			Period: f.Budget.Period, PerTag: f.Budget.PerTag},
		Decorative: withDefaults(p.Decorative),
		Retries:    f.Retries, OnUnavailable: cmpOr(f.OnUnavailable, OnUnavailableDefer),
	}
	if _, ok := f.Models[f.Baseline]; !ok {
		t.Baseline = ""
	}
	if f.Timeout > 0 {
		t.Timeout = f.Timeout.String()
	}
	for _, name := range sortedKeys(f.Endpoints) {
		e := f.Endpoints[name]
		t.Endpoints = append(t.Endpoints, TableEndpoint{
			Name: name, BaseURL: e.BaseURL, APIKeyEnv: e.APIKeyEnv, APIVersion: e.APIVersion,
			Headers: append([]string{}, sortedKeys(e.Headers)...), Concurrency: e.Concurrency, RPM: e.RPM, TPM: e.TPM,
		})
	}
	for _, alias := range sortedKeys(f.Models) {
		m := f.Models[alias]
		t.Models = append(t.Models, TableModel{
			Alias: alias, Endpoint: m.Endpoint, Model: m.Model,
			InputPerMTok: m.InputPerMTok, CachedInputPerMTok: m.CachedInputPerMTok, OutputPerMTok: m.OutputPerMTok,
			Vision: m.Vision, ImageTokens: m.ImageTokens, MinImageDPI: m.MinImageDPI, MaxOutputTokens: m.MaxOutputTokens,
		})
	}
	def := route.DefaultPolicy()
	for _, typ := range sortedKeys(p.Routes) {
		chain := p.Routes[typ]
		_, set := f.Routes[typ]
		t.Routes = append(t.Routes, TableRoute{
			Type: typ, Chain: append([]route.Link{}, chain...),
			Default: !set && slices.Equal(chain, def.Routes[typ]),
		})
	}
	return t
}

// withDefaults fills the zero fields of d with route's defaults, as the
// router applies them.
func withDefaults(d route.Decorative) route.Decorative {
	if d.MinArea <= 0 {
		d.MinArea = float64(route.DefaultDecorativeArea)
	}
	if d.MaxAspect <= 0 {
		d.MaxAspect = float64(route.DefaultDecorativeAspect)
	}
	if d.RepeatedPages <= 0 {
		d.RepeatedPages = route.DefaultDecorativePages
	}
	return d
}
