package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Result names (file names without .json) that scripts/bench.sh writes
// and writeSection reads.
const (
	resFolio1      = "folio-1"
	resFolioAll    = "folio-all"
	resPdftotext1  = "pdftotext-1"
	resPdftotextN  = "pdftotext-all"
	resPyMuPDF1    = "pymupdf-1"
	resPyMuPDFAll  = "pymupdf-all"
	resVersion     = "version"
	resOnePage     = "onepage"
	resLineageSkip = "lineage"
	resModel       = "model"
	resRSS         = "rss"
)

// writeSection writes the Markdown of the benchmark section (without its
// markers).
func writeSection(w io.Writer, in *reportInput) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("## Throughput, memory and start-up (`make bench`)\n\n")
	p("Written by `%s` on %s (scripts/bench.sh with helpers in internal/benchtool; do not\n",
		in.Command, in.Date.Format("2006-01-02 15:04 MST"))
	p("edit between the bench markers by hand).  \n")
	if in.Settings != "" {
		p("Settings: `%s`.  \n", in.Settings)
	}
	p("Machine: %s.  \n", in.Machine)
	if len(in.Versions) > 0 {
		p("Versions: %s.\n", strings.Join(in.Versions, "; "))
	}
	if in.Note != "" {
		p("\n%s\n", in.Note)
	}

	writeThroughput(w, in)
	writeFloor(w, in)
	writeModel(w, in)
	writeLedger(w, in)
	writeRSS(w, in)
	writeStartup(w, in)
}

func writeThroughput(w io.Writer, in *reportInput) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("\n### End to end on the mix\n\n")
	f1, fN := in.Timings[resFolio1], in.Timings[resFolioAll]
	if f1 == nil || fN == nil {
		p("Not measured: %s.\n", in.skip(resFolio1, "no result"))
		return
	}
	sum := parseSummary(f1.Last)
	if sum == nil {
		p("Not measured: folio printed no summary.\n")
		return
	}
	p("`folio parse --json --workers N` with local routes and the default configuration, a fresh\n")
	p("output folder and `--db` each run, warm engine cache; against it, on the same files,\n")
	p("`pdftotext FILE OUT` (poppler-utils) and PyMuPDF (`page.get_text()` on every page,\n")
	p("scripts/bench_pymupdf.py), one process at a time (`xargs -P 1`, one Python process) or\n")
	p("%d at once (`xargs -P %d`, %d Python processes). The mix is scripts/bench-mix.txt:\n", in.Cores, in.Cores, in.Cores)
	p("%d files, %d pages, %d elements as folio finds them (%d ok, %d failed). Most pages are in\n",
		in.Mix.Files, sum.Pages, sum.Elements, sum.OK, sum.Failed)
	p("its first file; of the tools here only folio splits a document across processes (its pages\n")
	p("in chunks across its parse workers), so that file's time caps the others' speed-up.\n")
	p("%s; \"folio ÷ tool\" divides folio's wall time by the tool's at the same\n", runs(f1.Runs))
	p("number of processes.\n\n")
	p("| command | processes | wall s | pages/s | elements/s | folio ÷ tool |\n|---|---|---|---|---|---|\n")
	row := func(name string, procs int, t, folio *timeResult) {
		if t == nil {
			return
		}
		ratio := "—"
		if folio != nil && folio != t {
			ratio = fmt.Sprintf("%.1f×", folio.Median/t.Median)
		}
		els := "—"
		if folio == t {
			els = fmt.Sprintf("%.0f", float64(sum.Elements)/t.Median)
		}
		p("| %s | %d | %.2f | %.0f | %s | %s |\n", name, procs, t.Median, float64(sum.Pages)/t.Median, els, ratio)
	}
	row("`folio parse --workers 1`", 1, f1, f1)
	row(fmt.Sprintf("`folio parse --workers %d`", in.Cores), in.Cores, fN, fN)
	row("pdftotext", 1, in.Timings[resPdftotext1], f1)
	row("pdftotext", in.Cores, in.Timings[resPdftotextN], fN)
	row("PyMuPDF", 1, in.Timings[resPyMuPDF1], f1)
	row("PyMuPDF", in.Cores, in.Timings[resPyMuPDFAll], fN)
	p("\n")
	var speedups []string
	for _, pair := range [][3]string{{"folio", resFolio1, resFolioAll}, {"pdftotext", resPdftotext1, resPdftotextN}, {"PyMuPDF", resPyMuPDF1, resPyMuPDFAll}} {
		a, b := in.Timings[pair[1]], in.Timings[pair[2]]
		if a != nil && b != nil {
			speedups = append(speedups, fmt.Sprintf("%s %.2f×", pair[0], a.Median/b.Median))
		}
	}
	p("Speed-up from 1 to %d processes: %s. ", in.Cores, strings.Join(speedups, ", "))
	p("Peak RSS of folio: %.0f MiB with `--workers 1`, %.0f MiB with `--workers %d`.\n",
		float64(f1.MaxRSSKB)/1024, float64(fN.MaxRSSKB)/1024, in.Cores)
	for _, name := range []string{resPdftotext1, resPyMuPDF1} {
		if in.Timings[name] == nil {
			p("%s: not measured: %s.\n", name, in.skip(name, "no result"))
		}
	}
}

