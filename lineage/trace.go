package lineage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/folio/folio"
)

// Trace is the lineage of one id. For an element or fragment it holds the
// element, its fragment with every call, the document and the run; for a
// document or input path it holds the document, the run and a summary of
// each element.
type Trace struct {
	Element  *ElementRecord   `json:"element,omitempty"`
	Fragment *FragmentRecord  `json:"fragment,omitempty"`
	Document DocumentRecord   `json:"document"`
	Run      folio.Run        `json:"run"`
	Elements []ElementSummary `json:"elements,omitempty"`
	// Decisions are what reviewers decided on the element, oldest first:
	// the last one is what its content now is.
	Decisions []folio.Decision `json:"decisions,omitempty"`
}

// ElementRecord is an element as the ledger keeps it: its place in the
// source and how it was produced. Text holds at most MaxText characters.
type ElementRecord struct {
	ID         string            `json:"id"`
	Ord        int               `json:"ord"` // 0-based reading order
	Type       folio.ElementType `json:"type"`
	Level      int               `json:"level,omitempty"`
	Page       int               `json:"page"`
	Box        folio.Box         `json:"bbox"`
	Layer      string            `json:"layer"`
	Parent     string            `json:"parent,omitempty"`
	Caption    string            `json:"caption,omitempty"`
	Text       string            `json:"text"`
	Confidence float64           `json:"confidence"`
	Fragment   string            `json:"fragment,omitempty"`
	Model      string            `json:"model,omitempty"`
	Status     string            `json:"status,omitempty"`
	// Reason and FellBackFrom say why Status is review or degraded.
	Reason       string `json:"reason,omitempty"`
	FellBackFrom string `json:"fell_back_from,omitempty"`
}

// FragmentRecord is a fragment with every call made for it, in attempt
// order. A call's latency is kept to the microsecond.
type FragmentRecord struct {
	ID      string       `json:"id"`
	Element string       `json:"element"`
	Model   string       `json:"model"`
	Status  string       `json:"status"`
	Calls   []folio.Call `json:"calls"`
}

// DocumentRecord is one input as recorded under one configuration: a
// finished document (Status ok) or a failure (Status failed, with ErrorKind
// and Error).
type DocumentRecord struct {
	ID        string     `json:"id"`
	Path      string     `json:"path"`
	SHA256    string     `json:"sha256"`
	Bytes     int64      `json:"bytes"`
	Format    string     `json:"format"`
	Pages     int        `json:"pages"`
	Config    string     `json:"config"`
	Run       string     `json:"run"`
	Status    string     `json:"status"`
	ErrorKind folio.Kind `json:"error_kind,omitempty"`
	Error     string     `json:"error,omitempty"`
	Outputs   []string   `json:"outputs"`
	// OutputSHA256 maps each output path to the SHA-256 recorded when it
	// was written (documents recorded before schema 2 have none).
	OutputSHA256 map[string]string `json:"output_sha256,omitempty"`
	// Pruned is when --prune removed the outputs, their input being gone.
	Pruned time.Time `json:"pruned,omitzero"`
	// Superseded is when a later recording of the same document replaced
	// this one; a trace shows the current recording when there is one.
	Superseded time.Time `json:"superseded,omitzero"`
	// Cost.USDMicros sums the known prices; Cost.Unpriced counts the model
	// calls whose price was unknown.
	Cost     folio.Cost `json:"cost"`
	Finished time.Time  `json:"finished"`
}

// ElementSummary is one line of a document's element list.
type ElementSummary struct {
	ID     string            `json:"id"`
	Type   folio.ElementType `json:"type"`
	Page   int               `json:"page"`
	Model  string            `json:"model,omitempty"`
	Status string            `json:"status,omitempty"`
}

// Trace returns the lineage of id: an element id (el_…), a fragment id
// (fr_…), a document id (doc_… or fail_…), a unique prefix of one, an input
// path or an output path. An id prefix needs MinIDPrefix hex digits after
// the underscore and matches the ids of current and past recordings; one
// matching several gives an *AmbiguousError, unless id is also a path. A
// path matches the stored relative path it ends with (the longest such, in
// its newest run), so "testdata/samples/a.pdf" finds "a.pdf"; failing that,
// every stored path ending in "/"+id, one trace each. Output paths, relative
// to OUT (such as "out/a.pdf.json" for "a.pdf.json"), are matched the same
// way when no input path matches. An unknown id gives an error wrapping
// ErrNotFound.
func (db *DB) Trace(ctx context.Context, id string) ([]Trace, error) {
	id = strings.TrimSpace(id)
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("trace %s: %w", id, err)
	}
	defer tx.Rollback() // read only

	ts, err := traceID(ctx, tx, id)
	var ambiguous *AmbiguousError
	if errors.As(err, &ambiguous) || errors.Is(err, ErrNotFound) && id != "" {
		ts, err = tracePath(ctx, tx, id)
	}
	if errors.Is(err, ErrNotFound) && id != "" {
		ts, err = traceOutput(ctx, tx, id, db.postgres)
	}
	if errors.Is(err, ErrNotFound) && ambiguous != nil {
		err = ambiguous
	}
	if err != nil {
		return nil, fmt.Errorf("trace %s: %w", id, err)
	}
	return ts, nil
}

