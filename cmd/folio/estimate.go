package main

import (
	"math"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/folio/folio/route"
)

// priorP90 is the factor on an estimate that gives its P90 without any
// history: an element may escalate or be retried once.
const priorP90 = 2.0

// costRange is an estimate of what model calls cost, as a range: P50 and
// P90, calibrated per element type and first model from the ledger's
// history of estimates against prices, with uncalibrated priors where
// there is none.
type costRange struct {
	P50USDMicros int64 `json:"p50_usd_micros"`
	P90USDMicros int64 `json:"p90_usd_micros"`
	// Calibrated counts the elements whose estimate had history;
	// Uncalibrated the others, estimated by the estimator alone (P50) and
	// priorP90 times that (P90). HistoryElements counts the elements of
	// earlier runs behind the calibration.
	Calibrated      int `json:"calibrated_elements"`
	Uncalibrated    int `json:"uncalibrated_elements"`
	HistoryElements int `json:"history_elements"`
}

// rangeOf turns first-call estimates, one tally row per model and element
// type (Calls counting the elements), into a cost range.
func rangeOf(rows []route.TallyRow, cal map[lineage.CalibrationKey]lineage.Calibration) costRange {
	var r costRange
	var p50, p90extra, variance float64
	for _, row := range rows {
		e := float64(row.USDMicros)
		c, ok := cal[lineage.CalibrationKey{Type: row.Type, Model: row.Model}]
		if !ok || c.Elements < 2 {
			p50 += e
			p90extra += (priorP90 - 1) * e
			r.Uncalibrated += row.Calls
			continue
		}
		p50 += c.Factor * e
		variance += float64(row.Calls) * c.Spread * c.Spread
		r.Calibrated += row.Calls
		r.HistoryElements += c.Elements
	}
	r.P50USDMicros = int64(math.Ceil(p50))
	// The sum of many elements' costs is about normal: P90 is 1.28
	// standard deviations above the mean.
	r.P90USDMicros = int64(math.Ceil(p50 + 1.2816*math.Sqrt(variance) + p90extra))
	return r
}

// firstCalls tallies, for a real run's fragments, the estimate of each
// element's first model call that was sent (not answered from the cache,
// not refused), by model and element type: what a dry run would have
// estimated for them.
func firstCalls(t *route.Tally, frags []folio.Fragment) {
	for _, f := range frags {
		for _, c := range f.Calls {
			if folio.IsLocal(c.Model) || c.ErrorClass.Refused() {
				continue
			}
			if !c.CacheHit && c.EstimatedUSDMicros != nil {
				est := c
				est.Status, est.USDMicros, est.Usage = route.CallEstimated, c.EstimatedUSDMicros, folio.Usage{}
				t.Add([]folio.Fragment{{Calls: []folio.Call{est}}})
			}
			break
		}
	}
}
