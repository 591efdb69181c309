package route_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
)

// step is one answer of a fake model: an error of a class (with a
// Retry-After), or the element's text upper-cased; with usage and a price
// either way, after a delay.
type step struct {
	class      folio.ErrorClass
	retryAfter time.Duration
	delay      time.Duration
	usage      folio.Usage
	usd        *int64
	block      <-chan struct{} // when set, the call waits for it to close
}

// model is a fake model specialist, like a provider: it estimates, keys
// requests and checks its answers. Each call takes the next step of its
// script; the last step repeats. It is safe for concurrent use.
type model struct {
	name     string
	est      route.Estimate
	noKey    bool
	check    func(route.Task, route.Result) error
	inflight *gauge // counts concurrent calls when set

	mu     sync.Mutex
	script []step
	calls  int
	tasks  []route.Task
	commit []route.Result
}

var _ interface {
	route.Specialist
	route.Checker
	route.Estimator
	route.Keyer
	route.Committer
} = (*model)(nil)

func newModel(name string, script ...step) *model {
	if len(script) == 0 {
		script = []step{{}}
	}
	return &model{name: name, script: script}
}

func (m *model) Name() string { return m.name }

func (m *model) Run(ctx context.Context, t route.Task) (route.Result, error) {
	m.mu.Lock()
	s := m.script[min(m.calls, len(m.script)-1)]
	m.calls++
	m.tasks = append(m.tasks, t)
	m.mu.Unlock()
	if m.inflight != nil {
		m.inflight.enter()
		defer m.inflight.leave()
	}
	if s.block != nil {
		select {
		case <-s.block:
		case <-ctx.Done():
			return route.Result{}, ctx.Err()
		}
	}
	if s.delay > 0 {
		time.Sleep(s.delay)
	}
	res := route.Result{Usage: s.usage, USDMicros: s.usd, Model: "fake/" + m.name, Endpoint: "fake",
		Prompt: "text", PromptVersion: 1, RequestHash: "h-" + t.Element.ID}
	if s.class != "" {
		return res, &modelError{s.class, s.retryAfter}
	}
	out := "MODEL " + t.Element.Text
	res.Text = &out
	return res, nil
}

func (m *model) Check(t route.Task, r route.Result) error {
	if m.check != nil {
		return m.check(t, r)
	}
	return nil
}

func (m *model) Estimate(route.Task) (route.Estimate, error) { return m.est, nil }

func (m *model) RequestKey(t route.Task) (string, error) {
	if m.noKey {
		return "", errors.New("not cacheable")
	}
	return m.name + "|" + t.Element.Text, nil
}

func (m *model) Commit(_ context.Context, _ route.Task, r route.Result) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.commit = append(m.commit, r)
}

// Calls returns how often the model was run.
func (m *model) Calls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls
}

// modelError is a provider error with a class and a Retry-After.
type modelError struct {
	class folio.ErrorClass
	after time.Duration
}

func (e *modelError) Error() string                { return fmt.Sprintf("fake %s", e.class) }
func (e *modelError) ErrorClass() folio.ErrorClass { return e.class }
func (e *modelError) RetryAfter() time.Duration    { return e.after }
func usd(v int64) *int64                           { return &v }
func tokens(in, out int64) folio.Usage             { return folio.Usage{InputTokens: in, OutputTokens: out} }
func estimateOf(in, out, price int64) route.Estimate {
	return route.Estimate{Usage: tokens(in, out), USDMicros: usd(price)}
}

// clock is a fake clock whose Sleep moves time on and records the waits.
type clock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newClock() *clock { return &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Sleeps returns the waits so far.
func (c *clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// opts returns options on the fake clock with the breaker and retries off,
// so that a test turns on only what it tests.
func (c *clock) opts() route.ModelOptions {
	return route.ModelOptions{Endpoint: "fake", MaxRetries: -1, Breaker: route.BreakerOptions{Failures: -1},
		Clock: c.Now, Sleep: c.Sleep}
}

// task returns a paragraph task.
func task(text string) route.Task {
	return route.Task{Element: folio.Element{ID: "el_" + text, Type: folio.Paragraph, Text: text}}
}

// memStore is an in-memory CacheStore.
type memStore struct {
	mu   sync.Mutex
	m    map[string][]byte
	gets int
}

func (s *memStore) Get(_ context.Context, key string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gets++
	v, ok := s.m[key]
	return v, ok, nil
}

func (s *memStore) Put(_ context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string][]byte{}
	}
	s.m[key] = value
	return nil
}

// Gets returns how many lookups the store answered.
func (s *memStore) Gets() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gets
}

func (s *memStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}
