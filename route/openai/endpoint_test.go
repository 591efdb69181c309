package openai_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/folio/folio/route/openai"
	"github.com/folio/folio/route/openai/oaitest"
)

// TestEnvironmentIgnored sets every OPENAI_* variable openai-go reads, the
// base URL to a dead address, and checks the request still reaches the
// test server with the endpoint's own key and none of the rest.
func TestEnvironmentIgnored(t *testing.T) {
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
	t.Setenv("OPENAI_API_KEY", "sk-from-the-environment")
	t.Setenv("OPENAI_ADMIN_KEY", "sk-admin-from-the-environment")
	t.Setenv("OPENAI_ORG_ID", "org-env")
	t.Setenv("OPENAI_PROJECT_ID", "proj-env")
	t.Setenv("OPENAI_CUSTOM_HEADERS", "X-From-Env: leaked")
	srv := oaitest.New(t)
	s := newSpecialist(t, srv, mini())
	if _, err := s.Run(context.Background(), paragraphTask()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("server saw %d requests, want 1", len(reqs))
	}
	if got, want := reqs[0].AuthSHA256, sha("Bearer "+fakeKey); got != want {
		t.Errorf("Authorization is not the endpoint's key")
	}
	for _, h := range []string{"Openai-Organization", "Openai-Project", "X-From-Env"} {
		if _, ok := reqs[0].HeaderSHA256[h]; ok {
			t.Errorf("header %s was sent from the environment", h)
		}
	}
}

// TestKeyOnlyInAuthorization checks the key travels in the Authorization
// header and nowhere else: no other header, the query or the body.
func TestKeyOnlyInAuthorization(t *testing.T) {
	srv := oaitest.New(t)
	srv.RequireKey(fakeKey)
	s := newSpecialist(t, srv, mini())
	res, err := s.Run(context.Background(), imageTask(t))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	noKey(t, err, res)
	r := srv.Requests()[0]
	for name, h := range r.HeaderSHA256 {
		if name != "Authorization" && (h == sha(fakeKey) || h == sha("Bearer "+fakeKey)) {
			t.Errorf("header %s holds the key", name)
		}
	}
	if r.HeaderSHA256["Authorization"] != sha("Bearer "+fakeKey) {
		t.Errorf("Authorization header is not Bearer and the key")
	}
	if bytes.Contains(r.Body, []byte(fakeKey)) || strings.Contains(r.Query, fakeKey) {
		t.Errorf("the key is in the body or query")
	}
}

func TestEndpointWithoutKeyWithHeadersAndAPIVersion(t *testing.T) {
	srv := oaitest.New(t)
	s := newSpecialist(t, srv, mini(), func(ep *openai.Endpoint) {
		ep.APIKey = ""
		ep.Headers = map[string]string{"api-key": "azure-style-key"}
		ep.APIVersion = "2024-10-21"
	})
	if _, err := s.Run(context.Background(), paragraphTask()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	r := srv.Requests()[0]
	got := []any{r.Auth, r.HeaderSHA256["Api-Key"], r.Query, r.Path}
	want := []any{false, sha("azure-style-key"), "api-version=2024-10-21", "/v1/chat/completions"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
}

func TestCustomHTTPClient(t *testing.T) {
	srv := oaitest.New(t)
	var seen int
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen++
		return http.DefaultTransport.RoundTrip(r)
	})}
	s := newSpecialist(t, srv, mini(), func(ep *openai.Endpoint) { ep.HTTPClient = client })
	if _, err := s.Run(context.Background(), paragraphTask()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if seen != 1 {
		t.Errorf("the endpoint's client made %d requests, want 1", seen)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNewRejectsBadConfiguration(t *testing.T) {
	good := openai.Endpoint{BaseURL: "https://api.openai.com/v1"}
	tests := []struct {
		name string
		ep   openai.Endpoint
		m    openai.Model
		want string
	}{
		{"no base URL", openai.Endpoint{}, mini(), "no base URL"},
		{"no scheme", openai.Endpoint{BaseURL: "api.openai.com/v1"}, mini(), "scheme"},
		{"ftp", openai.Endpoint{BaseURL: "ftp://example.com/v1"}, mini(), "scheme"},
		{"user info", openai.Endpoint{BaseURL: "https://user:pw@example.com/v1"}, mini(), "user info"},
		{"query", openai.Endpoint{BaseURL: "https://example.com/v1?api-version=1"}, mini(), "query"},
		{"negative timeout", openai.Endpoint{BaseURL: good.BaseURL, Timeout: -1}, mini(), "timeout"},
		{"no model", good, openai.Model{}, "no model id"},
		{"negative price", good, openai.Model{Model: "m", InputPerMTok: price(-1)}, "input price"},
		{"absurd price", good, openai.Model{Model: "m", OutputPerMTok: price(2e6)}, "output price"},
		{"image formula", good, openai.Model{Model: "m", ImageTokens: "tiles1024"}, "image token formula"},
		{"negative max tokens", good, openai.Model{Model: "m", MaxOutputTokens: -5}, "max output tokens"},
		{"negative image dpi", good, openai.Model{Model: "m", MinImageDPI: -1}, "image resolution"},
		{"image dpi in the wrong unit", good, openai.Model{Model: "m", MinImageDPI: 30000}, "image resolution"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.ep.APIKey = fakeKey
			_, err := openai.New(tt.ep, tt.m)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error %v, want one mentioning %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), fakeKey) {
				t.Errorf("the key leaks: %v", err)
			}
		})
	}
}

func TestNameIsTheAlias(t *testing.T) {
	srv := oaitest.New(t)
	if got := newSpecialist(t, srv, mini()).Name(); got != "small" {
		t.Errorf("Name %q, want the alias %q", got, "small")
	}
	m := mini()
	m.Alias = ""
	if got := newSpecialist(t, srv, m).Name(); got != "openai/gpt-4.1-mini" {
		t.Errorf("Name without alias %q, want %q", got, "openai/gpt-4.1-mini")
	}
}
