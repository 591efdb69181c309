package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/folio/folio/route/openai/oaitest"
)

// modelRun is one timed parse of the selected documents.
type modelRun struct {
	// Policy is "local" (no policy file), "vision" (tables and images to a
	// vision model: a crop of the page is drawn for each) or "text" (tables
	// to a model without vision: no image is drawn or sent).
	Policy   string  `json:"policy"`
	LatencyS float64 `json:"latency_s"`
	Seconds  float64 `json:"seconds"`
	// Routed counts the elements the policy sends to the model.
	Routed int `json:"routed"`
	// Calls counts the requests that reached the model server.
	Calls int `json:"calls"`
	// MaxInFlight is the most requests the server held at once.
	MaxInFlight int64 `json:"max_in_flight"`
	// IdealS is Calls × latency / concurrency, Ratio the wall time over it;
	// both 0 without latency.
	IdealS float64 `json:"ideal_s"`
	Ratio  float64 `json:"ratio"`
}

// modelResult is what `benchtool model` prints.
type modelResult struct {
	Docs         int        `json:"docs"`
	Pages        int        `json:"pages"`
	Tables       int        `json:"tables"`
	Images       int        `json:"images"`
	LatencyS     float64    `json:"latency_s"`
	Concurrency  int        `json:"concurrency"`
	Workers      int        `json:"workers"`
	RouteWorkers int        `json:"route_workers"`
	Runs         []modelRun `json:"runs"`
}

// runModel measures model-bound throughput end to end: it parses
// documents with `folio parse` under a policy that routes elements to one
// model on a local OpenAI-compatible test server (oaitest) behind a proxy
// that holds each request for -latency, and compares the wall time with
// the ideal calls × latency / concurrency. The documents are the first of
// the given PDFs whose tables and images add up to -calls, counted from a
// local parse. Two policies: tables and images to a vision model (each
// element gets a crop of its page drawn and sent), and tables alone to a
// model without vision, which shows the routing without the drawing. Each
// also runs at zero latency, and the documents once fully local: what the
// latency adds is the difference.
func runModel(ctx context.Context, args []string, log *slog.Logger) (*modelResult, error) {
	fs := newFlags("model", "-- PDF...")
	folioBin := fs.String("folio", "bin/folio", "folio binary")
	dir := fs.String("dir", "", "scratch folder (required; emptied first)")
	calls := fs.Int("calls", 200, "tables and images to route")
	latency := fs.Duration("latency", 100*time.Millisecond, "latency the model server adds to each request")
	conc := fs.Int("concurrency", 4, "the endpoint's concurrency limit in the policy")
	workers := fs.Int("workers", runtime.NumCPU(), "folio parse --workers")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *dir == "" || fs.NArg() == 0 || *calls < 1 || *conc < 1 {
		fs.Usage()
		return nil, fmt.Errorf("model: need -dir, PDFs, -calls ≥ 1 and -concurrency ≥ 1")
	}
	if err := os.RemoveAll(*dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return nil, err
	}
	// parse runs folio parse and returns its wall time and each document's
	// output JSON by input path.
	parse := func(name string, extra ...string) (float64, map[string]string, error) {
		out := filepath.Join(*dir, name)
		argv := append([]string{*folioBin, "parse", "--json", "--workers", strconv.Itoa(*workers), "-o", out, "--db", out + ".db"}, extra...)
		d, stdout, _, err := timeOnce(ctx, argv, 0)
		if err != nil {
			return 0, nil, err
		}
		if sum := parseSummary(lastJSONObject(stdout)); sum == nil || sum.Failed > 0 {
			return 0, nil, fmt.Errorf("%s: no summary on stdout, or a document failed", name)
		}
		outputs := map[string]string{}
		for _, line := range bytes.Split(stdout, []byte("\n")) {
			var ev struct {
				Type, Path, Rel string
			}
			if json.Unmarshal(line, &ev) == nil && ev.Type == "document" {
				outputs[ev.Path] = filepath.Join(out, filepath.FromSlash(ev.Rel)+".json")
			}
		}
		return d.Seconds(), outputs, nil
	}

	// Pick the documents from a local parse of all candidates.
	_, outputs, err := parse("candidates", fs.Args()...)
	if err != nil {
		return nil, err
	}
	res := &modelResult{LatencyS: latency.Seconds(), Concurrency: *conc, Workers: *workers, RouteWorkers: 4 * *workers}
	elements := 0
	var picked []string
	for _, pdf := range fs.Args() {
		tables, images, pages, err := countRouted(outputs[pdf])
		if err != nil {
			return nil, err
		}
		if tables+images == 0 {
			continue
		}
		picked = append(picked, pdf)
		res.Docs++
		res.Pages += pages
		res.Tables += tables
		res.Images += images
		if elements += tables + images; elements >= *calls {
			break
		}
	}
	if len(picked) == 0 {
		return nil, fmt.Errorf("model: no table or image in the given documents")
	}
	log.Info("model bench documents", "docs", res.Docs, "pages", res.Pages, "tables", res.Tables, "images", res.Images)

	srv, stopServer := startServer()
	defer stopServer()
	var inFlight, maxInFlight, failed atomic.Int64
	var hold atomic.Int64 // the latency in nanoseconds
	// The proxy keeps the request's path, /v1 included.
	target, err := url.Parse(strings.TrimSuffix(srv.URL, "/v1"))
	if err != nil {
		return nil, err
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := maxInFlight.Load(); n > m && !maxInFlight.CompareAndSwap(m, n); m = maxInFlight.Load() {
		}
		if d := time.Duration(hold.Load()); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		proxy.ServeHTTP(sw, r)
		if sw.status >= 300 {
			failed.Add(1)
		}
	}))
	defer front.Close()
	policies := map[string]string{}
	for name, routes := range map[string]string{
		"vision": "table: [vision]\n  image: [vision]",
		"text":   "table: [text]",
	} {
		policies[name] = filepath.Join(*dir, name+".yaml")
		yaml := fmt.Sprintf(`# benchtool model: elements to a model on a local test server.
endpoints:
  bench: {base_url: %q, concurrency: %d}
models:
  vision: {endpoint: bench, model: bench-vision, input_per_mtok: 0, cached_input_per_mtok: 0, output_per_mtok: 0, vision: true}
  text: {endpoint: bench, model: bench-text, input_per_mtok: 0, cached_input_per_mtok: 0, output_per_mtok: 0}
routes:
  %s
retries: 1
timeout: 60s
`, front.URL+"/v1", *conc, routes)
		if err := os.WriteFile(policies[name], []byte(yaml), 0o644); err != nil {
			return nil, err
		}
	}

	for _, r := range []struct {
		policy  string
		latency time.Duration
		routed  int
	}{
		{"local", 0, 0},
		{"vision", 0, res.Tables + res.Images},
		{"vision", *latency, res.Tables + res.Images},
		{"text", 0, res.Tables},
		{"text", *latency, res.Tables},
	} {
		extra := picked
		if r.policy != "local" {
			extra = append([]string{"--config", policies[r.policy]}, picked...)
		}
		hold.Store(int64(r.latency))
		maxInFlight.Store(0)
		before := len(srv.Requests())
		secs, _, err := parse(fmt.Sprintf("run%d", len(res.Runs)), extra...)
		if err != nil {
			return nil, err
		}
		mr := modelRun{Policy: r.policy, LatencyS: r.latency.Seconds(), Seconds: secs, Routed: r.routed,
			Calls: len(srv.Requests()) - before, MaxInFlight: maxInFlight.Load()}
		if n := failed.Load(); n > 0 {
			return nil, fmt.Errorf("model: %d requests to the test server failed", n)
		}
		if r.routed > 0 && mr.Calls == 0 {
			return nil, fmt.Errorf("model: %s policy: no request reached the test server", r.policy)
		}
		if r.latency > 0 {
			mr.IdealS = float64(mr.Calls) * r.latency.Seconds() / float64(*conc)
			mr.Ratio = mr.Seconds / mr.IdealS
		}
		log.Info("model bench run", "policy", mr.Policy, "latency", r.latency, "seconds", mr.Seconds, "calls", mr.Calls, "max_in_flight", mr.MaxInFlight)
		res.Runs = append(res.Runs, mr)
	}
	return res, nil
}

