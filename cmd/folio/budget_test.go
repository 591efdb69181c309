package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/route/openai/oaitest"
)

// inputsOf copies the named samples into a folder of their own.
func inputsOf(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join("../../testdata/samples", n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// spentIn is what folio cost says every run of the ledger in out spent.
func spentIn(t *testing.T, out string) int64 {
	t.Helper()
	stdout, stderr, code := runFolio(t, "cost", "-o", out, "--json")
	var rep struct {
		Total struct {
			USDMicros int64 `json:"usd_micros"`
		} `json:"total"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &rep) != nil {
		t.Fatalf("cost: exit %d: %s", code, stderr)
	}
	return rep.Total.USDMicros
}

// A day's budget counts what earlier runs of the day spent: a run that
// finds it nearly spent warns, and degrades what it cannot pay for; a
// per-tag cap holds for the runs carrying the tag only.
func TestPeriodBudget(t *testing.T) {
	first := inputsOf(t, "twotables_2.pdf")
	second := inputsOf(t, "picture_classification.pdf", "2305.03393v1-pg9.pdf")
	for _, tc := range []struct {
		name     string
		budget   func(spent int64) string
		tag      string
		degraded bool
	}{
		{"day cap", func(s int64) string { return fmt.Sprintf("{period: day, max_usd: %.6f}", float64(s+1)/1e6) }, "team=a", true},
		{"the run's tag capped", func(s int64) string { return fmt.Sprintf("{period: day, per_tag: {team=a: %.6f}}", float64(s+1)/1e6) }, "team=a", true},
		{"another tag capped", func(s int64) string { return fmt.Sprintf("{period: day, per_tag: {team=b: %.6f}}", float64(s+1)/1e6) }, "team=a", false},
		{"a month with room", func(s int64) string { return fmt.Sprintf("{period: month, max_usd: %.6f}", float64(s)/1e6+100) }, "team=a", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := oaitest.New(t)
			out := t.TempDir()
			if _, stderr, code := runWithKey(t, "parse", first, "-o", out, "--config", writePolicy(t, srv, ""), "--tag", "team=a"); code != 0 {
				t.Fatalf("first run: exit %d: %s", code, stderr)
			}
			spent := spentIn(t, out)
			if spent == 0 {
				t.Fatal("the first run spent nothing: the test needs model calls")
			}
			policy := writePolicy(t, srv, "budget: "+tc.budget(spent)+"\n")
			stdout, stderr, code := runWithKey(t, "parse", second, "-o", out, "--config", policy, "--tag", tc.tag, "--json")
			if code != 0 {
				t.Fatalf("second run: exit %d: %s", code, stderr)
			}
			s, _ := summaryOf(t, stdout)
			budget := 0
			for k, n := range s.ElementStatus.Reasons {
				if strings.HasPrefix(k, "degraded/budget/") {
					budget += n
				}
			}
			warned := strings.Contains(stderr, "period budget nearly spent")
			if tc.degraded && (budget == 0 || !warned) {
				t.Errorf("second run: %d elements degraded for the budget, warned %v; want some, and a warning\n%s", budget, warned, stderr)
			}
			if !tc.degraded && (budget != 0 || warned) {
				t.Errorf("second run: %d elements degraded for the budget, warned %v; want none", budget, warned)
			}
			if got := spentIn(t, out); tc.degraded && got > spent+1 {
				t.Errorf("the day's spend went from %d to %d micro-dollars, over the cap of %d", spent, got, spent+1)
			}
		})
	}
}
