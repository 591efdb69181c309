package folio

import (
	"slices"
	"strings"
)

// ErrorClass says why a call failed or why its answer was rejected; empty
// for an accepted call. Routing decides from it whether to retry, escalate,
// stop using an endpoint or mark review; the ledger, the JSON and folio cost
// decide from it whether the call was a model call at all (Billable).
type ErrorClass string

// Error classes. A class is added here and in errorClasses, and nowhere
// else: the JSON, folio cost, the routing tally and the ledger's views
// all follow errorClasses.
const (
	// ClassRateLimit: 429; retried after the server's Retry-After.
	ClassRateLimit ErrorClass = "rate_limit"
	// ClassTransient: 5xx, connection reset, timeouts of the request
	// itself; retried with backoff, then escalated.
	ClassTransient ErrorClass = "transient"
	// ClassContextLength: the request is too long for the model; escalated
	// to a link with a larger context (no retry).
	ClassContextLength ErrorClass = "context_length"
	// ClassAuth: 401/403/404 or a bad endpoint configuration; the endpoint
	// is not used for the rest of the run.
	ClassAuth ErrorClass = "auth"
	// ClassRefusal: the model refused; the element goes to review.
	ClassRefusal ErrorClass = "refusal"
	// ClassGrounding: the answer holds numbers or words absent from the
	// element's source text.
	ClassGrounding ErrorClass = "grounding"
	// ClassBudget: the run's budget cannot cover the call's estimate.
	ClassBudget ErrorClass = "budget"
	// ClassBreakerOpen: the model's circuit breaker is open.
	ClassBreakerOpen ErrorClass = "breaker_open"
	// ClassDryRun: the call was only estimated (--dry-run).
	ClassDryRun ErrorClass = "dry_run"
	// ClassCrash: the specialist panicked.
	ClassCrash = ErrorClass(KindCrash)
	// ClassCanceled and ClassTimeout: the context ended during the attempt.
	ClassCanceled = ErrorClass(KindCanceled)
	ClassTimeout  = ErrorClass(KindTimeout)
	// ClassInput: the element gives the specialist nothing it can work on
	// (no table, no pixels, undecodable pixels).
	ClassInput ErrorClass = "input"
	// ClassEmpty: the output is empty although the input is not.
	ClassEmpty ErrorClass = "empty"
	// ClassSchema: the output is not valid for the element's type.
	ClassSchema ErrorClass = "schema"
	// ClassUnavailable: a local specialist's program is missing (OCR
	// without tesseract).
	ClassUnavailable ErrorClass = "unavailable"
	// ClassError: an error that says nothing about its class.
	ClassError ErrorClass = "error"
)

// errorClasses lists every class and whether a call of it was refused
// before any request was sent: such a call costs nothing and is not a
// model call.
var errorClasses = map[ErrorClass]bool{
	ClassRateLimit:     false,
	ClassTransient:     false,
	ClassContextLength: false,
	ClassAuth:          false,
	ClassRefusal:       false,
	ClassGrounding:     false,
	ClassBudget:        true,
	ClassBreakerOpen:   true,
	ClassDryRun:        false,
	ClassCrash:         false,
	ClassCanceled:      false,
	ClassTimeout:       false,
	ClassInput:         false,
	ClassEmpty:         false,
	ClassSchema:        false,
	ClassUnavailable:   false,
	ClassError:         false,
}

// ErrorClasses returns every class, sorted.
func ErrorClasses() []ErrorClass {
	out := make([]ErrorClass, 0, len(errorClasses))
	for c := range errorClasses {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b ErrorClass) int { return strings.Compare(string(a), string(b)) })
	return out
}

// Refused reports whether a call of class c was refused before any request
// was sent (budget, open breaker).
func (c ErrorClass) Refused() bool { return errorClasses[c] }

// Billable reports whether c is a model call: not a local specialist, not
// a dry run's estimate, and not refused before a request was sent. Only
// billable calls count in spend, tokens and calls, whatever they cost.
func (c Call) Billable() bool {
	return !IsLocal(c.Model) && c.Status != CallEstimated && !c.ErrorClass.Refused()
}