// traceID traces an id, or the one id a prefix stands for.
func traceID(ctx context.Context, tx *sql.Tx, id string) ([]Trace, error) {
	var trace func(context.Context, *sql.Tx, string) (Trace, error)
	switch {
	case strings.HasPrefix(id, "el_"):
		trace = traceElement
	case strings.HasPrefix(id, "fr_"):
		trace = traceFragment
	case strings.HasPrefix(id, "doc_"), strings.HasPrefix(id, "fail_"):
		trace = traceDocument
	default:
		return nil, ErrNotFound
	}
	t, err := trace(ctx, tx, id)
	if errors.Is(err, ErrNotFound) {
		var full string
		if full, err = resolvePrefix(ctx, tx, id); err == nil {
			t, err = trace(ctx, tx, full)
		}
	}
	return one(t, err)
}

func one(t Trace, err error) ([]Trace, error) {
	if err != nil {
		return nil, err
	}
	return []Trace{t}, nil
}

// newest orders rows joined with their document recording d: the current
// recording first, then the latest.
const newest = `ORDER BY d.superseded IS NULL DESC, d.rec DESC LIMIT 1`

func traceElement(ctx context.Context, tx *sql.Tx, id string) (Trace, error) {
	var e ElementRecord
	var rec int64
	err := tx.QueryRowContext(ctx, `
		SELECT e.id, e.rec, e.ord, e.type, e.level, e.page, e.x0, e.y0, e.x1, e.y1, e.layer,
			COALESCE(e.parent, ''), COALESCE(e.caption, ''), e.text, e.confidence,
			COALESCE(e.fragment, ''), COALESCE(e.model, ''), COALESCE(e.status, ''),
			COALESCE(e.reason, ''), COALESCE(e.fell_back_from, '')
		FROM elements e JOIN documents d ON d.rec = e.rec
		WHERE e.id = ? `+newest, id).Scan(
		&e.ID, &rec, &e.Ord, &e.Type, &e.Level, &e.Page, &e.Box[0], &e.Box[1], &e.Box[2], &e.Box[3], &e.Layer,
		&e.Parent, &e.Caption, &e.Text, &e.Confidence,
		&e.Fragment, &e.Model, &e.Status, &e.Reason, &e.FellBackFrom)
	if errors.Is(err, sql.ErrNoRows) {
		return Trace{}, ErrNotFound
	} else if err != nil {
		return Trace{}, fmt.Errorf("element: %w", err)
	}
	t := Trace{Element: &e}

	var f FragmentRecord
	err = tx.QueryRowContext(ctx, `
		SELECT id, element, model, status FROM fragments
		WHERE rec = ? AND element = ? AND model NOT LIKE 'human/%' ORDER BY id LIMIT 1`, rec, id).Scan(&f.ID, &f.Element, &f.Model, &f.Status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return Trace{}, fmt.Errorf("fragment: %w", err)
	default:
		if f.Calls, err = readCalls(ctx, tx, rec, f.ID); err != nil {
			return Trace{}, err
		}
		t.Fragment = &f
	}

	if t.Document, err = readDocument(ctx, tx, rec); err != nil {
		return Trace{}, err
	}
	if t.Run, err = readRun(ctx, tx, t.Document.Run); err != nil {
		return Trace{}, err
	}
	if t.Decisions, err = readDecisions(ctx, tx, `sha256 = ? AND element = ?`, t.Document.SHA256, id); err != nil {
		return Trace{}, err
	}
	return t, nil
}

func traceFragment(ctx context.Context, tx *sql.Tx, id string) (Trace, error) {
	var el string
	err := tx.QueryRowContext(ctx, `
		SELECT f.element FROM fragments f JOIN documents d ON d.rec = f.rec
		WHERE f.id = ? `+newest, id).Scan(&el)
	if errors.Is(err, sql.ErrNoRows) {
		return Trace{}, ErrNotFound
	} else if err != nil {
		return Trace{}, fmt.Errorf("fragment: %w", err)
	}
	return traceElement(ctx, tx, el)
}

