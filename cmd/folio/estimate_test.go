package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/route/openai/oaitest"
)

// copyPDFs copies PDFs into a new folder.
func copyPDFs(t *testing.T, pdfs []string) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range pdfs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(p)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Estimates learn from the ledger. Every table's first answer is off
// schema, so every table escalates to the large model: the estimator alone
// (the first link's price) is far too low. After one calibrating run on
// half of an ICDAR 2013 sample, a dry run over the other half estimates a
// P50 within 25% of what the real run then costs, and the real run shows
// its estimate beside the actual.
func TestDryRunEstimateLearnsFromTheLedger(t *testing.T) {
	pdfs, _ := filepath.Glob("../../../shared/corpus/icdar2013/*.pdf")
	if len(pdfs) < 24 {
		t.Fatalf("%d ICDAR 2013 PDFs, want 24", len(pdfs))
	}
	calibrate, measure := copyPDFs(t, pdfs[:12]), copyPDFs(t, pdfs[12:24])
	srv := oaitest.New(t)
	offSchema := make([]oaitest.Step, 1000)
	for i := range offSchema {
		offSchema[i] = oaitest.Step{Content: `{"unexpected": true}`}
	}
	srv.Script("gpt-4.1-mini", offSchema...)
	policy := writePolicy(t, srv, "")
	out := t.TempDir()

	estimateOf := func(stdout string) costRange {
		t.Helper()
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		var sum struct {
			Estimate struct {
				Range costRange `json:"range"`
			} `json:"estimate"`
			EstimateBefore *costRange `json:"estimate_before"`
			Cost           struct {
				USDMicros int64 `json:"usd_micros"`
			} `json:"cost"`
		}
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil {
			t.Fatal(err)
		}
		if sum.EstimateBefore != nil {
			return *sum.EstimateBefore
		}
		return sum.Estimate.Range
	}
	dry := func(dir string) costRange {
		t.Helper()
		stdout, stderr, code := runWithKey(t, "parse", dir, "-o", out, "--config", policy, "--dry-run", "--json")
		if code != 0 {
			t.Fatalf("dry run: exit %d: %s", code, stderr)
		}
		return estimateOf(stdout)
	}
	real := func(dir string) (costRange, int64) {
		t.Helper()
		before := len(srv.Requests())
		stdout, stderr, code := runWithKey(t, "parse", dir, "-o", out, "--config", policy, "--json")
		if code != 0 {
			t.Fatalf("run: exit %d: %s", code, stderr)
		}
		usd, _ := billed(srv.Requests()[before:])
		return estimateOf(stdout), usd
	}

	cold := dry(calibrate)
	_, spent := real(calibrate)
	t.Logf("uncalibrated P50 $%.6f, P90 $%.6f; actual $%.6f", float64(cold.P50USDMicros)/1e6, float64(cold.P90USDMicros)/1e6, float64(spent)/1e6)
	if cold.Calibrated != 0 || cold.P50USDMicros*2 > spent {
		t.Fatalf("the uncalibrated estimate should be far too low here: %+v for $%.6f", cold, float64(spent)/1e6)
	}

	warm := dry(measure)
	before, actual := real(measure)
	t.Logf("calibrated P50 $%.6f, P90 $%.6f (%d elements of history); actual $%.6f", float64(warm.P50USDMicros)/1e6,
		float64(warm.P90USDMicros)/1e6, warm.HistoryElements, float64(actual)/1e6)
	if warm.Calibrated == 0 || warm.HistoryElements == 0 {
		t.Fatalf("dry run after a calibrating run is not calibrated: %+v", warm)
	}
	if off := float64(warm.P50USDMicros-actual) / float64(actual); off < -0.25 || off > 0.25 {
		t.Errorf("calibrated P50 is %+.0f%% off the actual", off*100)
	}
	if warm.P90USDMicros < warm.P50USDMicros {
		t.Errorf("P90 %d below P50 %d", warm.P90USDMicros, warm.P50USDMicros)
	}
	// The real run states what the dry run said, the same way.
	if before.P50USDMicros != warm.P50USDMicros {
		t.Errorf("the real run's estimate before it (%+v) differs from the dry run's (%+v)", before, warm)
	}
}
