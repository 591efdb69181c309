package route

import (
	"context"

	"github.com/folio/folio"
)

// Specialist produces the content of one element: a local function or a
// model behind an endpoint. Implementations must be safe for concurrent use
// and should honour ctx.
type Specialist interface {
	// Name identifies the specialist in policies, calls and fragments, such
	// as "local/text" or "openai/gpt-4.1-mini".
	Name() string
	// Run does one attempt. An error fails the attempt and the router tries
	// the next link; the usage and price in the returned Result are recorded
	// even then, since a failed model call may still have been paid for.
	Run(ctx context.Context, t Task) (Result, error)
}

// Preparer is implemented by specialists whose requests take work to
// build, such as drawing an image at the size a model wants: Prepare does
// that work and returns the call that sends the request. The endpoint's
// limiter runs Prepare before it admits the request, so that a slot of
// the endpoint's concurrency is held only while a request is on the wire.
// Errors in preparing surface when the call is made.
type Preparer interface {
	Prepare(ctx context.Context, t Task) func(context.Context) (Result, error)
}

// Checker is implemented by specialists that have quality checks of their
// own, such as grounding a model's answer in the element's source text. The
// router runs it after [Check]; an error rejects the output.
type Checker interface {
	Check(t Task, r Result) error
}

// Committer is implemented by specialists that need to know which of their
// results the router accepted, such as the response cache, which stores
// only answers that passed every check. The router calls Commit once for
// each accepted result, after the checks, with a context that is not
// canceled.
type Committer interface {
	Commit(ctx context.Context, t Task, r Result)
}

// Task is the work order for one attempt at one element.
type Task struct {
	// Element is a copy of the element, its table and image included; the
	// image's PNG bytes are shared and must not be modified.
	Element folio.Element
	// Source describes the document the element belongs to.
	Source folio.Source
	// Page is the element's page; its Page field is 0 when the document does
	// not list that page.
	Page folio.PageInfo
	// Rule names the link of the policy that chose this attempt, such as
	// "table#2" for the second link of the table chain.
	Rule string
	// Attempt counts the attempts made for the element, from 1.
	Attempt int
	// Crop is the element's region of the page as a PNG, for vision models;
	// nil when none was drawn (see Router.Crops).
	Crop []byte
}

// Result is a specialist's output for one task, and what the attempt cost.
type Result struct {
	// Text, Table and Image are the output; the ones set replace the
	// element's content when the result is accepted.
	Text  *string
	Table *folio.Table
	Image *folio.Image

	// Usage counts the tokens of a model call; zero for local specialists.
	Usage folio.Usage
	// USDMicros is the attempt's price in micro-dollars, nil when unknown.
	// The router records 0 for a local specialist that leaves it nil.
	USDMicros *int64
	// Model names what answered for the record ("openai/gpt-4.1-mini");
	// empty means the specialist's Name.
	Model string
	// SavedUSDMicros is, on a cache hit, what the original call cost.
	SavedUSDMicros *int64
	// Endpoint, CacheHit, Prompt, PromptVersion and RequestHash describe a
	// model call; they are copied to the recorded folio.Call.
	Endpoint      string
	CacheHit      bool
	Prompt        string
	PromptVersion int
	RequestHash   string
	// Retries counts the retries of rate-limited or transient failures
	// within this attempt; the usage and price above include every try.
	Retries int
	// ImageSent describes the image a vision request carried, copied to
	// the recorded folio.Call; zero when it carried none.
	ImageSent folio.ImageSent
}
