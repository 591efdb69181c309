package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"text/tabwriter"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/folio/folio/pipeline"
	"github.com/folio/folio/route"
)

// printer shows a parse run's results on stdout: NDJSON with --json, or a
// closing summary for people. The choice is made once, here.
type printer struct {
	s      *streams
	json   bool
	dryRun bool
	quiet  bool
	mu     sync.Mutex
	enc    *json.Encoder
	// progress shows the run as it goes (a bar on a terminal); set before
	// the first event.
	progress *progress
	// tally sums the model calls (or, in a dry run, estimates) of every
	// routed document; baseline sums their baseline prices.
	tally           route.Tally
	baseline        int64
	baselineUnknown int
	baselineDocs    int
	// cal calibrates estimates from the ledger's history (read before the
	// run); first tallies a real run's first-call estimates, to show what
	// a dry run would have said beside what the run cost.
	cal   map[lineage.CalibrationKey]lineage.Calibration
	first route.Tally
}

func newPrinter(s *streams, asJSON, dryRun, quiet bool) *printer {
	return &printer{s: s, json: asJSON, dryRun: dryRun, quiet: quiet, enc: json.NewEncoder(s.Out)}
}

func (p *printer) event(ev pipeline.Event) {
	if p.progress != nil && !p.quiet {
		p.progress.add(ev)
	}
	if !p.json {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.enc.Encode(ev)
}

func (p *printer) document(doc *folio.Document) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tally.Add(doc.Fragments)
	if !p.dryRun {
		firstCalls(&p.first, doc.Fragments)
	}
	p.baselineDocs++
	if b := doc.Cost.BaselineUSDMicros; b != nil {
		p.baseline += *b
	} else {
		p.baselineUnknown++
	}
}

// estimate is the dry run's report.
type estimate struct {
	ByModel  []route.TallyRow `json:"by_model"`
	ByType   []route.TallyRow `json:"by_type"`
	Total    route.TallyRow   `json:"total"`
	Baseline *int64           `json:"baseline_usd_micros"`
	// Range is the cost as P50 and P90, calibrated from the ledger.
	Range costRange `json:"range"`
}

func (p *printer) summary(run folio.Run) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sum := run.Summary
	est, before := p.estimates()
	if p.json {
		_ = p.enc.Encode(struct {
			Type string `json:"type"`
			Run  string `json:"run"`
			folio.Summary
			Estimate       *estimate  `json:"estimate,omitempty"`
			EstimateBefore *costRange `json:"estimate_before,omitempty"`
		}{"summary", run.ID, sum, est, before})
		return
	}
	if p.quiet {
		return
	}
	w := p.s.Out
	if est != nil {
		fmt.Fprintf(w, "dry run: would parse %d documents (%d done already, %d failed to parse); nothing was written; %d pages, %d elements; %.1fs\n",
			sum.OK+sum.Partial, sum.Skipped+sum.Refreshed, sum.Failed, sum.Pages, sum.Elements, sum.Seconds)
		writeEstimate(w, est)
		return
	}
	writeDocuments(w, run)
	writeElementStatus(w, sum.ElementStatus)
	writeCost(w, sum.Cost)
	if before != nil {
		fmt.Fprintf(w, "estimate before the run: %s; the run cost %s\n", rangeText(*before), usd(sum.Cost.USDMicros))
	}
}

// estimates returns a dry run's estimate, or for a real run what a dry
// run would have estimated, shown beside what it cost.
func (p *printer) estimates() (est *estimate, before *costRange) {
	if p.dryRun {
		est = &estimate{ByModel: p.tally.ByModel(), ByType: p.tally.ByType(), Total: p.tally.Total(),
			Range: rangeOf(p.tally.Rows(), p.cal)}
		if p.baselineDocs > 0 && p.baselineUnknown == 0 {
			est.Baseline = &p.baseline
		}
		return est, nil
	}
	if len(p.first.Rows()) > 0 {
		r := rangeOf(p.first.Rows(), p.cal)
		before = &r
	}
	return nil, before
}

