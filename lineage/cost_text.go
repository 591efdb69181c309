package lineage

import (
	"fmt"
	"github.com/folio/folio"
	"io"
	"strings"
	"unicode/utf8"
)

// WriteText prints r as an aligned table, one row per group and the total
// last: documents, model calls, cache hits, tokens, cost, what the cache
// saved, the modelled baseline and how the cost compares with it
// (folio.VersusBaseline). A cost with unpriced calls is a lower bound and
// says so ("$1.200000 +3 unpriced", or "unknown" when no call had a
// price), and so is its comparison with the baseline ("at most 96.2% below
// the modelled baseline").
func (r *CostReport) WriteText(w io.Writer) error {
	perRowBaseline := r.By != "model" && r.By != "type"
	table := [][]string{{
		strings.ToUpper(r.By), "DOCS", "CALLS", "CACHE HITS", "TOKENS IN", "CACHED IN", "TOKENS OUT",
		"COST", "OF WHICH REJECTED", "SAVED BY CACHE", "MODELLED BASELINE", "VS BASELINE",
	}}
	for _, row := range r.Rows {
		table = append(table, costCells(row, perRowBaseline))
	}
	total := costCells(r.Total, true)
	total[0] = "TOTAL"
	table = append(table, nil, total) // nil: a rule

	// Every column but the first and the last is a number, aligned right.
	width := make([]int, len(table[0]))
	for _, cells := range table {
		for i, c := range cells {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	p := &printer{w: w}
	switch r.Scope {
	case Spent:
		p.printf("Money spent: every model call ever made, redone work included\n\n")
	case Outputs:
		p.printf("Cost of the current outputs: the calls behind each document's current recording\n\n")
	}
	for _, cells := range table {
		var b strings.Builder
		if cells == nil {
			n := 0
			for _, wd := range width {
				n += wd + 2
			}
			b.WriteString(strings.Repeat("-", n-2))
		}
		for i, c := range cells {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			switch {
			case i == 0:
				b.WriteString(c + pad)
			case i == len(cells)-1:
				b.WriteString("  " + c)
			default:
				b.WriteString("  " + pad + c)
			}
		}
		p.printf("%s\n", strings.TrimRight(b.String(), " "))
	}
	return p.err
}

// costCells returns the cells of one row of WriteText's table.
func costCells(r CostRow, baseline bool) []string {
	cells := []string{
		r.Key,
		fmt.Sprint(r.Documents),
		fmt.Sprint(r.Calls),
		fmt.Sprint(r.CacheHits),
		fmt.Sprint(r.InputTokens),
		fmt.Sprint(r.CachedTokens),
		fmt.Sprint(r.OutputTokens),
	}
	switch {
	case r.Unpriced > 0 && r.Unpriced == r.Calls:
		cells = append(cells, "unknown")
	case r.Unpriced > 0:
		cells = append(cells, fmt.Sprintf("%s +%d unpriced", usd(&r.USDMicros), r.Unpriced))
	default:
		cells = append(cells, usd(&r.USDMicros))
	}
	if r.RejectedUSDMicros == 0 {
		cells = append(cells, "-")
	} else {
		cells = append(cells, usd(&r.RejectedUSDMicros))
	}
	if r.CacheHits == 0 && r.SavedUSDMicros == 0 {
		cells = append(cells, "-")
	} else {
		cells = append(cells, usd(&r.SavedUSDMicros))
	}
	switch {
	case !baseline:
		cells = append(cells, "", "")
	case r.Documents == 0:
		cells = append(cells, "-", "")
	case r.BaselineUSDMicros == nil:
		cells = append(cells, "unknown", "")
	default:
		cells = append(cells, usd(r.BaselineUSDMicros), folio.VersusBaseline(r.USDMicros, *r.BaselineUSDMicros, r.Unpriced > 0))
	}
	return cells
}
