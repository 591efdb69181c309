package main

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/folio/folio/lineage"
	"github.com/folio/folio/route/config"
)

// periodSpend reads what the ledger says a period budget has left: the
// run's tags choose the per-tag caps that apply. A nil ledger (a dry run
// without one) has spent nothing.
type periodSpend struct {
	ledger *lineage.DB
	tags   map[string]string
	now    time.Time
}

// defaultWarnAt is the share of a period cap past which a run warns.
const defaultWarnAt = 0.8

// remaining returns the budget this run may spend under b's period caps:
// the least that any applicable cap has left, never below zero, and
// whether any cap applies. It warns when a cap is spent past its warning
// share.
func (p periodSpend) remaining(ctx context.Context, b config.Budget, log *slog.Logger) (int64, bool, error) {
	_, since, err := lineage.PeriodOf(b.Period, p.now)
	if err != nil {
		return 0, false, configErrorf("budget: %v", err)
	}
	warnAt := b.WarnAt
	if warnAt == 0 {
		warnAt = defaultWarnAt
	}
	type limit struct {
		tag    string // "" for every run
		micros int64
	}
	var caps []limit
	if m, ok := b.MaxUSDMicros(); ok {
		caps = append(caps, limit{"", m})
	}
	for _, tag := range slices.Sorted(maps.Keys(b.PerTag)) {
		if k, v, _ := strings.Cut(tag, "="); p.tags[k] == v {
			caps = append(caps, limit{tag, int64(math.Round(b.PerTag[tag] * 1e6))})
		}
	}
	if len(caps) == 0 {
		return 0, false, nil
	}
	left := int64(math.MaxInt64)
	for _, c := range caps {
		var spent int64
		if p.ledger != nil {
			if spent, err = p.ledger.SpentSince(ctx, since, c.tag); err != nil {
				return 0, false, fmt.Errorf("budget: %w", err)
			}
		}
		who := "all runs"
		if c.tag != "" {
			who = "runs tagged " + c.tag
		}
		if c.micros > 0 && float64(spent) >= warnAt*float64(c.micros) {
			log.Warn("period budget nearly spent", "period", b.Period, "for", who,
				"spent_usd", float64(spent)/1e6, "cap_usd", float64(c.micros)/1e6)
		}
		left = min(left, max(0, c.micros-spent))
	}
	return left, true, nil
}
