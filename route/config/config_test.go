package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/folio/folio/route/config"
	"github.com/google/go-cmp/cmp"
)

func links(names ...string) []route.Link {
	l := make([]route.Link, len(names))
	for i, n := range names {
		l[i] = route.Link{Specialist: n}
	}
	return l
}

func mustParse(t *testing.T, src string, known ...string) *config.File {
	t.Helper()
	f, err := config.Parse("folio.yaml", []byte(src), known...)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

func TestLoadIssueExample(t *testing.T) {
	path := filepath.Join("testdata", "issue.yaml")
	f, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := &config.File{
		Path: path,
		Endpoints: map[string]config.Endpoint{
			"openai": {BaseURL: "https://api.openai.com/v1", APIKeyEnv: "OPENAI_API_KEY", Concurrency: 8, RPM: 500, TPM: 200000},
			"ollama": {BaseURL: "http://127.0.0.1:11434/v1", Concurrency: 2},
			"azure": {
				BaseURL:    "https://x.openai.azure.com/openai/deployments/gpt4o",
				APIKeyEnv:  "AZURE_OPENAI_KEY",
				APIVersion: "2024-10-21",
				Headers:    map[string]string{"X-Ms-Client-Request-Id": "folio"},
			},
		},
		Models: map[string]config.Model{
			"small": {Endpoint: "openai", Model: "gpt-4.1-mini", InputPerMTok: new(0.40), CachedInputPerMTok: new(0.10),
				OutputPerMTok: new(1.60), Vision: true, ImageTokens: config.ImageTokensPatches32},
			"large": {Endpoint: "openai", Model: "gpt-4.1", InputPerMTok: new(2.00), CachedInputPerMTok: new(0.50),
				OutputPerMTok: new(8.00), Vision: true},
		},
		Routes: map[folio.ElementType][]route.Link{
			folio.TableType: {
				{Specialist: "local/table"},
				{Specialist: "small", When: route.Rule{MinCells: 20}},
				{Specialist: "large", When: route.Rule{MaxConfidence: 0.5}},
			},
			folio.ImageType: links("small"),
			folio.Paragraph: links("local/text"),
		},
		Baseline: "large",
		Budget:   config.Budget{MaxUSD: new(5.00), OnExhausted: config.OnExhaustedDegrade},
		Retries:  new(3),
		Timeout:  120 * time.Second,

		OnUnavailable: config.OnUnavailableDefer,
	}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("Load(%s) (-want +got):\n%s", path, diff)
	}

	wantPolicy := route.DefaultPolicy()
	wantPolicy.Routes[folio.TableType] = want.Routes[folio.TableType]
	wantPolicy.Routes[folio.ImageType] = links("small")
	if diff := cmp.Diff(wantPolicy, f.Policy()); diff != "" {
		t.Errorf("Policy() (-want +got):\n%s", diff)
	}
	if err := f.Policy().Validate(); err != nil {
		t.Errorf("Policy().Validate() = %v", err)
	}
}

