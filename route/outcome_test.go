package route_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/google/go-cmp/cmp"
)

// answers returns a specialist answering text, rejected by its own check
// with class when class is not empty.
func answers(name, text string, class folio.ErrorClass) checked {
	return checked{
		fake{name, func(context.Context, route.Task) (route.Result, error) { return route.Result{Text: &text}, nil }},
		func(route.Task, route.Result) error {
			if class == "" {
				return nil
			}
			return route.Errorf(class, "%s says no", name)
		},
	}
}

func TestRouteExhaustedChain(t *testing.T) {
	specs := []route.Specialist{
		answers("test/ungrounded1", "first guess", folio.ClassGrounding),
		answers("test/ungrounded2", "second guess", folio.ClassGrounding),
		answers("test/empty", " ", ""),
		failing("test/refuses", route.Errorf(folio.ClassRefusal, "I cannot help with that")),
		failing("test/down", route.Errorf(folio.ClassTransient, "503")),
		failing("test/auth", route.Errorf(folio.ClassAuth, "401")),
	}
	seg := folio.ModelSegment
	tests := []struct {
		name       string
		chain      []string
		wantModel  string
		wantText   *string
		want       string
		wantReason string
	}{
		{"rejections_go_to_review_keeping_the_element_content", []string{"test/ungrounded1", "test/ungrounded2", "test/down"},
			seg, nil, folio.StatusReview, "grounding: test/ungrounded2 says no (test/ungrounded2)"},
		{"output_failing_check_is_not_kept", []string{"test/ungrounded1", "test/empty"},
			seg, nil, folio.StatusReview, "empty: text is empty (test/empty)"},
		{"only_invalid_outputs_keep_element_content", []string{"test/empty", "test/down"},
			seg, nil, folio.StatusReview, "empty: text is empty (test/empty)"},
		{"refusal_goes_to_review", []string{"test/refuses", "test/down"}, seg, nil, folio.StatusReview,
			"refusal: I cannot help with that (test/refuses)"},
		{"errors_only_degrade", []string{"test/down", "test/auth"}, seg, nil, folio.StatusDegraded, "auth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRouter(t, 1, textPolicy(links(tt.chain...)...), specs...)
			r.DegradeUnavailable = true // test/down would defer the document
			got, err := r.Route(context.Background(), newDoc("a.pdf", 1), nil)
			if err != nil {
				t.Fatal(err)
			}
			f := got[0]
			if f.Reason != tt.wantReason {
				t.Errorf("reason %q, want %q", f.Reason, tt.wantReason)
			}
			if f.Status != tt.want || f.Model != tt.wantModel || !cmp.Equal(f.Text, tt.wantText) || len(f.Calls) != len(tt.chain) {
				t.Errorf("fragment = {status %s, model %q, text %v, %d calls}, want {%s, %q, %v, %d}",
					f.Status, f.Model, f.Text, len(f.Calls), tt.want, tt.wantModel, tt.wantText, len(tt.chain))
			}
		})
	}
}

func TestRouteAttemptCap(t *testing.T) {
	var names []string
	var specs []route.Specialist
	for i := range 8 {
		name := "test/down" + string(rune('a'+i))
		names = append(names, name)
		specs = append(specs, failing(name, route.Errorf(folio.ClassTransient, "503")))
	}
	for _, tt := range []struct{ max, want int }{{0, route.DefaultMaxAttempts}, {3, 3}} {
		r := newRouter(t, 1, textPolicy(links(names...)...), specs...)
		r.DegradeUnavailable = true
		if tt.max > 0 {
			r.MaxAttempts = tt.max
		}
		got, err := r.Route(context.Background(), newDoc("a.pdf", 1), nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(got[0].Calls) != tt.want || got[0].Status != folio.StatusDegraded {
			t.Errorf("MaxAttempts %d: %d calls, status %s; want %d, degraded", tt.max, len(got[0].Calls), got[0].Status, tt.want)
		}
	}
}

// logs records log lines.
type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) Enabled(context.Context, slog.Level) bool { return true }
func (l *logs) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, r.Level.String()+" "+r.Message)
	return nil
}
func (l *logs) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logs) WithGroup(string) slog.Handler      { return l }

func (l *logs) count(line string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.lines {
		if s == line {
			n++
		}
	}
	return n
}

