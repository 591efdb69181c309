package route

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/folio/folio"
)

// CallEstimated is the status of a call a dry run estimated instead of
// making (error class folio.ClassDryRun).
const CallEstimated = folio.CallEstimated

// Router routes documents' elements through the specialists a Policy names,
// on a shared Pool. It is safe for concurrent use by many documents.
type Router struct {
	policy      Policy
	pool        *Pool
	specialists map[string]Specialist

	// MaxAttempts bounds the calls recorded for one element; the chain ends
	// there as if exhausted. New sets DefaultMaxAttempts.
	MaxAttempts int
	// Logger receives failed attempts (debug), specialists disabled by an
	// auth error and an exhausted budget (warn), and specialist panics with
	// their stack (error), which a Call has no room for. New sets a logger
	// that discards everything; set it before the first Route.
	Logger *slog.Logger

	// DegradeUnavailable keeps, for an element whose chain ended without
	// an accepted output because a model endpoint was unavailable, its
	// best free result marked degraded, and the document is done. Without
	// it (the default) Route defers the document with an error wrapping
	// folio.ErrUnavailable, so that a later run, with the endpoint back,
	// does it.
	DegradeUnavailable bool

	disabled     sync.Map // specialist name → true, after an auth error
	budgetLogged sync.Once
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
		MaxAttempts: DefaultMaxAttempts,
		Logger:      slog.New(slog.DiscardHandler),
	}, nil
}

// Route submits each element of doc to the pool as one job and waits for all
// of them, returning one fragment per element in element order.
//
// An element runs its chain until a link's output is accepted (status ok).
// When no output is accepted, once the chain or MaxAttempts is exhausted:
//   - if a link was only estimated (dry run) or refused by the budget, the
//     element is degraded: a dry run ends the chain at its first estimated
//     link, as if that model's answer would be accepted; after a budget
//     refusal the chain goes on, every paid link refused without a request,
//     so free links still run;
//   - else if an output was rejected by a quality check or the model
//     refused, the element goes to review;
//   - else (every link failed with an error) it is degraded, or failed when
//     the element has no content of its own.
//
// A degraded or review element keeps its best result: the last rejected
// output that passed [Check] (rejected by the specialist's own checks, such
// as grounding) when a local specialist made it from the page, or when the
// element has no content of its own; else the segmenter's content (the
// fragment has no output). A model's rejected answer may hold text the page
// does not and must not pass for the document's; it stays in the ledger's
// calls and response cache.
// A specialist that fails with folio.ClassAuth is skipped for the rest of the
// run. An image the policy's Decorative finds to be decoration does not run
// a chain that has a model in it: it goes to local/image alone (see
// Decorative).
//
// When a budget in mode BudgetFail refuses a call, Route stops submitting
// the document's elements and returns an error wrapping ErrBudgetExhausted;
// likewise with folio.ErrUnavailable when an element's chain ends without
// an accepted output after a model's endpoint was unavailable, unless
// DegradeUnavailable. When ctx ends, Route stops submitting, waits for the
// jobs already running (queued ones are skipped) and returns ctx.Err(); on
// a closed pool it returns an error. With an error, Route returns only the
// fragments of elements that made calls, so that what they cost can be
// recorded. The caller adds the operation and document to errors.
func (r *Router) Route(ctx context.Context, doc *folio.Document, crops map[string][]byte) ([]folio.Fragment, error) {
	pages := make(map[int]folio.PageInfo, len(doc.Pages))
	for _, p := range doc.Pages {
		pages[p.Page] = p
	}
	decorative := r.decorative(doc)
	// Refused candidates are routed after the elements: a model may still
	// find a table in one.
	els := make([]*folio.Element, 0, len(doc.Elements)+len(doc.Candidates))
	for i := range doc.Elements {
		els = append(els, &doc.Elements[i])
	}
	for i := range doc.Candidates {
		els = append(els, &doc.Candidates[i])
	}
	frags := make([]folio.Fragment, len(els))
	var wg sync.WaitGroup
	var submitErr error
	var stop atomic.Pointer[error] // the document stops: budget in mode fail, endpoint unavailable
	for i, el := range els {
		if stop.Load() != nil {
			break
		}
		wg.Add(1)
		err := r.pool.submit(ctx, func() {
			defer wg.Done()
			if ctx.Err() != nil || stop.Load() != nil {
				return
			}
			t := Task{Element: cloneElement(el), Source: doc.Source, Page: pages[el.Page], Crop: crops[el.ID]}
			if i < len(decorative) && decorative[i] != "" {
				frags[i] = r.routeDecorative(ctx, t, decorative[i])
				return
			}
			var serr error
			frags[i], serr = r.routeElement(ctx, t)
			if serr != nil {
				stop.CompareAndSwap(nil, &serr)
			}
		})
		if err != nil {
			wg.Done()
			submitErr = err
			break
		}
	}
	wg.Wait()
	err := ctx.Err()
	if err == nil {
		err = submitErr
	}
	if serr := stop.Load(); err == nil && serr != nil {
		err = *serr
	}
	if err != nil {
		return attempted(frags), err
	}
	return frags, nil
}

