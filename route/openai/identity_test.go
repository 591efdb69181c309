package openai_test

import (
	"strings"
	"testing"

	"github.com/folio/folio/route/openai"
)

// Identity changes with what changes answers and with nothing else.
func TestIdentity(t *testing.T) {
	in, out := 0.4, 1.6
	base := openai.Model{Alias: "tab", Model: "gpt-4.1-mini", InputPerMTok: &in, OutputPerMTok: &out, Vision: true}
	ep := openai.Endpoint{Name: "test", BaseURL: "https://api.example.com/v1", APIKey: "sk-one"}
	identity := func(ep openai.Endpoint, m openai.Model) string {
		t.Helper()
		s, err := openai.New(ep, m)
		if err != nil {
			t.Fatal(err)
		}
		return s.Identity()
	}
	want := identity(ep, base)
	with := func(f func(ep *openai.Endpoint, m *openai.Model)) string {
		e, m := ep, base
		f(&e, &m)
		return identity(e, m)
	}
	cheaper := 0.1
	tests := []struct {
		name string
		got  string
		same bool
	}{
		{"model_id", with(func(_ *openai.Endpoint, m *openai.Model) { m.Model = "gpt-4.1" }), false},
		{"endpoint", with(func(e *openai.Endpoint, _ *openai.Model) { e.BaseURL = "http://localhost:11434/v1" }), false},
		{"api_version", with(func(e *openai.Endpoint, _ *openai.Model) { e.APIVersion = "2024-10-21" }), false},
		{"vision", with(func(_ *openai.Endpoint, m *openai.Model) { m.Vision = false }), false},
		{"image_dpi", with(func(_ *openai.Endpoint, m *openai.Model) { m.MinImageDPI = 200 }), false},
		{"max_output", with(func(_ *openai.Endpoint, m *openai.Model) { m.MaxOutputTokens = 100 }), false},
		{"price", with(func(_ *openai.Endpoint, m *openai.Model) { m.InputPerMTok = &cheaper }), true},
		{"key", with(func(e *openai.Endpoint, _ *openai.Model) { e.APIKey = "sk-two" }), true},
		{"alias", with(func(_ *openai.Endpoint, m *openai.Model) { m.Alias = "other" }), true},
	}
	for _, tt := range tests {
		if (tt.got == want) != tt.same {
			t.Errorf("%s: Identity = %q, base %q; want same %v", tt.name, tt.got, want, tt.same)
		}
	}
	if strings.Contains(want, "sk-one") || strings.Contains(want, "0.4") {
		t.Errorf("Identity %q holds the key or a price", want)
	}
}
