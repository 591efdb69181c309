package folio

import "strings"

// ElementCounts counts elements by status, and those not ok by why.
type ElementCounts struct {
	OK       int `json:"ok"`
	Review   int `json:"review"`
	Degraded int `json:"degraded"`
	Failed   int `json:"failed"`
	// Reasons counts the elements in review, degraded or failed by
	// "status/reason/type", such as "review/schema/table" or
	// "degraded/budget/image"; the reason is the class before the first
	// colon of the element's Reason, "none" when it has none.
	Reasons map[string]int `json:"reasons,omitempty"`
}

// Count adds the statuses of els.
func (c *ElementCounts) Count(els []Element) {
	for _, e := range els {
		switch e.Status {
		case StatusReview:
			c.Review++
		case StatusDegraded:
			c.Degraded++
		case StatusFailed:
			c.Failed++
		default:
			c.OK++
			continue
		}
		class, _, _ := strings.Cut(e.Reason, ":")
		class = strings.TrimSpace(class)
		if class == "" {
			class = "none"
		}
		if c.Reasons == nil {
			c.Reasons = map[string]int{}
		}
		c.Reasons[e.Status+"/"+class+"/"+string(e.Type)]++
	}
}

// Merge adds o's counts.
func (c *ElementCounts) Merge(o ElementCounts) {
	c.OK += o.OK
	c.Review += o.Review
	c.Degraded += o.Degraded
	c.Failed += o.Failed
	for k, n := range o.Reasons {
		if c.Reasons == nil {
			c.Reasons = make(map[string]int, len(o.Reasons))
		}
		c.Reasons[k] += n
	}
}
