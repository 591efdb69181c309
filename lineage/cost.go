package lineage

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/folio/folio"
)

// CostRow is one line of a cost report: the model calls and documents of
// one group. Local specialist calls are not counted.
type CostRow struct {
	Key string `json:"key"`
	folio.Spend
	// RejectedUSDMicros is the part of USDMicros that bought answers then
	// rejected (off-schema, refused, ungrounded, …): money spent for
	// nothing kept.
	RejectedUSDMicros int64 `json:"rejected_usd_micros"`
	// BaselineUSDMicros sums the baseline of the row's documents; nil when
	// a document's baseline is unknown, when the row has no documents, and
	// in the rows (not the total) of a report by model or type, as the
	// baseline is per document.
	BaselineUSDMicros *int64 `json:"baseline_usd_micros"`
	// Documents counts the row's documents: in a report by model or type,
	// those with calls in the row; otherwise all of them.
	Documents int `json:"documents"`
}

// Scope says which calls a cost report counts.
type Scope string

const (
	// Spent counts every model call ever made: the money spent, whatever
	// was redone, superseded or pruned since.
	Spent Scope = "spent"
	// Outputs counts the calls behind the current outputs only: the
	// current recording of each finished document whose outputs were not
	// pruned.
	Outputs Scope = "outputs"
)

// Scopes returns the scopes Cost knows.
func Scopes() []string { return []string{string(Spent), string(Outputs)} }

// CostReport is what the ledger's documents cost, grouped one way.
type CostReport struct {
	By    string    `json:"by"`
	Scope Scope     `json:"scope"`
	Rows  []CostRow `json:"rows"`
	// Total counts every document and model call once. In a report by tag
	// it can be less than the sum of the rows, as a run may have several
	// tags.
	Total CostRow `json:"total"`
	// BaselineKind says what the baselines are (folio.BaselineKind).
	BaselineKind string `json:"baseline_kind"`
}

// Untagged is the key of the tag row for runs without tags.
const Untagged = "(untagged)"

// costDim is one way of grouping a cost report.
type costDim struct {
	key  string // SQL of the group key over c (calls), e (elements), d (documents), t (run_tags)
	tags bool   // join run_tags
	// elements is whether key reads e: only then are a call's fragment
	// and element joined, which a foreign key guarantees to exist.
	elements bool
	docs     bool   // documents and baseline per row
	where    string // more conditions on d (documents), a constant
}

// CostDimensions returns the ways Cost can group: model, type, document,
// tag and run.
func CostDimensions() []string { return []string{"model", "type", "document", "tag", "run"} }

func costDimension(by string) (costDim, bool) {
	switch by {
	case "model":
		// An expression rather than the column keeps SQLite from reading
		// every call through calls_model for the grouping's order: it
		// reads the model calls from calls_billable (schema 7) and sorts
		// the few groups. (SQLite's unary plus would do; PostgreSQL has
		// none for text.)
		return costDim{key: "(c.model || '')"}, true
	case "type":
		return costDim{key: "e.type", elements: true}, true
	case "document":
		return costDim{key: "d.path", docs: true}, true
	case "tag":
		return costDim{key: "COALESCE(t.key || '=' || t.value, '" + Untagged + "')", tags: true, docs: true}, true
	case "run":
		return costDim{key: "d.run", docs: true}, true
	}
	return costDim{}, false
}

// Cost reports what the ledger's documents cost in scope, grouped by model
// (calls.model), type (the element type of each call's fragment), document
// (the input path), tag ("key=value" for each tag of the document's run,
// Untagged for runs without any) or run (its id and start time, every run
// included, sorted by start). Rows are sorted by key otherwise, Untagged
// last.
//
// In scope Spent every recording of a document counts, in the run that
// made it: a forced re-run adds to what the first run spent, and a run that
// skips a finished document records nothing for it. In scope Outputs each
// document id counts once, in its current recording. Documents counts the
// finished recordings. Only model calls count: local specialists are free
// and left out.
func (db *DB) Cost(ctx context.Context, by string, scope Scope) (*CostReport, error) {
	dim, ok := costDimension(by)
	if !ok {
		return nil, fmt.Errorf("cost by %q: want one of %s", by, strings.Join(CostDimensions(), ", "))
	}
	switch scope {
	case Spent:
	case Outputs:
		dim.where = ` AND d.superseded IS NULL AND d.pruned IS NULL AND d.status != 'failed'`
	default:
		return nil, fmt.Errorf("cost of %q: want one of %s", scope, strings.Join(Scopes(), ", "))
	}
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("cost by %s: %w", by, err)
	}
	defer tx.Rollback() // read only

	r, err := cost(ctx, tx, by, dim)
	if r != nil {
		r.Scope, r.BaselineKind = scope, folio.BaselineKind
	}
	if err != nil {
		return nil, fmt.Errorf("cost by %s: %w", by, err)
	}
	return r, nil
}

