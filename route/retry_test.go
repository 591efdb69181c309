package route_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/google/go-cmp/cmp"
)

func TestRetryHonoursRetryAfter(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter time.Duration
		wantSleep  time.Duration
	}{
		{"server_wait", 7 * time.Second, 7 * time.Second},
		{"capped", 10 * time.Minute, route.MaxRetryAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			m := newModel("m",
				step{class: folio.ClassRateLimit, retryAfter: tt.retryAfter},
				step{usage: tokens(10, 5), usd: usd(30)})
			o := c.opts()
			o.MaxRetries = 3
			res, err := route.Wrap(m, o, nil).Run(context.Background(), task("a"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]time.Duration{tt.wantSleep}, c.Sleeps()); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			if m.Calls() != 2 || res.Retries != 1 || *res.USDMicros != 30 {
				t.Errorf("calls %d, retries %d, usd %d; want 2, 1, 30", m.Calls(), res.Retries, *res.USDMicros)
			}
		})
	}
}

func TestRetryCapped(t *testing.T) {
	c := newClock()
	m := newModel("m", step{class: folio.ClassTransient, usage: tokens(3, 0), usd: usd(2)})
	o := c.opts()
	o.MaxRetries = 2
	o.Backoff = time.Second
	res, err := route.Wrap(m, o, nil).Run(context.Background(), task("a"))
	if route.Classify(err) != folio.ClassTransient || !strings.Contains(err.Error(), "after 2 retries") {
		t.Errorf("error = %v, want a transient one after 2 retries", err)
	}
	if m.Calls() != 3 {
		t.Errorf("%d calls, want 3", m.Calls())
	}
	// The tries are one call: their usage and price add up.
	if res.Retries != 2 || res.Usage.InputTokens != 9 || res.USDMicros == nil || *res.USDMicros != 6 {
		t.Errorf("result = retries %d, input %d, usd %v; want 2, 9, 6", res.Retries, res.Usage.InputTokens, res.USDMicros)
	}
	// Backoff doubles with jitter in its upper half.
	sleeps := c.Sleeps()
	if len(sleeps) != 2 {
		t.Fatalf("sleeps %v, want 2", sleeps)
	}
	for i, d := range sleeps {
		lo, hi := time.Second<<i/2, time.Second<<i
		if d < lo || d > hi {
			t.Errorf("sleep %d = %v, want within [%v, %v]", i, d, lo, hi)
		}
	}
}

func TestRetryBackoffCapped(t *testing.T) {
	c := newClock()
	m := newModel("m", step{class: folio.ClassTransient})
	o := c.opts()
	o.MaxRetries = 12
	o.Backoff = time.Second
	if _, err := route.Wrap(m, o, nil).Run(context.Background(), task("a")); err == nil {
		t.Fatal("no error")
	}
	sleeps := c.Sleeps()
	if len(sleeps) != 12 {
		t.Fatalf("%d sleeps, want 12", len(sleeps))
	}
	for _, d := range sleeps[8:] {
		if d < route.MaxBackoff/2 || d > route.MaxBackoff {
			t.Errorf("late sleep %v, want within [%v, %v]", d, route.MaxBackoff/2, route.MaxBackoff)
		}
	}
}

func TestRetryOnlyRateLimitAndTransient(t *testing.T) {
	for _, class := range []folio.ErrorClass{folio.ClassAuth, folio.ClassContextLength, folio.ClassSchema,
		folio.ClassRefusal, folio.ClassGrounding, folio.ClassError, folio.ClassTimeout} {
		t.Run(string(class), func(t *testing.T) {
			c := newClock()
			m := newModel("m", step{class: class, retryAfter: time.Second}, step{})
			o := c.opts()
			o.MaxRetries = 3
			_, err := route.Wrap(m, o, nil).Run(context.Background(), task("a"))
			if route.Classify(err) != class || m.Calls() != 1 || len(c.Sleeps()) != 0 {
				t.Errorf("Run() = %v after %d calls and %d sleeps; want class %s after 1 call, no sleep",
					err, m.Calls(), len(c.Sleeps()), class)
			}
		})
	}
}

func TestRetryDefaultsAndOff(t *testing.T) {
	tests := []struct {
		name       string
		maxRetries int
		wantCalls  int
	}{
		{"default", 0, 1 + route.DefaultMaxRetries},
		{"off", -1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			m := newModel("m", step{class: folio.ClassRateLimit})
			o := c.opts()
			o.MaxRetries = tt.maxRetries
			route.Wrap(m, o, nil).Run(context.Background(), task("a"))
			if m.Calls() != tt.wantCalls {
				t.Errorf("%d calls, want %d", m.Calls(), tt.wantCalls)
			}
		})
	}
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	m := newModel("m", step{class: folio.ClassTransient})
	o := route.ModelOptions{MaxRetries: 3, Backoff: time.Hour}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := route.Wrap(m, o, nil).Run(ctx, task("a"))
	// Waiting out the backoff would take an hour; stuck is far below it.
	if route.Classify(err) != folio.ClassTimeout || m.Calls() != 1 || time.Since(start) > stuck {
		t.Errorf("Run() = %v after %d calls and %v; want a timeout after 1 call, without the hour's backoff", err, m.Calls(), time.Since(start))
	}
}

func TestRetrySpendUnknownPrice(t *testing.T) {
	c := newClock()
	// A 429 that used nothing costs nothing; a try that used tokens at an
	// unknown price makes the whole call's price unknown.
	tests := []struct {
		name   string
		script []step
		want   *int64
		wantIn int64
	}{
		{"free_429_then_priced", []step{{class: folio.ClassRateLimit}, {usage: tokens(5, 5), usd: usd(7)}}, usd(7), 5},
		{"unpriced_try", []step{{class: folio.ClassTransient, usage: tokens(5, 0)}, {usage: tokens(5, 5), usd: usd(7)}}, nil, 10},
		{"unpriced_answer", []step{{class: folio.ClassRateLimit, usd: usd(1)}, {usage: tokens(5, 5)}}, nil, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := c.opts()
			o.MaxRetries = 1
			res, err := route.Wrap(newModel("m", tt.script...), o, nil).Run(context.Background(), task("a"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, res.USDMicros); diff != "" {
				t.Errorf("price (-want +got):\n%s", diff)
			}
			if want := (folio.Usage{InputTokens: tt.wantIn, OutputTokens: 5}); res.Usage != want {
				t.Errorf("usage %+v, want %+v", res.Usage, want)
			}
		})
	}
}
