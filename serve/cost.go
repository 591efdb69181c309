package serve

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
)

// costData is the cost page's data.
type costData struct {
	Report *lineage.CostReport
	// Hidden counts the rows left out of the page: past costRows, only
	// the costliest are shown; the CSV has them all.
	Hidden int
	By     string
	Scope  string
	Dims   []string
	Scopes []string
	// PerRowBaseline is whether rows have their own baseline: not in a
	// report by model or type, as the baseline is per document.
	PerRowBaseline bool
	// Spend is the spend over time, per Period.
	Spend   *spendChart
	Period  string
	Periods []string
}

// costRows is how many rows of a cost report a page shows (a report by
// document has one per document).
const costRows = 200

// costParams reads by and scope, with folio cost's defaults.
func costParams(r *http.Request) (string, lineage.Scope, error) {
	by := cmp.Or(r.URL.Query().Get("by"), "model")
	scope := cmp.Or(r.URL.Query().Get("scope"), string(lineage.Spent))
	if !slices.Contains(lineage.CostDimensions(), by) {
		return "", "", badRequest("by: want one of %v", lineage.CostDimensions())
	}
	if !slices.Contains(lineage.Scopes(), scope) {
		return "", "", badRequest("scope: want one of %v", lineage.Scopes())
	}
	return by, lineage.Scope(scope), nil
}

func (s *Server) costPage(w http.ResponseWriter, r *http.Request) {
	by, scope, err := costParams(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	period, err := spendPeriod(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := s.o.DB.Cost(r.Context(), by, scope)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	chart, err := s.spendOverTime(r.Context(), period, spendBy(by))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hidden := 0
	if len(rep.Rows) > costRows {
		rows := slices.Clone(rep.Rows)
		slices.SortStableFunc(rows, func(a, b lineage.CostRow) int { return cmp.Compare(b.USDMicros, a.USDMicros) })
		hidden = len(rows) - costRows
		view := *rep
		view.Rows = rows[:costRows]
		rep = &view
	}
	s.render(w, r, "cost", costData{Report: rep, Hidden: hidden, By: by, Scope: string(scope),
		Dims: lineage.CostDimensions(), Scopes: lineage.Scopes(), PerRowBaseline: by != "model" && by != "type",
		Spend: chart, Period: period, Periods: lineage.Periods()})
}

// costCSV is the cost report as CSV: money in micro-dollars, as in the
// ledger, so that sums in a spreadsheet stay exact.
func (s *Server) costCSV(w http.ResponseWriter, r *http.Request) {
	by, scope, err := costParams(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := s.o.DB.Cost(r.Context(), by, scope)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="folio-cost-%s-%s.csv"`, by, scope))
	cw := csv.NewWriter(w)
	cw.Write([]string{by, "documents", "calls", "cache_hits", "unpriced", "input_tokens", "cached_tokens", "output_tokens",
		"usd_micros", "rejected_usd_micros", "saved_usd_micros", "baseline_usd_micros", "saving_usd_micros"})
	perRow := by != "model" && by != "type"
	for _, row := range rep.Rows {
		cw.Write(costRecord(row, perRow))
	}
	total := costRecord(rep.Total, true)
	total[0] = "total"
	cw.Write(total)
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.o.Logger.Warn("write cost CSV", "err", err)
	}
}

func costRecord(r lineage.CostRow, baseline bool) []string {
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	rec := []string{csvSafe(r.Key), strconv.Itoa(r.Documents), strconv.Itoa(r.Calls), strconv.Itoa(r.CacheHits),
		strconv.Itoa(r.Unpriced), i(r.InputTokens), i(r.CachedTokens), i(r.OutputTokens),
		i(r.USDMicros), i(r.RejectedUSDMicros), i(r.SavedUSDMicros), "", ""}
	if baseline && r.BaselineUSDMicros != nil {
		rec[11], rec[12] = i(*r.BaselineUSDMicros), i(*r.BaselineUSDMicros-r.USDMicros)
	}
	return rec
}

// csvSafe keeps a spreadsheet from reading a key (a document path, a tag)
// as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

// rowCost is a cost row as a folio.Cost, for versus.
func rowCost(r lineage.CostRow) folio.Cost {
	return folio.Cost{Spend: r.Spend, BaselineUSDMicros: r.BaselineUSDMicros}
}

// costLine is one row of the cost table and whether it shows a baseline.
type costLine struct {
	Row      lineage.CostRow
	Baseline bool
}
