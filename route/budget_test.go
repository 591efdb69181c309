package route_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/google/go-cmp/cmp"
)

// spender is a paid model whose actual price each call chooses.
type spender struct {
	est    *int64
	worst  *int64 // the estimate's WorstUSDMicros
	actual func() *int64
	g      gauge
	calls  atomic.Int64
}

func (s *spender) Name() string { return "spender" }

func (s *spender) Estimate(route.Task) (route.Estimate, error) {
	return route.Estimate{Usage: tokens(10, 10), USDMicros: s.est, WorstUSDMicros: s.worst}, nil
}

func (s *spender) Run(context.Context, route.Task) (route.Result, error) {
	s.calls.Add(1)
	s.g.enter()
	defer s.g.leave()
	time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
	txt := "x"
	return route.Result{Text: &txt, Usage: tokens(10, 10), USDMicros: s.actual()}, nil
}

// spendConcurrently makes 20 goroutines call s, three times each, and
// returns how many calls the budget refused.
// callers is how many goroutines spendConcurrently runs.
const callers = 20

func spendConcurrently(t *testing.T, s route.Specialist) int {
	t.Helper()
	var refused atomic.Int64
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			for range 3 {
				_, err := s.Run(context.Background(), task("x"))
				switch {
				case errors.Is(err, route.ErrBudgetExhausted) && route.Classify(err) == folio.ClassBudget:
					refused.Add(1)
				case err != nil:
					t.Errorf("Run() = %v", err)
				}
			}
		})
	}
	wg.Wait()
	return int(refused.Load())
}

func TestBudgetConcurrentCalls(t *testing.T) {
	const est, limit = 100, 1050
	t.Run("estimates_not_exceeded_never_overshoot", func(t *testing.T) {
		for round := range 20 {
			b := route.NewBudget(limit, route.BudgetDegrade)
			sp := &spender{est: usd(est), actual: func() *int64 { return usd(est/2 + rand.Int64N(est/2+1)) }}
			refused := spendConcurrently(t, route.Wrap(sp, route.ModelOptions{Budget: b}, nil))
			if b.Spent() > limit {
				t.Fatalf("round %d: spent %d of %d", round, b.Spent(), limit)
			}
			// The budget was used up to within one estimate before refusing.
			if refused > 0 && (!b.Exhausted() || b.Spent()+est <= limit) {
				t.Fatalf("round %d: %d refused with %d of %d spent, exhausted %v", round, refused, b.Spent(), limit, b.Exhausted())
			}
			if int(sp.calls.Load())+refused != 60 {
				t.Fatalf("round %d: %d calls + %d refused, want 60", round, sp.calls.Load(), refused)
			}
		}
	})
	t.Run("worst_case_reservations_never_overshoot", func(t *testing.T) {
		// Calls cost anything up to their worst case, most of them more
		// than expected: the reservations of the worst case hold the line
		// with every caller in flight at once.
		const worst = 4 * est
		for round := range 20 {
			b := route.NewBudget(limit, route.BudgetDegrade)
			sp := &spender{est: usd(est), worst: usd(worst), actual: func() *int64 { return usd(rand.Int64N(worst + 1)) }}
			refused := spendConcurrently(t, route.Wrap(sp, route.ModelOptions{Budget: b}, nil))
			if b.Spent() > limit {
				t.Fatalf("round %d: spent %d of %d", round, b.Spent(), limit)
			}
			if refused == 0 || !b.Exhausted() {
				t.Fatalf("round %d: %d refused, exhausted %v: the budget was never tested", round, refused, b.Exhausted())
			}
		}
	})
	t.Run("overshoot_bounded_by_estimate_errors", func(t *testing.T) {
		const over = 30 // every call costs its estimate plus this
		for round := range 20 {
			b := route.NewBudget(limit, route.BudgetFail)
			sp := &spender{est: usd(est), actual: func() *int64 { return usd(est + over) }}
			spendConcurrently(t, route.Wrap(sp, route.ModelOptions{Budget: b}, nil))
			// The bound is one estimate error per reservation outstanding at
			// once; a call holds its reservation before it reaches the model
			// and until it settles, so the model's own peak undercounts
			// them. The callers (spendConcurrently's 20 goroutines) bound it.
			if b.Spent() > limit+int64(over*callers) {
				t.Fatalf("round %d: spent %d of %d with at most %d reservations at once", round, b.Spent(), limit, callers)
			}
		}
	})
	t.Run("one_at_a_time_overshoots_by_one_error_at_most", func(t *testing.T) {
		const over = 30
		b := route.NewBudget(limit, route.BudgetDegrade)
		sp := &spender{est: usd(est), actual: func() *int64 { return usd(est + over) }}
		s := route.Wrap(sp, route.ModelOptions{Budget: b}, nil)
		for range 20 {
			s.Run(context.Background(), task("x"))
		}
		if b.Spent() > limit+over || !b.Exhausted() {
			t.Errorf("spent %d of %d, exhausted %v; want at most %d, exhausted", b.Spent(), limit, b.Exhausted(), limit+over)
		}
	})
}