// writeFloor sets what PDFium-wasm alone costs beside pdftotext and folio,
// each on one core: no work of Folio's takes it below the engine's floor.
func writeFloor(w io.Writer, in *reportInput) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	load, engine := in.EngineBench["BenchmarkMix/load"], in.EngineBench["BenchmarkMix/parse"]
	txt, f1 := in.Timings[resPdftotext1], in.Timings[resFolio1]
	if load == nil || engine == nil || txt == nil || f1 == nil {
		return
	}
	sum := parseSummary(f1.Last)
	if sum == nil {
		return
	}
	pages := float64(sum.Pages)
	ref := pages / txt.Median
	p("\n### The engine's floor, one core (`go test ./parse -bench BenchmarkMix`)\n\n")
	p("The same mix, one document after another on one PDFium-wasm instance in the benchmark's\n")
	p("process, as a worker runs it. *load* calls only what any text extraction with PDFium needs,\n")
	p("`FPDF_LoadPage` (the content stream) and `FPDFText_LoadPage` (PDFium's characters) on every\n")
	p("page, and reads nothing; *engine* is all that Folio's parser reads of a page (characters,\n")
	p("boxes, styles, page objects), without images, segmentation or output.\n\n")
	p("| on one core | pages/s | ÷ pdftotext |\n|---|---|---|\n")
	p("| pdftotext, one process | %.0f | 1.00 |\n", ref)
	p("| PDFium-wasm, page and text-page loads only (BenchmarkMix/load) | %.0f | %.2f |\n", load["pages/s"], load["pages/s"]/ref)
	p("| Folio's engine (BenchmarkMix/parse) | %.0f | %.2f |\n", engine["pages/s"], engine["pages/s"]/ref)
	p("| `folio parse --workers 1`, end to end (the parent segments and writes on the other core) | %.0f | %.2f |\n",
		pages/f1.Median, pages/f1.Median/ref)
}

func writeModel(w io.Writer, in *reportInput) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("\n### Model-bound throughput (`benchtool model`)\n\n")
	m := in.Model
	if m == nil || len(m.Runs) == 0 {
		p("Not measured: %s.\n", in.skip(resModel, "no result"))
		return
	}
	p("%d tables and %d images in %d documents (%d pages: the first of icdar2013, docling-pdf,\n", m.Tables, m.Images, m.Docs, m.Pages)
	p("tabula-java and camelot-lattice that have any), parsed by `folio parse --workers %d` (route\n", m.Workers)
	p("pool %d) with a policy that routes them to a model on route/openai/oaitest behind a proxy\n", m.RouteWorkers)
	p("that holds each request for the latency; the endpoint's concurrency is %d. *vision*: tables\n", m.Concurrency)
	p("and images to a vision model, which draws a crop of the page for each; *text*: tables alone\n")
	p("to a model without vision (no drawing). Fresh output and ledger each run, so no answer comes\n")
	p("from the response cache. Ideal = calls × latency ÷ concurrency.\n\n")
	p("| policy | latency | routed | model calls | most in flight | wall s | ideal s | wall ÷ ideal | latency's cost ÷ ideal |\n")
	p("|---|---|---|---|---|---|---|---|---|\n")
	zero := map[string]float64{} // wall time at zero latency by policy
	for _, r := range m.Runs {
		if r.LatencyS == 0 {
			zero[r.Policy] = r.Seconds
		}
		ideal, ratio, cost := "—", "—", "—"
		if r.IdealS > 0 {
			ideal, ratio = fmt.Sprintf("%.2f", r.IdealS), fmt.Sprintf("**%.2f**", r.Ratio)
			if z, ok := zero[r.Policy]; ok {
				cost = fmt.Sprintf("%.2f", (r.Seconds-z)/r.IdealS)
			}
		}
		p("| %s | %.0f ms | %d | %d | %d | %.2f | %s | %s | %s |\n", r.Policy, r.LatencyS*1000, r.Routed, r.Calls, r.MaxInFlight, r.Seconds, ideal, ratio, cost)
	}
	p("\n\"Latency's cost\" is the wall time the latency added to the same policy's run at zero\n")
	p("latency, over the ideal: below 1, the calls overlapped with parsing and drawing.\n")
}

