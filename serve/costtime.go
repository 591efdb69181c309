package serve

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/folio/folio/lineage"
)

// chartKeys is how many keys the spend chart draws as series of their
// own; the rest are summed as "other": beyond six stacked colours, bars
// stop being readable.
const chartKeys = 6

// otherKey names the series of the keys past chartKeys.
const otherKey = "other"

// spendWindow is how many periods the spend chart shows: a month of days,
// half a year of weeks, a year of months.
var spendWindow = map[string]int{"day": 30, "week": 26, "month": 12}

// spendBy returns what the spend chart splits by for a cost page by: the
// dimensions SpendOverTime knows, else nothing (the total).
func spendBy(by string) string {
	if by != "" && slices.Contains(lineage.SpendDimensions(), by) {
		return by
	}
	return ""
}

// spendPeriod reads period, "day" by default.
func spendPeriod(r *http.Request) (string, error) {
	p := cmp.Or(r.URL.Query().Get("period"), "day")
	if !slices.Contains(lineage.Periods(), p) {
		return "", badRequest("period: want one of %v", lineage.Periods())
	}
	return p, nil
}

// spendSince is when the chart of period starts: the start of the period
// that holds now, less the window.
func spendSince(period string, now time.Time) (time.Time, error) {
	_, start, err := lineage.PeriodOf(period, now)
	if err != nil {
		return time.Time{}, err
	}
	back := spendWindow[period] - 1
	switch period {
	case "day":
		return start.AddDate(0, 0, -back), nil
	case "week":
		return start.AddDate(0, 0, -7*back), nil
	}
	return start.AddDate(0, -back, 0), nil
}

// spendChart is the cost page's spend over time: the chart, and the same
// numbers as a table.
type spendChart struct {
	Period, By string
	Since      time.Time
	SVG        template.HTML
	// Keys are the series, largest spend first, then "other".
	Keys  []string
	Lines []spendLine
	// Baseline is whether some period's baseline is known.
	Baseline bool
}

// spendLine is one period of the chart: its spend per key (as Keys), in
// total, and its baseline.
type spendLine struct {
	Period   string
	Spend    []int64
	Total    int64
	Unpriced int
	// BaselineUSDMicros is nil when a document finished in the period has
	// no baseline.
	BaselineUSDMicros *int64
}

// Saving is baseline − spend, "" when the baseline is unknown.
func (l spendLine) Saving() string { return saving(l.Total, l.BaselineUSDMicros) }

// spendOverTime builds the chart of period split by by (see spendBy)
// from SpendOverTime since the window's start: every period of the window
// has a line, zero when nothing was spent, so the axis is continuous.
func (s *Server) spendOverTime(ctx context.Context, period, by string) (*spendChart, error) {
	now := s.o.Now()
	since, err := spendSince(period, now)
	if err != nil {
		return nil, err
	}
	// The totals give the spend and the baseline of each period once:
	// split by tag, a run with several tags is in several rows.
	totals, err := s.o.DB.SpendOverTime(ctx, period, "", since)
	if err != nil {
		return nil, err
	}
	split := totals
	if by != "" {
		if split, err = s.o.DB.SpendOverTime(ctx, period, by, since); err != nil {
			return nil, err
		}
	}
	c := &spendChart{Period: period, By: by, Since: since, Keys: seriesKeys(split, by)}
	index := map[string]int{}
	for day := since; !day.After(now); day = day.AddDate(0, 0, 1) {
		name, _, err := lineage.PeriodOf(period, day)
		if err != nil {
			return nil, err
		}
		if _, ok := index[name]; !ok {
			index[name] = len(c.Lines)
			c.Lines = append(c.Lines, spendLine{Period: name, Spend: make([]int64, len(c.Keys)), BaselineUSDMicros: new(int64)})
		}
	}
	for _, r := range totals {
		i, ok := index[r.Period]
		if !ok {
			continue // a call stamped after now: a clock set back
		}
		l := &c.Lines[i]
		l.Total, l.Unpriced = r.USDMicros, r.Unpriced
		switch {
		case r.BaselineUSDMicros != nil:
			l.BaselineUSDMicros = r.BaselineUSDMicros
			c.Baseline = true
		case r.Documents > 0:
			l.BaselineUSDMicros = nil // a document without a baseline
		}
	}
	for _, r := range split {
		if i, ok := index[r.Period]; ok {
			k := slices.Index(c.Keys, r.Key)
			if k < 0 {
				k = len(c.Keys) - 1 // other
			}
			c.Lines[i].Spend[k] += r.USDMicros
		}
	}
	c.SVG = c.draw()
	return c, nil
}

