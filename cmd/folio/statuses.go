package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/folio/folio"
)

// writeElementStatus prints the elements of the run's documents that are
// not ok, and why, when there are any:
//
//	elements: 118 ok, 4 review (schema: table ×3; refusal: image ×1), 2 degraded (budget: table ×2)
//	budget exhausted: 2 elements degraded (table ×2); a run with budget left finishes them
func writeElementStatus(w io.Writer, c folio.ElementCounts) {
	if c.Review+c.Degraded+c.Failed == 0 {
		return
	}
	fmt.Fprintf(w, "elements: %d ok", c.OK)
	for _, st := range []struct {
		status string
		n      int
	}{{folio.StatusReview, c.Review}, {folio.StatusDegraded, c.Degraded}, {folio.StatusFailed, c.Failed}} {
		if st.n > 0 {
			fmt.Fprintf(w, ", %d %s (%s)", st.n, st.status, reasons(c.Reasons, st.status, ""))
		}
	}
	fmt.Fprintln(w)
	if n := budgetDegraded(c.Reasons); n > 0 {
		fmt.Fprintf(w, "budget exhausted: %d elements degraded (%s); a run with budget left finishes them\n",
			n, reasons(c.Reasons, folio.StatusDegraded, string(folio.ClassBudget)))
	}
}

// reasons describes the counts of one status: "schema: table ×3; refusal:
// image ×1", or only the types when class is given ("table ×2").
func reasons(counts map[string]int, status, class string) string {
	byClass := map[string][]string{}
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		parts := strings.SplitN(k, "/", 3)
		if len(parts) != 3 || parts[0] != status || class != "" && parts[1] != class {
			continue
		}
		byClass[parts[1]] = append(byClass[parts[1]], fmt.Sprintf("%s ×%d", parts[2], counts[k]))
	}
	if class != "" {
		return strings.Join(byClass[class], ", ")
	}
	var out []string
	for _, cl := range slices.Sorted(maps.Keys(byClass)) {
		out = append(out, cl+": "+strings.Join(byClass[cl], ", "))
	}
	return strings.Join(out, "; ")
}

// budgetDegraded counts the elements degraded because the budget ran out.
func budgetDegraded(counts map[string]int) int {
	n := 0
	for k, v := range counts {
		if strings.HasPrefix(k, folio.StatusDegraded+"/"+string(folio.ClassBudget)+"/") {
			n += v
		}
	}
	return n
}
