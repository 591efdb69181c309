package route_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/google/go-cmp/cmp"
)

func TestCacheSecondRunIsFree(t *testing.T) {
	store := &memStore{}
	m := newModel("m", step{usage: tokens(100, 20), usd: usd(75)})
	c := newClock()
	o := c.opts()
	o.Cache = store
	r := newRouter(t, 2, textPolicy(links("m")...), route.Wrap(m, o, nil))

	first, err := r.Route(context.Background(), newDoc("a.pdf", 3), nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Calls() != 3 || store.Len() != 3 {
		t.Fatalf("first run: %d model calls, %d stored; want 3, 3", m.Calls(), store.Len())
	}
	second, err := r.Route(context.Background(), newDoc("a.pdf", 3), nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Calls() != 3 {
		t.Errorf("second run made %d more model calls, want none", m.Calls()-3)
	}
	for i, f := range second {
		want := first[i]
		want.Calls = []folio.Call{{
			Attempt: 1, Rule: "paragraph#1", Model: "fake/m", Endpoint: "fake", Usage: tokens(100, 20),
			USDMicros: zero(), SavedUSDMicros: usd(75), CacheHit: true, Status: folio.CallOK,
			Prompt: "text", PromptVersion: 1, RequestHash: "h-" + f.ElementID,
		}}
		if diff := cmp.Diff(want, f, ignoreLatency); diff != "" {
			t.Errorf("fragment %d from the cache (-want +got):\n%s", i, diff)
		}
	}
	// Only the first run's answers were committed to the model itself.
	if len(m.commit) != 3 {
		t.Errorf("%d commits reached the model, want 3", len(m.commit))
	}
}

func TestCacheReplaysRejectedAnswersWithoutPayingTwice(t *testing.T) {
	store := &memStore{}
	m := newModel("m", step{usage: tokens(1, 1), usd: usd(1)})
	m.check = func(route.Task, route.Result) error { return route.Errorf(folio.ClassGrounding, "made up") }
	o := route.ModelOptions{Cache: store}
	r := newRouter(t, 1, textPolicy(links("m")...), route.Wrap(m, o, nil))
	var frags [][]folio.Fragment
	for range 2 {
		f, err := r.Route(context.Background(), newDoc("a.pdf", 1), nil)
		if err != nil {
			t.Fatal(err)
		}
		frags = append(frags, f)
	}
	if store.Len() != 1 || m.Calls() != 1 {
		t.Errorf("%d stored, %d model calls; want the paid answer stored once and replayed", store.Len(), m.Calls())
	}
	second := frags[1][0]
	if second.Status != folio.StatusReview || !second.Calls[0].CacheHit || second.Calls[0].Status != folio.CallRejected {
		t.Errorf("replayed rejected answer: %+v; want a rejected cache hit and review", second)
	}

	// A failure without an answer (a 5xx) is never stored.
	n := newModel("n", step{class: folio.ClassTransient})
	s := route.Wrap(n, route.ModelOptions{Cache: store, MaxRetries: -1}, nil)
	if _, err := s.Run(context.Background(), task("x")); err == nil {
		t.Fatal("want the 503")
	}
	if store.Len() != 1 {
		t.Errorf("%d stored after a failure without an answer, want still 1", store.Len())
	}
}

func TestCacheNotForUnkeyedRequests(t *testing.T) {
	store := &memStore{}
	m := newModel("m")
	m.noKey = true
	s := route.Wrap(m, route.ModelOptions{Cache: store}, nil)
	for range 2 {
		res, err := s.Run(context.Background(), task("x"))
		if err != nil {
			t.Fatal(err)
		}
		s.(route.Committer).Commit(context.Background(), task("x"), res)
	}
	if m.Calls() != 2 || store.Len() != 0 || store.gets != 0 {
		t.Errorf("%d calls, %d stored, %d lookups; want 2, 0, 0", m.Calls(), store.Len(), store.gets)
	}
}

// picture answers image tasks with a description and the element's pixels.
type picture struct{ *model }

func (p picture) Run(ctx context.Context, t route.Task) (route.Result, error) {
	res, err := p.model.Run(ctx, t)
	img := *t.Element.Image
	img.Description = "a chart"
	res.Image, res.Text = &img, nil
	res.Table = &folio.Table{Rows: [][]string{{"a", "b"}}, HeaderRows: 1}
	return res, err
}

func TestCacheReplaysWithoutPixels(t *testing.T) {
	store := &memStore{}
	pix := []byte("\x89PNG pixels")
	s := route.Wrap(picture{newModel("m", step{usage: tokens(9, 9), usd: usd(3)})}, route.ModelOptions{Cache: store}, nil)
	tk := route.Task{Element: folio.Element{ID: "el_1", Type: folio.ImageType, Image: &folio.Image{Width: 4, Height: 3, PNG: pix}}}
	res, err := s.Run(context.Background(), tk)
	if err != nil {
		t.Fatal(err)
	}
	s.(route.Committer).Commit(context.Background(), tk, res)
	for k, v := range store.m {
		if bytes.Contains(v, pix) || bytes.Contains(v, []byte("PNG")) {
			t.Errorf("stored entry %s holds the pixels: %s", k, v)
		}
	}
	hit, err := s.Run(context.Background(), tk)
	if err != nil {
		t.Fatal(err)
	}
	want := res
	want.CacheHit, want.USDMicros, want.SavedUSDMicros = true, zero(), usd(3)
	if diff := cmp.Diff(want, hit); diff != "" {
		t.Errorf("replayed result (-want +got):\n%s", diff)
	}
}

// The same request from several elements at once is sent once; the others
// wait for its answer and replay it from the cache.
func TestCacheSendsARequestInFlightOnce(t *testing.T) {
	store := &memStore{}
	release := make(chan struct{})
	m := newModel("m", step{usage: tokens(10, 2), usd: usd(5), block: release})
	s := route.Wrap(m, route.ModelOptions{Cache: store}, nil)
	const n = 5
	type result struct {
		res route.Result
		err error
	}
	results := make(chan result, n)
	for range n {
		go func() {
			res, err := s.Run(context.Background(), task("same text"))
			results <- result{res, err}
		}()
	}
	// Every caller has looked the request up and missed (nothing is stored
	// while the one call is held; the one that sends it looked twice): the
	// others are waiting for it.
	for deadline := time.Now().Add(stuck); m.Calls() == 0 || store.Gets() < n+1; {
		if time.Now().After(deadline) {
			t.Fatalf("%d calls reached the model, %d lookups the store; want 1 and %d", m.Calls(), store.Gets(), n+1)
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	var paid, hits int
	for range n {
		r := <-results
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.res.CacheHit {
			hits++
		} else {
			paid++
		}
	}
	if m.Calls() != 1 || paid != 1 || hits != n-1 {
		t.Errorf("%d model calls, %d paid results, %d cache hits; want 1, 1, %d", m.Calls(), paid, hits, n-1)
	}

	// A waiter whose context ends gives up; the request goes on.
	release2 := make(chan struct{})
	m2 := newModel("m2", step{block: release2})
	s2 := route.Wrap(m2, route.ModelOptions{Cache: store}, nil)
	go func() { _, _ = s2.Run(context.Background(), task("x")) }()
	for m2.Calls() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := s2.Run(ctx, task("x")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiter with an ended context: %v, want context.DeadlineExceeded", err)
	}
	close(release2)
	if m2.Calls() != 1 {
		t.Errorf("%d calls, want 1", m2.Calls())
	}
}

// A caller that missed the cache just before the request in flight stored
// its answer and left takes the stored answer: it does not pay for the
// request again.
func TestCacheMissJustBeforeTheAnswerIsStored(t *testing.T) {
	store := &heldStore{}
	release := make(chan struct{})
	m := newModel("m", step{usage: tokens(10, 2), usd: usd(5), block: release}, step{usage: tokens(10, 2), usd: usd(5)})
	s := route.Wrap(m, route.ModelOptions{Cache: store}, nil)
	first := make(chan error, 1)
	go func() {
		_, err := s.Run(context.Background(), task("same text"))
		first <- err
	}()
	for deadline := time.Now().Add(stuck); m.Calls() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the first request never reached the model")
		}
		time.Sleep(time.Millisecond)
	}
	missed, resume := store.holdNextMiss()
	second := make(chan route.Result, 1)
	go func() {
		res, err := s.Run(context.Background(), task("same text"))
		if err != nil {
			t.Error(err)
		}
		second <- res
	}()
	<-missed
	// The first request is answered, stored and no longer in flight
	// before the second caller acts on its miss.
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	close(resume)
	res := <-second
	if m.Calls() != 1 || !res.CacheHit {
		t.Errorf("%d model calls, second result from the cache: %v; want 1 call and a cache hit", m.Calls(), res.CacheHit)
	}
}

// heldStore is a memStore that can hold a caller after a miss.
type heldStore struct {
	memStore
	mu             sync.Mutex
	missed, resume chan struct{}
}

// holdNextMiss makes the next lookup that misses close missed and wait for
// resume before it returns.
func (s *heldStore) holdNextMiss() (missed, resume chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.missed, s.resume = make(chan struct{}), make(chan struct{})
	return s.missed, s.resume
}

func (s *heldStore) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, ok, err := s.memStore.Get(ctx, key)
	s.mu.Lock()
	missed, resume := s.missed, s.resume
	if !ok {
		s.missed, s.resume = nil, nil
	}
	s.mu.Unlock()
	if !ok && missed != nil {
		close(missed)
		<-resume
	}
	return v, ok, err
}
