package lineage

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/folio/folio"
)

// excerpt is how many characters of an element's text WriteText prints.
const excerpt = 120

// WriteText prints t as a readable chain, one link per line: element,
// fragment and calls, document, run, then the document's elements.
func (t Trace) WriteText(w io.Writer) error {
	p := &printer{w: w}
	if e := t.Element; e != nil {
		p.printf("element   %s  %s", e.ID, e.Type)
		if e.Level > 0 {
			p.printf(" (level %d)", e.Level)
		}
		p.printf("  page %d  box [%.1f %.1f %.1f %.1f]  layer %s", e.Page, e.Box[0], e.Box[1], e.Box[2], e.Box[3], e.Layer)
		if e.Status != "" {
			p.printf("  status %s", e.Status)
		}
		p.printf("  confidence %.2f\n", e.Confidence)
		p.printf("  text    %q\n", cut(e.Text, excerpt))
		if e.Reason != "" {
			p.printf("  reason  %s", e.Reason)
			if e.FellBackFrom != "" {
				p.printf(" (fell back from %s)", e.FellBackFrom)
			}
			p.printf("\n")
		}
		if e.Parent != "" {
			p.printf("  parent  %s\n", e.Parent)
		}
		if e.Caption != "" {
			p.printf("  caption %s\n", e.Caption)
		}
	}
	if f := t.Fragment; f != nil {
		p.printf("fragment  %s  model %s  status %s\n", f.ID, f.Model, f.Status)
		for _, c := range f.Calls {
			p.call(c)
		}
	}
	for _, x := range t.Decisions {
		p.printf("decision  %s  %s by %s  %s", x.Fragment, x.Action, x.Model(), stamp(x.Time))
		if x.Answer != "" {
			p.printf("  answer of %s", x.Answer)
		}
		if x.Note != "" {
			p.printf("  note %q", cut(x.Note, excerpt))
		}
		p.printf("\n")
	}

	d := t.Document
	p.printf("document  %s  %s  sha256 %s  %d pages  status %s", d.ID, d.Path, d.SHA256, d.Pages, d.Status)
	if d.ErrorKind != "" || d.Error != "" {
		p.printf(" (%s): %s", d.ErrorKind, d.Error)
	}
	if !d.Superseded.IsZero() {
		p.printf("  superseded %s by a later recording", stamp(d.Superseded))
	}
	p.printf("\n")
	p.cost(d.Cost)
	if len(d.Outputs) > 0 {
		p.printf("  outputs %s", strings.Join(d.Outputs, ", "))
		if !d.Pruned.IsZero() {
			p.printf(" (pruned %s: its input was gone)", stamp(d.Pruned))
		}
		p.printf("\n")
	}

	r := t.Run
	p.printf("run       %s  started %s", r.ID, stamp(r.Started))
	if !r.Finished.IsZero() {
		p.printf("  finished %s", stamp(r.Finished))
	}
	p.printf("  version %s  config %s\n", r.Version, r.Config)
	p.cost(r.Summary.Cost)

	if t.Element == nil && d.Status != "failed" {
		p.printf("elements  %d\n", len(t.Elements))
		for _, e := range t.Elements {
			p.printf("  %s  %s  page %d", e.ID, e.Type, e.Page)
			if e.Model != "" {
				p.printf("  %s", e.Model)
			}
			if e.Status != "" {
				p.printf("  %s", e.Status)
			}
			p.printf("\n")
		}
	}
	return p.err
}

// printer writes formatted text and keeps the first error.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) call(c folio.Call) {
	p.printf("  call %d", c.Attempt)
	if c.Rule != "" {
		p.printf("  rule %s", c.Rule)
	}
	p.printf("  %s  %s", c.Model, c.Status)
	if c.ErrorClass != "" {
		p.printf(" (%s)", c.ErrorClass)
	}
	if c.Error != "" {
		p.printf(" %q", c.Error)
	}
	if c.Retries > 0 {
		p.printf("  retries %d", c.Retries)
	}
	p.printf("  %d tokens", c.InputTokens+c.OutputTokens)
	if c.InputTokens+c.OutputTokens > 0 {
		p.printf(" (in %d, cached %d, out %d)", c.InputTokens, c.CachedTokens, c.OutputTokens)
	}
	p.printf("  %s  %s", usd(c.USDMicros), latency(c.Latency))
	if c.CacheHit {
		p.printf("  cache hit")
		if c.SavedUSDMicros != nil {
			p.printf(" saved %s", usd(c.SavedUSDMicros))
		}
	}
	if c.Endpoint != "" {
		p.printf("  endpoint %s", c.Endpoint)
	}
	if c.Prompt != "" {
		p.printf("  prompt %s v%d", c.Prompt, c.PromptVersion)
	}
	if c.ImageWidth > 0 {
		p.printf("  image %dx%d", c.ImageWidth, c.ImageHeight)
		if c.ImageDetail != "" {
			p.printf(" %s", c.ImageDetail)
		}
		p.printf(" ~%d tokens", c.EstimatedImageTokens)
	}
	p.printf("\n")
}

// cost prints the cost line of a document or run, if it made model calls
// or has a baseline.
func (p *printer) cost(c folio.Cost) {
	if c.Calls == 0 && c.Unpriced == 0 && c.BaselineUSDMicros == nil {
		return
	}
	p.printf("  cost    %s  calls %d  cache hits %d  tokens in %d out %d", usd(&c.USDMicros), c.Calls, c.CacheHits, c.InputTokens, c.OutputTokens)
	if c.Unpriced > 0 {
		p.printf("  unpriced %d", c.Unpriced)
	}
	if c.CacheHits > 0 || c.SavedUSDMicros != 0 {
		p.printf("  saved by cache %s", usd(&c.SavedUSDMicros))
	}
	if c.BaselineUSDMicros != nil {
		p.printf("  baseline %s", usd(c.BaselineUSDMicros))
	}
	p.printf("\n")
}

// usd formats micro-dollars as dollars; nil is an unknown price.
func usd(micros *int64) string {
	if micros == nil {
		return "$?"
	}
	m := *micros
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	return fmt.Sprintf("%s$%d.%06d", sign, m/1_000_000, m%1_000_000)
}

func latency(d time.Duration) string {
	if d >= time.Millisecond {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Microsecond).String()
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// cut shortens s to at most n characters, marking the cut with "…".
func cut(s string, n int) string {
	if t := truncate(s, n); t != s {
		return t + "…"
	}
	return s
}