// attempted returns the fragments of the elements that made calls: on an
// error, what the document already spent.
func attempted(frags []folio.Fragment) []folio.Fragment {
	var out []folio.Fragment
	for _, f := range frags {
		if len(f.Calls) > 0 {
			out = append(out, f)
		}
	}
	return out
}

// routeElement runs t's chain until a link's output is accepted. It
// returns an error that stops the document: the refusal of a budget in
// mode fail, or, unless DegradeUnavailable, the chain's end without an
// accepted output after a model was unavailable.
func (r *Router) routeElement(ctx context.Context, t Task) (f folio.Fragment, stop error) {
	el := &t.Element
	f = folio.Fragment{ID: folio.FragmentID(el.ID), ElementID: el.ID, Calls: []folio.Call{}}
	defer func() {
		// A panic in the router itself fails the element, not the process.
		if v := recover(); v != nil {
			r.Logger.Error("route panic", "element", el.ID, "panic", v, "stack", string(debug.Stack()))
			f.Status, f.Model, f.Text, f.Table, f.Image = folio.StatusFailed, "", nil, nil, nil
		}
	}()
	var (
		best     *attempt       // the last rejected output that passed Check
		rejected *folio.Call    // the last output rejected, or the model's refusal
		short    *folio.Call    // the call that cut the chain short: a dry run's estimate, a budget refusal
		down     error          // a model link failed because its endpoint was unavailable
		answers  []folio.Answer // rejected answers with content, for a reviewer
	)
chain:
	for i, link := range r.policy.Chain(el.Type) {
		if ctx.Err() != nil || len(f.Calls) >= r.maxAttempts() {
			break
		}
		if !link.When.Applies(t) || r.isDisabled(link.Specialist) {
			continue
		}
		if el.Layer == folio.LayerCandidate && folio.IsLocal(link.Specialist) {
			// A local link's answer to a refused region is the refusal:
			// only a model may still find the table in it.
			break
		}
		s := r.specialists[link.Specialist]
		t.Rule, t.Attempt = ruleName(el.Type, i), len(f.Calls)+1
		a := r.attempt(ctx, s, t)
		f.Calls = append(f.Calls, a.call)
		var berr *budgetError
		switch {
		case a.call.Status == folio.CallOK:
			r.commit(ctx, s, t, a.res)
			f.Model, f.Status = a.call.Model, folio.StatusOK
			f.Text, f.Table, f.Image = a.res.Text, a.res.Table, a.res.Image
			return f, nil
		case a.call.Status == CallEstimated:
			short = &a.call
			break chain
		case errors.As(a.err, &berr):
			short = &a.call
			r.budgetLogged.Do(func() {
				r.Logger.Warn("budget exhausted", "mode", berr.mode, "err", berr)
			})
			if berr.mode == BudgetFail {
				return f, berr
			}
		case a.call.ErrorClass == folio.ClassAuth:
			r.disable(link.Specialist, a.err)
		case unavailable(a.call):
			down = fmt.Errorf("%w: %s: %v", folio.ErrUnavailable, a.call.Model, a.err)
		case a.call.Status == folio.CallRejected:
			rejected = &a.call
			answers = appendAnswer(answers, a)
			if a.valid {
				best = &a
			}
		}
	}
	if down != nil && short == nil && !r.DegradeUnavailable && ctx.Err() == nil {
		return f, down
	}
	switch {
	case short != nil:
		f.Status = folio.StatusDegraded
		f.Reason, f.FellBackFrom = string(short.ErrorClass), short.Model
	case rejected != nil:
		f.Status = folio.StatusReview
		f.Reason = rejection(*rejected)
	default:
		f.Status = settle(el, f.Calls)
		if f.Status == folio.StatusDegraded {
			last := f.Calls[len(f.Calls)-1]
			f.Reason = string(last.ErrorClass)
			if unavailable(last) {
				f.Reason = "unavailable: " + string(last.ErrorClass)
			}
			if !folio.IsLocal(last.Model) {
				f.FellBackFrom = last.Model
			}
		}
	}
	if best != nil && (folio.IsLocal(best.call.Model) || !hasContent(el)) {
		f.Model = best.call.Model
		f.Text, f.Table, f.Image = best.res.Text, best.res.Table, best.res.Image
	}
	if f.Model == "" && f.Status != folio.StatusFailed {
		f.Model = folio.ModelSegment
	}
	if f.Status == folio.StatusReview {
		f.Answers = append([]folio.Answer{kept(el, f)}, answers...)
	}
	return f, nil
}

