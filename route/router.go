package route

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/folio/folio"
)

// Router routes documents' elements through the specialists a Policy names,
// on a shared Pool. It is safe for concurrent use by many documents.
type Router struct {
	policy      Policy
	pool        *Pool
	specialists map[string]Specialist

	// Logger receives failed attempts (debug) and specialist panics with
	// their stack (error), which a Call has no room for. New sets a logger
	// that discards everything; set it before the first Route.
	Logger *slog.Logger
}

var _ folio.Router = (*Router)(nil)

// New returns a Router for policy that runs specialists on pool. It fails
// when the policy is invalid, names a specialist not given, or two
// specialists share a name.
func New(policy Policy, pool *Pool, specialists ...Specialist) (*Router, error) {
	if pool == nil {
		return nil, errors.New("new router: no worker pool")
	}
	if err := policy.Validate(); err != nil {
		return nil, fmt.Errorf("new router: %w", err)
	}
	byName := make(map[string]Specialist, len(specialists))
	for _, s := range specialists {
		name := s.Name()
		if _, dup := byName[name]; dup {
			return nil, fmt.Errorf("new router: two specialists named %q", name)
		}
		byName[name] = s
	}
	for t, chain := range policy.Routes {
		for i, l := range chain {
			if byName[l.Specialist] == nil {
				return nil, fmt.Errorf("new router: policy %s names unknown specialist %q", ruleName(t, i), l.Specialist)
			}
		}
	}
	// The router keeps its own copy: the caller may go on changing theirs.
	routes := make(map[folio.ElementType][]Link, len(policy.Routes))
	for t, chain := range policy.Routes {
		routes[t] = slices.Clone(chain)
	}
	policy.Routes = routes
	return &Router{
		policy:      policy,
		pool:        pool,
		specialists: byName,
		Logger:      slog.New(slog.DiscardHandler),
	}, nil
}

