package lineage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/folio/folio"
)

var _ folio.Decided = (*DB)(nil)

// ReviewItem is one element waiting for a person, or one decided: the
// element as recorded, its document, the answers a reviewer may choose
// between and the decisions made on it, latest last.
type ReviewItem struct {
	Element   ElementRecord    `json:"element"`
	Document  ReviewDocument   `json:"document"`
	Answers   []folio.Answer   `json:"answers"`
	Decisions []folio.Decision `json:"decisions,omitempty"`
}

// ReviewDocument is what a review needs of an element's document.
type ReviewDocument struct {
	Rec     int64          `json:"rec"`
	ID      string         `json:"id"`
	Path    string         `json:"path"`
	SHA256  string         `json:"sha256"`
	Source  string         `json:"source,omitempty"` // where the input was read
	Run     string         `json:"run"`
	Outputs []folio.Output `json:"outputs"`
}

// ReviewFilter chooses the queue's rows: elements in review (Status
// "review", the default) or degraded ones, undecided unless Decided.
type ReviewFilter struct {
	Status  string
	Decided bool
	Limit   int
	Offset  int
}

// ReviewEntry is one row of the queue.
type ReviewEntry struct {
	Element  string            `json:"element"`
	Type     folio.ElementType `json:"type"`
	Page     int               `json:"page"`
	Status   string            `json:"status"`
	Reason   string            `json:"reason,omitempty"`
	Model    string            `json:"model,omitempty"`
	Text     string            `json:"text"`
	Document string            `json:"document"`
	Path     string            `json:"path"`
	Decided  string            `json:"decided,omitempty"` // the latest decision's action
}

// reviewStatuses are the element statuses a queue can list.
var reviewStatuses = map[string]bool{folio.StatusReview: true, folio.StatusDegraded: true}

