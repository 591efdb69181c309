package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/route/openai/oaitest"
	"github.com/google/go-cmp/cmp"
)

// fakeKey is recognisable so that the test can look for it in every byte
// Folio writes.
const fakeKey = "sk-folio-test-0123456789-RECOGNISABLE"

// writePolicy writes a policy whose models live on srv: tables go to small
// then large, images to small; everything else stays local.
func writePolicy(t *testing.T, srv *oaitest.Server, extra string) string {
	t.Helper()
	return writePolicyAt(t, srv.URL, extra)
}

// writePolicyAt writes writePolicy's policy with its endpoint at url.
func writePolicyAt(t *testing.T, url, extra string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "folio.yaml")
	yaml := fmt.Sprintf(`endpoints:
  test: {base_url: %q, api_key_env: FOLIO_TEST_KEY, concurrency: 4}
models:
  small: {endpoint: test, model: gpt-4.1-mini, input_per_mtok: 0.40, cached_input_per_mtok: 0.10, output_per_mtok: 1.60, vision: true, image_tokens: patches32}
  large: {endpoint: test, model: gpt-4.1, input_per_mtok: 2.00, cached_input_per_mtok: 0.50, output_per_mtok: 8.00, vision: true}
routes:
  table: [small, large]
  image: [small]
baseline: large
%s`, url, extra)
	if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runWithKey runs folio with the fake key in its environment.
func runWithKey(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	t.Setenv("FOLIO_TEST_KEY", fakeKey)
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1") // must be ignored
	t.Setenv("OPENAI_API_KEY", "sk-wrong-key-from-env")  // must be ignored
	return runFolio(t, args...)
}

type traceCall struct {
	Attempt        int    `json:"attempt"`
	Rule           string `json:"rule"`
	Model          string `json:"model"`
	Endpoint       string `json:"endpoint"`
	InputTokens    int64  `json:"input_tokens"`
	CachedTokens   int64  `json:"cached_tokens"`
	OutputTokens   int64  `json:"output_tokens"`
	USDMicros      *int64 `json:"usd_micros"`
	CacheHit       bool   `json:"cache_hit"`
	Status         string `json:"status"`
	ErrorClass     string `json:"error_class"`
	Retries        int    `json:"retries"`
	SavedUSDMicros *int64 `json:"saved_usd_micros"`
}

// elementCalls traces every element of a document and returns its calls by
// element type.
func elementCalls(t *testing.T, out, jsonPath string) map[string][][]traceCall {
	t.Helper()
	d := readDoc(t, jsonPath)
	res := map[string][][]traceCall{}
	for _, e := range d.Elements {
		stdout, stderr, code := runFolio(t, "trace", "-o", out, "--json", e.ID)
		if code != 0 {
			t.Fatalf("trace %s: exit %d: %s", e.ID, code, stderr)
		}
		var traces []struct {
			Fragment *struct {
				Calls []traceCall `json:"calls"`
			} `json:"fragment"`
		}
		if err := json.Unmarshal([]byte(stdout), &traces); err != nil {
			t.Fatalf("trace json: %v\n%s", err, stdout)
		}
		if len(traces) != 1 || traces[0].Fragment == nil {
			t.Fatalf("trace %s: want one trace with a fragment: %s", e.ID, stdout)
		}
		res[e.Type] = append(res[e.Type], traces[0].Fragment.Calls)
	}
	return res
}

// price is the exact micro-dollar arithmetic of the policy's prices (per
// million tokens), rounded half up.
func price(model string, in, cached, out int64) int64 {
	p := map[string][3]int64{"openai/gpt-4.1-mini": {400000, 100000, 1600000}, "openai/gpt-4.1": {2000000, 500000, 8000000}}[model]
	return ((in-cached)*p[0] + cached*p[1] + out*p[2] + 500000) / 1000000
}

