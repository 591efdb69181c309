package config

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/folio/folio/route"
)

// WriteText writes, for `folio routes`, the policy p in effect and the
// file's settings: each endpoint's URL, the name of the variable holding
// its key (never the key) and its limits; each model's prices, "unknown"
// where the file gives none; each element type's chain with its
// conditions; the baseline, the budget, the images kept from models as
// decoration, and p's hash. A nil File stands for
// no policy file: Folio fully local.
func (f *File) WriteText(w io.Writer, p route.Policy) error {
	if f == nil {
		f = &File{Path: "none (fully local)"}
	}
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "policy\t%s\n", f.Path)
	fmt.Fprintf(tw, "hash\t%s\n", p.Hash())
	f.writeEndpoints(tw)
	f.writeModels(tw)
	f.writeRoutes(tw, p)
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "baseline\t%s\n", f.baseline())
	fmt.Fprintf(tw, "budget\t%s\n", f.budget())
	fmt.Fprintf(tw, "decorative\t%s\n", decorative(p.Decorative))
	fmt.Fprintf(tw, "retries\t%s\n", orDefault(f.Retries != nil, func() string { return strconv.Itoa(*f.Retries) }))
	fmt.Fprintf(tw, "timeout\t%s\n", orDefault(f.Timeout > 0, f.Timeout.String))
	fmt.Fprintf(tw, "on_unavailable\t%s\n", cmpOr(f.OnUnavailable, OnUnavailableDefer))
	if err := tw.Flush(); err != nil {
		return err
	}
	// Cells padded for columns a line leaves empty trail white space.
	var out bytes.Buffer
	for line := range bytes.Lines(buf.Bytes()) {
		out.Write(bytes.TrimRight(line, " \n"))
		out.WriteByte('\n')
	}
	_, err := w.Write(out.Bytes())
	return err
}

func (f *File) writeEndpoints(w io.Writer) {
	if len(f.Endpoints) == 0 {
		return
	}
	fmt.Fprintln(w, "\nendpoints")
	fmt.Fprintln(w, "  name\tbase URL\tkey\tconcurrency\trpm\ttpm")
	for _, name := range sortedKeys(f.Endpoints) {
		e := f.Endpoints[name]
		key := "none"
		if e.APIKeyEnv != "" {
			key = "$" + e.APIKeyEnv
		}
		var extra []string
		if e.APIVersion != "" {
			extra = append(extra, "api-version "+e.APIVersion)
		}
		if len(e.Headers) > 0 {
			extra = append(extra, "headers "+strings.Join(sortedKeys(e.Headers), ", "))
		}
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", name, e.BaseURL, key,
			limit(e.Concurrency), limit(e.RPM), limit(e.TPM), strings.Join(extra, "; "))
	}
}

func (f *File) writeModels(w io.Writer) {
	if len(f.Models) == 0 {
		return
	}
	fmt.Fprintln(w, "\nmodels (USD per million tokens)")
	fmt.Fprintln(w, "  alias\tendpoint\tmodel\tinput\tcached\toutput\tvision\timage tokens\tmin image dpi\tmax output")
	for _, alias := range sortedKeys(f.Models) {
		m := f.Models[alias]
		dpi := "-"
		if m.MinImageDPI > 0 {
			dpi = strconv.FormatFloat(m.MinImageDPI, 'g', -1, 64)
		}
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", alias, m.Endpoint, m.Model,
			usd(m.InputPerMTok), usd(m.CachedInputPerMTok), usd(m.OutputPerMTok), yesNo(m.Vision),
			cmpOr(m.ImageTokens, "by model"), dpi, limit(m.MaxOutputTokens))
	}
}

func (f *File) writeRoutes(w io.Writer, p route.Policy) {
	fmt.Fprintln(w, "\nroutes (cheapest first, then escalations)")
	def := route.DefaultPolicy()
	for _, t := range sortedKeys(p.Routes) {
		chain := p.Routes[t]
		links := make([]string, len(chain))
		for i, l := range chain {
			links[i] = l.Specialist + rule(l.When)
		}
		note := ""
		if _, set := f.Routes[t]; !set && slices.Equal(chain, def.Routes[t]) {
			note = "  (default)"
		}
		fmt.Fprintf(w, "  %s\t%s%s\n", t, cmpOr(strings.Join(links, " → "), "none"), note)
	}
}

func (f *File) baseline() string {
	m, ok := f.Models[f.Baseline]
	if !ok {
		return "none"
	}
	return fmt.Sprintf("%s (%s on %s)", f.Baseline, m.Model, m.Endpoint)
}

func (f *File) budget() string {
	b := f.Budget
	if b.MaxUSD == nil && len(b.PerTag) == 0 {
		return "no limit"
	}
	var caps []string
	if b.MaxUSD != nil {
		caps = append(caps, usd(b.MaxUSD))
	}
	for _, tag := range sortedKeys(b.PerTag) {
		x := b.PerTag[tag]
		caps = append(caps, usd(&x)+" for "+tag)
	}
	per := ""
	if b.Period != "" {
		per = " a " + b.Period
	}
	return fmt.Sprintf("%s%s, then %s", strings.Join(caps, ", "), per, cmpOr(b.OnExhausted, OnExhaustedDegrade))
}

// decorative renders which images never go to a model.
func decorative(d route.Decorative) string {
	if d.Send {
		return "sent like other images"
	}
	d = withDefaults(d)
	area, aspect, pages := d.MinArea, d.MaxAspect, d.RepeatedPages
	return fmt.Sprintf("images under %s pt², longer than %s:1, or on %d+ pages and half the document's stay local",
		strconv.FormatFloat(area, 'g', -1, 64), strconv.FormatFloat(aspect, 'g', -1, 64), pages)
}

// rule renders a link's conditions: " [min_cells 20, max_confidence 0.5]".
func rule(r route.Rule) string {
	var c []string
	if r.MinCells != 0 {
		c = append(c, fmt.Sprintf("min_cells %d", r.MinCells))
	}
	if r.MaxConfidence != 0 {
		c = append(c, "max_confidence "+strconv.FormatFloat(r.MaxConfidence, 'g', -1, 64))
	}
	if r.MinConfidence != 0 {
		c = append(c, "min_confidence "+strconv.FormatFloat(r.MinConfidence, 'g', -1, 64))
	}
	if r.MinArea != 0 {
		c = append(c, "min_area "+strconv.FormatFloat(r.MinArea, 'g', -1, 64))
	}
	if r.NeedsNoTextLayer {
		c = append(c, "needs_no_text_layer")
	}
	if r.MaxOCRConfidence != 0 {
		c = append(c, "max_ocr_confidence "+strconv.FormatFloat(r.MaxOCRConfidence, 'g', -1, 64))
	}
	if len(c) == 0 {
		return ""
	}
	return " [" + strings.Join(c, ", ") + "]"
}

// usd renders dollars with at least two decimals, "unknown" for nil.
func usd(x *float64) string {
	if x == nil {
		return "unknown"
	}
	s := strconv.FormatFloat(*x, 'f', -1, 64)
	switch i := strings.IndexByte(s, '.'); {
	case i < 0:
		s += ".00"
	case len(s)-i == 2:
		s += "0"
	}
	return "$" + s
}

// limit renders a count where zero means no limit or the default.
func limit(n int) string {
	if n == 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDefault(set bool, s func() string) string {
	if !set {
		return "default"
	}
	return s()
}

func cmpOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