func TestBudgetRefusesWithoutCalling(t *testing.T) {
	b := route.NewBudget(50, route.BudgetDegrade)
	sp := &spender{est: usd(100), actual: func() *int64 { return usd(100) }}
	res, err := route.Wrap(sp, route.ModelOptions{Budget: b, Endpoint: "openai"}, nil).Run(context.Background(), task("x"))
	if !errors.Is(err, route.ErrBudgetExhausted) || route.Classify(err) != folio.ClassBudget || sp.calls.Load() != 0 {
		t.Fatalf("Run() = %v after %d calls, want a budget refusal without a call", err, sp.calls.Load())
	}
	if diff := cmp.Diff(route.Result{USDMicros: zero(), Endpoint: "openai"}, res); diff != "" {
		t.Errorf("refused result (-want +got):\n%s", diff)
	}
	if !b.Exhausted() || b.Spent() != 0 {
		t.Errorf("exhausted %v, spent %d; want true, 0", b.Exhausted(), b.Spent())
	}
}

func TestBudgetUnknownPrice(t *testing.T) {
	b := route.NewBudget(100, route.BudgetDegrade)
	unpriced := &spender{actual: func() *int64 { return nil }}
	priced := &spender{est: usd(60), actual: func() *int64 { return usd(60) }}
	u := route.Wrap(unpriced, route.ModelOptions{Budget: b}, nil)
	p := route.Wrap(priced, route.ModelOptions{Budget: b}, nil)
	for range 3 {
		if _, err := u.Run(context.Background(), task("x")); err != nil {
			t.Fatalf("unknown price before exhaustion: %v", err)
		}
	}
	p.Run(context.Background(), task("x"))
	if _, err := p.Run(context.Background(), task("x")); !errors.Is(err, route.ErrBudgetExhausted) {
		t.Fatalf("second priced call: %v, want refused", err)
	}
	if _, err := u.Run(context.Background(), task("x")); !errors.Is(err, route.ErrBudgetExhausted) {
		t.Errorf("unknown price after exhaustion: %v, want refused", err)
	}
	if b.Unpriced() != 3 || b.Spent() != 60 {
		t.Errorf("unpriced %d, spent %d; want 3, 60", b.Unpriced(), b.Spent())
	}
}

// localPicky is a free local specialist whose outputs fail its own check,
// counting its runs.
func localPicky(runs *atomic.Int64) checked {
	return checked{
		fake{"local/picky", func(_ context.Context, t route.Task) (route.Result, error) {
			runs.Add(1)
			s := "local " + t.Element.Text
			return route.Result{Text: &s}, nil
		}},
		func(route.Task, route.Result) error { return route.Errorf(folio.ClassGrounding, "unsure") },
	}
}

