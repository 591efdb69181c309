package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/folio/folio/route/config"
	"github.com/google/go-cmp/cmp"
)

// base is a valid file that the cases below extend; its lines are 1-5, so
// a case's first line is line 6.
const base = `endpoints:
  openai: {base_url: "https://api.openai.com/v1", api_key_env: OPENAI_API_KEY}
models:
  small: {endpoint: openai, model: gpt-4.1-mini, vision: true}
  text: {endpoint: openai, model: gpt-4.1-nano}
`

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string // appended to base unless it starts with "!"
		want string
	}{
		// Shape.
		{"malformed_yaml", "!routes: {table: [local/table\n", "folio.yaml:1: malformed YAML: sequence end token ']' not found"},
		{"not_a_mapping", "![local/text]\n", "folio.yaml:1: the file must be a mapping with keys such as endpoints, models and routes, not a list"},
		{"two_documents", "!retries: 1\n---\nretries: 2\n", "folio.yaml:3: more than one YAML document"},
		{"unknown_top_level_key", "budgets: {max_usd: 1}\n", `folio.yaml:6: budgets: unknown field (did you mean "budget"?)`},
		{"unknown_field_listed", "budget: {cap: 1}\n", "folio.yaml:6: budget.cap: unknown field (one of max_usd, on_exhausted, period, per_tag, warn_at)"},
		{"duplicate_key", "retries: 1\nretries: 2\n", "folio.yaml:7: retries: duplicate key, first on line 6"},
		{"wrong_type", "retries: three\n", "folio.yaml:6: retries: must be an integer, not a string"},
		{"quoted_price", "!endpoints: {e: {base_url: \"http://h/v1\"}}\nmodels:\n  m:\n    endpoint: e\n    model: x\n    input_per_mtok: \"0.40\"\n",
			"folio.yaml:6: models.m.input_per_mtok: must be a number, not a string"},
		{"self_merge", "!endpoints:\n  e: &e {base_url: \"http://h/v1\", <<: *e}\n", "folio.yaml:2: endpoints.e: merge keys nested too deeply"},
		{"merge_not_mapping", "!endpoints:\n  e: {base_url: \"http://h/v1\", <<: [1]}\n", "folio.yaml:2: endpoints.e: a merge key (<<) needs a mapping or a list of mappings"},
		{"unknown_alias", "!retries: *n\n", "folio.yaml:1: retries: unknown alias *n"},
		{"tag", "retries: !!str 3\n", "folio.yaml:6: retries: YAML tags such as !!str are not supported"},

		// Endpoints.
		{"base_url_missing", "!endpoints:\n  e: {api_key_env: KEY}\n", "folio.yaml:2: endpoints.e.base_url: required: the server's URL, such as https://api.openai.com/v1"},
		{"base_url_relative", "!endpoints:\n  e:\n    base_url: api.openai.com/v1\n", `folio.yaml:3: endpoints.e.base_url: "api.openai.com/v1" is not an absolute http or https URL`},
		{"base_url_scheme", "!endpoints:\n  e: {base_url: \"ftp://h/v1\"}\n", `folio.yaml:2: endpoints.e.base_url: "ftp://h/v1" is not an absolute http or https URL`},
		{"base_url_credentials", "!endpoints:\n  e: {base_url: \"https://me:secret@h/v1\"}\n",
			"folio.yaml:2: endpoints.e.base_url: must not hold credentials; name the environment variable holding the key in api_key_env"},
		{"literal_key", "!endpoints:\n  e:\n    base_url: https://h/v1\n    api_key_env: sk-proj-4f9aQ2b7c\n",
			`folio.yaml:4: endpoints.e.api_key_env: "sk-…" looks like an API key, not the name of an environment variable: put the key in an environment variable and name that here, such as OPENAI_API_KEY`},
		{"dollar_env_name", "!endpoints:\n  e: {base_url: \"https://h/v1\", api_key_env: $OPENAI_API_KEY}\n",
			"folio.yaml:2: endpoints.e.api_key_env: write the variable's name without $ or braces: OPENAI_API_KEY"},
		{"bad_env_name", "!endpoints:\n  e: {base_url: \"https://h/v1\", api_key_env: 1KEY}\n",
			"folio.yaml:2: endpoints.e.api_key_env: not the name of an environment variable (letters, digits and _, not starting with a digit)"},
		{"api_key_field", "!endpoints:\n  e:\n    base_url: https://h/v1\n    api_key: abc\n",
			"folio.yaml:4: endpoints.e.api_key: unknown field: never write a key in the file; put it in an environment variable and name that in api_key_env"},
		{"authorization_header", "!endpoints:\n  e:\n    base_url: https://h/v1\n    headers:\n      Authorization: Bearer abc\n",
			"folio.yaml:5: endpoints.e.headers.Authorization: the key is sent from the variable api_key_env names; never write it in the file"},
		{"negative_limit", "!endpoints:\n  e:\n    base_url: https://h/v1\n    rpm: -5\n", "folio.yaml:4: endpoints.e.rpm: -5 is negative"},

		// Models.
		{"unknown_endpoint", "!endpoints:\n  openai: {base_url: \"https://api.openai.com/v1\"}\nmodels:\n  small:\n    endpoint: opanai\n    model: gpt-4.1-mini\n",
			`folio.yaml:5: models.small.endpoint: unknown endpoint "opanai" (did you mean "openai"?)`},
		{"no_endpoints", "!models:\n  small: {endpoint: openai, model: m}\n",
			`folio.yaml:2: models.small.endpoint: unknown endpoint "openai": the file declares no endpoints`},
		{"endpoint_missing", "!endpoints: {e: {base_url: \"http://h/v1\"}}\nmodels:\n  m: {model: x}\n", "folio.yaml:3: models.m.endpoint: required: the name of one of the endpoints"},
		{"model_missing", "!endpoints: {e: {base_url: \"http://h/v1\"}}\nmodels:\n  m: {endpoint: e}\n",
			"folio.yaml:3: models.m.model: required: the model's name on its endpoint, such as gpt-4.1-mini"},
		{"negative_price", "!endpoints: {e: {base_url: \"http://h/v1\"}}\nmodels:\n  m:\n    endpoint: e\n    model: x\n    output_per_mtok: -1.6\n",
			"folio.yaml:6: models.m.output_per_mtok: -1.6 is negative"},
		{"infinite_price", "!endpoints: {e: {base_url: \"http://h/v1\"}}\nmodels:\n  m:\n    endpoint: e\n    model: x\n    input_per_mtok: .inf\n",
			"folio.yaml:6: models.m.input_per_mtok: must be a finite number"},
		{"nan_price", "!endpoints: {e: {base_url: \"http://h/v1\"}}\nmodels:\n  m:\n    endpoint: e\n    model: x\n    input_per_mtok: .nan\n",
			"folio.yaml:6: models.m.input_per_mtok: must be a finite number"},
		{"image_tokens", "!endpoints: {e: {base_url: \"http://h/v1\"}}\nmodels:\n  m:\n    endpoint: e\n    model: x\n    image_tokens: tiles\n",
			`folio.yaml:6: models.m.image_tokens: unknown formula "tiles" (one of tiles512, patches32)`},
		{"alias_local", "!endpoints: {e: {base_url: \"http://h/v1\"}}\nmodels:\n  local/big: {endpoint: e, model: x}\n",
			"folio.yaml:3: models.local/big: an alias must not start with local/, which names local specialists"},

		// Routes.
		{"unknown_type", "routes:\n  tabel: [small]\n", `folio.yaml:7: routes.tabel: unknown element type "tabel" (did you mean "table"?)`},
		{"empty_chain", "routes:\n  table: []\n", "folio.yaml:7: routes.table: the chain is empty; name at least one link, such as [local/text]"},
		{"chain_not_list", "routes:\n  table: small\n", "folio.yaml:7: routes.table: must be a list of links such as [local/table, small], not a string"},
		{"unknown_model", "routes:\n  table: [local/table, smal]\n", `folio.yaml:7: routes.table[1]: unknown model or specialist "smal" (did you mean "small"?)`},
		{"unknown_model_listed", "routes:\n  table: [huge]\n",
			`folio.yaml:7: routes.table[0]: unknown model or specialist "huge" (one of small, text, local/image, local/table, local/text)`},
		{"unknown_local", "routes:\n  table:\n    - local/tables\n", `folio.yaml:8: routes.table[0]: unknown specialist "local/tables" (did you mean "local/table"?)`},
		{"duplicate_link", "routes:\n  table:\n    - small\n    - local/table\n    - small\n", "folio.yaml:10: routes.table[2]: small appears twice in the chain"},
		{"link_without_model", "routes:\n  table: [{when: {min_cells: 4}}]\n", "folio.yaml:7: routes.table[0]: required: a model alias or a local specialist"},
		{"unknown_link_model_field", "routes:\n  table:\n    - {model: smal}\n", `folio.yaml:8: routes.table[0].model: unknown model or specialist "smal" (did you mean "small"?)`},
		{"image_without_vision", "routes:\n  image: [text]\n", `folio.yaml:7: routes.image[0]: model "text" cannot see images: it does not set vision: true`},
		{"negative_min_cells", "routes:\n  table:\n    - model: small\n      when:\n        min_cells: -1\n", "folio.yaml:10: routes.table[0].when.min_cells: -1 is negative"},
		{"min_cells_not_table", "routes:\n  paragraph: [{model: small, when: {min_cells: 4}}]\n", "folio.yaml:7: routes.paragraph[0].when.min_cells: applies only to tables"},
		{"max_confidence_zero", "routes:\n  table: [{model: small, when: {max_confidence: 0}}]\n", "folio.yaml:7: routes.table[0].when.max_confidence: 0 is not above 0 and at most 1"},
		{"max_confidence_above_one", "routes:\n  table:\n    - model: small\n      when: {max_confidence: 1.5}\n",
			"folio.yaml:9: routes.table[0].when.max_confidence: 1.5 is not above 0 and at most 1"},
		{"negative_min_area", "routes:\n  image: [{model: small, when: {min_area: -10}}]\n", "folio.yaml:7: routes.image[0].when.min_area: -10 is not at least 0 and below 1e+12"},
		{"needs_no_text_layer_not_bool", "routes:\n  paragraph: [{model: small, when: {needs_no_text_layer: yes}}]\n",
			"folio.yaml:7: routes.paragraph[0].when.needs_no_text_layer: must be true or false, not a string"},
		{"misspelt_condition", "routes:\n  table: [{model: small, when: {min_cels: 4}}]\n", `folio.yaml:7: routes.table[0].when.min_cels: unknown field (did you mean "min_cells"?)`},
		{"unknown_condition", "routes:\n  table: [{model: small, when: {min_rows: 4}}]\n",
			"folio.yaml:7: routes.table[0].when.min_rows: unknown field (one of min_cells, max_confidence, min_confidence, min_area, needs_no_text_layer, max_ocr_confidence)"},
		{"ocr_confidence_range", "routes:\n  paragraph: [{model: small, when: {max_ocr_confidence: 1.5}}]\n", "folio.yaml:7: routes.paragraph[0].when.max_ocr_confidence: 1.5 is not above 0 and at most 1"},

		// Baseline, budget, retries, timeout.
		{"unknown_baseline", "baseline: large\n", `folio.yaml:6: baseline: unknown model "large" (one of small, text)`},
		{"baseline_without_vision", "baseline: text\n", `folio.yaml:6: baseline: model "text" cannot see images, and the baseline sends each page as one`},
		{"negative_budget", "budget:\n  max_usd: -5\n", "folio.yaml:7: budget.max_usd: -5 is negative"},
		{"on_exhausted", "budget: {max_usd: 5, on_exhausted: stop}\n", `folio.yaml:6: budget.on_exhausted: "stop" is not degrade or fail`},
		{"on_unavailable", "on_unavailable: retry\n", `folio.yaml:6: on_unavailable: "retry" is not defer or degrade`},
		{"negative_retries", "retries: -1\n", "folio.yaml:6: retries: -1 is negative"},
		{"timeout_without_unit", "timeout: 120\n", "folio.yaml:6: timeout: 120 needs a unit, such as 120s"},
		{"timeout_malformed", "timeout: two minutes\n", `folio.yaml:6: timeout: "two minutes" is not a duration such as 120s or 2m`},
		{"timeout_negative", "timeout: -5s\n", "folio.yaml:6: timeout: -5s is not positive"},

		// Images.
		{"min_image_dpi_zero", "!endpoints: {e: {base_url: \"http://h/v1\"}}\nmodels:\n  m:\n    endpoint: e\n    model: x\n    min_image_dpi: 0\n",
			"folio.yaml:6: models.m.min_image_dpi: 0 is not above 0 and at most 1200"},
		{"min_image_dpi_in_pixels", "!endpoints: {e: {base_url: \"http://h/v1\"}}\nmodels:\n  m:\n    endpoint: e\n    model: x\n    min_image_dpi: 2048\n",
			"folio.yaml:6: models.m.min_image_dpi: 2048 is not above 0 and at most 1200"},
		{"decorative_area", "decorative: {min_area: -1}\n", "folio.yaml:6: decorative.min_area: -1 is not above 0 and below 1e+12"},
		{"decorative_aspect", "decorative:\n  max_aspect: 0.5\n", "folio.yaml:7: decorative.max_aspect: 0.5 is not at least 1"},
		{"decorative_pages", "decorative: {repeated_pages: 0}\n", "folio.yaml:6: decorative.repeated_pages: 0 is not at least 1"},
		{"decorative_unknown", "decorative: {skip: true}\n", "folio.yaml:6: decorative.skip: unknown field (one of send, min_area, max_aspect, repeated_pages)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, ok := strings.CutPrefix(tt.src, "!")
			if !ok {
				src = base + tt.src
			}
			f, err := config.Parse("folio.yaml", []byte(src))
			if err == nil {
				t.Fatalf("Parse = %+v, want error %q", f, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
			if !errors.Is(err, config.ErrInvalid) {
				t.Errorf("error %v is not ErrInvalid", err)
			}
		})
	}
}

