package lineage

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// PeriodSpend is one line of a spend-over-time report: what the model calls
// of one group cost in one period, and the baseline of the documents
// finished in it.
type PeriodSpend struct {
	// Period names the period: "2026-03-04" (day), "2026-W10" (ISO week),
	// "2026-03" (month), in UTC.
	Period string `json:"period"`
	// Start is when the period begins: midnight UTC of the day, of the
	// week's Monday or of the month's first day.
	Start time.Time `json:"start"`
	CostRow
}

// Periods returns the periods SpendOverTime knows: day, week and month.
func Periods() []string { return []string{"day", "week", "month"} }

// SpendDimensions returns the ways SpendOverTime can group within a
// period: none (""), model, type, tag and document.
func SpendDimensions() []string { return []string{"", "model", "type", "tag", "document"} }

// SpendOverTime reports the money spent per period (day, week as ISO 8601
// weeks, or month, in UTC) since a time (the zero time for all), each
// period split by model, element type, tag or document (the input path),
// or not split when by is "". It counts what folio cost counts in scope
// Spent, the model_calls view: every model call ever made, local
// specialists, dry-run estimates and refused calls left out, redone work
// included; RejectedUSDMicros is the part that bought answers then
// rejected. Calls are placed by their created time.
//
// The baseline is per document, as in Cost: BaselineUSDMicros sums the
// baselines of the finished recordings whose finished_at falls in the
// period (nil when one of them has none, and always nil by model or type),
// and Documents counts them (by model or type: the recordings with calls in
// the row). A recording's calls and its documents row are written in one
// transaction with the same time, so a document's spend and its baseline
// land in the same period and the saving against the baseline of a period
// compares like with like. A period with only free work (local
// specialists) has a row with its documents and baseline and no calls.
//
// Rows are sorted by period, then by key (Untagged last). Periods without
// calls or documents have no row.
func (db *DB) SpendOverTime(ctx context.Context, period, by string, since time.Time) ([]PeriodSpend, error) {
	bucket, ok := periodOf(period)
	if !ok {
		return nil, fmt.Errorf("spend by %q: want one of %s", period, strings.Join(Periods(), ", "))
	}
	dim, ok := spendDimension(by)
	if !ok {
		return nil, fmt.Errorf("spend by %s and %q: want one of %s", period, by, strings.Join(SpendDimensions()[1:], ", "))
	}
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("spend by %s: %w", period, err)
	}
	defer tx.Rollback() // read only

	rows, err := spendOverTime(ctx, tx, bucket, dim, formatTime(since))
	if err != nil {
		return nil, fmt.Errorf("spend by %s: %w", period, err)
	}
	return rows, nil
}

func spendDimension(by string) (costDim, bool) {
	if by == "" {
		return costDim{key: "''", docs: true}, true
	}
	if by == "run" {
		return costDim{}, false
	}
	return costDimension(by)
}

// periodKey is one row of a report being summed: a period and a key.
type periodKey struct{ period, key string }

// periodSum is a row being summed: its baseline stays unknown when any of
// its documents has none.
type periodSum struct {
	PeriodSpend
	baselineKnown int
	baseline      int64
}

