package lineage

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/folio/folio"
)

// MaxText is how many characters of an element's text the ledger keeps; the
// full text is in the output document.
const MaxText = 2000

// StartRun records the start of a run. Its id must be new.
func (db *DB) StartRun(ctx context.Context, run folio.Run) error {
	args, err := jsonList(run.Args)
	if err != nil {
		return fmt.Errorf("start run %s: %w", run.ID, err)
	}
	err = db.update(ctx, func(tx *writeTx) error {
		started := run.Started
		if started.IsZero() {
			started = tx.now
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO runs (id, started, version, config, args)
			VALUES (?, ?, ?, ?, ?)`,
			run.ID, formatTime(started), run.Version, run.Config, args)
		return err
	})
	if err != nil {
		return fmt.Errorf("start run %s: %w", run.ID, err)
	}
	if len(run.Tags) > 0 {
		return db.SetRunTags(ctx, run.ID, run.Tags)
	}
	return nil
}

// FinishRun records the end of a started run and its summary, cost
// included: known prices, unpriced calls, cache savings and the baseline.
func (db *DB) FinishRun(ctx context.Context, run folio.Run) error {
	err := db.update(ctx, func(tx *writeTx) error {
		finished := run.Finished
		if finished.IsZero() {
			finished = tx.now
		}
		s := run.Summary
		res, err := tx.ExecContext(ctx, `
			UPDATE runs SET finished = ?, ok = ?, failed = ?, skipped = ?, partial = ?,
				pages = ?, elements = ?, elements_review = ?, elements_degraded = ?, usd_micros = ?, unpriced = ?,
				saved_usd_micros = ?, baseline_usd_micros = ?, cheap_baseline_usd_micros = ?, input_tokens = ?,
				output_tokens = ?, calls = ?, cache_hits = ?, seconds = ?
			WHERE id = ?`,
			formatTime(finished), s.OK, s.Failed, s.Skipped, s.Partial,
			s.Pages, s.Elements, s.ElementStatus.Review, s.ElementStatus.Degraded, s.Cost.USDMicros, s.Cost.Unpriced,
			s.Cost.SavedUSDMicros, s.Cost.BaselineUSDMicros, s.Cost.CheapBaselineUSDMicros, s.Cost.InputTokens,
			s.Cost.OutputTokens, s.Cost.Calls, s.Cost.CacheHits, s.Seconds,
			run.ID)
		return changedOne(res, err)
	})
	if err != nil {
		return fmt.Errorf("finish run %s: %w", run.ID, err)
	}
	return nil
}

// Done reports whether a document with this content was finished under this
// configuration, at any path.
func (db *DB) Done(ctx context.Context, sha, config string) (bool, error) {
	var done bool
	err := db.read.QueryRowContext(ctx, `
		SELECT EXISTS (SELECT 1 FROM documents
		WHERE sha256 = ? AND config = ? AND status != 'failed' AND superseded IS NULL)`,
		sha, config).Scan(&done)
	if err != nil {
		return false, fmt.Errorf("done %s: %w", sha, err)
	}
	return done, nil
}

// RecordDocument records a finished document of run with its elements,
// fragments and calls, and the output files written for it, in one
// transaction. Recording a document id again supersedes what was recorded
// for it before: the earlier rows stay, calls included, marked superseded,
// and the new recording becomes the current one.
//
// The calls' prices and the document's cost totals are stored as given,
// except the number of unpriced calls, which is counted from the calls, and
// SavedUSDMicros of a call that is not a cache hit, which is dropped.
//
// Outputs are stored with their hashes, so that Finished can tell a later
// run what to check.
func (db *DB) RecordDocument(ctx context.Context, run string, doc *folio.Document, outputs []folio.Output) error {
	if doc == nil || doc.ID == "" {
		return fmt.Errorf("record document: no document id")
	}
	if err := db.update(ctx, func(tx *writeTx) error {
		return recordDocument(ctx, tx, run, doc, outputs)
	}); err != nil {
		return fmt.Errorf("record document %s: %w", doc.ID, err)
	}
	return nil
}

func recordDocument(ctx context.Context, tx *writeTx, run string, doc *folio.Document, outputs []folio.Output) error {
	if outputs == nil {
		outputs = []folio.Output{}
	}
	b, err := json.Marshal(outputs)
	if err != nil {
		return err
	}
	outs := string(b)

	src := doc.Source
	pages := src.Pages
	if pages == 0 {
		pages = len(doc.Pages)
	}
	unpriced := unpricedCalls(doc)
	c := doc.Cost
	status, kind, lost := folio.DocumentOK, "", ""
	if doc.Status == folio.DocumentPartial {
		status, kind, lost = folio.DocumentPartial, string(folio.KindMalformed), doc.LostPages()
	}
	rec, err := supersedeAndInsert(ctx, tx, doc.ID, func() (int64, error) {
		return returning(ctx, tx, `
			INSERT INTO documents (id, sha256, path, bytes, format, pages, config, run,
				status, error_kind, error, outputs, usd_micros, unpriced, saved_usd_micros, baseline_usd_micros,
				cheap_baseline_usd_micros, input_tokens, output_tokens, calls, cache_hits, finished_at, source)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING rec`,
			doc.ID, src.SHA256, src.Rel, src.Bytes, src.Format, pages, doc.Config, run,
			status, null(kind), null(lost), outs, c.USDMicros, unpriced, c.SavedUSDMicros, c.BaselineUSDMicros,
			c.CheapBaselineUSDMicros,
			c.InputTokens, c.OutputTokens, c.Calls, c.CacheHits, formatTime(tx.now), null(sourcePath(src.Path)))
	})
	if err != nil {
		return fmt.Errorf("insert document: %w", err)
	}
	return insertContent(ctx, tx, rec, doc)
}

// insertContent writes the elements of doc's recording rec, the fragments
// it has and their calls, and a review row for every element in review.
// Rows go in multi-row statements: on a ledger server each statement is a
// round trip. Calls keep the order of fragments and attempts, which the
// quality report reads them in.
func insertContent(ctx context.Context, tx *writeTx, rec int64, doc *folio.Document) error {
	created := formatTime(tx.now)
	var elements, reviews [][]any
	for i, e := range slices.Concat(doc.Elements, doc.Candidates) {
		elements = append(elements, []any{e.ID, rec, i, string(e.Type), e.Level, e.Page,
			e.Box[0], e.Box[1], e.Box[2], e.Box[3],
			e.Layer, null(e.Parent), null(e.Caption), truncate(e.Text, MaxText), e.Confidence,
			null(e.Fragment), null(e.Model), null(e.Status), null(e.Reason), null(e.FellBackFrom)})
		if e.Status == folio.StatusReview {
			reviews = append(reviews, []any{rec, e.ID, cmp.Or(e.Reason, "review"), created})
		}
	}
	if err := insertRows(ctx, tx, "elements", elementColumns, elements); err != nil {
		return err
	}
	if err := insertRows(ctx, tx, "review", []string{"rec", "element", "reason", "created"}, reviews); err != nil {
		return err
	}
	var fragments, calls [][]any
	for _, f := range doc.Fragments {
		fragments = append(fragments, []any{f.ID, rec, f.ElementID, f.Model, f.Status})
		for _, k := range f.Calls {
			saved := k.SavedUSDMicros
			if !k.CacheHit {
				saved = nil
			}
			calls = append(calls, []any{f.ID, rec, k.Attempt, k.Rule, k.Model, endpoint(k.Endpoint),
				k.InputTokens, k.CachedTokens, k.OutputTokens, k.USDMicros, saved, k.Latency.Microseconds(),
				b2i(k.CacheHit), k.Status, k.ErrorClass, truncate(k.Error, MaxText), k.Retries, k.Prompt, k.PromptVersion, k.RequestHash, created,
				k.ImageWidth, k.ImageHeight, k.ImageDetail, k.EstimatedImageTokens, k.EstimatedUSDMicros})
		}
	}
	if err := insertRows(ctx, tx, "fragments", []string{"id", "rec", "element", "model", "status"}, fragments); err != nil {
		return err
	}
	for _, f := range doc.Fragments {
		if err := insertAnswers(ctx, tx, rec, f); err != nil {
			return err
		}
	}
	return insertRows(ctx, tx, "calls", callColumns, calls)
}

var (
	elementColumns = []string{"id", "rec", "ord", "type", "level", "page", "x0", "y0", "x1", "y1",
		"layer", "parent", "caption", "text", "confidence", "fragment", "model", "status", "reason", "fell_back_from"}
	callColumns = []string{"fragment", "rec", "attempt", "rule", "model", "endpoint",
		"input_tokens", "cached_tokens", "output_tokens", "usd_micros", "saved_usd_micros", "latency_us",
		"cache_hit", "status", "error_class", "error", "retries", "prompt", "prompt_version", "request_hash", "created",
		"image_width", "image_height", "image_detail", "estimated_image_tokens", "estimated_usd_micros"}
)

// maxParams bounds a statement's parameters, under SQLite's limit (32766).
const maxParams = 2000

// insertRows inserts rows into table, in order: on a ledger server in
// statements of as many rows as fit maxParams (each statement is a round
// trip), in SQLite one prepared row at a time (faster there than parsing
// long statements).
func insertRows(ctx context.Context, tx *writeTx, table string, columns []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	one := "(" + strings.Repeat("?, ", len(columns)-1) + "?)"
	insert := "INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES "
	if !tx.postgres {
		st, err := tx.PrepareContext(ctx, insert+one)
		if err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
		defer st.Close()
		for i, r := range rows {
			if _, err := st.ExecContext(ctx, r...); err != nil {
				return fmt.Errorf("insert %s row %d: %w", table, i, err)
			}
		}
		return nil
	}
	per := max(1, maxParams/len(columns))
	for len(rows) > 0 {
		n := min(per, len(rows))
		var b strings.Builder
		b.WriteString(insert)
		args := make([]any, 0, n*len(columns))
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert %d %s: %w", n, table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// insertAnswers keeps the answers a reviewer may choose between for an
// element in review.
func insertAnswers(ctx context.Context, tx *writeTx, rec int64, f folio.Fragment) error {
	for n, a := range f.Answers {
		var grid sql.NullString
		if a.Table != nil {
			b, err := json.Marshal(a.Table)
			if err != nil {
				return fmt.Errorf("encode answer %d of %s: %w", n, f.ElementID, err)
			}
			grid = sql.NullString{String: string(b), Valid: true}
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO answers (rec, element, n, model, status, reason, text, table_json)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			rec, f.ElementID, n, a.Model, a.Status, truncate(a.Reason, MaxText), a.Text, grid); err != nil {
			return fmt.Errorf("insert answer %d of %s: %w", n, f.ElementID, err)
		}
	}
	return nil
}

// sourcePath is where an input was read, made absolute so that a server
// started elsewhere can draw its pages; empty when unknown.
func sourcePath(p string) string {
	if p == "" || p == "-" {
		return ""
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return ""
	}
	return abs
}

// RecordUnfinished records a document of run that did not finish after its
// elements were routed (deferred, interrupted, or failed while written) as
// a failure of kind with msg, keeping its elements, the fragments it has and
// every call made for them: what they cost stays in the ledger. Like a
// failure it never makes the document done.
func (db *DB) RecordUnfinished(ctx context.Context, run string, doc *folio.Document, kind folio.Kind, msg string) error {
	if doc == nil {
		return fmt.Errorf("record unfinished document: no document")
	}
	src := doc.Source
	id := FailureID(src.SHA256, run, src.Rel)
	unpriced := unpricedCalls(doc)
	c := doc.Cost
	err := db.update(ctx, func(tx *writeTx) error {
		rec, err := supersedeAndInsert(ctx, tx, id, func() (int64, error) {
			return returning(ctx, tx, `
				INSERT INTO documents (id, sha256, path, bytes, format, pages, config, run,
					status, error_kind, error, usd_micros, unpriced, saved_usd_micros, baseline_usd_micros,
					input_tokens, output_tokens, calls, cache_hits, finished_at)
				SELECT ?, ?, ?, ?, ?, ?, config, id, 'failed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
				FROM runs WHERE id = ? RETURNING rec`,
				id, src.SHA256, src.Rel, src.Bytes, src.Format, len(doc.Pages),
				string(kind), truncate(msg, MaxText), c.USDMicros, unpriced, c.SavedUSDMicros, c.BaselineUSDMicros,
				c.InputTokens, c.OutputTokens, c.Calls, c.CacheHits, formatTime(tx.now), run)
		})
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("run %s: %w", run, ErrNotFound)
		} else if err != nil {
			return err
		}
		return insertContent(ctx, tx, rec, doc)
	})
	if err != nil {
		return fmt.Errorf("record unfinished %s: %w", src.Rel, err)
	}
	return nil
}

// Finished returns the outputs recorded for document id when it is finished
// (status ok or partial), its outputs were not pruned since, and none of
// its elements is degraded for a reason that may go away (the budget ran
// out, a model endpoint was unavailable): a later run finishes those, with
// the answers already bought coming from the cache. ok is false otherwise.
// Outputs recorded before hashes were kept have an empty SHA256.
func (db *DB) Finished(ctx context.Context, id string) ([]folio.Output, bool, error) {
	var outs string
	err := db.read.QueryRowContext(ctx, `
		SELECT d.outputs FROM documents d
		WHERE d.id = ? AND d.status != 'failed' AND d.pruned IS NULL AND d.superseded IS NULL
		AND NOT EXISTS (SELECT 1 FROM elements e WHERE e.rec = d.rec AND e.status = 'degraded'
			AND (e.reason = 'budget' OR e.reason LIKE 'unavailable%'))`, id).Scan(&outs)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("finished %s: %w", id, err)
	}
	o, err := decodeOutputs(outs)
	if err != nil {
		return nil, false, fmt.Errorf("finished %s: %w", id, err)
	}
	return o, true, nil
}

// MarkPruned records that the outputs of document id were removed in run
// because its input was gone. The document's rows, lineage and cost stay;
// Finished no longer reports it. An unknown or already pruned id is no
// error.
func (db *DB) MarkPruned(ctx context.Context, run, id string) error {
	err := db.update(ctx, func(tx *writeTx) error {
		_, err := tx.ExecContext(ctx, `
			UPDATE documents SET pruned = ?
			WHERE id = ? AND pruned IS NULL AND superseded IS NULL`, formatTime(tx.now), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark pruned %s (run %s): %w", id, run, err)
	}
	return nil
}

// SetOutputs replaces the outputs recorded for the current recording of
// document id (Markdown written or removed on a later run). An unknown id
// is an error wrapping ErrNotFound.
func (db *DB) SetOutputs(ctx context.Context, id string, outputs []folio.Output) error {
	if outputs == nil {
		outputs = []folio.Output{}
	}
	b, err := json.Marshal(outputs)
	if err != nil {
		return fmt.Errorf("set outputs of %s: %w", id, err)
	}
	err = db.update(ctx, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE documents SET outputs = ? WHERE id = ? AND superseded IS NULL`, string(b), id)
		return changedOne(res, err)
	})
	if err != nil {
		return fmt.Errorf("set outputs of %s: %w", id, err)
	}
	return nil
}