// seriesKeys returns the keys of rows by spend, largest first (then by
// name), the first chartKeys of them and "other" for the rest; "spend"
// alone when not split.
func seriesKeys(rows []lineage.PeriodSpend, by string) []string {
	if by == "" {
		return []string{"spend"}
	}
	spend := map[string]int64{}
	for _, r := range rows {
		spend[r.Key] += r.USDMicros
	}
	keys := make([]string, 0, len(spend))
	for k := range spend {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(spend[b], spend[a]), cmp.Compare(a, b)) })
	if len(keys) > chartKeys {
		keys = append(keys[:chartKeys], otherKey)
	}
	return keys
}

// draw renders the chart: spend bars stacked by key, the baseline as a line
// when some period's is known.
func (c *spendChart) draw() template.HTML {
	labels := make([]string, len(c.Lines))
	bars := make([]chartSeries, len(c.Keys))
	for k, key := range c.Keys {
		bars[k] = chartSeries{Name: key, Values: make([]float64, len(c.Lines))}
	}
	baseline := chartSeries{Name: "baseline", Values: make([]float64, len(c.Lines))}
	for i, l := range c.Lines {
		labels[i] = l.Period
		for k, v := range l.Spend {
			bars[k].Values[i] = float64(v) / 1e6
		}
		baseline.Values[i] = math.NaN() // unknown: a gap in the line
		if l.BaselineUSDMicros != nil {
			baseline.Values[i] = float64(*l.BaselineUSDMicros) / 1e6
		}
	}
	var lines []chartSeries
	if c.Baseline {
		lines = []chartSeries{baseline}
	}
	title := fmt.Sprintf("Spend per %s since %s", c.Period, c.Since.Format(time.DateOnly))
	if c.By != "" {
		title += " by " + c.By
	}
	return barLineChart(title, labels, bars, lines)
}

// costTimeCSV is SpendOverTime as CSV over the chart's window, one row per
// period and key that has calls or documents (periods without are left
// out, as SpendOverTime leaves them), money in micro-dollars.
func (s *Server) costTimeCSV(w http.ResponseWriter, r *http.Request) {
	period, err := spendPeriod(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	by := r.URL.Query().Get("by")
	if by != spendBy(by) {
		s.fail(w, r, badRequest("by: want one of %v", lineage.SpendDimensions()[1:]))
		return
	}
	since, err := spendSince(period, s.o.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows, err := s.o.DB.SpendOverTime(r.Context(), period, by, since)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	recs := make([][]string, 0, len(rows))
	for _, p := range rows {
		rec := []string{p.Period, p.Start.Format(time.DateOnly), cmp.Or(p.Key, "total"), strconv.Itoa(p.Documents),
			strconv.Itoa(p.Calls), strconv.Itoa(p.CacheHits), strconv.Itoa(p.Unpriced),
			i(p.InputTokens), i(p.CachedTokens), i(p.OutputTokens),
			i(p.USDMicros), i(p.RejectedUSDMicros), i(p.SavedUSDMicros), "", ""}
		if p.BaselineUSDMicros != nil {
			rec[13], rec[14] = i(*p.BaselineUSDMicros), i(*p.BaselineUSDMicros-p.USDMicros)
		}
		recs = append(recs, rec)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="folio-spend-%s-%s.csv"`, period, cmp.Or(by, "total")))
	header := []string{"period", "start", cmp.Or(by, "key"), "documents", "calls", "cache_hits", "unpriced",
		"input_tokens", "cached_tokens", "output_tokens", "usd_micros", "rejected_usd_micros", "saved_usd_micros",
		"baseline_usd_micros", "saving_usd_micros"}
	if err := writeCSV(w, header, recs); err != nil {
		s.o.Logger.Warn("write spend CSV", "err", err)
	}
}