// appendAnswer adds a rejected attempt's answer when it has text or a grid
// a reviewer could take.
func appendAnswer(answers []folio.Answer, a attempt) []folio.Answer {
	empty := a.res.Text == nil || strings.TrimSpace(*a.res.Text) == ""
	if empty && (a.res.Table == nil || !TableHasText(a.res.Table)) {
		return answers
	}
	ans := folio.Answer{Model: a.call.Model, Status: folio.CallRejected, Reason: rejection(a.call), Table: a.res.Table}
	if a.res.Text != nil {
		ans.Text = *a.res.Text
	}
	return append(answers, ans)
}

// kept is the answer an element in review keeps: the fragment's output
// where it has one, the segmenter's content otherwise.
func kept(el *folio.Element, f folio.Fragment) folio.Answer {
	ans := folio.Answer{Model: f.Model, Status: folio.CallOK, Text: el.Text, Table: el.Table}
	if f.Text != nil {
		ans.Text = *f.Text
	}
	if f.Table != nil {
		ans.Table = f.Table
	}
	return ans
}

// unavailable reports whether a failed model call says its endpoint is
// down or overloaded rather than anything about the element: errors its
// retries could not get past, or a breaker that refused the call.
func unavailable(c folio.Call) bool {
	if folio.IsLocal(c.Model) || c.Status == folio.CallOK {
		return false
	}
	switch c.ErrorClass {
	case folio.ClassTransient, folio.ClassRateLimit, folio.ClassBreakerOpen:
		return true
	}
	return false
}

func (r *Router) maxAttempts() int {
	if r.MaxAttempts > 0 {
		return r.MaxAttempts
	}
	return DefaultMaxAttempts
}

func (r *Router) isDisabled(name string) bool {
	_, ok := r.disabled.Load(name)
	return ok
}

// disable skips the specialist for the rest of the run.
func (r *Router) disable(name string, err error) {
	if _, loaded := r.disabled.LoadOrStore(name, true); !loaded {
		r.Logger.Warn("specialist disabled for the rest of the run", "model", name, "err", err)
	}
}

// commit tells s, when it wants to know, that its result was accepted. The
// answer is paid for, so it is passed on even while ctx is being canceled.
func (r *Router) commit(ctx context.Context, s Specialist, t Task, res Result) {
	c, ok := s.(Committer)
	if !ok {
		return
	}
	defer func() {
		if v := recover(); v != nil {
			r.Logger.Error("specialist commit panic", "model", s.Name(), "element", t.Element.ID,
				"panic", v, "stack", string(debug.Stack()))
		}
	}()
	c.Commit(context.WithoutCancel(ctx), t, res)
}

// settle decides the status of an element no link produced an accepted
// output for, when no output was rejected. Without any attempt the policy
// chose to leave it as it is. Otherwise it keeps the segmenter's content,
// marked degraded: that content is what a parser without routing would
// give, and dropping it would lose text the document plainly has. Only an
// element with nothing to keep fails.
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
	return HasText(el.Text) ||
		(el.Table != nil && TableHasText(el.Table)) ||
		(el.Image != nil && (len(el.Image.PNG) > 0 || el.Image.Width > 0 && el.Image.Height > 0))
}