func traceDocument(ctx context.Context, tx *sql.Tx, id string) (Trace, error) {
	var rec int64
	err := tx.QueryRowContext(ctx, `
		SELECT d.rec FROM documents d WHERE d.id = ? `+newest, id).Scan(&rec)
	if errors.Is(err, sql.ErrNoRows) {
		return Trace{}, ErrNotFound
	} else if err != nil {
		return Trace{}, fmt.Errorf("document %s: %w", id, err)
	}
	var t Trace
	if t.Document, err = readDocument(ctx, tx, rec); err != nil {
		return Trace{}, err
	}
	if t.Run, err = readRun(ctx, tx, t.Document.Run); err != nil {
		return Trace{}, err
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT id, type, page, COALESCE(model, ''), COALESCE(status, '')
		FROM elements WHERE rec = ? ORDER BY ord`, rec)
	if err != nil {
		return Trace{}, fmt.Errorf("elements: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s ElementSummary
		if err := rows.Scan(&s.ID, &s.Type, &s.Page, &s.Model, &s.Status); err != nil {
			return Trace{}, fmt.Errorf("elements: %w", err)
		}
		t.Elements = append(t.Elements, s)
	}
	if err := rows.Err(); err != nil {
		return Trace{}, fmt.Errorf("elements: %w", err)
	}
	return t, nil
}

// tracePath finds the documents an input path names; see Trace.
func tracePath(ctx context.Context, tx *sql.Tx, p string) ([]Trace, error) {
	p, ok := cleanPath(p)
	if !ok {
		return nil, ErrNotFound
	}

	// The stored paths that p ends with, at a "/" boundary, longest first.
	suffixes := pathSuffixes(p)
	var id string
	err := tx.QueryRowContext(ctx, `
		SELECT d.id FROM documents d JOIN runs r ON r.id = d.run
		WHERE d.path IN (?`+strings.Repeat(", ?", len(suffixes)-1)+`)
		ORDER BY length(d.path) DESC, d.superseded IS NULL DESC, r.started DESC, d.rec DESC
		LIMIT 1`, suffixes...).Scan(&id)
	switch {
	case err == nil:
		return one(traceDocument(ctx, tx, id))
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("find path: %w", err)
	}

	// The stored paths that end with p: the newest document of each.
	rows, err := tx.QueryContext(ctx, `
		SELECT d.id, d.path FROM documents d JOIN runs r ON r.id = d.run
		WHERE length(d.path) > length(?1) AND substr(d.path, length(d.path) - length(?1)) = '/' || ?1
		ORDER BY d.path, d.superseded IS NULL DESC, r.started DESC, d.rec DESC`, p)
	if err != nil {
		return nil, fmt.Errorf("find path: %w", err)
	}
	var ids []string
	seen := map[string]bool{}
	for rows.Next() {
		var id, rel string
		if err := rows.Scan(&id, &rel); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find path: %w", err)
		}
		if !seen[rel] {
			seen[rel] = true
			ids = append(ids, id)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("find path: %w", err)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find path: %w", err)
	}
	return traceDocuments(ctx, tx, ids)
}

// traceDocuments traces each document id; none is ErrNotFound.
func traceDocuments(ctx context.Context, tx *sql.Tx, ids []string) ([]Trace, error) {
	if len(ids) == 0 {
		return nil, ErrNotFound
	}
	ts := make([]Trace, 0, len(ids))
	for _, id := range ids {
		t, err := traceDocument(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, nil
}

func readCalls(ctx context.Context, tx *sql.Tx, rec int64, fragment string) ([]folio.Call, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT attempt, rule, model, endpoint, input_tokens, cached_tokens,
			output_tokens, usd_micros, saved_usd_micros, latency_us, cache_hit, status,
			error_class, error, retries, prompt, prompt_version, request_hash,
			image_width, image_height, image_detail, estimated_image_tokens, estimated_usd_micros
		FROM calls WHERE rec = ? AND fragment = ? ORDER BY attempt, id`, rec, fragment)
	if err != nil {
		return nil, fmt.Errorf("calls: %w", err)
	}
	defer rows.Close()
	calls := []folio.Call{}
	for rows.Next() {
		var c folio.Call
		var us int64
		if err := rows.Scan(&c.Attempt, &c.Rule, &c.Model, &c.Endpoint, &c.InputTokens, &c.CachedTokens,
			&c.OutputTokens, &c.USDMicros, &c.SavedUSDMicros, &us, &c.CacheHit, &c.Status,
			&c.ErrorClass, &c.Error, &c.Retries, &c.Prompt, &c.PromptVersion, &c.RequestHash,
			&c.ImageWidth, &c.ImageHeight, &c.ImageDetail, &c.EstimatedImageTokens, &c.EstimatedUSDMicros); err != nil {
			return nil, fmt.Errorf("calls: %w", err)
		}
		c.Latency = time.Duration(us) * time.Microsecond
		calls = append(calls, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("calls: %w", err)
	}
	return calls, nil
}

func readDocument(ctx context.Context, tx *sql.Tx, rec int64) (DocumentRecord, error) {
	var d DocumentRecord
	var outputs string
	var finished, pruned, superseded sql.NullString
	err := tx.QueryRowContext(ctx, `
		SELECT id, path, sha256, bytes, format, pages, config, run, status,
			COALESCE(error_kind, ''), COALESCE(error, ''), outputs,
			usd_micros, input_tokens, output_tokens, calls, cache_hits, unpriced,
			saved_usd_micros, baseline_usd_micros, cheap_baseline_usd_micros, finished_at, pruned, superseded
		FROM documents WHERE rec = ?`, rec).Scan(
		&d.ID, &d.Path, &d.SHA256, &d.Bytes, &d.Format, &d.Pages, &d.Config, &d.Run, &d.Status,
		&d.ErrorKind, &d.Error, &outputs,
		&d.Cost.USDMicros, &d.Cost.InputTokens, &d.Cost.OutputTokens, &d.Cost.Calls, &d.Cost.CacheHits, &d.Cost.Unpriced,
		&d.Cost.SavedUSDMicros, &d.Cost.BaselineUSDMicros, &d.Cost.CheapBaselineUSDMicros, &finished, &pruned, &superseded)
	if errors.Is(err, sql.ErrNoRows) {
		return DocumentRecord{}, ErrNotFound
	} else if err != nil {
		return DocumentRecord{}, fmt.Errorf("document recording %d: %w", rec, err)
	}
	id := d.ID
	outs, err := decodeOutputs(outputs)
	if err != nil {
		return DocumentRecord{}, fmt.Errorf("document %s: %w", id, err)
	}
	d.Outputs = make([]string, len(outs))
	for i, o := range outs {
		d.Outputs[i] = o.Path
		if o.SHA256 != "" {
			if d.OutputSHA256 == nil {
				d.OutputSHA256 = map[string]string{}
			}
			d.OutputSHA256[o.Path] = o.SHA256
		}
	}
	if d.Finished, err = parseTime(finished); err != nil {
		return DocumentRecord{}, fmt.Errorf("document %s: %w", id, err)
	}
	if d.Pruned, err = parseTime(pruned); err != nil {
		return DocumentRecord{}, fmt.Errorf("document %s: %w", id, err)
	}
	if d.Superseded, err = parseTime(superseded); err != nil {
		return DocumentRecord{}, fmt.Errorf("document %s: %w", id, err)
	}
	return d, nil
}

func readRun(ctx context.Context, tx *sql.Tx, id string) (folio.Run, error) {
	var r folio.Run
	var started, finished sql.NullString
	var args string
	s := &r.Summary
	err := tx.QueryRowContext(ctx, `
		SELECT id, started, finished, version, config, args, ok, failed, skipped, partial,
			pages, elements, elements_review, elements_degraded, usd_micros, input_tokens, output_tokens, calls,
			cache_hits, unpriced, saved_usd_micros, baseline_usd_micros, cheap_baseline_usd_micros, seconds
		FROM runs WHERE id = ?`, id).Scan(
		&r.ID, &started, &finished, &r.Version, &r.Config, &args, &s.OK, &s.Failed, &s.Skipped, &s.Partial,
		&s.Pages, &s.Elements, &s.ElementStatus.Review, &s.ElementStatus.Degraded, &s.Cost.USDMicros, &s.Cost.InputTokens, &s.Cost.OutputTokens, &s.Cost.Calls,
		&s.Cost.CacheHits, &s.Cost.Unpriced, &s.Cost.SavedUSDMicros, &s.Cost.BaselineUSDMicros, &s.Cost.CheapBaselineUSDMicros, &s.Seconds)
	if errors.Is(err, sql.ErrNoRows) {
		return folio.Run{}, fmt.Errorf("run %s: %w", id, ErrNotFound)
	} else if err != nil {
		return folio.Run{}, fmt.Errorf("run %s: %w", id, err)
	}
	if err := json.Unmarshal([]byte(args), &r.Args); err != nil {
		return folio.Run{}, fmt.Errorf("run %s: args: %w", id, err)
	}
	if r.Started, err = parseTime(started); err != nil {
		return folio.Run{}, fmt.Errorf("run %s: %w", id, err)
	}
	if r.Finished, err = parseTime(finished); err != nil {
		return folio.Run{}, fmt.Errorf("run %s: %w", id, err)
	}
	return r, nil
}
