package folio

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
)

// StatusRejected is the status of an element a reviewer rejected: none of
// its answers is right. It keeps its content in the JSON and is left out of
// the Markdown.
const StatusRejected = "rejected"

// HumanPrefix starts the model name of a human decision: "human/<reviewer>".
const HumanPrefix = "human/"

// Answer is one answer a reviewer may choose for an element in review: the
// content the element kept (Status ok) or a model's answer that failed a
// check (Status rejected, Reason why).
type Answer struct {
	Model  string `json:"model"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	Text   string `json:"text"`
	Table  *Table `json:"table,omitempty"`
}

// Review actions.
const (
	ActionAccept  = "accept"  // take one of the element's answers
	ActionCorrect = "correct" // give the content by hand
	ActionReject  = "reject"  // none is right
)

// Decision is what a reviewer decided about one element. It is lineage: a
// fragment by human/<Reviewer>. It holds for the element's content (SHA256)
// whatever the configuration, and is found again by id or, when ids
// changed with the configuration, by page, type and box.
type Decision struct {
	ID       int64       `json:"id"`
	Document string      `json:"document"`
	SHA256   string      `json:"sha256"`
	Path     string      `json:"path"`
	Element  string      `json:"element"`
	Page     int         `json:"page"`
	Type     ElementType `json:"type"`
	Box      Box         `json:"bbox"`
	Fragment string      `json:"fragment"`
	Reviewer string      `json:"reviewer"`
	Action   string      `json:"action"`
	// Answer names the model whose answer an accept took.
	Answer string    `json:"answer,omitempty"`
	Text   string    `json:"text,omitempty"`
	Table  *Table    `json:"table,omitempty"`
	Note   string    `json:"note,omitempty"`
	Time   time.Time `json:"time"`
}

// Model is the decision's producer as lineage names it.
func (d Decision) Model() string { return HumanPrefix + d.Reviewer }

// Check validates a decision before it is recorded.
func (d Decision) Check() error {
	switch {
	case strings.TrimSpace(d.Reviewer) == "":
		return fmt.Errorf("decision on %s: no reviewer name", d.Element)
	case len(d.Reviewer) > 100 || strings.ContainsAny(d.Reviewer, "\x00\n\r"):
		return fmt.Errorf("decision on %s: reviewer name too long or not one line", d.Element)
	case len(d.Note) > 10000:
		return fmt.Errorf("decision on %s: note longer than 10000 bytes", d.Element)
	}
	switch d.Action {
	case ActionAccept, ActionReject:
	case ActionCorrect:
		if d.Table == nil && d.Text == "" {
			return fmt.Errorf("decision on %s: a correction needs text or table cells", d.Element)
		}
		if d.Table != nil {
			if err := checkGrid(d.Table); err != nil {
				return fmt.Errorf("decision on %s: %w", d.Element, err)
			}
		}
	default:
		return fmt.Errorf("decision on %s: action %q: want accept, correct or reject", d.Element, d.Action)
	}
	return nil
}

// HumanFragmentID is the id of the fragment a decision makes: one per
// decision, as an element may be decided on more than once.
func HumanFragmentID(elementID string, reviewer string, at time.Time) string {
	return "fr_" + shortHash(elementID, "human", reviewer, at.UTC().Format(time.RFC3339Nano))
}

func checkGrid(t *Table) error {
	if len(t.Rows) == 0 {
		return fmt.Errorf("table correction has no rows")
	}
	if t.HeaderRows < 0 || t.HeaderRows > len(t.Rows) {
		return fmt.Errorf("table correction: header_rows %d out of range", t.HeaderRows)
	}
	return nil
}

// Matches reports whether the decision is about e: the same id, or the same
// place (page, type, box within a point) when ids changed with the
// configuration.
func (d Decision) Matches(e *Element) bool {
	if d.Element == e.ID {
		return true
	}
	if d.Page != e.Page || d.Type != e.Type {
		return false
	}
	for i := range d.Box {
		if math.Abs(d.Box[i]-e.Box[i]) > 1 {
			return false
		}
	}
	return true
}

// Apply sets e's content and routing fields as the decision says: an
// accept or a correction carries the content taken (Text, Table), a
// reject keeps e's content and marks it rejected.
func (d Decision) Apply(e *Element) {
	switch d.Action {
	case ActionAccept, ActionCorrect:
		setContent(e, d.Text, d.Table)
		e.Status = StatusOK
	case ActionReject:
		e.Status = StatusRejected
	}
	e.Model, e.Fragment = d.Model(), d.Fragment
	e.Reason, e.FellBackFrom = "", ""
}

// AsFragment is the lineage the decision adds to the element it is applied
// to: a fragment by human/<reviewer> with no calls.
func (d Decision) AsFragment(elementID string) Fragment {
	status := StatusOK
	if d.Action == ActionReject {
		status = StatusRejected
	}
	return Fragment{ID: d.Fragment, ElementID: elementID, Model: d.Model(), Status: status, Calls: []Call{}}
}

// Decided is implemented by ledgers that keep reviewers' decisions:
// Decisions returns the latest decision on each element of the content
// sha256, which a new recording of that content applies.
type Decided interface {
	Decisions(ctx context.Context, sha256 string) ([]Decision, error)
}

// setContent replaces an element's text and, for a table, its grid; a
// corrected table's HTML and cells no longer describe it and are dropped.
func setContent(e *Element, text string, t *Table) {
	if t != nil && e.Type == TableType {
		grid := &Table{Rows: t.Rows, HeaderRows: t.HeaderRows}
		if e.Table != nil {
			grid.Ruled, grid.Contents = e.Table.Ruled, e.Table.Contents
		}
		e.Table = grid
		if text == "" {
			text = grid.Text()
		}
	}
	if text != "" {
		e.Text = text
	}
}

// Text is the grid as lines of tab-separated cells.
func (t *Table) Text() string {
	var b strings.Builder
	for i, r := range t.Rows {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strings.Join(r, "\t"))
	}
	return b.String()
}
