package route_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/google/go-cmp/cmp"
)

func TestDryRunMakesNoCalls(t *testing.T) {
	small, large := newModel("small"), newModel("large")
	small.est = estimateOf(1200, 300, 960)
	large.est = estimateOf(1200, 300, 4800)
	unpriced := newModel("unpriced")
	unpriced.est = route.Estimate{Usage: tokens(50, 10)}
	b := route.NewBudget(0, route.BudgetFail)
	o := route.ModelOptions{DryRun: true, Budget: b, Endpoint: "openai"}
	p := textPolicy(links("small", "large")...)
	p.Routes[folio.Heading] = links("unpriced")
	r := newRouter(t, 2, p, route.Wrap(small, o, nil), route.Wrap(large, o, nil), route.Wrap(unpriced, o, nil))
	doc := newDoc("a.pdf", 2)
	doc.Elements = append(doc.Elements, folio.Element{ID: "el_h", Type: folio.Heading, Text: "Title"})
	frags, err := r.Route(context.Background(), doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := small.Calls() + large.Calls() + unpriced.Calls(); n != 0 {
		t.Errorf("%d model calls in a dry run", n)
	}
	estimated := func(rule, model string, u folio.Usage, price *int64) []folio.Call {
		return []folio.Call{{Attempt: 1, Rule: rule, Model: model, Endpoint: "openai", Usage: u, USDMicros: price,
			EstimatedUSDMicros: price, Status: route.CallEstimated, ErrorClass: folio.ClassDryRun}}
	}
	want := []folio.Fragment{
		// The chain ends at the first estimated link; the element keeps its
		// own content, degraded.
		{Model: folio.ModelSegment, Status: folio.StatusDegraded, Reason: string(folio.ClassDryRun), FellBackFrom: "small",
			Calls: estimated("paragraph#1", "small", tokens(1200, 300), usd(960))},
		{Model: folio.ModelSegment, Status: folio.StatusDegraded, Reason: string(folio.ClassDryRun), FellBackFrom: "small",
			Calls: estimated("paragraph#1", "small", tokens(1200, 300), usd(960))},
		{Model: folio.ModelSegment, Status: folio.StatusDegraded, Reason: string(folio.ClassDryRun), FellBackFrom: "unpriced",
			Calls: estimated("heading#1", "unpriced", tokens(50, 10), nil)},
	}
	for i := range want {
		want[i].ID, want[i].ElementID = frags[i].ID, frags[i].ElementID
	}
	if diff := cmp.Diff(want, frags, ignoreLatency); diff != "" {
		t.Errorf("dry-run fragments (-want +got):\n%s", diff)
	}
	if b.Exhausted() {
		t.Error("estimates reserved money in the budget")
	}
}

// TestWrapOrder checks the layers' order as Wrap documents it, outermost
// first: cache, dry-run, budget, breaker, retry, limiter.
func TestWrapOrder(t *testing.T) {
	t.Run("cache_outside_dry_run_and_budget", func(t *testing.T) {
		store := &memStore{}
		m := newModel("m", step{usage: tokens(10, 10), usd: usd(40)})
		m.est = estimateOf(10, 10, 40)
		s := route.Wrap(m, route.ModelOptions{Cache: store}, nil)
		res, _ := s.Run(context.Background(), task("x"))
		s.(route.Committer).Commit(context.Background(), task("x"), res)

		// A dry run over a spent budget still replays what was bought.
		b := route.NewBudget(0, route.BudgetFail)
		dry := route.Wrap(m, route.ModelOptions{Cache: store, DryRun: true, Budget: b}, nil)
		hit, err := dry.Run(context.Background(), task("x"))
		if err != nil || !hit.CacheHit || m.Calls() != 1 || b.Exhausted() {
			t.Errorf("dry run: hit %v, %v, %d calls, budget exhausted %v; want a cache hit, 1 call, budget untouched",
				hit.CacheHit, err, m.Calls(), b.Exhausted())
		}
		_, err = dry.Run(context.Background(), task("y"))
		if route.Classify(err) != folio.ClassDryRun {
			t.Errorf("dry run miss: %v, want dry_run", err)
		}
	})
	t.Run("dry_run_outside_budget_and_breaker", func(t *testing.T) {
		c := newClock()
		m := newModel("m", step{class: folio.ClassTransient})
		m.est = estimateOf(10, 10, 40)
		o := breakerOpts(c)
		shared := route.NewShared()
		for range 3 { // open the breaker
			route.Wrap(m, o, shared).Run(context.Background(), task("x"))
		}
		o.DryRun, o.Budget = true, route.NewBudget(0, route.BudgetFail)
		_, err := route.Wrap(m, o, shared).Run(context.Background(), task("x"))
		if route.Classify(err) != folio.ClassDryRun {
			t.Errorf("dry run with an open breaker and no budget: %v, want dry_run", err)
		}
	})
	t.Run("budget_outside_breaker", func(t *testing.T) {
		c := newClock()
		m := newModel("m", step{class: folio.ClassTransient})
		m.est = estimateOf(10, 10, 40)
		o := breakerOpts(c)
		o.Budget = route.NewBudget(1000, route.BudgetFail)
		s := route.Wrap(m, o, nil)
		for range 3 {
			s.Run(context.Background(), task("x"))
		}
		// The refusal of the open breaker goes through the budget, which
		// settles it at nothing.
		if _, err := s.Run(context.Background(), task("x")); route.Classify(err) != folio.ClassBreakerOpen {
			t.Fatalf("Run() = %v, want breaker_open", err)
		}
		if o.Budget.Spent() != 0 || o.Budget.Exhausted() {
			t.Errorf("budget spent %d, exhausted %v; want 0, false", o.Budget.Spent(), o.Budget.Exhausted())
		}
	})
	t.Run("breaker_outside_retry", func(t *testing.T) {
		c := newClock()
		m := newModel("m", step{class: folio.ClassTransient})
		o := breakerOpts(c)
		o.MaxRetries = 2
		s := route.Wrap(m, o, nil)
		// Each Run is three tries but one failure for the breaker.
		for i := range 3 {
			if _, err := s.Run(context.Background(), task("x")); route.Classify(err) != folio.ClassTransient {
				t.Fatalf("run %d: %v, want transient", i+1, err)
			}
		}
		if _, err := s.Run(context.Background(), task("x")); route.Classify(err) != folio.ClassBreakerOpen || m.Calls() != 9 {
			t.Errorf("run 4: %v after %d tries; want breaker_open after 9", err, m.Calls())
		}
	})
	t.Run("retry_outside_limiter", func(t *testing.T) {
		c := newClock()
		m := newModel("m", step{class: folio.ClassTransient}, step{})
		o := c.opts()
		o.MaxRetries, o.Backoff, o.RPM = 1, time.Second, 1
		if _, err := route.Wrap(m, o, nil).Run(context.Background(), task("x")); err != nil {
			t.Fatal(err)
		}
		// The retry is a request of its own: it waits for the endpoint's
		// next request a minute after the first.
		var slept time.Duration
		for _, d := range c.Sleeps() {
			slept += d
		}
		if len(c.Sleeps()) != 2 || (slept-time.Minute).Abs() > time.Millisecond {
			t.Errorf("sleeps %v, want the backoff then the rest of a minute", c.Sleeps())
		}
	})
}

func TestWrapForwards(t *testing.T) {
	m := newModel("m")
	m.est = estimateOf(1, 2, 3)
	m.check = func(route.Task, route.Result) error { return errors.New("checked") }
	c := newClock()
	o := c.opts()
	o.Cache, o.Budget = &memStore{}, route.NewBudget(10, route.BudgetDegrade)
	o.Breaker.Failures = 0
	s := route.Wrap(m, o, nil)
	if s.Name() != "m" {
		t.Errorf("Name() = %q", s.Name())
	}
	if err := s.(route.Checker).Check(task("x"), route.Result{}); err == nil || err.Error() != "checked" {
		t.Errorf("Check() = %v, want the model's check", err)
	}
	if est, err := s.(route.Estimator).Estimate(task("x")); err != nil || *est.USDMicros != 3 {
		t.Errorf("Estimate() = %+v, %v; want the model's", est, err)
	}
	if key, err := s.(route.Keyer).RequestKey(task("x")); err != nil || key != "m|x" {
		t.Errorf("RequestKey() = %q, %v; want the model's", key, err)
	}
	s.(route.Committer).Commit(context.Background(), task("x"), route.Result{})
	if len(m.commit) != 1 {
		t.Errorf("%d commits reached the model, want 1", len(m.commit))
	}

	// A specialist without the optional interfaces gets none through Wrap.
	plain := route.Wrap(echo("e"), route.ModelOptions{}, nil)
	if err := plain.(route.Checker).Check(task("x"), route.Result{}); err != nil {
		t.Errorf("Check() = %v, want nil", err)
	}
	if _, err := plain.(route.Estimator).Estimate(task("x")); err == nil {
		t.Error("Estimate() of a specialist without estimates succeeded")
	}
	if _, err := plain.(route.Keyer).RequestKey(task("x")); err == nil {
		t.Error("RequestKey() of a specialist without keys succeeded")
	}
}
