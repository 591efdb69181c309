// Package route sends each element of a document through its route: an
// ordered chain of specialists chosen by a declarative [Policy], cheapest
// first, each later link an escalation tried only when the output of the one
// before it failed or was rejected by a quality check.
//
// All elements of all documents in flight share one bounded [Pool] of
// workers. A job is one element's whole route, so an element never waits on
// another element's job and a full queue only slows the documents that
// submit, never the workers.
//
// Specialists implement [Specialist]. The built-in ones live in route/local.
// Model providers, retries, rate limits, a response cache and budgets plug in
// as further specialists or as wrappers around one: a wrapper is itself a
// Specialist, reports its usage and price in [Result] and classifies its
// failures with [Errorf] so that they are recorded on the call.
package route
