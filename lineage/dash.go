package lineage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/folio/folio"
)

// The read queries of the control plane (folio serve): pages of runs, of a
// run's documents and one document's recording with every element. Each
// takes a limit, so that a ledger of many runs or documents is read a page at
// a time, and each runs in one read transaction of the read pool, never
// waiting for a parse that is writing.

// MaxPage is the most rows one page of Runs or RunDocuments returns.
const MaxPage = 500

// RunRow is one run as the runs page lists it: the run with its tags and
// summary, and what the summary does not keep.
type RunRow struct {
	folio.Run
	// Deferred counts the run's documents recorded as deferred (budget
	// exhausted, endpoint unavailable): they are done by a later run.
	Deferred int `json:"deferred"`
	// RejectedUSDMicros is the part of the run's spend on answers then
	// rejected: the usd_micros of its calls with status rejected.
	RejectedUSDMicros int64 `json:"rejected_usd_micros"`
}

// RunPage is a page of runs, newest first, with the number of runs in all.
type RunPage struct {
	Runs  []RunRow `json:"runs"`
	Total int      `json:"total"`
}

// Runs returns at most limit runs (MaxPage when limit is out of range),
// newest first, skipping the first offset.
func (db *DB) Runs(ctx context.Context, limit, offset int) (*RunPage, error) {
	limit, offset = pageBounds(limit, offset)
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer tx.Rollback() // read only

	p := &RunPage{Runs: []RunRow{}}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM runs`).Scan(&p.Total); err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	ids, err := column[string](ctx, tx, `SELECT id FROM runs ORDER BY started DESC, id DESC LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	for _, id := range ids {
		r, err := runRow(ctx, tx, id)
		if err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		p.Runs = append(p.Runs, r)
	}
	return p, nil
}

// Run returns one run as Runs lists it; an unknown id gives an error
// wrapping ErrNotFound.
func (db *DB) Run(ctx context.Context, id string) (*RunRow, error) {
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("read run %s: %w", id, err)
	}
	defer tx.Rollback() // read only
	r, err := runRow(ctx, tx, id)
	if err != nil {
		return nil, fmt.Errorf("read %w", err)
	}
	return &r, nil
}

// runRow reads one run with its tags, deferred documents and rejected
// spend.
func runRow(ctx context.Context, tx *sql.Tx, id string) (RunRow, error) {
	run, err := readRun(ctx, tx, id)
	if err != nil {
		return RunRow{}, err
	}
	r := RunRow{Run: run}
	rows, err := tx.QueryContext(ctx, `SELECT key, value FROM run_tags WHERE run = ? ORDER BY key`, id)
	if err != nil {
		return RunRow{}, fmt.Errorf("run %s: tags: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return RunRow{}, fmt.Errorf("run %s: tags: %w", id, err)
		}
		if r.Tags == nil {
			r.Tags = map[string]string{}
		}
		r.Tags[k] = v
	}
	if err := rows.Err(); err != nil {
		return RunRow{}, fmt.Errorf("run %s: tags: %w", id, err)
	}
	err = tx.QueryRowContext(ctx, runSumsQuery, id, string(folio.KindDeferred)).Scan(&r.Deferred, &r.RejectedUSDMicros)
	if err != nil {
		return RunRow{}, fmt.Errorf("run %s: %w", id, err)
	}
	return r, nil
}

// runSumsQuery counts a run's deferred documents and sums its rejected
// calls, through documents_run and calls_rec_fragment.
const runSumsQuery = `
	SELECT
		(SELECT count(*) FROM documents WHERE run = ?1 AND error_kind = ?2),
		(SELECT COALESCE(sum(c.usd_micros), 0) FROM documents d JOIN calls c ON c.rec = d.rec
			WHERE d.run = ?1 AND c.status = 'rejected')`

// DocumentRow is one line of a run's document list.
type DocumentRow struct {
	Rec    int64  `json:"rec"`
	ID     string `json:"id"`
	Path   string `json:"path"`
	Status string `json:"status"` // ok, partial or failed
	// ErrorKind and Error say why a document failed, was deferred or is
	// partial.
	ErrorKind  folio.Kind `json:"error_kind,omitempty"`
	Error      string     `json:"error,omitempty"`
	Pages      int        `json:"pages"`
	Elements   int        `json:"elements"`
	Review     int        `json:"review"`
	USDMicros  int64      `json:"usd_micros"`
	Unpriced   int        `json:"unpriced"`
	Superseded bool       `json:"superseded"`
	Pruned     bool       `json:"pruned"`
}

// DocumentPage is a page of a run's documents, by path, with the number of
// documents the run recorded.
type DocumentPage struct {
	Documents []DocumentRow `json:"documents"`
	Total     int           `json:"total"`
}