// statusWriter records the status of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// countRouted returns the tables, images and pages of a folio output
// JSON.
func countRouted(path string) (tables, images, pages int, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, 0, err
	}
	var doc struct {
		Pages    []json.RawMessage `json:"pages"`
		Elements []struct {
			Type string `json:"type"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return 0, 0, 0, fmt.Errorf("%s: %w", path, err)
	}
	for _, e := range doc.Elements {
		switch e.Type {
		case "table":
			tables++
		case "image":
			images++
		}
	}
	return tables, images, len(doc.Pages), nil
}

// startServer starts the oaitest server outside a test. oaitest.New wants
// a testing.TB only to register its clean-up, so a TB that collects
// clean-ups stands in; the returned function runs them.
func startServer() (*oaitest.Server, func()) {
	tb := &cleanupTB{}
	srv := oaitest.New(tb)
	return srv, func() {
		for i := len(tb.cleanups) - 1; i >= 0; i-- {
			tb.cleanups[i]()
		}
	}
}

// cleanupTB implements the part of testing.TB a test server may use:
// Cleanup, Helper and reporting, which goes to stderr (Fatalf panics). Any
// other method panics on the nil embedded TB.
type cleanupTB struct {
	testing.TB
	cleanups []func()
}

func (t *cleanupTB) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }
func (t *cleanupTB) Helper()          {}
func (t *cleanupTB) Name() string     { return "benchtool" }
func (t *cleanupTB) Logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "oaitest: "+format+"\n", args...)
}
func (t *cleanupTB) Errorf(format string, args ...any) { t.Logf(format, args...) }
func (t *cleanupTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