// decodeOutputs reads a documents.outputs value: an array of {"path",
// "sha256"} objects, or under schema 1 an array of paths.
func decodeOutputs(s string) ([]folio.Output, error) {
	var outs []folio.Output
	if err := json.Unmarshal([]byte(s), &outs); err == nil {
		return outs, nil
	}
	var paths []string
	if err := json.Unmarshal([]byte(s), &paths); err != nil {
		return nil, fmt.Errorf("outputs: %w", err)
	}
	outs = make([]folio.Output, len(paths))
	for i, p := range paths {
		outs[i].Path = p
	}
	return outs, nil
}

// RecordFailure records that src failed in run, and why. The row takes the
// run's configuration; it never makes Done true.
func (db *DB) RecordFailure(ctx context.Context, run string, src folio.Source, kind folio.Kind, msg string) error {
	id := FailureID(src.SHA256, run, src.Rel)
	err := db.update(ctx, func(tx *writeTx) error {
		_, err := supersedeAndInsert(ctx, tx, id, func() (int64, error) {
			return returning(ctx, tx, `
				INSERT INTO documents (id, sha256, path, bytes, format, pages,
					config, run, status, error_kind, error, finished_at)
				SELECT ?, ?, ?, ?, ?, ?, config, id, 'failed', ?, ?, ?
				FROM runs WHERE id = ? RETURNING rec`,
				id, src.SHA256, src.Rel, src.Bytes, src.Format, src.Pages,
				string(kind), msg, formatTime(tx.now), run)
		})
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("run %s: %w", run, ErrNotFound)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("record failure %s: %w", src.Rel, err)
	}
	return nil
}

// supersedeAndInsert marks the current recording of document id superseded
// and inserts its new recording with insert, returning the new rec. The
// earlier rows are kept: calls are a billing record. ErrNotFound means
// insert inserted nothing.
func supersedeAndInsert(ctx context.Context, tx *writeTx, id string, insert func() (int64, error)) (int64, error) {
	var old sql.NullInt64
	err := tx.QueryRowContext(ctx, `
		SELECT rec FROM documents WHERE id = ? AND superseded IS NULL`, id).Scan(&old)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("find current recording: %w", err)
	}
	now := formatTime(tx.now)
	if old.Valid {
		// superseded_by is set once the new rec is known; -1 keeps the
		// pair of columns consistent meanwhile.
		if _, err := tx.ExecContext(ctx, `
			UPDATE documents SET superseded = ?, superseded_by = -1 WHERE rec = ?`, now, old.Int64); err != nil {
			return 0, fmt.Errorf("supersede recording %d: %w", old.Int64, err)
		}
	}
	rec, err := insert()
	if err != nil {
		return 0, err
	}
	if old.Valid {
		if _, err := tx.ExecContext(ctx, `
			UPDATE documents SET superseded_by = ? WHERE rec = ?`, rec, old.Int64); err != nil {
			return 0, fmt.Errorf("supersede recording %d: %w", old.Int64, err)
		}
	}
	return rec, nil
}

