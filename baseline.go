package folio

import "fmt"

// BaselineKind says what a baseline figure is: Folio's baselines are
// modelled, what sending every page as one image to the policy's baseline
// model would cost by the provider's published token formula and prices;
// no request is sent to measure them.
const BaselineKind = "modelled"

// VersusBaseline compares a cost with its baseline in the one phrasing
// Folio uses everywhere: "76.0% below the modelled baseline" when the cost
// is lower, "1.4× the modelled baseline" when it is higher; never a
// negative saving. When the cost is a lower bound (calls of unknown price),
// the comparison says "at most" or "at least". "" without a baseline.
func VersusBaseline(cost, baseline int64, lowerBound bool) string {
	return Versus(cost, baseline, lowerBound, "the "+BaselineKind+" baseline")
}

// Versus is VersusBaseline with the baseline named by what ("it", "the
// cheap-model baseline").
func Versus(cost, baseline int64, lowerBound bool, what string) string {
	if baseline <= 0 {
		return ""
	}
	if cost <= baseline {
		s := fmt.Sprintf("%.1f%% below %s", float64(baseline-cost)/float64(baseline)*100, what)
		if lowerBound {
			s = "at most " + s
		}
		return s
	}
	s := fmt.Sprintf("%.1f× %s", float64(cost)/float64(baseline), what)
	if lowerBound {
		s = "at least " + s
	}
	return s
}
