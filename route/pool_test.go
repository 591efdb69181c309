package route_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
)

// slow runs for d, or until ctx ends, counting concurrent runs in g.
func slow(name string, d time.Duration, g *gauge) fake {
	return fake{name, func(ctx context.Context, t route.Task) (route.Result, error) {
		g.enter()
		defer g.leave()
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return route.Result{}, ctx.Err()
		}
		s := t.Element.Text
		return route.Result{Text: &s}, nil
	}}
}

// overlapping is slow(name, time.Millisecond, g) whose runs first wait for
// company (gauge.company), so that runs overlap wherever they can.
func overlapping(name string, g *gauge) fake {
	return fake{name, func(ctx context.Context, t route.Task) (route.Result, error) {
		g.enter()
		defer g.leave()
		select {
		case <-g.company():
		case <-ctx.Done():
			return route.Result{}, ctx.Err()
		}
		time.Sleep(time.Millisecond)
		s := t.Element.Text
		return route.Result{Text: &s}, nil
	}}
}

// routeAll routes docs concurrently, one goroutine per document as the
// orchestrator does, and returns their errors.
func routeAll(ctx context.Context, r *route.Router, docs []*folio.Document) ([][]folio.Fragment, []error) {
	frags := make([][]folio.Fragment, len(docs))
	errs := make([]error, len(docs))
	var wg sync.WaitGroup
	for i, d := range docs {
		wg.Go(func() { frags[i], errs[i] = r.Route(ctx, d, nil) })
	}
	wg.Wait()
	return frags, errs
}

// settles waits for the goroutine count to fall back to at most want.
func settles(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(stuck)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, want at most %d:\n%s", runtime.NumGoroutine(), want, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPoolBoundsConcurrency(t *testing.T) {
	for _, workers := range []int{1, 3, 8} {
		t.Run(fmt.Sprintf("workers_%d", workers), func(t *testing.T) {
			var g gauge
			sp := slow("test/slow", time.Millisecond, &g)
			if workers > 1 {
				sp = overlapping("test/slow", &g)
			}
			r := newRouter(t, workers, textPolicy(links("test/slow")...), sp)
			var docs []*folio.Document
			for i := range 6 {
				docs = append(docs, newDoc(fmt.Sprintf("d%d.pdf", i), 20))
			}
			frags, errs := routeAll(context.Background(), r, docs)
			for i, err := range errs {
				if err != nil {
					t.Fatalf("doc %d: %v", i, err)
				}
				if len(frags[i]) != 20 {
					t.Fatalf("doc %d: %d fragments, want 20", i, len(frags[i]))
				}
			}
			peak, runs := g.stats()
			if runs != 120 {
				t.Errorf("%d runs, want 120", runs)
			}
			if peak > workers {
				t.Errorf("peak concurrency %d exceeds %d workers", peak, workers)
			}
			if workers > 1 && peak < 2 {
				t.Errorf("peak concurrency %d: the pool did not run jobs in parallel", peak)
			}
		})
	}
}

func TestConcurrentRoutesDoNotDeadlock(t *testing.T) {
	// 8 documents of 50 elements on 2 workers with a queue of 2: every
	// submitter waits on a full queue most of the time.
	var g gauge
	r := newRouter(t, 2, textPolicy(links("test/slow")...), slow("test/slow", 0, &g))
	var docs []*folio.Document
	for i := range 8 {
		docs = append(docs, newDoc(fmt.Sprintf("d%d.pdf", i), 50))
	}
	done := make(chan []error, 1)
	go func() {
		_, errs := routeAll(context.Background(), r, docs)
		done <- errs
	}()
	select {
	case errs := <-done:
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
	case <-time.After(stuck):
		buf := make([]byte, 1<<20)
		t.Fatalf("concurrent Route calls did not finish:\n%s", buf[:runtime.Stack(buf, true)])
	}
	if _, runs := g.stats(); runs != 400 {
		t.Errorf("%d runs, want 400", runs)
	}
}

