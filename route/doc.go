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
// Specialists implement [Specialist]. The built-in ones live in route/local;
// model providers live in packages of their own, classify their failures
// ([folio.ErrorClass]: rate_limit, transient, auth, …, with [RetryAfter] for a
// server's wish) and report usage and price in [Result]. [Wrap] assembles,
// in one place, what guards a model: response cache, dry run, [Budget],
// circuit breaker, retries and endpoint rate limits, each a Specialist
// wrapping the next. The [Router] records one call per attempt, decides from
// the error classes whether to escalate, send an element to review or stop
// using a specialist, and tells a [Committer] which answers it accepted.
// [TallyCalls] sums the recorded calls for estimates and cost reports.
package route