// Route submits each element of doc to the pool as one job and waits for all
// of them, returning one fragment per element in element order. A fragment
// is ok when a link's output was accepted; when every link that applied
// failed it is degraded and carries no output, so the element keeps the
// segmenter's content, or failed when the element has no content to keep.
// When ctx ends, Route stops submitting, waits for the jobs already running
// (queued ones are skipped) and returns ctx.Err(); on a closed pool it
// returns an error. The caller adds the operation and document to errors.
func (r *Router) Route(ctx context.Context, doc *folio.Document) ([]folio.Fragment, error) {
	pages := make(map[int]folio.PageInfo, len(doc.Pages))
	for _, p := range doc.Pages {
		pages[p.Page] = p
	}
	frags := make([]folio.Fragment, len(doc.Elements))
	var wg sync.WaitGroup
	var submitErr error
	for i := range doc.Elements {
		wg.Add(1)
		err := r.pool.submit(ctx, func() {
			defer wg.Done()
			if ctx.Err() != nil {
				return
			}
			el := &doc.Elements[i]
			frags[i] = r.routeElement(ctx, Task{Element: cloneElement(el), Source: doc.Source, Page: pages[el.Page]})
		})
		if err != nil {
			wg.Done()
			submitErr = err
			break
		}
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if submitErr != nil {
		return nil, submitErr
	}
	return frags, nil
}

// routeElement runs t's chain until a link's output is accepted.
func (r *Router) routeElement(ctx context.Context, t Task) (f folio.Fragment) {
	el := &t.Element
	f = folio.Fragment{ID: folio.FragmentID(el.ID), ElementID: el.ID, Calls: []folio.Call{}}
	defer func() {
		// A panic in the router itself fails the element, not the process.
		if v := recover(); v != nil {
			r.Logger.Error("route panic", "element", el.ID, "panic", v, "stack", string(debug.Stack()))
			f.Status, f.Model, f.Text, f.Table, f.Image = folio.StatusFailed, "", nil, nil, nil
		}
	}()
	for i, link := range r.policy.Chain(el.Type) {
		if ctx.Err() != nil {
			break
		}
		if !link.When.Applies(t) {
			continue
		}
		t.Rule, t.Attempt = ruleName(el.Type, i), len(f.Calls)+1
		res, call := r.attempt(ctx, r.specialists[link.Specialist], t)
		f.Calls = append(f.Calls, call)
		if call.Status == folio.CallOK {
			f.Model, f.Status = call.Model, folio.StatusOK
			f.Text, f.Table, f.Image = res.Text, res.Table, res.Image
			return f
		}
	}
	f.Status = settle(el, f.Calls)
	return f
}

// settle decides the status of an element no link produced an accepted
// output for. Without any attempt the policy chose to leave it as it is.
// Otherwise it keeps the segmenter's content, marked degraded: that content
// is what a parser without routing would give, and dropping it would lose
// text the document plainly has. Only an element with nothing to keep fails.
func settle(el *folio.Element, calls []folio.Call) string {
	switch {
	case len(calls) == 0:
		return folio.StatusOK
	case hasContent(el):
		return folio.StatusDegraded
	default:
		return folio.StatusFailed
	}
}

func hasContent(el *folio.Element) bool {
	return hasText(el.Text) ||
		(el.Table != nil && tableHasText(el.Table)) ||
		(el.Image != nil && (len(el.Image.PNG) > 0 || el.Image.Width > 0 && el.Image.Height > 0))
}

// attempt runs one specialist on t, checks its output and records the call.
func (r *Router) attempt(ctx context.Context, s Specialist, t Task) (Result, folio.Call) {
	start := time.Now()
	res, runErr, checkErr := r.try(ctx, s, t)
	call := folio.Call{
		Attempt:       t.Attempt,
		Rule:          t.Rule,
		Model:         s.Name(),
		Endpoint:      res.Endpoint,
		Usage:         res.Usage,
		USDMicros:     res.USDMicros,
		Latency:       time.Since(start),
		CacheHit:      res.CacheHit,
		Prompt:        res.Prompt,
		PromptVersion: res.PromptVersion,
		RequestHash:   res.RequestHash,
		Status:        folio.CallOK,
	}
	if call.USDMicros == nil && folio.IsLocal(call.Model) {
		call.USDMicros = new(int64)
	}
	err := runErr
	switch {
	case runErr != nil:
		call.Status = folio.CallFailed
	case checkErr != nil:
		call.Status, err = folio.CallRejected, checkErr
	}
	if err != nil {
		call.ErrorClass = Classify(err)
		call.Error = err.Error()
		r.Logger.Debug("route attempt "+call.Status, "element", t.Element.ID, "rule", t.Rule,
			"model", call.Model, "class", call.ErrorClass, "err", err)
	}
	return res, call
}

// try runs s on t and, when it succeeds, the quality checks on its output.
// A panic in either becomes a run error of class crash.
func (r *Router) try(ctx context.Context, s Specialist, t Task) (res Result, runErr, checkErr error) {
	defer func() {
		if v := recover(); v != nil {
			r.Logger.Error("specialist panic", "model", s.Name(), "element", t.Element.ID,
				"panic", v, "stack", string(debug.Stack()))
			runErr = Errorf(ClassCrash, "%s panicked: %v", s.Name(), v)
		}
	}()
	res, runErr = s.Run(ctx, t)
	if runErr != nil {
		return res, runErr, nil
	}
	checkErr = Check(t, res)
	if c, ok := s.(Checker); ok && checkErr == nil {
		checkErr = c.Check(t, res)
	}
	return res, nil, checkErr
}

// cloneElement copies el deeply enough that a specialist cannot change the
// document through it; image pixels are shared.
func cloneElement(el *folio.Element) folio.Element {
	c := *el
	c.Regions = slices.Clone(el.Regions)
	if el.Table != nil {
		t := *el.Table
		if el.Table.Rows != nil {
			t.Rows = make([][]string, len(el.Table.Rows))
			for i, row := range el.Table.Rows {
				t.Rows[i] = slices.Clone(row)
			}
		}
		t.Cells = slices.Clone(el.Table.Cells)
		c.Table = &t
	}
	if el.Image != nil {
		img := *el.Image
		c.Image = &img
	}
	return c
}