// RunDocuments returns at most limit documents recorded by run (MaxPage
// when limit is out of range), ordered by path, skipping the first offset.
func (db *DB) RunDocuments(ctx context.Context, run string, limit, offset int) (*DocumentPage, error) {
	limit, offset = pageBounds(limit, offset)
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("documents of run %s: %w", run, err)
	}
	defer tx.Rollback() // read only

	p := &DocumentPage{Documents: []DocumentRow{}}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM documents WHERE run = ?`, run).Scan(&p.Total); err != nil {
		return nil, fmt.Errorf("documents of run %s: %w", run, err)
	}
	rows, err := tx.QueryContext(ctx, runDocumentsQuery, run, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("documents of run %s: %w", run, err)
	}
	defer rows.Close()
	for rows.Next() {
		var d DocumentRow
		if err := rows.Scan(&d.Rec, &d.ID, &d.Path, &d.Status, &d.ErrorKind, &d.Error, &d.Pages,
			&d.USDMicros, &d.Unpriced, &d.Superseded, &d.Pruned, &d.Elements, &d.Review); err != nil {
			return nil, fmt.Errorf("documents of run %s: %w", run, err)
		}
		p.Documents = append(p.Documents, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("documents of run %s: %w", run, err)
	}
	return p, nil
}

// runDocumentsQuery reads one page of a run's documents (documents_run)
// and counts each one's elements by its rec (the elements primary key);
// the unary plus keeps SQLite from using elements_status instead, which
// would visit every element in review in the ledger.
const runDocumentsQuery = `
	SELECT d.rec, d.id, d.path, d.status, COALESCE(d.error_kind, ''), COALESCE(d.error, ''), d.pages,
		d.usd_micros, d.unpriced, d.superseded IS NOT NULL, d.pruned IS NOT NULL,
		(SELECT count(*) FROM elements e WHERE e.rec = d.rec AND e.layer = 'body'),
		(SELECT count(*) FROM elements e WHERE e.rec = d.rec AND (e.status || '') = 'review')
	FROM documents d WHERE d.run = ?
	ORDER BY d.path, d.rec LIMIT ? OFFSET ?`

// DocumentView is one recording of a document with its elements, every
// layer included, in reading order.
type DocumentView struct {
	Rec int64 `json:"rec"`
	DocumentRecord
	// Source is the absolute path the input was read from; empty for
	// recordings made before schema 6.
	Source string `json:"source,omitempty"`
	// Current reports whether this is the document's current recording.
	Current bool `json:"current"`
	// Recordings lists the recs of every recording of the document id,
	// oldest first.
	Recordings []int64          `json:"recordings"`
	Elements   []*ElementRecord `json:"elements"`
}

// DocumentView returns recording rec of document id, or with rec 0 its current
// recording (its newest when none is current). With page > 0 only the
// elements on that page are read, with page < 0 none. An unknown id or rec gives an error
// wrapping ErrNotFound.
func (db *DB) DocumentView(ctx context.Context, id string, rec int64, page int) (*DocumentView, error) {
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("read document %s: %w", id, err)
	}
	defer tx.Rollback() // read only

	v, err := documentView(ctx, tx, id, rec, page)
	if err != nil {
		return nil, fmt.Errorf("read document %s: %w", id, err)
	}
	return v, nil
}

func documentView(ctx context.Context, tx *sql.Tx, id string, rec int64, page int) (*DocumentView, error) {
	v := &DocumentView{Elements: []*ElementRecord{}}
	var source sql.NullString
	var err error
	if rec == 0 {
		err = tx.QueryRowContext(ctx, `SELECT d.rec, d.source FROM documents d WHERE d.id = ? `+newest, id).Scan(&v.Rec, &source)
	} else {
		err = tx.QueryRowContext(ctx, `SELECT d.rec, d.source FROM documents d WHERE d.id = ? AND d.rec = ?`, id, rec).Scan(&v.Rec, &source)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, err
	}
	v.Source = source.String
	if v.DocumentRecord, err = readDocument(ctx, tx, v.Rec); err != nil {
		return nil, err
	}
	v.Current = v.Superseded.IsZero()
	v.Recordings, err = column[int64](ctx, tx, `SELECT rec FROM documents WHERE id = ? ORDER BY rec`, id)
	if err != nil {
		return nil, fmt.Errorf("recordings: %w", err)
	}

	rows, err := tx.QueryContext(ctx, `
		SELECT id, ord, type, level, page, x0, y0, x1, y1, layer,
			COALESCE(parent, ''), COALESCE(caption, ''), text, confidence,
			COALESCE(fragment, ''), COALESCE(model, ''), COALESCE(status, ''),
			COALESCE(reason, ''), COALESCE(fell_back_from, '')
		FROM elements WHERE rec = ?1 AND (?2 = 0 OR page = ?2) ORDER BY ord`, v.Rec, page)
	if err != nil {
		return nil, fmt.Errorf("elements: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e := &ElementRecord{}
		if err := rows.Scan(&e.ID, &e.Ord, &e.Type, &e.Level, &e.Page, &e.Box[0], &e.Box[1], &e.Box[2], &e.Box[3], &e.Layer,
			&e.Parent, &e.Caption, &e.Text, &e.Confidence,
			&e.Fragment, &e.Model, &e.Status, &e.Reason, &e.FellBackFrom); err != nil {
			return nil, fmt.Errorf("elements: %w", err)
		}
		v.Elements = append(v.Elements, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("elements: %w", err)
	}
	return v, nil
}

// column runs a query of one column.
func column[T any](ctx context.Context, tx *sql.Tx, query string, args ...any) ([]T, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var s T
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// pageBounds keeps a page's limit within 1..MaxPage and its offset at
// least 0.
func pageBounds(limit, offset int) (int, int) {
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	return limit, max(offset, 0)
}

// Mark changes whenever the ledger gains a recording, a call or a
// decision: reports computed from it may be kept until it changes.
func (db *DB) Mark(ctx context.Context) (string, error) { return markOf(ctx, db.read) }