// attempt is one recorded call and what it produced.
type attempt struct {
	res   Result
	call  folio.Call
	err   error // the run or check error, nil when accepted
	valid bool  // the output passed Check
}

// attempt runs one specialist on t, checks its output and records the call.
func (r *Router) attempt(ctx context.Context, s Specialist, t Task) attempt {
	var expected *int64
	if _, ok := s.(Estimator); ok {
		expected = estimate(s, t).USDMicros
	}
	start := time.Now()
	res, runErr, checkErr, valid := r.try(ctx, s, t)
	call := folio.Call{
		Attempt:            t.Attempt,
		Rule:               t.Rule,
		Model:              cmp.Or(res.Model, modelName(s)),
		Endpoint:           res.Endpoint,
		Usage:              res.Usage,
		USDMicros:          res.USDMicros,
		SavedUSDMicros:     res.SavedUSDMicros,
		EstimatedUSDMicros: expected,
		Latency:            time.Since(start),
		CacheHit:           res.CacheHit,
		Prompt:             res.Prompt,
		PromptVersion:      res.PromptVersion,
		RequestHash:        res.RequestHash,
		Retries:            res.Retries,
		ImageSent:          res.ImageSent,
		Status:             folio.CallOK,
	}
	if call.USDMicros == nil && folio.IsLocal(call.Model) {
		call.USDMicros = new(int64)
	}
	err := runErr
	switch {
	case runErr != nil && Classify(runErr) == folio.ClassDryRun:
		call.Status, call.ErrorClass = CallEstimated, folio.ClassDryRun
		return attempt{res: res, call: call, err: runErr}
	case runErr != nil && answerRejected(s, runErr):
		call.Status = folio.CallRejected
	case runErr != nil:
		call.Status = folio.CallFailed
	case checkErr != nil:
		call.Status, err = folio.CallRejected, checkErr
	}
	if err != nil {
		call.ErrorClass = Classify(err)
		call.Error = err.Error()
		r.Logger.Debug("route attempt "+call.Status, "element", t.Element.ID, "rule", t.Rule,
			"model", call.Model, "class", call.ErrorClass, "retries", res.Retries, "err", err)
	}
	return attempt{res: res, call: call, err: err, valid: valid}
}

// rejection says why call's answer was rejected, and whose it was:
// "schema: answer cut off at 4096 output tokens (openai/gpt-4.1)".
func rejection(c folio.Call) string {
	msg := c.Error
	if !strings.HasPrefix(msg, string(c.ErrorClass)+":") {
		msg = string(c.ErrorClass) + ": " + msg
	}
	return fmt.Sprintf("%s (%s)", msg, c.Model)
}

// answerRejected reports whether a model's run error says its answer came
// and was unusable (refused, off-schema, empty, cut off, ungrounded): the
// answer was bought and rejected, and the element needs a person if no
// later link does better. Local specialists' errors stay failures.
func answerRejected(s Specialist, err error) bool {
	if folio.IsLocal(modelName(s)) {
		return false
	}
	switch Classify(err) {
	case folio.ClassRefusal, folio.ClassSchema, folio.ClassEmpty, folio.ClassGrounding:
		return true
	}
	return false
}

// try runs s on t and, when it succeeds, the quality checks on its output;
// valid reports whether the output passed Check. A panic in either becomes
// a run error of class crash.
func (r *Router) try(ctx context.Context, s Specialist, t Task) (res Result, runErr, checkErr error, valid bool) {
	defer func() {
		if v := recover(); v != nil {
			r.Logger.Error("specialist panic", "model", s.Name(), "element", t.Element.ID,
				"panic", v, "stack", string(debug.Stack()))
			runErr, checkErr, valid = Errorf(folio.ClassCrash, "%s panicked: %v", s.Name(), v), nil, false
		}
	}()
	res, runErr = s.Run(ctx, t)
	if runErr != nil {
		return res, runErr, nil, false
	}
	if checkErr = Check(t, res); checkErr != nil {
		return res, nil, checkErr, false
	}
	if c, ok := s.(Checker); ok {
		checkErr = c.Check(t, res)
	}
	return res, nil, checkErr, true
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
