package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"text/tabwriter"

	"github.com/folio/folio"
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
}

func newPrinter(s *streams, asJSON, dryRun, quiet bool) *printer {
	return &printer{s: s, json: asJSON, dryRun: dryRun, quiet: quiet, enc: json.NewEncoder(s.Out)}
}

func (p *printer) event(ev folio.Event) {
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
}

func (p *printer) summary(run folio.Run) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sum := run.Summary
	var est *estimate
	if p.dryRun {
		est = &estimate{ByModel: p.tally.ByModel(), ByType: p.tally.ByType(), Total: p.tally.Total()}
		if p.baselineDocs > 0 && p.baselineUnknown == 0 {
			est.Baseline = &p.baseline
		}
	}
	if p.json {
		_ = p.enc.Encode(struct {
			Type string `json:"type"`
			Run  string `json:"run"`
			folio.Summary
			Estimate *estimate `json:"estimate,omitempty"`
		}{"summary", run.ID, sum, est})
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
	writeElementStatus(w, sum.ElementStatus)
	if est != nil {
		writeEstimate(w, est)
		return
	}
	if c := sum.Cost; c.Calls > 0 {
		fmt.Fprintf(w, "model calls: %d (%d from cache, saving %s), cost %s", c.Calls, c.CacheHits, usd(c.SavedUSDMicros), usd(c.USDMicros))
		if c.Unpriced > 0 {
			fmt.Fprintf(w, " + %d calls of unknown price", c.Unpriced)
		}
		if c.BaselineUSDMicros != nil && *c.BaselineUSDMicros > 0 {
			fmt.Fprintf(w, "; %s baseline %s: %s", folio.BaselineKind, usd(*c.BaselineUSDMicros),
				folio.VersusBaseline(c.USDMicros, *c.BaselineUSDMicros, c.Unpriced > 0))
		}
		fmt.Fprintln(w)
	}
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
	if est.Baseline != nil {
		fmt.Fprintf(w, "baseline (every page as an image to the baseline model): %s\n", usd(*est.Baseline))
	}
}

func usd(micros int64) string { return fmt.Sprintf("$%.6f", float64(micros)/1e6) }
