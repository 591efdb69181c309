package main

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/folio/folio"
)

// printer shows a parse run's results on stdout: NDJSON with --json, or a
// closing summary for people. The choice is made once, here.
type printer struct {
	s    *streams
	json bool
	mu   sync.Mutex
	enc  *json.Encoder
}

func newPrinter(s *streams, asJSON bool) *printer {
	return &printer{s: s, json: asJSON, enc: json.NewEncoder(s.Out)}
}

func (p *printer) event(ev folio.Event) {
	if !p.json {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.enc.Encode(ev)
}

func (p *printer) summary(run folio.Run) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sum := run.Summary
	if p.json {
		_ = p.enc.Encode(struct {
			Type string `json:"type"`
			Run  string `json:"run"`
			folio.Summary
		}{"summary", run.ID, sum})
		return
	}
	fmt.Fprintf(p.s.Out, "documents: %d ok, %d failed, %d skipped; %d pages, %d elements; %.1fs; run %s\n",
		sum.OK, sum.Failed, sum.Skipped, sum.Pages, sum.Elements, sum.Seconds, run.ID)
	if sum.Cost.Calls > 0 {
		fmt.Fprintf(p.s.Out, "model calls: %d (%d cached), $%.6f\n", sum.Cost.Calls, sum.Cost.CacheHits, float64(sum.Cost.USDMicros)/1e6)
	}
}