func budgetRouter(t *testing.T, mode string, runs *atomic.Int64) (*route.Router, *model, *route.Budget) {
	b := route.NewBudget(250, mode)
	m := newModel("m", step{usage: tokens(100, 10), usd: usd(100)})
	m.est = estimateOf(100, 10, 100)
	p := textPolicy(links("local/picky", "m")...)
	p.Routes[folio.Heading] = links("test/ok")
	r := newRouter(t, 1, p, localPicky(runs), route.Wrap(m, route.ModelOptions{Budget: b}, nil), echo("test/ok"))
	return r, m, b
}

func TestBudgetDegradeThroughRouter(t *testing.T) {
	var runs atomic.Int64
	r, m, _ := budgetRouter(t, route.BudgetDegrade, &runs)
	doc := newDoc("a.pdf", 4)
	frags, err := r.Route(context.Background(), doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Calls() != 2 {
		t.Errorf("%d paid calls, want 2", m.Calls())
	}
	for i, f := range frags[2:] {
		text := "local " + doc.Elements[i+2].Text
		want := folio.Fragment{ID: f.ID, ElementID: f.ElementID, Model: "local/picky", Status: folio.StatusDegraded, Text: &text,
			Reason: "budget", FellBackFrom: "m",
			Calls: []folio.Call{
				{Attempt: 1, Rule: "paragraph#1", Model: "local/picky", USDMicros: zero(), Status: "rejected", ErrorClass: "grounding"},
				{Attempt: 2, Rule: "paragraph#2", Model: "m", USDMicros: zero(), EstimatedUSDMicros: usd(100), Status: "failed", ErrorClass: "budget"},
			}}
		if diff := cmp.Diff(want, f, ignoreLatency); diff != "" {
			t.Errorf("element %d after the budget ran out (-want +got):\n%s", i+2, diff)
		}
	}
}

func TestBudgetFailThroughRouter(t *testing.T) {
	var runs atomic.Int64
	r, m, b := budgetRouter(t, route.BudgetFail, &runs)
	frags, err := r.Route(context.Background(), newDoc("a.pdf", 6), nil)
	if !errors.Is(err, route.ErrBudgetExhausted) || !allAttempted(frags) {
		t.Fatalf("Route() = %d fragments, %v; want only those with calls, budget exhausted", len(frags), err)
	}
	// What was spent comes back: the two paid calls among them.
	paid := 0
	for _, f := range frags {
		for _, c := range f.Calls {
			if c.Model == "fake/m" && c.Status == folio.CallOK {
				paid++
			}
		}
	}
	if paid != 2 {
		t.Errorf("%d paid calls among the fragments returned, want 2", paid)
	}
	// Elements 1 and 2 were paid for, element 3 was refused, and the rest
	// were not dispatched.
	if m.Calls() != 2 || runs.Load() != 3 || !b.Exhausted() {
		t.Errorf("%d paid calls, %d local runs, exhausted %v; want 2, 3, true", m.Calls(), runs.Load(), b.Exhausted())
	}
	if _, err := r.Route(context.Background(), newDoc("b.pdf", 2), nil); !errors.Is(err, route.ErrBudgetExhausted) {
		t.Errorf("next document needing money: %v, want budget exhausted", err)
	}
	// A document that needs no money is still routed.
	free := newDoc("c.pdf", 0)
	free.Elements = append(free.Elements, folio.Element{ID: "el_h", Type: folio.Heading, Text: "Title"})
	if got, err := r.Route(context.Background(), free, nil); err != nil || got[0].Status != folio.StatusOK {
		t.Errorf("free document: %v, %v; want ok", got, err)
	}
	if m.Calls() != 2 {
		t.Errorf("%d paid calls after exhaustion", m.Calls()-2)
	}
}

func ExampleNewBudget() {
	b := route.NewBudget(5_000_000, route.BudgetDegrade) // $5.00
	fmt.Println(b.Max(), b.Mode(), b.Spent(), b.Exhausted())
	// Output: 5000000 degrade 0 false
}