// returning runs an INSERT … RETURNING of one integer column (both
// dialects have it; PostgreSQL has no last insert id) and returns it.
// Inserting nothing is ErrNotFound.
func returning(ctx context.Context, tx *writeTx, query string, args ...any) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, query, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return id, err
}

// unpricedCalls counts doc's model calls whose price is unknown.
func unpricedCalls(doc *folio.Document) int {
	n := 0
	for _, f := range doc.Fragments {
		for _, c := range f.Calls {
			if c.USDMicros == nil && !folio.IsLocal(c.Model) {
				n++
			}
		}
	}
	return n
}

// changedOne returns the error of a statement that must change a row:
// err, or ErrNotFound when it changed none.
func changedOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	switch {
	case err != nil:
		return err
	case n == 0:
		return ErrNotFound
	}
	return nil
}

// FailureID returns the id of the ledger row for a failed input: one per
// content, run and path.
func FailureID(sha, run, rel string) string {
	h := sha256.New()
	for _, p := range []string{sha, run, rel} {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return "fail_" + hex.EncodeToString(h.Sum(nil))[:20]
}

// endpoint returns an endpoint URL without the parts that may carry a
// credential (user info, query, fragment); the ledger never stores one.
func endpoint(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable endpoint)"
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}

// jsonList encodes a list of strings as a JSON array, never null.
func jsonList(s []string) (string, error) {
	if s == nil {
		s = []string{}
	}
	b, err := json.Marshal(s)
	return string(b), err
}

// null turns an empty string into SQL NULL.
func null(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// truncate returns the first n characters of s, cut at a character
// boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
