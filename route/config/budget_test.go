package config_test

import (
	"strings"
	"testing"

	"github.com/folio/folio/route/config"
)

// A period budget: its cap, per-tag caps and warning share are read; a
// bad period, a tag that is not KEY=VALUE, a negative cap, a share out of
// range, or per-tag caps without a period are refused, each named.
func TestPeriodBudget(t *testing.T) {
	f, err := config.Parse("folio.yaml", []byte(`budget: {period: day, max_usd: 20, per_tag: {team=finance: 5, team=ops: 2.5}, warn_at: 0.9, on_exhausted: fail}
`))
	if err != nil {
		t.Fatal(err)
	}
	b := f.Budget
	if b.Period != config.PeriodDay || *b.MaxUSD != 20 || b.PerTag["team=finance"] != 5 || b.PerTag["team=ops"] != 2.5 ||
		b.WarnAt != 0.9 || b.OnExhausted != config.OnExhaustedFail {
		t.Errorf("budget %+v", b)
	}
	for _, tc := range []struct{ src, want string }{
		{`budget: {period: week, max_usd: 1}`, `budget.period: "week" is not day or month`},
		{`budget: {max_usd: 1, per_tag: {team=a: 1}}`, "budget.per_tag: needs budget.period"},
		{`budget: {period: month, per_tag: {team: 1}}`, "budget.per_tag.team: is not a run tag KEY=VALUE"},
		{`budget: {period: month, per_tag: {team=a: -1}}`, "budget.per_tag.team=a: -1 is not a dollar amount"},
		{`budget: {period: day, warn_at: 2}`, "budget.warn_at: 2 is not a share from 0 to 1"},
	} {
		_, err := config.Parse("folio.yaml", []byte(tc.src+"\n"))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.src, err, tc.want)
		}
	}
}
