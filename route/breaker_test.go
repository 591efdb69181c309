package route_test

import (
	"context"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
)

// breakerOpts returns options with a breaker of 3 failures and 30s.
func breakerOpts(c *clock) route.ModelOptions {
	o := c.opts()
	o.Breaker = route.BreakerOptions{Failures: 3, CoolDown: 30 * time.Second}
	return o
}

func TestBreakerOpensAndHalfOpens(t *testing.T) {
	c := newClock()
	fail := step{class: folio.ClassTransient}
	m := newModel("m", fail, fail, fail, fail, step{}) // fails 4 times, then answers
	s := route.Wrap(m, breakerOpts(c), nil)
	run := func() folio.ErrorClass {
		_, err := s.Run(context.Background(), task("x"))
		return route.Classify(err)
	}
	for i := range 3 {
		if got := run(); got != folio.ClassTransient {
			t.Fatalf("call %d: class %q, want transient", i+1, got)
		}
	}
	if got := run(); got != folio.ClassBreakerOpen || m.Calls() != 3 {
		t.Fatalf("after 3 failures: class %q with %d calls; want breaker_open without a call", got, m.Calls())
	}
	c.Advance(29 * time.Second)
	if got := run(); got != folio.ClassBreakerOpen || m.Calls() != 3 {
		t.Fatalf("during the cool-down: class %q with %d calls; want breaker_open", got, m.Calls())
	}
	// Half-open: one probe; it fails and the breaker opens again.
	c.Advance(time.Second)
	if got := run(); got != folio.ClassTransient || m.Calls() != 4 {
		t.Fatalf("probe: class %q with %d calls; want transient from call 4", got, m.Calls())
	}
	if got := run(); got != folio.ClassBreakerOpen {
		t.Fatalf("after a failed probe: class %q, want breaker_open", got)
	}
	// The next probe succeeds and closes the breaker.
	c.Advance(30 * time.Second)
	for i := range 3 {
		if got := run(); got != "" {
			t.Fatalf("call %d after a good probe: class %q, want success", i+1, got)
		}
	}
	if m.Calls() != 7 {
		t.Errorf("%d calls, want 7", m.Calls())
	}
}

func TestBreakerOneProbeAtATime(t *testing.T) {
	c := newClock()
	block := make(chan struct{})
	fail := step{class: folio.ClassTransient}
	m := newModel("m", fail, fail, fail, step{block: block})
	s := route.Wrap(m, breakerOpts(c), nil)
	for range 3 {
		s.Run(context.Background(), task("x"))
	}
	c.Advance(30 * time.Second)
	done := make(chan error)
	go func() {
		_, err := s.Run(context.Background(), task("probe"))
		done <- err
	}()
	for m.Calls() < 4 {
		time.Sleep(time.Millisecond)
	}
	if _, err := s.Run(context.Background(), task("x")); route.Classify(err) != folio.ClassBreakerOpen {
		t.Errorf("call during the probe: %v, want breaker_open", err)
	}
	close(block)
	if err := <-done; err != nil {
		t.Errorf("probe: %v", err)
	}
	if _, err := s.Run(context.Background(), task("x")); err != nil {
		t.Errorf("after a good probe: %v", err)
	}
}

func TestBreakerIgnoresAnswers(t *testing.T) {
	// Errors that are the model's answer, or the caller giving up, say
	// nothing about its health.
	for _, class := range []folio.ErrorClass{folio.ClassContextLength, folio.ClassRefusal, folio.ClassAuth, folio.ClassCanceled} {
		t.Run(string(class), func(t *testing.T) {
			c := newClock()
			m := newModel("m", step{class: class})
			s := route.Wrap(m, breakerOpts(c), nil)
			for range 5 {
				s.Run(context.Background(), task("x"))
			}
			if m.Calls() != 5 {
				t.Errorf("%d calls, want 5: the breaker opened", m.Calls())
			}
		})
	}
}

func TestBreakerPerModel(t *testing.T) {
	c := newClock()
	shared := route.NewShared()
	bad := route.Wrap(newModel("bad", step{class: folio.ClassTransient}), breakerOpts(c), shared)
	good := route.Wrap(newModel("good"), breakerOpts(c), shared)
	for range 4 {
		bad.Run(context.Background(), task("x"))
	}
	if _, err := bad.Run(context.Background(), task("x")); route.Classify(err) != folio.ClassBreakerOpen {
		t.Fatalf("bad model: %v, want breaker_open", err)
	}
	if _, err := good.Run(context.Background(), task("x")); err != nil {
		t.Errorf("another model on the same endpoint: %v", err)
	}
	// Wrapping the same model again shares its breaker.
	again := route.Wrap(newModel("bad"), breakerOpts(c), shared)
	if _, err := again.Run(context.Background(), task("x")); route.Classify(err) != folio.ClassBreakerOpen {
		t.Errorf("bad model wrapped again: %v, want breaker_open", err)
	}
}
