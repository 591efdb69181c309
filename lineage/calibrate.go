package lineage

import (
	"context"
	"fmt"
	"math"

	"github.com/folio/folio"
)

// Calibration is what the ledger's history says about elements of one type
// whose first model call went to one model: how what they cost, escalations
// and retries included, compares with the estimate of that first call.
type Calibration struct {
	Type  folio.ElementType `json:"type"`
	Model string            `json:"model"`
	// Elements counts the elements behind the figures.
	Elements int `json:"elements"`
	// Factor is their total cost over their total first-call estimate: the
	// expected cost of such an element is Factor times its estimate.
	Factor float64 `json:"factor"`
	// Spread is the standard deviation, in micro-dollars, of one element's
	// cost around Factor times its estimate.
	Spread float64 `json:"spread_usd_micros"`
}

// CalibrationKey identifies a Calibration.
type CalibrationKey struct {
	Type  folio.ElementType
	Model string
}

// Calibrations reads, from every element ever routed to a model (cache hits
// and calls without an estimate left out), how its cost compared with the
// estimate of its first model call, per element type and model.
func (db *DB) Calibrations(ctx context.Context) (map[CalibrationKey]Calibration, error) {
	// modelCall is a constant of this package.
	rows, err := db.read.QueryContext(ctx, `
		WITH mc AS (
			SELECT c.rec, f.element, e.type, c.model, c.attempt, c.estimated_usd_micros AS est,
				c.usd_micros AS usd, c.cache_hit
			FROM calls c
			JOIN fragments f ON f.rec = c.rec AND f.id = c.fragment
			JOIN elements e ON e.rec = f.rec AND e.id = f.element
			WHERE `+modelCall+`
		), first AS (
			SELECT * FROM (
				SELECT rec, element, type, model, est, cache_hit,
					row_number() OVER (PARTITION BY rec, element ORDER BY attempt) AS n
				FROM mc) AS ranked WHERE n = 1
		)
		SELECT f.type, f.model, f.est,
			(SELECT COALESCE(sum(m.usd), 0) FROM mc m WHERE m.rec = f.rec AND m.element = f.element)
		FROM first f
		WHERE f.est > 0 AND f.cache_hit = 0`)
	if err != nil {
		return nil, fmt.Errorf("calibrations: %w", err)
	}
	defer rows.Close()
	type sample struct{ est, actual float64 }
	samples := map[CalibrationKey][]sample{}
	for rows.Next() {
		var k CalibrationKey
		var est, actual int64
		if err := rows.Scan(&k.Type, &k.Model, &est, &actual); err != nil {
			return nil, fmt.Errorf("calibrations: %w", err)
		}
		samples[k] = append(samples[k], sample{float64(est), float64(actual)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("calibrations: %w", err)
	}
	out := make(map[CalibrationKey]Calibration, len(samples))
	for k, ss := range samples {
		var est, actual float64
		for _, s := range ss {
			est += s.est
			actual += s.actual
		}
		c := Calibration{Type: k.Type, Model: k.Model, Elements: len(ss), Factor: actual / est}
		if len(ss) > 1 {
			var sq float64
			for _, s := range ss {
				d := s.actual - c.Factor*s.est
				sq += d * d
			}
			c.Spread = math.Sqrt(sq / float64(len(ss)-1))
		}
		out[k] = c
	}
	return out, nil
}