func TestRoutingTablesAndImagesGoToModels(t *testing.T) {
	srv := oaitest.New(t)
	srv.RequireKey(fakeKey)
	// One worker each way makes the order of requests to small fixed: the
	// samples' files in name order, elements in reading order. The first
	// table's call waits out a 429; the four images answer; the last
	// document's first table gets 500 until its one retry is spent and
	// falls through to large; its second table gets an off-schema answer
	// and escalates too.
	ok := oaitest.Step{}
	srv.Script("gpt-4.1-mini",
		oaitest.Step{Status: 429, RetryAfter: "1"}, ok,
		ok, ok, ok, ok,
		oaitest.Step{Status: 500}, oaitest.Step{Status: 500},
		oaitest.Step{Content: `{"unexpected": true}`},
	)
	policy := writePolicy(t, srv, "retries: 1\n")
	out := t.TempDir()
	stdout, stderr, code := runWithKey(t, "parse", "../../testdata/samples", "-o", out, "--config", policy,
		"--workers", "1", "--route-workers", "1", "--tag", "team=finance")
	if code != 0 {
		t.Fatalf("parse exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "model calls:") {
		t.Errorf("summary does not report model calls: %s", stdout)
	}
	// The saving in one phrasing, against the modelled baseline (large)
	// and against pages sent to the cheapest vision model (small).
	for _, want := range []string{"modelled baseline $", "below the modelled baseline", "pages to the cheapest vision model $", "below it"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q: %s", want, stdout)
		}
	}
	first := len(srv.Requests())
	if first == 0 {
		t.Fatal("no request reached the model server")
	}

	var waited429, fellThrough, escalatedSchema int
	var modelCalls int
	for _, base := range []string{"twotables_2.pdf", "2305.03393v1-pg9.pdf", "picture_classification.pdf", "amt_handbook_sample.pdf"} {
		calls := elementCalls(t, out, filepath.Join(out, base+".json"))
		for typ, perElement := range calls {
			for _, cs := range perElement {
				for i, c := range cs {
					local := strings.HasPrefix(c.Model, "local/")
					if (typ == "table" || typ == "image") == local {
						t.Errorf("%s: %s element called %s; tables and images go to models, the rest stays local", base, typ, c.Model)
					}
					if local {
						continue
					}
					modelCalls++
					if c.USDMicros == nil {
						t.Errorf("%s: call without a price: %+v", base, c)
					} else if want := price(c.Model, c.InputTokens, c.CachedTokens, c.OutputTokens); *c.USDMicros != want {
						t.Errorf("%s: call %+v costs %d µ$, want usage × prices = %d", base, c, *c.USDMicros, want)
					}
					if c.Retries > 0 && c.Status == "ok" {
						waited429++
					}
					if c.ErrorClass == "transient" && i+1 < len(cs) && cs[i+1].Model == "openai/gpt-4.1" {
						fellThrough++
					}
					if c.ErrorClass == "schema" && i+1 < len(cs) {
						escalatedSchema++
					}
				}
			}
		}
	}
	if waited429 == 0 || fellThrough == 0 || escalatedSchema == 0 {
		t.Errorf("trace shows %d calls that waited out a 429, %d that fell through after 500s, %d off-schema escalations; want each ≥ 1",
			waited429, fellThrough, escalatedSchema)
	}
	if modelCalls == 0 {
		t.Fatal("no model call in any trace")
	}

	for _, by := range []string{"model", "type", "tag"} {
		stdout, stderr, code := runFolio(t, "cost", "-o", out, "--by", by)
		if code != 0 {
			t.Fatalf("cost --by %s: exit %d: %s", by, code, stderr)
		}
		want := map[string]string{"model": "gpt-4.1-mini", "type": "table", "tag": "team=finance"}[by]
		if !strings.Contains(stdout, want) || !strings.Contains(stdout, "baseline") {
			t.Errorf("cost --by %s lacks %q or the baseline:\n%s", by, want, stdout)
		}
	}

	// A second run over unchanged inputs makes no model call.
	if _, stderr, code := runWithKey(t, "parse", "../../testdata/samples", "-o", out, "--config", policy); code != 0 {
		t.Fatalf("second run: exit %d: %s", code, stderr)
	}
	if n := len(srv.Requests()); n != first {
		t.Errorf("second run sent %d requests, want 0", n-first)
	}
	// A forced run pays for nothing twice: every answer, the rejected
	// off-schema one included, comes from the response cache; only the
	// attempt that got no answer (the 500s) is asked again.
	stdout, stderr, code = runWithKey(t, "parse", "../../testdata/samples", "-o", out, "--config", policy, "--force")
	if code != 0 {
		t.Fatalf("forced run: exit %d: %s", code, stderr)
	}
	if n := len(srv.Requests()); n != first+1 {
		t.Errorf("forced run sent %d requests, want 1 (the unanswered attempt)", n-first)
	}
	if !strings.Contains(stdout, "from cache") {
		t.Errorf("forced run summary does not mention cache hits: %s", stdout)
	}

	// The key never lands in anything Folio wrote.
	assertNoKey(t, out)
}

