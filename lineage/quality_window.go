package lineage

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"time"
)

// minSplitCalls is the window, in calls, from which routedWindow reads in
// two halves at once (a variable for tests).
var minSplitCalls int64 = 20000

// windowsSplit counts the windows read in halves, for tests.
var windowsSplit atomic.Int64

// routedWindow is loadRouted for the window from since, read in two halves
// on two connections of the read pool when the window is large, so that
// both cores step through it: the quality page's first view after a
// change reads every call of its window (BENCHMARKS.md). The halves meet
// at a recording's first call, so no fragment is split. Each half reads
// its own snapshot; when the ledger changed between tx's and theirs (its
// Mark differs), the window is read again in tx alone, so the report is
// always one state of the ledger.
func (db *DB) routedWindow(ctx context.Context, tx *sql.Tx, since time.Time) ([]routed, error) {
	decided, err := latestDecisions(ctx, tx)
	if err != nil {
		return nil, err
	}
	first, err := firstCall(ctx, tx, since)
	if err != nil {
		return nil, err
	}
	whole := callRange{lo: first}
	split, err := windowSplit(ctx, tx, first)
	if err != nil || split == 0 {
		if err != nil {
			return nil, err
		}
		return loadRoutedRange(ctx, tx, since, whole, decided)
	}
	mark, err := markOf(ctx, tx)
	if err != nil {
		return nil, err
	}
	type half struct {
		els  []routed
		mark string
		err  error
	}
	read := func(r callRange) half {
		htx, err := db.read.BeginTx(ctx, nil)
		if err != nil {
			return half{err: err}
		}
		defer htx.Rollback()       // read only
		m, err := markOf(ctx, htx) // the snapshot starts here
		if err != nil {
			return half{err: err}
		}
		els, err := loadRoutedRange(ctx, htx, since, r, decided)
		return half{els, m, err}
	}
	windowsSplit.Add(1)
	second := make(chan half, 1)
	go func() { second <- read(callRange{lo: split}) }()
	a := read(callRange{lo: first, hi: split})
	b := <-second
	switch {
	case a.err != nil:
		return nil, a.err
	case b.err != nil:
		return nil, b.err
	case a.mark != mark || b.mark != mark:
		return loadRoutedRange(ctx, tx, since, whole, decided)
	}
	return append(a.els, b.els...), nil
}

// windowSplit is the id of the first call of the recording in the middle
// of the window from call first on, or 0 when the window is too small to
// split.
func windowSplit(ctx context.Context, tx *sql.Tx, first int64) (int64, error) {
	var last sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(id) FROM calls`).Scan(&last); err != nil {
		return 0, fmt.Errorf("split the window: %w", err)
	}
	if first == noCall || last.Int64-first < minSplitCalls {
		return 0, nil
	}
	var split sql.NullInt64
	err := tx.QueryRowContext(ctx, `
		SELECT min(id) FROM calls WHERE rec = (SELECT rec FROM calls WHERE id >= ? ORDER BY id LIMIT 1)`,
		(first+last.Int64)/2).Scan(&split)
	if err != nil {
		return 0, fmt.Errorf("split the window: %w", err)
	}
	if !split.Valid || split.Int64 <= first {
		return 0, nil
	}
	return split.Int64, nil
}

// markOf is Mark in tx's snapshot.
func markOf(ctx context.Context, q querier) (string, error) {
	var rec, call, dec int64
	err := q.QueryRowContext(ctx, `
		SELECT (SELECT coalesce(max(rec), 0) FROM documents), (SELECT coalesce(max(id), 0) FROM calls),
			(SELECT coalesce(max(id), 0) FROM decisions)`).Scan(&rec, &call, &dec)
	if err != nil {
		return "", fmt.Errorf("ledger mark: %w", err)
	}
	return fmt.Sprintf("%d/%d/%d", rec, call, dec), nil
}