func writeLedger(w io.Writer, in *reportInput) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("\n### Ledger and response cache (`go test ./lineage -run '^$' -bench 'RecordDocument|CacheGet' -benchmem`)\n\n")
	rows := []struct{ name, what, unit, label string }{
		{"BenchmarkRecordDocument", "RecordDocument: documents of 100 elements, one call each, one transaction per document", "calls/s", "call rows/s"},
		{"BenchmarkCacheGet/hit", "CacheGet hit, 10,000 entries of 2 KiB, one goroutine", "lookups/s", "lookups/s"},
		{"BenchmarkCacheGet/hit-parallel", "CacheGet hit, GOMAXPROCS goroutines", "lookups/s", "lookups/s"},
		{"BenchmarkCacheGet/miss", "CacheGet miss, one goroutine", "lookups/s", "lookups/s"},
	}
	var lines []string
	for _, r := range rows {
		m := in.GoBench[r.name]
		if m == nil {
			continue
		}
		lines = append(lines, fmt.Sprintf("| %s | %.0f %s | %.1f µs | %.0f |", r.what, m[r.unit], r.label, m["ns/op"]/1000, m["allocs/op"]))
	}
	if len(lines) == 0 {
		p("Not measured: %s.\n", in.skip(resLineageSkip, "no lineage benchmark in "+in.GoFile))
		return
	}
	p("| benchmark | rate | time/op | allocs/op |\n|---|---|---|---|\n%s\n", strings.Join(lines, "\n"))
	if filepath.Base(in.GoFile) == "go.txt" {
		p("\nFrom %s, which holds every Go benchmark of the module (`go test -run '^$' -bench .\n", in.GoFile)
		p("-benchmem ./...`, the median where `-count` repeats one) in the format benchstat compares.\n")
	} else {
		p("\nFrom %s.\n", in.GoFile)
	}
}

func writeRSS(w io.Writer, in *reportInput) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	r := in.RSS
	if r == nil {
		p("\n### Memory over a long run (`benchtool rss`)\n\nNot measured: %s.\n", in.skip(resRSS, "no result"))
		return
	}
	p("\n### Memory over a %d-page run (`benchtool rss`)\n\n", r.Pages)
	copies := "copies"
	if in.Copies != nil {
		copies = fmt.Sprintf("%d copies", in.Copies.Copies)
	}
	p("`folio parse --json` (all cores) over %s of the mix under copy01/, copy02/, …, each file\n", copies)
	p("salted with a comment after its end (other bytes under another path: each is parsed). %d documents\n", r.Docs)
	p("(%d failed), %d pages, %d elements in %.0f s (%.0f pages/s). RSS is VmRSS summed over the\n", r.Failed, r.Pages, r.Elements, r.Seconds, float64(r.Pages)/r.Seconds)
	p("folio process and every process under it, sampled every %.1f s (%d samples) and when a\n", r.Interval, r.Samples)
	p("document event takes the pages done past each thousand. PSS (proportional set size)\n")
	p("counts the pages the processes share, the executable's above all, once: it is the memory\n")
	p("the run takes from the machine.\n\n")
	p("Peak of the tree: **%.0f MiB PSS**, %.0f MiB summed RSS (sampled, at %d pages); the kernel's\n",
		float64(r.PeakPSSKB)/1024, float64(r.PeakKB)/1024, r.PeakPages)
	p("peak RSS of the folio process itself (ru_maxrss): %.0f MiB.\n", float64(r.MaxRSSKB)/1024)
	if in.Copies != nil && in.Copies.Pages != r.Pages {
		p("The copies hold %d pages by the mix's count, but the run did %d.\n", in.Copies.Pages, r.Pages)
	}
	p("\n")
	p("| pages done | seconds | PSS MiB then | peak PSS MiB since the previous row | summed RSS MiB then | peak RSS MiB since | processes |\n|---|---|---|---|---|---|---|\n")
	for _, m := range r.Marks {
		p("| %d | %.0f | %.0f | %.0f | %.0f | %.0f | %d |\n", m.Pages, m.Seconds, float64(m.PSSKB)/1024, float64(m.PeakPSSKB)/1024,
			float64(m.RSSKB)/1024, float64(m.PeakKB)/1024, m.Procs)
	}
}

func writeStartup(w io.Writer, in *reportInput) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("\n### Start-up\n\n")
	v, o := in.Timings[resVersion], in.Timings[resOnePage]
	if v == nil && o == nil {
		p("Not measured: %s.\n", in.skip(resVersion, "no result"))
		return
	}
	p("| command | runs | median ms | min ms | max ms |\n|---|---|---|---|---|\n")
	if v != nil {
		p("| `folio version` | %d | %.1f | %.1f | %.1f |\n", v.Runs, 1000*v.Median, 1000*v.Min, 1000*v.Max)
	}
	if o != nil {
		file := "a one-page PDF"
		if len(o.Cmd) > 0 {
			file = "`" + lastPathElements(o.Cmd[len(o.Cmd)-1], 2) + "`"
		}
		p("| `folio parse` of %s, warm engine cache, fresh output | %d | %.1f | %.1f | %.1f |\n", file, o.Runs, 1000*o.Median, 1000*o.Min, 1000*o.Max)
	}
}

// runs says how the wall time of n runs was summarised.
func runs(n int) string {
	if n == 1 {
		return "Wall time is from one run"
	}
	return fmt.Sprintf("Wall time is the median of %d runs", n)
}

// skip returns why measurement name is missing, or def.
func (in *reportInput) skip(name, def string) string {
	if s := in.Skips[name]; s != "" {
		return s
	}
	return def
}

// lastPathElements returns the last n elements of a slash path.
func lastPathElements(p string, n int) string {
	parts := strings.Split(p, "/")
	if len(parts) > n {
		parts = parts[len(parts)-n:]
	}
	return strings.Join(parts, "/")
}