func TestRoutingDryRunMakesNoCall(t *testing.T) {
	srv := oaitest.New(t)
	policy := writePolicy(t, srv, "")
	out := t.TempDir()
	stdout, stderr, code := runWithKey(t, "parse", "../../testdata/samples", "-o", out, "--config", policy, "--dry-run")
	if code != 0 {
		t.Fatalf("dry run exit %d: %s", code, stderr)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("dry run sent %d requests, want 0", n)
	}
	for _, want := range []string{"dry run", "gpt-4.1-mini", "table", "image", "baseline"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dry-run report lacks %q:\n%s", want, stdout)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(out, "*.json")); len(files) != 0 {
		t.Errorf("dry run wrote outputs: %v", files)
	}
}

// A dry run writes nothing: no output folder, no lock, no ledger, no run
// row; it says what it would parse and warns about what the real run would
// stop on (an unset key variable). Over a finished OUT, it reads the ledger
// to skip what is done, and leaves every file as it was.
func TestDryRunWritesNothing(t *testing.T) {
	srv := oaitest.New(t)
	policy := writePolicy(t, srv, "")
	out := filepath.Join(t.TempDir(), "out")
	stdout, stderr, code := runFolio(t, "parse", "../../testdata/samples", "-o", out, "--config", policy, "--dry-run")
	if code != 0 {
		t.Fatalf("dry run without the key: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("dry run created %s (%v): %v", out, err, listFiles(t, filepath.Dir(out)))
	}
	if !strings.Contains(stdout, "would parse 4 documents") || !strings.Contains(stderr, "FOLIO_TEST_KEY") ||
		!strings.Contains(stderr, "exit 78") {
		t.Errorf("dry run does not say what it would parse or warn about the unset key:\nstdout: %s\nstderr: %s", stdout, stderr)
	}

	if _, stderr, code := runWithKey(t, "parse", "../../testdata/samples", "-o", out, "--config", policy); code != 0 {
		t.Fatalf("real run: exit %d: %s", code, stderr)
	}
	before := snapshot(t, out)
	stdout, stderr, code = runWithKey(t, "parse", "../../testdata/samples", "-o", out, "--config", policy, "--dry-run")
	if code != 0 {
		t.Fatalf("dry run over a finished OUT: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "would parse 0 documents (4 done already") {
		t.Errorf("dry run over a finished OUT:\n%s", stdout)
	}
	if diff := cmp.Diff(before, snapshot(t, out)); diff != "" {
		t.Errorf("dry run changed OUT (-before +after):\n%s", diff)
	}
}

// snapshot returns every file under dir with its size and modification
// time.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		m[p] = fmt.Sprint(info.Size(), " ", info.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRoutingBudget(t *testing.T) {
	srv := oaitest.New(t)
	out := t.TempDir()
	// A budget of one micro-dollar cannot pay for any call.
	policy := writePolicy(t, srv, "budget: {max_usd: 5, on_exhausted: fail}\n")
	_, stderr, code := runWithKey(t, "parse", "../../testdata/samples", "-o", out, "--config", policy, "--max-cost", "0.000001")
	if code != 75 {
		t.Errorf("budget exhausted with on_exhausted fail: exit %d, want 75\n%s", code, stderr)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent past the budget", n)
	}
	// With degrade, the run finishes and nothing is paid beyond the cap.
	policy = writePolicy(t, srv, "budget: {max_usd: 0.002, on_exhausted: degrade}\n")
	stdout, stderr, code := runWithKey(t, "parse", "../../testdata/samples", "-o", t.TempDir(), "--config", policy, "--json")
	if code != 0 {
		t.Fatalf("degrade: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	var sum struct {
		Cost struct {
			USDMicros int64 `json:"usd_micros"`
		} `json:"cost"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil {
		t.Fatal(err)
	}
	// One call's estimate of slack; the samples' calls cost well under $0.01.
	if sum.Cost.USDMicros > 2000+10000 {
		t.Errorf("spent %d µ$ with a 2000 µ$ budget", sum.Cost.USDMicros)
	}
}

// With the model endpoint down, documents that need it are deferred, not
// done with degraded tables and images: exit 75, no output, no ledger row;
// the next run, with the endpoint back, does them and skips the rest.
// on_unavailable: degrade keeps the old way.
func TestRoutingEndpointDownDefers(t *testing.T) {
	out := t.TempDir()
	down := writePolicyAt(t, "http://127.0.0.1:1/v1", "retries: 0\n") // nothing listens on port 1
	stdout, stderr, code := runWithKey(t, "parse", "../../testdata/samples", "-o", out, "--config", down, "--json")
	if code != 75 {
		t.Fatalf("endpoint down: exit %d, want 75\n%s", code, stderr)
	}
	first := documentEvents(t, stdout)
	deferred := 0
	for rel, ev := range first {
		_, err := os.Stat(filepath.Join(out, rel+".json"))
		switch ev.Status {
		case "deferred":
			deferred++
			if ev.Reason != "deferred" || !strings.Contains(ev.Error, "model endpoint unavailable") {
				t.Errorf("%s: deferred with reason %q, error %q", rel, ev.Reason, ev.Error)
			}
			if err == nil {
				t.Errorf("%s: deferred, yet its output was written", rel)
			}
		case "ok":
			if err != nil {
				t.Errorf("%s: ok without output: %v", rel, err)
			}
		default:
			t.Errorf("%s: status %s", rel, ev.Status)
		}
	}
	if deferred == 0 {
		t.Fatalf("no document deferred: %v", first)
	}

	srv := oaitest.New(t)
	stdout, stderr, code = runWithKey(t, "parse", "../../testdata/samples", "-o", out, "--config", writePolicy(t, srv, "retries: 0\n"), "--json")
	if code != 0 {
		t.Fatalf("endpoint back: exit %d\n%s", code, stderr)
	}
	for rel, ev := range documentEvents(t, stdout) {
		want := "skipped"
		if first[rel].Status == "deferred" {
			want = "ok"
		}
		if ev.Status != want {
			t.Errorf("%s: %s on the second run, want %s", rel, ev.Status, want)
		}
	}
	if len(srv.Requests()) == 0 {
		t.Error("the second run sent no request")
	}

	degrade := writePolicyAt(t, "http://127.0.0.1:1/v1", "retries: 0\non_unavailable: degrade\n")
	stdout, stderr, code = runWithKey(t, "parse", "../../testdata/samples", "-o", t.TempDir(), "--config", degrade, "--json")
	if code != 0 {
		t.Fatalf("on_unavailable degrade: exit %d\n%s", code, stderr)
	}
	for rel, ev := range documentEvents(t, stdout) {
		if ev.Status != "ok" {
			t.Errorf("on_unavailable degrade: %s is %s", rel, ev.Status)
		}
	}
}

type documentEvent struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
	Error  string `json:"error"`
}

// documentEvents returns the document events of folio parse --json output
// by relative path.
func documentEvents(t *testing.T, stdout string) map[string]documentEvent {
	t.Helper()
	evs := map[string]documentEvent{}
	for line := range strings.Lines(stdout) {
		var ev struct {
			documentEvent
			Type string `json:"type"`
			Rel  string `json:"rel"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if ev.Type == "document" {
			evs[ev.Rel] = ev.documentEvent
		}
	}
	return evs
}

// assertNoKey scans every file under dir for the fake API key.
func assertNoKey(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), fakeKey) {
			t.Errorf("%s holds the API key", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