// writeDocuments writes the line that counts the run's documents.
func writeDocuments(w io.Writer, run folio.Run) {
	sum := run.Summary
	fmt.Fprintf(w, "documents: %d ok, %d failed, %d skipped", sum.OK, sum.Failed, sum.Skipped)
	if sum.Partial > 0 {
		fmt.Fprintf(w, ", %d partial (written without pages that could not be read)", sum.Partial)
	}
	if sum.Refreshed > 0 {
		fmt.Fprintf(w, ", %d done with outputs refreshed (Markdown written or removed; no parse, no model call)", sum.Refreshed)
	}
	if sum.Deferred > 0 {
		fmt.Fprintf(w, ", %d deferred (budget exhausted or model endpoint unavailable)", sum.Deferred)
	}
	if n := sum.Interrupted + sum.NotStarted; n > 0 {
		fmt.Fprintf(w, ", %d left for the next run (interrupted)", n)
	}
	if sum.Pruned > 0 {
		fmt.Fprintf(w, ", %d pruned", sum.Pruned)
	}
	fmt.Fprintf(w, "; %d pages, %d elements; %.1fs; run %s\n", sum.Pages, sum.Elements, sum.Seconds, run.ID)
}

// writeCost writes the run's model calls and spend against the
// baselines; nothing when it made no model call.
func writeCost(w io.Writer, c folio.Cost) {
	if c.Calls == 0 {
		return
	}
	fmt.Fprintf(w, "model calls: %d (%d from cache, saving %s), cost %s", c.Calls, c.CacheHits, usd(c.SavedUSDMicros), usd(c.USDMicros))
	if c.Unpriced > 0 {
		fmt.Fprintf(w, " + %d calls of unknown price", c.Unpriced)
	}
	if c.BaselineUSDMicros != nil && *c.BaselineUSDMicros > 0 {
		fmt.Fprintf(w, "; %s baseline %s: %s", folio.BaselineKind, usd(*c.BaselineUSDMicros),
			folio.VersusBaseline(c.USDMicros, *c.BaselineUSDMicros, c.Unpriced > 0))
	}
	if c.CheapBaselineUSDMicros != nil && *c.CheapBaselineUSDMicros > 0 {
		fmt.Fprintf(w, "; pages to the cheapest vision model %s: %s", usd(*c.CheapBaselineUSDMicros),
			folio.Versus(c.USDMicros, *c.CheapBaselineUSDMicros, c.Unpriced > 0, "it"))
	}
	fmt.Fprintln(w)
}

// rangeText describes a cost range for people.
func rangeText(r costRange) string {
	s := fmt.Sprintf("P50 %s, P90 %s", usd(r.P50USDMicros), usd(r.P90USDMicros))
	switch {
	case r.Uncalibrated == 0:
		return s + fmt.Sprintf(" (calibrated on %d elements of earlier runs)", r.HistoryElements)
	case r.Calibrated == 0:
		return s + fmt.Sprintf(" (uncalibrated: no history in the ledger; P90 allows each call to cost %gx its estimate)", priorP90)
	}
	return s + fmt.Sprintf(" (%d elements calibrated on %d of earlier runs, %d uncalibrated)", r.Calibrated, r.HistoryElements, r.Uncalibrated)
}

func writeEstimate(w io.Writer, est *estimate) {
	fmt.Fprintln(w, "dry run: no model was called; estimated model calls:")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  model\ttype\tcalls\tinput tokens\toutput tokens\tcost\t")
	row := func(model, typ string, r route.TallyRow) {
		cost := usd(r.USDMicros)
		if r.Unpriced > 0 {
			cost += fmt.Sprintf(" + %d unpriced", r.Unpriced)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%d\t%s\t\n", model, typ, r.Calls, r.InputTokens, r.OutputTokens, cost)
	}
	for _, r := range est.ByModel {
		row(r.Model, "all", r)
	}
	for _, r := range est.ByType {
		row("all", string(r.Type), r)
	}
	row("total", "", est.Total)
	tw.Flush()
	fmt.Fprintf(w, "estimated cost: %s\n", rangeText(est.Range))
	if est.Baseline != nil {
		fmt.Fprintf(w, "modelled baseline (every page as an image to the baseline model): %s\n", usd(*est.Baseline))
	}
}

func usd(micros int64) string { return fmt.Sprintf("$%.6f", float64(micros)/1e6) }