func TestRouteAuthDisablesSpecialist(t *testing.T) {
	auth := newModel("auth", step{class: folio.ClassAuth})
	r := newRouter(t, 2, textPolicy(links("auth", "test/ok")...), auth, echo("test/ok"))
	var l logs
	r.Logger = slog.New(&l)
	for _, name := range []string{"a.pdf", "b.pdf"} {
		frags, err := r.Route(context.Background(), newDoc(name, 5), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range frags {
			if f.Status != folio.StatusOK || f.Model != "test/ok" {
				t.Errorf("%s: fragment status %s from %q, want ok from test/ok", name, f.Status, f.Model)
			}
		}
	}
	// Two workers may both have asked before the first answer came back.
	if n := auth.Calls(); n < 1 || n > 2 {
		t.Errorf("%d calls to a specialist failing auth, want 1 or 2", n)
	}
	if n := l.count("WARN specialist disabled for the rest of the run"); n != 1 {
		t.Errorf("%d warnings, want 1", n)
	}
}

func TestRouteRecordsModelAnswer(t *testing.T) {
	m := newModel("m", step{usage: tokens(10, 2), usd: usd(12)})
	var crop []byte
	seen := fake{"test/crop", func(_ context.Context, t route.Task) (route.Result, error) {
		crop = t.Crop
		return route.Result{}, route.Errorf(folio.ClassTransient, "503")
	}}
	hit := fake{"test/hit", func(_ context.Context, t route.Task) (route.Result, error) {
		s := "cached"
		return route.Result{Text: &s, Model: "openai/gpt-4.1", CacheHit: true, USDMicros: zero(), SavedUSDMicros: usd(99)}, nil
	}}
	r := newRouter(t, 1, textPolicy(links("test/crop", "test/hit", "m")...), seen, hit, m)
	doc := newDoc("a.pdf", 1)
	got, err := r.Route(context.Background(), doc, map[string][]byte{doc.Elements[0].ID: []byte("crop png")})
	if err != nil {
		t.Fatal(err)
	}
	if string(crop) != "crop png" {
		t.Errorf("task crop %q, want the element's", crop)
	}
	want := folio.Call{Attempt: 2, Rule: "paragraph#2", Model: "openai/gpt-4.1", USDMicros: zero(), SavedUSDMicros: usd(99),
		CacheHit: true, Status: folio.CallOK}
	if diff := cmp.Diff(want, got[0].Calls[1], ignoreLatency); diff != "" {
		t.Errorf("call (-want +got):\n%s", diff)
	}
	if got[0].Model != "openai/gpt-4.1" {
		t.Errorf("fragment model %q, want the answer's", got[0].Model)
	}
}

func TestRouteCommitsAcceptedOnly(t *testing.T) {
	rejected := newModel("rejected")
	rejected.check = func(route.Task, route.Result) error { return route.Errorf(folio.ClassGrounding, "no") }
	accepted := newModel("accepted")
	r := newRouter(t, 1, textPolicy(links("rejected", "accepted")...), rejected, accepted)
	if _, err := r.Route(context.Background(), newDoc("a.pdf", 2), nil); err != nil {
		t.Fatal(err)
	}
	if len(rejected.commit) != 0 || len(accepted.commit) != 2 {
		t.Errorf("commits: %d rejected, %d accepted; want 0, 2", len(rejected.commit), len(accepted.commit))
	}
	if got := *accepted.commit[0].Text; !strings.HasPrefix(got, "MODEL ") {
		t.Errorf("committed text %q, want the model's answer", got)
	}
}

// An element with no content of its own takes the last rejected answer
// that passed Check: better than nothing, and marked review.
func TestRouteRejectedAnswerFillsAnEmptyElement(t *testing.T) {
	r := newRouter(t, 1, textPolicy(links("test/ungrounded1", "test/down")...),
		answers("test/ungrounded1", "a guess", folio.ClassGrounding),
		failing("test/down", route.Errorf(folio.ClassTransient, "503")))
	r.DegradeUnavailable = true
	doc := newDoc("a.pdf", 1)
	doc.Elements[0].Text = ""
	got, err := r.Route(context.Background(), doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f := got[0]; f.Status != folio.StatusReview || f.Model != "test/ungrounded1" || !cmp.Equal(f.Text, ptr("a guess")) {
		t.Errorf("fragment = {status %s, model %q, text %v}, want review with the rejected guess", f.Status, f.Model, f.Text)
	}
}

// An element whose chain ends without an accepted output after a model's
// endpoint was down defers its document (the next run does it), unless
// the policy degrades; an accepted fallback, or failures that say nothing
// about availability, do not.
func TestRouteUnavailableDefersTheDocument(t *testing.T) {
	specs := []route.Specialist{
		failing("test/down", route.Errorf(folio.ClassTransient, "503")),
		failing("test/limited", route.Errorf(folio.ClassRateLimit, "429")),
		failing("test/open", route.Errorf(folio.ClassBreakerOpen, "circuit breaker open")),
		failing("test/schema", route.Errorf(folio.ClassSchema, "not a table")),
		answers("test/ok", "fine", ""),
		answers("test/ungrounded", "a guess", folio.ClassGrounding),
	}
	tests := []struct {
		name    string
		chain   []string
		degrade bool
		defers  bool
		want    string // the status when not deferred
	}{
		{"server_errors_defer", []string{"test/down"}, false, true, ""},
		{"rate_limits_defer", []string{"test/limited"}, false, true, ""},
		{"an_open_breaker_defers", []string{"test/open"}, false, true, ""},
		{"a_rejected_answer_then_an_outage_defers", []string{"test/ungrounded", "test/down"}, false, true, ""},
		{"an_accepted_fallback_does_not", []string{"test/down", "test/ok"}, false, false, folio.StatusOK},
		{"an_off_schema_answer_goes_to_review", []string{"test/schema"}, false, false, folio.StatusReview},
		{"degrade_keeps_the_content", []string{"test/down"}, true, false, folio.StatusDegraded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRouter(t, 1, textPolicy(links(tt.chain...)...), specs...)
			r.DegradeUnavailable = tt.degrade
			got, err := r.Route(context.Background(), newDoc("a.pdf", 3), nil)
			if tt.defers {
				if !errors.Is(err, folio.ErrUnavailable) || !allAttempted(got) {
					t.Fatalf("Route = %d fragments, %v; want those with calls and an error wrapping ErrUnavailable", len(got), err)
				}
				if !strings.Contains(err.Error(), tt.chain[len(tt.chain)-1]) {
					t.Errorf("error %q does not name the model", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range got {
				if f.Status != tt.want {
					t.Errorf("status %s, want %s", f.Status, tt.want)
				}
			}
		})
	}
}
