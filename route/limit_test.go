package route_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/google/go-cmp/cmp"
)

func TestLimiterConcurrencyPerEndpoint(t *testing.T) {
	var g gauge
	shared := route.NewShared()
	o := route.ModelOptions{Endpoint: "openai", Concurrency: 3}
	// Two models on one endpoint share its three slots. Each request
	// waits for company (gauge.company), so that requests overlap as far
	// as the slots let them, however fast they are started.
	company := step{block: g.company(), delay: 2 * time.Millisecond}
	a, b := newModel("a", company), newModel("b", company)
	a.inflight, b.inflight = &g, &g
	specs := []route.Specialist{route.Wrap(a, o, shared), route.Wrap(b, o, shared)}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			if _, err := specs[i%2].Run(context.Background(), task("x")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	peak, runs := g.stats()
	if runs != 40 || peak > 3 {
		t.Errorf("%d runs with peak concurrency %d; want 40 runs, at most 3 at once", runs, peak)
	}
	if peak < 2 {
		t.Errorf("peak concurrency %d: requests did not run in parallel", peak)
	}
}

func TestLimiterRPM(t *testing.T) {
	c := newClock()
	o := c.opts()
	o.RPM = 60 // one a second, a minute's worth at once
	s := route.Wrap(newModel("m"), o, nil)
	for range 60 {
		if _, err := s.Run(context.Background(), task("x")); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.Sleeps(); len(got) != 0 {
		t.Fatalf("the first 60 requests waited %v", got)
	}
	s.Run(context.Background(), task("x"))
	s.Run(context.Background(), task("x"))
	if diff := cmp.Diff([]time.Duration{time.Second, time.Second}, c.Sleeps()); diff != "" {
		t.Errorf("waits of requests 61 and 62 (-want +got):\n%s", diff)
	}
}

func TestLimiterTPM(t *testing.T) {
	tests := []struct {
		name      string
		used      folio.Usage
		wantSleep []time.Duration
	}{
		// 600 a minute is 10 a second. The first request debits its
		// estimate of 400, leaving 200; the second needs 200 more: 20s.
		{"estimate_debited", tokens(300, 100), []time.Duration{20 * time.Second}},
		// The first used only 100: 300 come back, and the second fits.
		{"refund_after_usage", tokens(60, 40), nil},
		// The first used 600: 200 more are owed, so the second waits 40s.
		{"debit_after_usage", tokens(500, 100), []time.Duration{40 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			o := c.opts()
			o.TPM = 600
			m := newModel("m", step{usage: tt.used})
			m.est = estimateOf(300, 100, 10)
			s := route.Wrap(m, o, nil)
			s.Run(context.Background(), task("x"))
			s.Run(context.Background(), task("x"))
			if diff := cmp.Diff(tt.wantSleep, c.Sleeps()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLimiterRetryAfterHoldsEndpoint(t *testing.T) {
	c := newClock()
	shared := route.NewShared()
	o := c.opts()
	limited := route.Wrap(newModel("a", step{class: folio.ClassRateLimit, retryAfter: 5 * time.Second}), o, shared)
	other := route.Wrap(newModel("b"), o, shared)
	if _, err := limited.Run(context.Background(), task("x")); route.Classify(err) != folio.ClassRateLimit {
		t.Fatalf("Run() = %v, want rate_limit", err)
	}
	if _, err := other.Run(context.Background(), task("x")); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{5 * time.Second}, c.Sleeps()); diff != "" {
		t.Errorf("the endpoint's next request waited (-want +got):\n%s", diff)
	}
}

func TestLimiterWaitHonoursContext(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	m := newModel("m", step{block: block})
	s := route.Wrap(m, route.ModelOptions{Concurrency: 1}, nil)
	go s.Run(context.Background(), task("holder"))
	for m.Calls() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := s.Run(ctx, task("waiter"))
	if !errors.Is(err, context.DeadlineExceeded) || m.Calls() != 1 {
		t.Errorf("Run() = %v with %d calls; want the deadline while waiting for a slot, 1 call", err, m.Calls())
	}
}

// preparing is a specialist whose requests take preparing; it records
// how many requests are being prepared while another is being sent.
type preparing struct {
	sending  chan struct{} // closed when the first send has started
	release  chan struct{} // closed to let sends finish
	mu       sync.Mutex
	overlaps int
	inSend   int
	once     sync.Once
}

func (p *preparing) Name() string { return "prep" }

func (p *preparing) Run(ctx context.Context, t route.Task) (route.Result, error) {
	return p.Prepare(ctx, t)(ctx)
}

func (p *preparing) Prepare(context.Context, route.Task) func(context.Context) (route.Result, error) {
	p.mu.Lock()
	if p.inSend > 0 {
		p.overlaps++
	}
	p.mu.Unlock()
	return func(context.Context) (route.Result, error) {
		p.mu.Lock()
		p.inSend++
		p.mu.Unlock()
		p.once.Do(func() { close(p.sending) })
		<-p.release
		p.mu.Lock()
		p.inSend--
		p.mu.Unlock()
		return route.Result{}, nil
	}
}

// A request is prepared (its image drawn) before it takes one of the
// endpoint's slots: with one slot busy, the next request is prepared.
func TestLimiterPreparesOutsideTheSlot(t *testing.T) {
	p := &preparing{sending: make(chan struct{}), release: make(chan struct{})}
	s := route.Wrap(p, route.ModelOptions{Endpoint: "e", Concurrency: 1}, route.NewShared())
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(context.Background(), task("a")) })
	<-p.sending
	wg.Go(func() { s.Run(context.Background(), task("b")) })
	deadline := time.Now().Add(stuck)
	for {
		p.mu.Lock()
		n := p.overlaps
		p.mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			close(p.release)
			wg.Wait()
			t.Fatal("the second request was not prepared while the first held the only slot")
		}
		time.Sleep(time.Millisecond)
	}
	close(p.release)
	wg.Wait()
}