// The README's two examples, which testdata/openai.yaml and
// testdata/ollama.yaml are, load and route tables and images to models.
func TestLoadReadmeExamples(t *testing.T) {
	for _, name := range []string{"openai.yaml", "ollama.yaml"} {
		t.Run(name, func(t *testing.T) {
			f, err := config.Load(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			p := f.Policy()
			if err := p.Validate(); err != nil {
				t.Errorf("Policy().Validate() = %v", err)
			}
			for _, typ := range []folio.ElementType{folio.TableType, folio.ImageType} {
				chain := p.Chain(typ)
				if _, ok := f.Models[chain[len(chain)-1].Specialist]; !ok {
					t.Errorf("the %s chain %v does not end with a model", typ, chain)
				}
			}
			if got, want := p.Chain(folio.Heading), route.DefaultPolicy().Chain(folio.Heading); !cmp.Equal(got, want) {
				t.Errorf("heading chain = %v, want the default %v", got, want)
			}
		})
	}
}

func TestParseConditions(t *testing.T) {
	f := mustParse(t, `
endpoints: {e: {base_url: "http://localhost:8000/v1"}}
models: {m: {endpoint: e, model: x, vision: true}}
routes:
  table: [local/table, {model: m, when: {min_cells: 20, max_confidence: 0.5, min_area: 2500, needs_no_text_layer: true, max_ocr_confidence: 0.8}}]
  paragraph: [local/text, {model: m, when: {needs_no_text_layer: true}}]
  image: [{model: m}]
  heading: [{model: local/text, when: {max_confidence: 1}}]
`)
	want := map[folio.ElementType][]route.Link{
		folio.TableType: {
			{Specialist: "local/table"},
			{Specialist: "m", When: route.Rule{MinCells: 20, MaxConfidence: 0.5, MinArea: 2500, NeedsNoTextLayer: true, MaxOCRConfidence: 0.8}},
		},
		folio.Paragraph: {{Specialist: "local/text"}, {Specialist: "m", When: route.Rule{NeedsNoTextLayer: true}}},
		folio.ImageType: links("m"),
		folio.Heading:   {{Specialist: "local/text", When: route.Rule{MaxConfidence: 1}}},
	}
	if diff := cmp.Diff(want, f.Routes); diff != "" {
		t.Errorf("Routes (-want +got):\n%s", diff)
	}
}

// Images: a model's minimum resolution and the decorative thresholds,
// which reach the policy.
func TestParseImageSettings(t *testing.T) {
	f := mustParse(t, `
endpoints: {e: {base_url: "http://localhost:8000/v1"}}
models: {m: {endpoint: e, model: gpt-4.1, vision: true, min_image_dpi: 150}}
routes: {image: [m]}
decorative: {min_area: 900, max_aspect: 12, repeated_pages: 4}
`)
	if got := f.Models["m"].MinImageDPI; got != 150 {
		t.Errorf("min_image_dpi = %v, want 150", got)
	}
	want := route.Decorative{MinArea: 900, MaxAspect: 12, RepeatedPages: 4}
	if diff := cmp.Diff(want, f.Policy().Decorative); diff != "" {
		t.Errorf("Policy().Decorative (-want +got):\n%s", diff)
	}
	send := mustParse(t, "decorative: {send: true}\n")
	if !send.Policy().Decorative.Send {
		t.Error("decorative.send: true does not reach the policy")
	}
	if send.Policy().Hash() == route.DefaultPolicy().Hash() {
		t.Error("decorative.send: true leaves the policy hash unchanged")
	}
}

func TestParseDefaults(t *testing.T) {
	tests := []struct {
		name, src string
	}{
		{"empty", ""},
		{"comments_only", "# nothing here yet\n"},
		{"document_marker", "---\n"},
		{"null_sections", "endpoints:\nmodels:\nroutes:\nbudget:\n"},
		{"empty_mappings", "endpoints: {}\nmodels: {}\nroutes: {}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.src)
			want := &config.File{Path: "folio.yaml", Budget: config.Budget{OnExhausted: config.OnExhaustedDegrade},
				OnUnavailable: config.OnUnavailableDefer}
			if diff := cmp.Diff(want, f); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(route.DefaultPolicy(), f.Policy()); diff != "" {
				t.Errorf("Policy() (-want +got):\n%s", diff)
			}
		})
	}
}

// Anchors, aliases and merge keys share settings between models.
func TestParseAnchors(t *testing.T) {
	f := mustParse(t, `
endpoints:
  oa: &oa {base_url: "https://api.openai.com/v1", api_key_env: OPENAI_API_KEY}
  proxy: {<<: *oa, base_url: "http://127.0.0.1:4000/v1"}
models:
  small: &vision {endpoint: oa, model: gpt-4.1-mini, vision: true, input_per_mtok: 0.4}
  large: {<<: *vision, model: gpt-4.1}
routes:
  table: &chain [local/table, small, large]
  image: *chain
`)
	wantEndpoints := map[string]config.Endpoint{
		"oa":    {BaseURL: "https://api.openai.com/v1", APIKeyEnv: "OPENAI_API_KEY"},
		"proxy": {BaseURL: "http://127.0.0.1:4000/v1", APIKeyEnv: "OPENAI_API_KEY"},
	}
	if diff := cmp.Diff(wantEndpoints, f.Endpoints); diff != "" {
		t.Errorf("Endpoints (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(config.Model{Endpoint: "oa", Model: "gpt-4.1", Vision: true, InputPerMTok: new(0.4)}, f.Models["large"]); diff != "" {
		t.Errorf("large (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(f.Routes[folio.TableType], f.Routes[folio.ImageType]); diff != "" {
		t.Errorf("image chain differs from the table chain it aliases:\n%s", diff)
	}
}

func TestParseKnownSpecialists(t *testing.T) {
	src := "routes: {formula: [local/latex, local/text]}\n"
	if _, err := config.Parse("folio.yaml", []byte(src)); err == nil {
		t.Error("local/latex accepted without being known")
	}
	f := mustParse(t, src, "local/latex")
	if diff := cmp.Diff(links("local/latex", "local/text"), f.Policy().Chain(folio.Formula)); diff != "" {
		t.Errorf("formula chain (-want +got):\n%s", diff)
	}
}

func TestPolicyHash(t *testing.T) {
	const models = `
endpoints: {e: {base_url: "http://localhost:8000/v1"}}
models: {small: {endpoint: e, model: a, vision: true}, large: {endpoint: e, model: b, vision: true}}
`
	base := route.DefaultPolicy().Hash()
	tests := []struct {
		name   string
		routes string
		same   bool
	}{
		{"no_routes_default", "", true},
		{"default_chain_restated_default", "routes: {table: [local/table]}", true},
		{"chain_extended_changes", "routes: {table: [local/table, small]}", false},
		{"chain_reordered_changes", "routes: {table: [small, local/table]}", false},
		{"condition_added_changes", "routes: {table: [local/table, {model: small, when: {min_cells: 20}}]}", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, models+tt.routes).Policy().Hash()
			if (got == base) != tt.same {
				t.Errorf("hash = %s, default's = %s, want same: %v", got, base, tt.same)
			}
		})
	}
	a := mustParse(t, models+"routes: {table: [local/table, small]}").Policy().Hash()
	b := mustParse(t, models+"routes: {table: [local/table, {model: small, when: {min_cells: 20}}]}").Policy().Hash()
	if a == b {
		t.Error("a condition on a link leaves the hash unchanged")
	}
	var none *config.File
	if got := none.Policy().Hash(); got != base {
		t.Errorf("nil File's policy hash = %s, want the default's %s", got, base)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := config.Load(filepath.Join(t.TempDir(), "folio.yaml"))
	if !errors.Is(err, config.ErrInvalid) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want ErrInvalid and fs.ErrNotExist", err)
	}
}

