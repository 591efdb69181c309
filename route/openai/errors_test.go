package openai_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/folio/folio/route/openai"
	"github.com/folio/folio/route/openai/oaitest"
)

// paid is the usage the answered-but-rejected cases report, and its price:
// 100·0.40 + 10·1.60 = 56 µ$.
var paid = oaitest.Usage{PromptTokens: 100, CompletionTokens: 10}

func TestRunClassifiesFailures(t *testing.T) {
	chatBody := func(choices string) string {
		return `{"id":"c","object":"chat.completion","created":1,"model":"gpt-4.1-mini","choices":` + choices +
			`,"usage":{"prompt_tokens":100,"completion_tokens":10,"total_tokens":110}}`
	}
	tests := []struct {
		name  string
		task  route.Task
		step  oaitest.Step
		class folio.ErrorClass
		wait  time.Duration // the error's RetryAfter
		usage bool          // the answer came and was paid for
	}{
		{name: "429 with Retry-After seconds", step: oaitest.Step{Status: 429, RetryAfter: "7"},
			class: folio.ClassRateLimit, wait: 7 * time.Second},
		{name: "429 with retry-after-ms", step: oaitest.Step{Status: 429, RetryAfter: "9",
			Header: map[string]string{"retry-after-ms": "1500"}}, class: folio.ClassRateLimit, wait: 1500 * time.Millisecond},
		{name: "429 without Retry-After", step: oaitest.Step{Status: 429}, class: folio.ClassRateLimit},
		{name: "429 out of quota", step: oaitest.Step{Status: 429, ErrorCode: "insufficient_quota"}, class: folio.ClassAuth},
		{name: "500", step: oaitest.Step{Status: 500}, class: folio.ClassTransient},
		{name: "502", step: oaitest.Step{Status: 502}, class: folio.ClassTransient},
		{name: "503 with Retry-After", step: oaitest.Step{Status: 503, RetryAfter: "2"},
			class: folio.ClassTransient, wait: 2 * time.Second},
		{name: "504", step: oaitest.Step{Status: 504}, class: folio.ClassTransient},
		{name: "408", step: oaitest.Step{Status: 408}, class: folio.ClassTransient},
		{name: "400 context_length_exceeded", step: oaitest.Step{Status: 400, ErrorCode: "context_length_exceeded",
			ErrorMessage: "Input tokens exceed the configured limit"}, class: folio.ClassContextLength},
		{name: "400 maximum context length (vLLM)", step: oaitest.Step{Status: 400,
			ErrorMessage: "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens."},
			class: folio.ClassContextLength},
		{name: "400 llama.cpp context size", step: oaitest.Step{Status: 400, ErrorType: "exceed_context_size_error",
			ErrorMessage: "the request exceeds the available context size"}, class: folio.ClassContextLength},
		{name: "400 other", step: oaitest.Step{Status: 400, ErrorMessage: "Invalid schema for response_format"},
			class: folio.ClassError},
		{name: "401", step: oaitest.Step{Status: 401}, class: folio.ClassAuth},
		{name: "403", step: oaitest.Step{Status: 403}, class: folio.ClassAuth},
		{name: "404 model not found", step: oaitest.Step{Status: 404, ErrorCode: "model_not_found"}, class: folio.ClassAuth},
		{name: "200 with a body that is not JSON", step: oaitest.Step{Body: "<html>bad gateway</html>"},
			class: folio.ClassTransient},
		{name: "refusal", step: oaitest.Step{Refusal: "I can't help with that.", Usage: paid},
			class: folio.ClassRefusal, usage: true},
		{name: "content filter", step: oaitest.Step{Content: `{"text":""}`, FinishReason: "content_filter", Usage: paid},
			class: folio.ClassRefusal, usage: true},
		{name: "malformed JSON", step: oaitest.Step{Malformed: true, Usage: paid}, class: folio.ClassSchema, usage: true},
		{name: "cut off at max tokens", step: oaitest.Step{Content: `{"rows":[["a"`, FinishReason: "length", Usage: paid},
			class: folio.ClassSchema, usage: true},
		{name: "off-schema: key missing", step: oaitest.Step{Content: `{"rows":[["a"]],"header_rows":0}`, Usage: paid},
			class: folio.ClassSchema, usage: true},
		{name: "off-schema: wrong type", step: oaitest.Step{Content: `{"rows":[["a"]],"header_rows":"1","cells":[]}`, Usage: paid},
			class: folio.ClassSchema, usage: true},
		{name: "off-schema: unknown key", step: oaitest.Step{Content: `{"rows":[["a"]],"header_rows":0,"cells":[],"id":"el_1"}`, Usage: paid},
			class: folio.ClassSchema, usage: true},
		{name: "off-schema: duplicate key", step: oaitest.Step{Content: `{"rows":[["a"]],"rows":[["b"]],"header_rows":0,"cells":[]}`, Usage: paid},
			class: folio.ClassSchema, usage: true},
		{name: "off-schema: case-folded key", step: oaitest.Step{Content: `{"rows":[["a"]],"Rows":[["b"]],"header_rows":0,"cells":[]}`, Usage: paid},
			class: folio.ClassSchema, usage: true},
		{name: "off-schema: overlapping cells", step: oaitest.Step{Content: `{"rows":[["a","b"]],"header_rows":0,"cells":[` +
			`{"row":0,"col":0,"row_span":1,"col_span":2,"text":"a"},{"row":0,"col":1,"row_span":1,"col_span":1,"text":"b"}]}`, Usage: paid},
			class: folio.ClassSchema, usage: true},
		{name: "off-schema: image kind", task: imageTask(t), step: oaitest.Step{
			Content: `{"description":"x","visible_text":"","kind":"painting"}`, Usage: paid}, class: folio.ClassSchema, usage: true},
		{name: "empty content", step: oaitest.Step{Content: "  ", Usage: paid}, class: folio.ClassEmpty, usage: true},
		{name: "no choices", step: oaitest.Step{Body: chatBody("[]")}, class: folio.ClassEmpty, usage: true},
		{name: "null content", step: oaitest.Step{Body: chatBody(
			`[{"index":0,"message":{"role":"assistant","content":null},"finish_reason":"stop"}]`)},
			class: folio.ClassEmpty, usage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := oaitest.New(t)
			s := newSpecialist(t, srv, mini())
			srv.Script("gpt-4.1-mini", tt.step)
			task := tt.task
			if task.Element.Type == "" {
				task = tableTask()
			}
			res, err := s.Run(context.Background(), task)
			if err == nil {
				t.Fatalf("Run succeeded with %+v, want class %s", res, tt.class)
			}
			if got := route.Classify(err); got != tt.class {
				t.Errorf("class %q (%v), want %q", got, err, tt.class)
			}
			var ra route.RetryAfter
			var wait time.Duration
			if errors.As(err, &ra) {
				wait = ra.RetryAfter()
			}
			if wait != tt.wait {
				t.Errorf("RetryAfter %v, want %v", wait, tt.wait)
			}
			if n := len(srv.Requests()); n != 1 {
				t.Errorf("server saw %d requests, want 1: the provider must not retry", n)
			}
			wantUsage, wantPrice := folio.Usage{}, micros(0)
			if tt.usage {
				wantUsage, wantPrice = folio.Usage{InputTokens: 100, OutputTokens: 10}, micros(56)
			}
			if diff := cmp.Diff([]any{wantUsage, wantPrice}, []any{res.Usage, res.USDMicros}); diff != "" {
				t.Errorf("usage and price (-want +got):\n%s", diff)
			}
			if res.Prompt != "table/v2" && res.Prompt != "image/v1" || res.RequestHash == "" {
				t.Errorf("result does not describe the request: prompt %q, hash %q", res.Prompt, res.RequestHash)
			}
			noKey(t, err, res)
		})
	}
}

