package lineage

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// SpentSince returns what model calls cost (known prices, in micro-dollars)
// from since on, every run counted, redone work included (folio cost's
// "spent"); with tag "KEY=VALUE", only the runs carrying that tag. A
// period budget is checked against it.
func (db *DB) SpentSince(ctx context.Context, since time.Time, tag string) (int64, error) {
	q := `SELECT COALESCE(sum(c.usd_micros), 0) FROM model_calls c WHERE c.created >= ?`
	args := []any{formatTime(since)}
	if tag != "" {
		k, v, ok := strings.Cut(tag, "=")
		if !ok || k == "" || v == "" {
			return 0, fmt.Errorf("spend of tag %q: not KEY=VALUE", tag)
		}
		q += ` AND c.run IN (SELECT run FROM run_tags WHERE key = ? AND value = ?)`
		args = append(args, k, v)
	}
	var spent int64
	if err := db.read.QueryRowContext(ctx, q, args...).Scan(&spent); err != nil {
		return 0, fmt.Errorf("spend since %s: %w", formatTime(since), err)
	}
	return spent, nil
}