// Every problem is reported at once, in file order, each on its own line.
func TestParseReportsAllErrors(t *testing.T) {
	src := `endpoints:
  openai: {base_url: "https://api.openai.com/v1", api_key_env: OPENAI_API_KEY}
models:
  small: {endpoint: opanai, model: gpt-4.1-mini}
  large: {endpoint: openai, model: gpt-4.1, output_per_mtok: -8}
routes:
  table: [local/table, small, huge]
  picture: [small]
baseline: larg
budget: {max_usd: 5, on_exhausted: stop}
colour: blue
`
	_, err := config.Parse("folio.yaml", []byte(src))
	want := []string{
		`folio.yaml:4: models.small.endpoint: unknown endpoint "opanai" (did you mean "openai"?)`,
		`folio.yaml:5: models.large.output_per_mtok: -8 is negative`,
		`folio.yaml:7: routes.table[2]: unknown model or specialist "huge" (one of large, small, local/image, local/table, local/text)`,
		`folio.yaml:8: routes.picture: unknown element type "picture" (one of caption, code, footer, footnote, formula, header, heading, image, list_item, page_number, paragraph, table, title)`,
		`folio.yaml:9: baseline: unknown model "larg" (did you mean "large"?)`,
		`folio.yaml:10: budget.on_exhausted: "stop" is not degrade or fail`,
		`folio.yaml:11: colour: unknown field (one of endpoints, models, routes, baseline, budget, decorative, retries, timeout, on_unavailable)`,
	}
	if err == nil {
		t.Fatal("Parse succeeded")
	}
	if diff := cmp.Diff(want, strings.Split(err.Error(), "\n")); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	// Each problem is an *Error with its line and field.
	var first *config.Error
	if !errors.As(err, &first) || first.Line != 4 || first.Field != "models.small.endpoint" {
		t.Errorf("first *Error = %+v, want line 4, field models.small.endpoint", first)
	}
}

func TestErrorText(t *testing.T) {
	err := errors.New("unknown endpoint")
	tests := []struct {
		name string
		e    config.Error
		want string
	}{
		{"file_line_field", config.Error{File: "folio.yaml", Line: 7, Field: "models.small.endpoint", Err: err}, "folio.yaml:7: models.small.endpoint: unknown endpoint"},
		{"file_only", config.Error{File: "folio.yaml", Err: err}, "folio.yaml: unknown endpoint"},
		{"line_without_file", config.Error{Line: 7, Field: "baseline", Err: err}, "line 7: baseline: unknown endpoint"},
		{"message_only", config.Error{Err: err}, "unknown endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			if !errors.Is(&tt.e, config.ErrInvalid) || !errors.Is(&tt.e, err) {
				t.Error("the error matches neither ErrInvalid nor what it wraps")
			}
		})
	}
}