func TestRouteCancel(t *testing.T) {
	tests := []struct {
		name    string
		ctx     func() (context.Context, context.CancelFunc)
		cancel  bool // cancel once every worker is busy
		wantErr error
	}{
		{"cancel", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			true, context.Canceled},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}, false, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := runtime.NumGoroutine()
			const workers = 4
			pool := route.NewPool(workers)
			started := make(chan struct{}, 100)
			var g gauge
			block := fake{"test/block", func(ctx context.Context, _ route.Task) (route.Result, error) {
				g.enter()
				defer g.leave()
				started <- struct{}{}
				<-ctx.Done()
				return route.Result{}, ctx.Err()
			}}
			r, err := route.New(textPolicy(links("test/block")...), pool, block)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := tt.ctx()
			defer cancel()
			var docs []*folio.Document
			for i := range 3 {
				docs = append(docs, newDoc(fmt.Sprintf("d%d.pdf", i), 100))
			}
			go func() {
				for range workers {
					select {
					case <-started:
					case <-ctx.Done():
						return
					}
				}
				if tt.cancel {
					cancel()
				}
			}()
			// Route must return once ctx ends, however many jobs are
			// queued; the bound only guards against a hang.
			type routed struct {
				frags [][]folio.Fragment
				errs  []error
			}
			done := make(chan routed, 1)
			go func() {
				frags, errs := routeAll(ctx, r, docs)
				done <- routed{frags, errs}
			}()
			var frags [][]folio.Fragment
			var errs []error
			select {
			case res := <-done:
				frags, errs = res.frags, res.errs
			case <-time.After(stuck):
				buf := make([]byte, 1<<20)
				t.Fatalf("Route did not return after cancellation:\n%s", buf[:runtime.Stack(buf, true)])
			}
			for i, err := range errs {
				if !errors.Is(err, tt.wantErr) || !allAttempted(frags[i]) {
					t.Errorf("doc %d: Route() = %d fragments, %v; want only those with calls, %v", i, len(frags[i]), err, tt.wantErr)
				}
			}
			if _, runs := g.stats(); runs > workers {
				t.Errorf("%d specialist runs, want at most %d: queued jobs ran after cancellation", runs, workers)
			}

			// The pool still serves other documents after a cancellation.
			r2, err := route.New(textPolicy(links("test/ok")...), pool, echo("test/ok"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r2.Route(context.Background(), newDoc("next.pdf", 10), nil); err != nil {
				t.Errorf("Route after a cancellation: %v", err)
			}
			pool.Close()
			settles(t, base)
		})
	}
}

func TestPoolClose(t *testing.T) {
	base := runtime.NumGoroutine()
	pool := route.NewPool(0)
	if pool.Workers() != runtime.GOMAXPROCS(0) {
		t.Errorf("Workers() = %d, want GOMAXPROCS %d", pool.Workers(), runtime.GOMAXPROCS(0))
	}
	r, err := route.New(textPolicy(links("test/ok")...), pool, echo("test/ok"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Route(context.Background(), newDoc("a.pdf", 10), nil); err != nil {
		t.Fatal(err)
	}
	pool.Close()
	pool.Close() // idempotent
	settles(t, base)
	if _, err := r.Route(context.Background(), newDoc("a.pdf", 1), nil); err == nil {
		t.Error("Route on a closed pool succeeded")
	}
	if got, err := r.Route(context.Background(), newDoc("empty.pdf", 0), nil); err != nil || len(got) != 0 {
		t.Errorf("Route of a document without elements = %v, %v; want none, nil", got, err)
	}
}

func TestPoolCloseWaitsForQueuedJobs(t *testing.T) {
	pool := route.NewPool(1)
	var g gauge
	r, err := route.New(textPolicy(links("test/slow")...), pool, slow("test/slow", time.Millisecond, &g))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := r.Route(context.Background(), newDoc("a.pdf", 30), nil)
		done <- err
	}()
	for {
		if _, runs := g.stats(); runs > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	pool.Close()
	// Route either got all its jobs in before Close or failed to submit;
	// it never hangs on a job the closed pool dropped.
	select {
	case <-done:
	case <-time.After(stuck):
		t.Fatal("Route hangs after Close")
	}
}