// ReviewQueue lists the elements of live documents (current recordings,
// not failed, not pruned) in the filter's status, in document and reading
// order, with the total count.
func (db *DB) ReviewQueue(ctx context.Context, f ReviewFilter) ([]ReviewEntry, int, error) {
	status := f.Status
	if status == "" {
		status = folio.StatusReview
	}
	if !reviewStatuses[status] {
		return nil, 0, fmt.Errorf("review queue: status %q: want review or degraded", status)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	decided := "NOT EXISTS"
	if f.Decided {
		decided = "EXISTS"
	}
	from := `
		FROM elements e JOIN documents d ON d.rec = e.rec
		WHERE e.status = ? AND d.superseded IS NULL AND d.pruned IS NULL AND d.status != 'failed'
			AND ` + decided + ` (SELECT 1 FROM decisions x WHERE x.sha256 = d.sha256 AND x.element = e.id)`
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) `+from, status).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("review queue: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `
		SELECT e.id, e.type, e.page, e.status, COALESCE(e.reason, ''), COALESCE(e.model, ''), e.text, d.id, d.path,
			COALESCE((SELECT x.action FROM decisions x WHERE x.sha256 = d.sha256 AND x.element = e.id
				ORDER BY x.id DESC LIMIT 1), '')
		`+from+` ORDER BY d.path, d.rec, e.ord LIMIT ? OFFSET ?`, status, limit, max(0, f.Offset))
	if err != nil {
		return nil, 0, fmt.Errorf("review queue: %w", err)
	}
	defer rows.Close()
	var out []ReviewEntry
	for rows.Next() {
		var r ReviewEntry
		if err := rows.Scan(&r.Element, &r.Type, &r.Page, &r.Status, &r.Reason, &r.Model, &r.Text,
			&r.Document, &r.Path, &r.Decided); err != nil {
			return nil, 0, fmt.Errorf("review queue: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("review queue: %w", err)
	}
	return out, total, nil
}

// ReviewItem returns element id of a live document with its answers and
// decisions. An id that is in no live document wraps ErrNotFound.
func (db *DB) ReviewItem(ctx context.Context, id string) (ReviewItem, error) {
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return ReviewItem{}, fmt.Errorf("review item %s: %w", id, err)
	}
	defer tx.Rollback() // read only
	it, err := reviewItem(ctx, tx, id)
	if err != nil {
		return ReviewItem{}, fmt.Errorf("review item %s: %w", id, err)
	}
	return it, nil
}

func reviewItem(ctx context.Context, tx *sql.Tx, id string) (ReviewItem, error) {
	var it ReviewItem
	e, d := &it.Element, &it.Document
	var outputs string
	var source sql.NullString
	err := tx.QueryRowContext(ctx, `
		SELECT e.id, e.ord, e.type, e.level, e.page, e.x0, e.y0, e.x1, e.y1, e.layer,
			COALESCE(e.parent, ''), COALESCE(e.caption, ''), e.text, e.confidence,
			COALESCE(e.fragment, ''), COALESCE(e.model, ''), COALESCE(e.status, ''),
			COALESCE(e.reason, ''), COALESCE(e.fell_back_from, ''),
			d.rec, d.id, d.path, d.sha256, d.source, d.run, d.outputs
		FROM elements e JOIN documents d ON d.rec = e.rec
		WHERE e.id = ? AND d.superseded IS NULL AND d.pruned IS NULL AND d.status != 'failed'
		ORDER BY d.rec DESC LIMIT 1`, id).Scan(
		&e.ID, &e.Ord, &e.Type, &e.Level, &e.Page, &e.Box[0], &e.Box[1], &e.Box[2], &e.Box[3], &e.Layer,
		&e.Parent, &e.Caption, &e.Text, &e.Confidence, &e.Fragment, &e.Model, &e.Status, &e.Reason, &e.FellBackFrom,
		&d.Rec, &d.ID, &d.Path, &d.SHA256, &source, &d.Run, &outputs)
	if errors.Is(err, sql.ErrNoRows) {
		return it, ErrNotFound
	} else if err != nil {
		return it, err
	}
	d.Source = source.String
	if d.Outputs, err = decodeOutputs(outputs); err != nil {
		return it, err
	}
	if it.Answers, err = readAnswers(ctx, tx, d.Rec, id); err != nil {
		return it, err
	}
	if it.Decisions, err = readDecisions(ctx, tx, `sha256 = ? AND element = ?`, d.SHA256, id); err != nil {
		return it, err
	}
	return it, nil
}

func readAnswers(ctx context.Context, tx *sql.Tx, rec int64, element string) ([]folio.Answer, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT model, status, reason, text, table_json FROM answers
		WHERE rec = ? AND element = ? ORDER BY n`, rec, element)
	if err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	defer rows.Close()
	out := []folio.Answer{}
	for rows.Next() {
		var a folio.Answer
		var grid sql.NullString
		if err := rows.Scan(&a.Model, &a.Status, &a.Reason, &a.Text, &grid); err != nil {
			return nil, fmt.Errorf("answers: %w", err)
		}
		if a.Table, err = decodeGrid(grid); err != nil {
			return nil, fmt.Errorf("answers of %s: %w", element, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func decodeGrid(s sql.NullString) (*folio.Table, error) {
	if !s.Valid {
		return nil, nil
	}
	var t folio.Table
	if err := json.Unmarshal([]byte(s.String), &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// querier is what *sql.DB and *sql.Tx share for reading.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func readDecisions(ctx context.Context, q querier, where string, args ...any) ([]folio.Decision, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT id, document, sha256, path, element, page, type, x0, y0, x1, y1, fragment,
			reviewer, action, answer, text, table_json, note, created
		FROM decisions WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("decisions: %w", err)
	}
	defer rows.Close()
	var out []folio.Decision
	for rows.Next() {
		var d folio.Decision
		var grid, created sql.NullString
		if err := rows.Scan(&d.ID, &d.Document, &d.SHA256, &d.Path, &d.Element, &d.Page, &d.Type,
			&d.Box[0], &d.Box[1], &d.Box[2], &d.Box[3], &d.Fragment, &d.Reviewer, &d.Action, &d.Answer,
			&d.Text, &grid, &d.Note, &created); err != nil {
			return nil, fmt.Errorf("decisions: %w", err)
		}
		if d.Table, err = decodeGrid(grid); err != nil {
			return nil, fmt.Errorf("decision %d: %w", d.ID, err)
		}
		if d.Time, err = parseTime(created); err != nil {
			return nil, fmt.Errorf("decision %d: %w", d.ID, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Decisions returns the latest decision on each element of the content
// sha256, in the order they were made: what a new recording of that
// content applies.
func (db *DB) Decisions(ctx context.Context, sha256 string) ([]folio.Decision, error) {
	ds, err := readDecisions(ctx, db.read, `id IN (SELECT max(id) FROM decisions WHERE sha256 = ? GROUP BY element)`, sha256)
	if err != nil {
		return nil, fmt.Errorf("decisions of %s: %w", sha256, err)
	}
	return ds, nil
}

// RecordDecision records d on its element of the current recording of its
// document, with the document's outputs as rewritten to apply it, in one
// transaction: the decision row, a fragment by human/<reviewer> in the
// recording, and the outputs. The element must still be in the recording
// the caller read (rec); otherwise the document was redone meanwhile and
// the call fails wrapping ErrNotFound. It returns d with its id, and its
// time and fragment id when the caller left them unset.
func (db *DB) RecordDecision(ctx context.Context, rec int64, d folio.Decision, outputs []folio.Output) (folio.Decision, error) {
	if err := d.Check(); err != nil {
		return d, err
	}
	b, err := json.Marshal(outputs)
	if err != nil {
		return d, fmt.Errorf("record decision on %s: %w", d.Element, err)
	}
	var grid sql.NullString
	if d.Table != nil {
		g, err := json.Marshal(d.Table)
		if err != nil {
			return d, fmt.Errorf("record decision on %s: %w", d.Element, err)
		}
		grid = sql.NullString{String: string(g), Valid: true}
	}
	err = db.update(ctx, func(tx *writeTx) error {
		var e ElementRecord
		err := tx.QueryRowContext(ctx, `
			SELECT d.id, d.sha256, d.path, e.page, e.type, e.x0, e.y0, e.x1, e.y1
			FROM elements e JOIN documents d ON d.rec = e.rec
			WHERE e.rec = ? AND e.id = ? AND d.superseded IS NULL`, rec, d.Element).Scan(
			&d.Document, &d.SHA256, &d.Path, &e.Page, &e.Type, &e.Box[0], &e.Box[1], &e.Box[2], &e.Box[3])
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("element %s in recording %d: %w (the document was redone: reload)", d.Element, rec, ErrNotFound)
		} else if err != nil {
			return err
		}
		d.Page, d.Type, d.Box = e.Page, e.Type, e.Box
		if d.Time.IsZero() {
			d.Time = tx.now
		}
		if d.Fragment == "" {
			d.Fragment = folio.HumanFragmentID(d.Element, d.Reviewer, d.Time)
		}
		d.ID, err = returning(ctx, tx, `
			INSERT INTO decisions (rec, document, sha256, path, element, page, type, x0, y0, x1, y1,
				fragment, reviewer, action, answer, text, table_json, note, created)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			rec, d.Document, d.SHA256, d.Path, d.Element, d.Page, string(d.Type), d.Box[0], d.Box[1], d.Box[2], d.Box[3],
			d.Fragment, d.Reviewer, d.Action, d.Answer, d.Text, grid, d.Note, formatTime(d.Time))
		if err != nil {
			return fmt.Errorf("insert decision: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO fragments (id, rec, element, model, status) VALUES (?, ?, ?, ?, ?)`,
			d.Fragment, rec, d.Element, d.Model(), d.AsFragment(d.Element).Status); err != nil {
			return fmt.Errorf("insert human fragment: %w", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE documents SET outputs = ? WHERE rec = ?`, string(b), rec)
		return changedOne(res, err)
	})
	if err != nil {
		return d, fmt.Errorf("record decision on %s: %w", d.Element, err)
	}
	return d, nil
}
