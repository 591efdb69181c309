package folio

import (
	"context"
	"strings"
	"time"
)

// Parser turns the bytes of one input into pages. It must honour ctx's
// deadline and fail with an *Error whose Kind says why (timeout, too_large,
// memory, malformed, encrypted, crash). It never reads the file system.
type Parser interface {
	Parse(ctx context.Context, src Source, data []byte) (*Parsed, error)
}

// Segmenter turns parsed pages into elements in reading order, furniture
// included (Layer "furniture"). Element ids are left empty; links between
// elements use ParentRef and CaptionRef. It is pure and deterministic.
type Segmenter interface {
	Segment(p *Parsed) []Element
}

// Router sends each element of doc (ids assigned) through its route in the
// batch-wide worker pool and returns one fragment per element, in element
// order. An element whose route fails gets a fragment with status failed;
// an error return means the whole document could not be routed (ctx done,
// budget exhausted, endpoint unavailable): the fragments returned with it
// are those of the elements whose calls were made, paid for or not.
//
// Crops says which page regions the router's vision links may be sent,
// by element id (refused candidates included), each with the resolution
// they need; none when the policy reaches no vision model from doc's
// elements. The pipeline draws them in its one drawing call for the
// document and hands them to Route, by element id.
type Router interface {
	Crops(doc *Document) map[string]Drawing
	Route(ctx context.Context, doc *Document, crops map[string][]byte) ([]Fragment, error)
}

// Writer writes a finished document's outputs (JSON, Markdown, assets)
// atomically and returns the files it wrote, the JSON last.
type Writer interface {
	Write(ctx context.Context, doc *Document) ([]Output, error)
}

// Refresher is implemented by writers whose outputs derive from the JSON
// (Markdown): Refresh brings the outputs of a document already written,
// recorded as outs, in line with the outputs asked for, reading the JSON at
// OUT/<rel>.json and never the input: it writes derived outputs missing or
// changed and removes those no longer asked for. It returns the outputs as
// they now are and whether anything changed.
type Refresher interface {
	Refresh(ctx context.Context, rel string, outs []Output) ([]Output, bool, error)
}

// Derived reports whether an output is derived from the JSON, and so
// rewritten by a Refresher rather than by parsing again.
func (o Output) Derived() bool { return strings.HasSuffix(o.Path, ".md") }

// Output is one file written for a document: its path relative to the
// output root, with forward slashes, and the SHA-256 of its bytes.
type Output struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256,omitempty"`
}

// OutputDir is implemented by Writers whose outputs live in a folder that
// only one run at a time writes to (the caller holds its run lock). The
// orchestrator uses it at start-up to recover from an interrupted run and
// to prune the outputs of inputs that are gone.
type OutputDir interface {
	// Recover removes the temporary files that interrupted writes left
	// behind and returns how many it removed and the document outputs it
	// found, each with the id its JSON declares.
	Recover(ctx context.Context) (removed int, found []Found, err error)
	// Remove deletes the outputs written for the source path rel (JSON,
	// Markdown and assets) and returns the paths it removed.
	Remove(ctx context.Context, rel string) ([]string, error)
}

// Found is a document's JSON found in an output folder.
type Found struct {
	Rel string // the source path it was written for: its name without .json
	ID  string // the document id it declares
}

// Run describes one invocation of a batch.
type Run struct {
	ID       string    `json:"id"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
	Version  string    `json:"version"`
	Config   string    `json:"config"`
	Args     []string  `json:"args"`
	// Tags label the run for cost allocation (--tag team=finance).
	Tags    map[string]string `json:"tags,omitempty"`
	Summary Summary           `json:"summary"`
}

// Summary counts a run's outcome.
type Summary struct {
	OK     int `json:"ok"`
	Failed int `json:"failed"`
	// Partial counts documents written without the pages that could not
	// be read.
	Partial  int `json:"partial,omitempty"`
	Skipped  int `json:"skipped"`
	Deferred int `json:"deferred,omitempty"`
	// Interrupted counts documents canceled in flight by a shutdown;
	// NotStarted those a shutdown kept from starting. The next run does
	// both.
	Interrupted int `json:"interrupted,omitempty"`
	NotStarted  int `json:"not_started,omitempty"`
	// Refreshed counts done documents whose derived outputs (Markdown)
	// were written or removed to match the outputs asked for, without
	// parsing or a model call.
	Refreshed int `json:"refreshed,omitempty"`
	// Pruned counts documents whose outputs were removed because their
	// input is gone (--prune).
	Pruned   int `json:"pruned,omitempty"`
	Pages    int `json:"pages"`
	Elements int `json:"elements"`
	// ElementStatus counts the elements of the documents done in the run
	// by status and reason.
	ElementStatus ElementCounts `json:"element_status"`
	Cost          Cost          `json:"cost"`
	Seconds       float64       `json:"seconds"`
}

// Ledger records runs, documents, elements and calls. RecordDocument writes
// one document with everything it produced in a single transaction.
type Ledger interface {
	StartRun(ctx context.Context, run Run) error
	FinishRun(ctx context.Context, run Run) error
	// Finished returns the outputs recorded for the document id when it was
	// finished and its outputs were not pruned since; ok is false
	// otherwise. The id covers content, configuration and path.
	Finished(ctx context.Context, id string) (outputs []Output, ok bool, err error)
	RecordDocument(ctx context.Context, run string, doc *Document, outputs []Output) error
	RecordFailure(ctx context.Context, run string, src Source, kind Kind, msg string) error
	// RecordUnfinished records a document that did not finish after its
	// elements were routed (deferred, interrupted, or failed while being
	// written), with its elements and the calls made for it: money spent
	// is never lost. Like a failure it never makes the document done.
	RecordUnfinished(ctx context.Context, run string, doc *Document, kind Kind, msg string) error
	// MarkPruned records that the outputs of document id were removed in
	// run; the document's lineage and cost stay. An unknown id is no error.
	MarkPruned(ctx context.Context, run, id string) error
	// SetOutputs replaces the outputs recorded for the current recording
	// of document id, after a Refresher changed them.
	SetOutputs(ctx context.Context, id string, outputs []Output) error
}

// Drawing is a region of a page to draw: at DPI dots per inch, or less so
// that the image has at most MaxPixels pixels. Zero values take the
// renderer's defaults.
type Drawing struct {
	PageBox
	DPI       float64
	MaxPixels int64
}

// Renderer draws regions of a document's pages as PNG images. Parsers that
// can render implement it; the pipeline asks once per document, for image
// elements whose pixels are not one embedded picture (vector drawings,
// pictures tiled from pieces, pictures too large to decode whole) and for
// the regions vision models may be sent, each at its own resolution.
type Renderer interface {
	// Render returns one PNG per drawing, in order. A drawing that cannot
	// be made gets a nil entry; the error is for the document as a whole
	// (ctx done, file unreadable).
	Render(ctx context.Context, src Source, data []byte, drawings []Drawing) ([][]byte, error)
}