func cost(ctx context.Context, tx *sql.Tx, by string, dim costDim) (*CostReport, error) {
	rows := map[string]*CostRow{}
	row := func(key string) *CostRow {
		r := rows[key]
		if r == nil {
			r = &CostRow{Key: key}
			rows[key] = r
		}
		return r
	}
	err := sumCalls(ctx, tx, dim, func(r CostRow) { *row(r.Key) = r })
	if err != nil {
		return nil, err
	}
	if dim.docs {
		err = sumDocuments(ctx, tx, dim, func(key string, n int, baseline *int64) {
			r := row(key)
			r.Documents, r.BaselineUSDMicros = n, baseline
		})
		if err != nil {
			return nil, err
		}
	}

	report := &CostReport{By: by, Rows: []CostRow{}, Total: CostRow{Key: "total"}}
	total := costDim{key: "''", where: dim.where}
	err = sumCalls(ctx, tx, total, func(r CostRow) { report.Total = r; report.Total.Key = "total" })
	if err != nil {
		return nil, err
	}
	err = sumDocuments(ctx, tx, total, func(_ string, n int, baseline *int64) {
		report.Total.Documents, report.Total.BaselineUSDMicros = n, baseline
	})
	if err != nil {
		return nil, err
	}

	if by == "run" {
		return report, runRows(ctx, tx, report, row)
	}
	for _, r := range rows {
		report.Rows = append(report.Rows, *r)
	}
	slices.SortFunc(report.Rows, func(a, b CostRow) int {
		if a.Key == Untagged || b.Key == Untagged {
			return cmp.Compare(b2i(a.Key == Untagged), b2i(b.Key == Untagged))
		}
		return strings.Compare(a.Key, b.Key)
	})
	return report, nil
}

// runRows gives report one row per run, sorted by start time, keyed by the
// run id and start time; rows holds the figures by run id.
func runRows(ctx context.Context, tx *sql.Tx, report *CostReport, row func(string) *CostRow) error {
	rs, err := tx.QueryContext(ctx, `SELECT id, started FROM runs ORDER BY started, id`)
	if err != nil {
		return fmt.Errorf("runs: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var id string
		var started sql.NullString
		if err := rs.Scan(&id, &started); err != nil {
			return fmt.Errorf("runs: %w", err)
		}
		t, err := parseTime(started)
		if err != nil {
			return fmt.Errorf("run %s: %w", id, err)
		}
		r := *row(id)
		r.Key = id + " " + stamp(t)
		report.Rows = append(report.Rows, r)
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("runs: %w", err)
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// tagJoin attaches each document's run tags as t, one row per tag, or one
// row with t NULL for an untagged run.
const tagJoin = `LEFT JOIN run_tags t ON t.run = d.run`

// elementJoin attaches each call's element as e (through its fragment f).
const elementJoin = `JOIN fragments f ON f.rec = c.rec AND f.id = c.fragment
		JOIN elements e ON e.rec = f.rec AND e.id = f.element`

// joins returns the joins a query over calls c and documents d needs for
// the key: the element for a key on e, the run's tags for one on t.
// Joining the element of every call costs more than the rest of a report
// (two lookups per call), so it is done only when asked for.
func (dim costDim) joins() string {
	var j []string
	if dim.elements {
		j = append(j, elementJoin)
	}
	if dim.tags {
		j = append(j, tagJoin)
	}
	return strings.Join(j, "\n\t\t")
}

// modelCall is the SQL condition on c (calls) of a model call as
// folio.Call.Billable says: not a local specialist, not a dry run's
// estimate, not of a class refused before a request was sent (the
// error_classes table, kept in step with folio.ErrorClasses). The
// model_calls view (migration 0005) applies the same rule.
const modelCall = `NOT (length(c.model) > 6 AND substr(c.model, 1, 6) = 'local/')
	AND c.status != 'estimated'
	AND c.error_class NOT IN (SELECT class FROM error_classes WHERE refused)`

// sumCalls sums the model calls grouped by dim, calling fn once per group.
func sumCalls(ctx context.Context, tx *sql.Tx, dim costDim, fn func(CostRow)) error {
	join := dim.joins()
	// key and join are constants of this package.
	rs, err := tx.QueryContext(ctx, `
		SELECT `+dim.key+`, count(*), sum(c.cache_hit), count(*) - count(c.usd_micros),
			sum(c.input_tokens), sum(c.cached_tokens), sum(c.output_tokens),
			COALESCE(sum(c.usd_micros), 0), COALESCE(sum(c.usd_micros) FILTER (WHERE c.status = 'rejected'), 0),
			COALESCE(sum(c.saved_usd_micros), 0), count(DISTINCT d.rec)
		FROM calls c
		JOIN documents d ON d.rec = c.rec
		`+join+`
		WHERE `+modelCall+dim.where+`
		GROUP BY 1`)
	if err != nil {
		return fmt.Errorf("calls: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var r CostRow
		if err := rs.Scan(&r.Key, &r.Calls, &r.CacheHits, &r.Unpriced,
			&r.InputTokens, &r.CachedTokens, &r.OutputTokens,
			&r.USDMicros, &r.RejectedUSDMicros, &r.SavedUSDMicros, &r.Documents); err != nil {
			return fmt.Errorf("calls: %w", err)
		}
		fn(r)
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("calls: %w", err)
	}
	return nil
}

// sumDocuments counts the finished document recordings grouped by dim and
// sums their baselines, nil unless every document of the group has one,
// calling fn once per group.
func sumDocuments(ctx context.Context, tx *sql.Tx, dim costDim, fn func(key string, n int, baseline *int64)) error {
	join := ""
	if dim.tags {
		join = tagJoin
	}
	// key and join are constants of this package.
	rs, err := tx.QueryContext(ctx, `
		SELECT `+dim.key+`, count(*),
			CASE WHEN count(d.baseline_usd_micros) = count(*) THEN sum(d.baseline_usd_micros) END
		FROM documents d
		`+join+`
		WHERE d.status != 'failed'`+dim.where+`
		GROUP BY 1`)
	if err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var key string
		var n int
		var baseline *int64
		if err := rs.Scan(&key, &n, &baseline); err != nil {
			return fmt.Errorf("documents: %w", err)
		}
		fn(key, n, baseline)
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	return nil
}