// spendOverTime sums by day in SQL, which the time stamps give as a prefix,
// and folds the days into periods here: a day lies in exactly one week and
// one month, and each recording in exactly one day, so counts of distinct
// recordings add up.
func spendOverTime(ctx context.Context, tx *sql.Tx, bucket func(time.Time) (string, time.Time), dim costDim, since string) ([]PeriodSpend, error) {
	sums := map[periodKey]*periodSum{}
	row := func(day, key string) (*periodSum, error) {
		t, err := time.Parse(time.DateOnly, day)
		if err != nil {
			return nil, fmt.Errorf("day %q: %w", day, err)
		}
		name, start := bucket(t)
		k := periodKey{name, key}
		s := sums[k]
		if s == nil {
			s = &periodSum{PeriodSpend: PeriodSpend{Period: name, Start: start, CostRow: CostRow{Key: key}}}
			sums[k] = s
		}
		return s, nil
	}
	if err := sumCallsByDay(ctx, tx, dim, since, func(day string, r CostRow) error {
		s, err := row(day, r.Key)
		if err != nil {
			return err
		}
		s.Spend.Merge(r.Spend)
		s.RejectedUSDMicros += r.RejectedUSDMicros
		if !dim.docs {
			s.Documents += r.Documents
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if dim.docs {
		if err := sumDocumentsByDay(ctx, tx, dim, since, func(day, key string, n, known int, baseline int64) error {
			s, err := row(day, key)
			if err != nil {
				return err
			}
			s.Documents += n
			s.baselineKnown += known
			s.baseline += baseline
			return nil
		}); err != nil {
			return nil, err
		}
	}

	out := make([]PeriodSpend, 0, len(sums))
	for _, s := range sums {
		r := s.PeriodSpend
		if dim.docs && s.Documents > 0 && s.baselineKnown == s.Documents {
			r.BaselineUSDMicros = &s.baseline
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b PeriodSpend) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		if a.Key == Untagged || b.Key == Untagged {
			return cmp.Compare(b2i(a.Key == Untagged), b2i(b.Key == Untagged))
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out, nil
}

// sumCallsByDay sums the model calls created since, by day (YYYY-MM-DD,
// UTC) and dim, calling fn once per group. SQLite serves the range on
// calls.created from the index calls_created (schema 6), then joins by
// primary keys: the cost of a report follows the calls in its range, not
// the ledger's size.
func sumCallsByDay(ctx context.Context, tx *sql.Tx, dim costDim, since string, fn func(day string, r CostRow) error) error {
	join := dim.joins()
	// key and join are constants of this package.
	rs, err := tx.QueryContext(ctx, `
		SELECT substr(c.created, 1, 10), `+dim.key+`, count(*), sum(c.cache_hit), count(*) - count(c.usd_micros),
			sum(c.input_tokens), sum(c.cached_tokens), sum(c.output_tokens),
			COALESCE(sum(c.usd_micros), 0), COALESCE(sum(c.usd_micros) FILTER (WHERE c.status = 'rejected'), 0),
			COALESCE(sum(c.saved_usd_micros), 0), count(DISTINCT d.rec)
		FROM calls c
		JOIN documents d ON d.rec = c.rec
		`+join+`
		WHERE c.created >= ? AND `+modelCall+`
		GROUP BY 1, 2`, since)
	if err != nil {
		return fmt.Errorf("calls: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var day string
		var r CostRow
		if err := rs.Scan(&day, &r.Key, &r.Calls, &r.CacheHits, &r.Unpriced,
			&r.InputTokens, &r.CachedTokens, &r.OutputTokens,
			&r.USDMicros, &r.RejectedUSDMicros, &r.SavedUSDMicros, &r.Documents); err != nil {
			return fmt.Errorf("calls: %w", err)
		}
		if err := fn(day, r); err != nil {
			return fmt.Errorf("calls: %w", err)
		}
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("calls: %w", err)
	}
	return nil
}

// sumDocumentsByDay counts the finished recordings of documents finished
// since, by day and dim, with how many have a baseline and the sum of
// those, calling fn once per group.
func sumDocumentsByDay(ctx context.Context, tx *sql.Tx, dim costDim, since string, fn func(day, key string, n, known int, baseline int64) error) error {
	join := ""
	if dim.tags {
		join = tagJoin
	}
	// key and join are constants of this package.
	rs, err := tx.QueryContext(ctx, `
		SELECT substr(d.finished_at, 1, 10), `+dim.key+`, count(*),
			count(d.baseline_usd_micros), COALESCE(sum(d.baseline_usd_micros), 0)
		FROM documents d
		`+join+`
		WHERE d.status != 'failed' AND d.finished_at >= ?
		GROUP BY 1, 2`, since)
	if err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var day, key string
		var n, known int
		var baseline int64
		if err := rs.Scan(&day, &key, &n, &known, &baseline); err != nil {
			return fmt.Errorf("documents: %w", err)
		}
		if err := fn(day, key, n, known, baseline); err != nil {
			return fmt.Errorf("documents: %w", err)
		}
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	return nil
}

// PeriodOf names the period (day, week or month, as SpendOverTime names
// them) that holds t, and gives its start: pages that lay periods out on a
// continuous axis name the empty ones the same way.
func PeriodOf(period string, t time.Time) (string, time.Time, error) {
	bucket, ok := periodOf(period)
	if !ok {
		return "", time.Time{}, fmt.Errorf("period %q: want one of %s", period, strings.Join(Periods(), ", "))
	}
	t = t.UTC()
	name, start := bucket(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC))
	return name, start, nil
}

// periodOf returns the function that names the period holding a day (a
// UTC midnight) and gives its start.
func periodOf(period string) (func(time.Time) (string, time.Time), bool) {
	switch period {
	case "day":
		return func(t time.Time) (string, time.Time) { return t.Format(time.DateOnly), t }, true
	case "week":
		return func(t time.Time) (string, time.Time) {
			year, week := t.ISOWeek()
			monday := t.AddDate(0, 0, -(int(t.Weekday())+6)%7)
			return fmt.Sprintf("%04d-W%02d", year, week), monday
		}, true
	case "month":
		return func(t time.Time) (string, time.Time) {
			return t.Format("2006-01"), time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		}, true
	}
	return nil, false
}