func TestAPIKey(t *testing.T) {
	tests := []struct {
		name    string
		env     string // value of FOLIO_TEST_KEY; "-" leaves it unset
		keyEnv  string
		want    string
		wantErr bool
	}{
		{"no_key_env_no_key", "-", "", "", false},
		{"set_returned_trimmed", " sk-test\n", "FOLIO_TEST_KEY", "sk-test", false},
		{"empty_fails", "", "FOLIO_TEST_KEY", "", true},
		{"unset_fails", "-", "FOLIO_TEST_KEY", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("FOLIO_TEST_KEY", "")
			if tt.env == "-" {
				os.Unsetenv("FOLIO_TEST_KEY")
			} else {
				t.Setenv("FOLIO_TEST_KEY", tt.env)
			}
			got, err := config.Endpoint{APIKeyEnv: tt.keyEnv}.APIKey()
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Fatalf("APIKey() = %q, %v; want %q, error %v", got, err, tt.want, tt.wantErr)
			}
			if err != nil {
				if want := "environment variable FOLIO_TEST_KEY, named by api_key_env, is not set"; err.Error() != want {
					t.Errorf("error = %q, want %q", err, want)
				}
				if !errors.Is(err, config.ErrInvalid) {
					t.Errorf("error %v is not ErrInvalid", err)
				}
			}
		})
	}
}

func TestMaxUSDMicros(t *testing.T) {
	tests := []struct {
		name   string
		max    *float64
		want   int64
		wantOK bool
	}{
		{"none", nil, 0, false},
		{"zero_spends_nothing", new(0.0), 0, true},
		{"five_dollars", new(5.00), 5_000_000, true},
		{"rounded_to_nearest", new(0.1 + 0.2), 300_000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := config.Budget{MaxUSD: tt.max}.MaxUSDMicros()
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("MaxUSDMicros() = %d, %v; want %d, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// The cheap baseline is the vision model with the lowest known input price
// (then output price), unless it is the baseline model itself.
func TestCheapBaseline(t *testing.T) {
	p := func(v float64) *float64 { return &v }
	f := &config.File{Baseline: "large", Models: map[string]config.Model{
		"large":  {Model: "gpt-4.1", Vision: true, InputPerMTok: p(2), OutputPerMTok: p(8)},
		"small":  {Model: "gpt-4.1-mini", Vision: true, InputPerMTok: p(0.4), OutputPerMTok: p(1.6)},
		"nano":   {Model: "gpt-4.1-nano", Vision: true, InputPerMTok: p(0.4), OutputPerMTok: p(0.4)},
		"text":   {Model: "text-only", InputPerMTok: p(0.01), OutputPerMTok: p(0.01)},
		"secret": {Model: "unpriced", Vision: true},
	}}
	if got := f.CheapBaseline(); got != "nano" {
		t.Errorf("CheapBaseline() = %q, want nano (same input price as small, cheaper output)", got)
	}
	f.Baseline = "nano"
	if got := f.CheapBaseline(); got != "" {
		t.Errorf("CheapBaseline() = %q when the baseline is the cheapest, want none", got)
	}
	if got := (*config.File)(nil).CheapBaseline(); got != "" {
		t.Errorf("nil file: %q", got)
	}
}