// noKey fails when the fake key, or its distinctive part, shows in err or
// res.
func noKey(t *testing.T, err error, res route.Result) {
	t.Helper()
	for _, s := range []string{fmt.Sprint(err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", res), fmt.Sprintf("%+v", res)} {
		if strings.Contains(s, fakeKey) || strings.Contains(s, "SECRET") || strings.Contains(s, "7d1e4c9b2a") {
			t.Errorf("the API key leaks: %s", s)
		}
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	srv := oaitest.New(t)
	s := newSpecialist(t, srv, mini())
	// The date, to the second, is 30 s after sent; the wait is counted
	// from when the answer was read, at some point during Run.
	sent := time.Now()
	until := sent.Add(30 * time.Second).Truncate(time.Second)
	srv.Script("gpt-4.1-mini", oaitest.Step{Status: 429, RetryAfter: until.UTC().Format(http.TimeFormat)})
	_, err := s.Run(context.Background(), tableTask())
	read := time.Now()
	var ra route.RetryAfter
	if !errors.As(err, &ra) {
		t.Fatalf("error %v has no RetryAfter", err)
	}
	if got, lo, hi := ra.RetryAfter(), until.Sub(read), until.Sub(sent); got < lo || got > hi {
		t.Errorf("RetryAfter %v, want between %v and %v: until %s", got, lo, hi, until.Format(http.TimeFormat))
	}
	if got := route.Classify(err); got != folio.ClassRateLimit {
		t.Errorf("class %q, want %q", got, folio.ClassRateLimit)
	}
}

func TestRunTimeoutIsTransient(t *testing.T) {
	srv := oaitest.New(t)
	s := newSpecialist(t, srv, mini(), func(ep *openai.Endpoint) { ep.Timeout = 50 * time.Millisecond })
	// The answer would take an hour: Run ends only by the endpoint's
	// timeout, and the bound on it only guards against a hang.
	srv.Script("gpt-4.1-mini", oaitest.Step{Delay: time.Hour})
	start := time.Now()
	_, err := s.Run(context.Background(), tableTask())
	if got := route.Classify(err); got != folio.ClassTransient {
		t.Errorf("class %q (%v), want %q", got, err, folio.ClassTransient)
	}
	if d := time.Since(start); d > time.Minute {
		t.Errorf("Run took %v, want the 50ms timeout, not the hour's answer", d)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

func TestRunCanceledContext(t *testing.T) {
	srv := oaitest.New(t)
	s := newSpecialist(t, srv, mini())
	srv.Script("gpt-4.1-mini", oaitest.Step{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := s.Run(ctx, tableTask())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want the context's deadline", err)
	}
	if got := route.Classify(err); got != folio.ClassTimeout {
		t.Errorf("class %q, want %q", got, folio.ClassTimeout)
	}
}

func TestRunConnectionRefusedIsTransient(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL + "/v1"
	dead.Close()
	s, err := openai.New(openai.Endpoint{BaseURL: url, APIKey: fakeKey}, mini())
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Run(context.Background(), tableTask())
	if got := route.Classify(err); got != folio.ClassTransient {
		t.Errorf("class %q (%v), want %q", got, err, folio.ClassTransient)
	}
	noKey(t, err, res)
}

func TestErrorsNeverHoldTheKey(t *testing.T) {
	srv := oaitest.New(t)
	s := newSpecialist(t, srv, mini())
	// Servers echo the key, sometimes masked, in their 401 messages.
	srv.Script("gpt-4.1-mini",
		oaitest.Step{Status: 401, ErrorCode: "invalid_api_key", ErrorMessage: "Incorrect API key provided: " + fakeKey + "."},
		oaitest.Step{Status: 401, ErrorMessage: "Incorrect API key provided: sk-folio-****************************CRET."},
		oaitest.Step{Refusal: "I won't repeat your key " + fakeKey},
	)
	for range 3 {
		res, err := s.Run(context.Background(), tableTask())
		if err == nil {
			t.Fatal("Run succeeded, want an error")
		}
		noKey(t, err, res)
		if strings.Contains(err.Error(), "****") {
			t.Errorf("a masked key leaks: %v", err)
		}
	}
}
