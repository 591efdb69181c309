package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/route/openai/oaitest"
)

// billed is what the server's answers to reqs cost at the test policy's
// prices: every request it answered with a usage, priced one by one as a
// provider bills.
func billed(reqs []oaitest.Request) (usd int64, answered int) {
	for _, r := range reqs {
		if r.Answered {
			usd += price("openai/"+r.Model, r.Usage.PromptTokens, r.Usage.CachedTokens, r.Usage.CompletionTokens)
			answered++
		}
	}
	return usd, answered
}

// costReport runs folio cost --json.
func costReport(t *testing.T, out string, args ...string) (rows map[string]int64, total int64) {
	t.Helper()
	stdout, stderr, code := runFolio(t, append([]string{"cost", "-o", out, "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("cost %v: exit %d: %s", args, code, stderr)
	}
	var rep struct {
		Rows []struct {
			Key       string `json:"key"`
			USDMicros int64  `json:"usd_micros"`
		} `json:"rows"`
		Total struct {
			USDMicros int64 `json:"usd_micros"`
		} `json:"total"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("cost json: %v\n%s", err, stdout)
	}
	rows = map[string]int64{}
	for _, r := range rep.Rows {
		rows[r.Key] = r.USDMicros
	}
	return rows, rep.Total.USDMicros
}

// callIDs returns the ids of every call row of the ledger in out.
func callIDs(t *testing.T, out string) map[int64]bool {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(out, "folio.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id FROM calls`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	ids := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[id] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// writeCappedPolicy writes writePolicy's policy with answers capped at 256
// output tokens, so that a call's worst case (what a budget reserves) is
// a few times its cost, and a budget of a few calls lets a few through;
// with on_exhausted: degrade.
func writeCappedPolicy(t *testing.T, srv *oaitest.Server) string {
	t.Helper()
	p := writePolicy(t, srv, "budget: {on_exhausted: degrade}\n")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), "vision: true", "vision: true, max_output_tokens: 256")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Money spent is never lost: after a budget-capped run, a --force run and a
// run under a changed policy on the same OUT, folio cost equals what the
// server billed, per run, per tag and in total, and no call row was ever
// deleted.
func TestCostMatchesServerAcrossRedos(t *testing.T) {
	srv := oaitest.New(t)
	out := t.TempDir()
	capped := writeCappedPolicy(t, srv)
	b, err := os.ReadFile(capped)
	if err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(t.TempDir(), "folio.yaml")
	if err := os.WriteFile(changed, []byte(strings.Replace(string(b), "table: [small, large]", "table: [large]", 1)), 0o644); err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		tag  string
		args []string
	}{
		{"capped", []string{"--config", capped, "--max-cost", "0.002"}},
		{"force", []string{"--config", capped, "--force"}},
		{"policy", []string{"--config", changed}},
	}
	sent := 0
	var total int64
	ids := map[int64]bool{}
	for _, st := range steps {
		args := append([]string{"parse", "../../testdata/samples", "-o", out, "--tag", "step=" + st.tag, "-q"}, st.args...)
		if _, stderr, code := runWithKey(t, args...); code != 0 {
			t.Fatalf("%s run: exit %d: %s", st.tag, code, stderr)
		}
		reqs := srv.Requests()
		usd, answered := billed(reqs[sent:])
		sent = len(reqs)
		total += usd
		t.Logf("%s run: %d requests answered, $%.6f billed", st.tag, answered, float64(usd)/1e6)
		if usd == 0 {
			t.Fatalf("%s run: the server billed nothing; the test needs paid calls in every run", st.tag)
		}

		byTag, tagTotal := costReport(t, out, "--by", "tag")
		if got := byTag["step="+st.tag]; got != usd {
			t.Errorf("%s run: folio cost by tag says %d µ$, the server billed %d µ$", st.tag, got, usd)
		}
		if tagTotal != total {
			t.Errorf("after the %s run: folio cost total %d µ$, the server billed %d µ$ in all", st.tag, tagTotal, total)
		}
		now := callIDs(t, out)
		for id := range ids {
			if !now[id] {
				t.Errorf("after the %s run: call row %d is gone", st.tag, id)
			}
		}
		if len(now) <= len(ids) {
			t.Errorf("after the %s run: %d call rows, %d before", st.tag, len(now), len(ids))
		}
		ids = now
	}

	// By run: one row per run, each what the server billed in it.
	byRun, runTotal := costReport(t, out, "--by", "run")
	if len(byRun) != len(steps) || runTotal != total {
		t.Errorf("cost by run: %v, total %d µ$; want %d runs and %d µ$", byRun, runTotal, len(steps), total)
	}
	// The current outputs cost less than was spent: the capped and forced
	// runs' tables were redone.
	if _, outputs := costReport(t, out, "--scope", "outputs"); outputs <= 0 || outputs >= total {
		t.Errorf("cost of the current outputs %d µ$; want more than 0 and less than the %d µ$ spent", outputs, total)
	}
}

// Switching the model id behind the alias that tables use redoes the
// tables and nothing else: the next run sends every table again to the new
// model and no image request (those answers come from the cache); the run
// after that has nothing to do.
func TestChangingTableModelRedoesOnlyTables(t *testing.T) {
	srv := oaitest.New(t)
	out := t.TempDir()
	policy := func(tableModel string) string {
		p := filepath.Join(t.TempDir(), "folio.yaml")
		yaml := `endpoints:
  test: {base_url: "` + srv.URL + `", api_key_env: FOLIO_TEST_KEY, concurrency: 4}
models:
  tab: {endpoint: test, model: ` + tableModel + `, input_per_mtok: 2.00, output_per_mtok: 8.00, vision: true}
  pic: {endpoint: test, model: gpt-4.1-mini, input_per_mtok: 0.40, output_per_mtok: 1.60, vision: true}
routes:
  table: [tab]
  image: [pic]
`
		if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	formats := func(reqs []oaitest.Request) map[string]int {
		m := map[string]int{}
		for _, r := range reqs {
			m[r.Format+" "+r.Model]++
		}
		return m
	}
	run := func(tableModel string) map[string]int {
		t.Helper()
		before := len(srv.Requests())
		if _, stderr, code := runWithKey(t, "parse", "../../testdata/samples", "-o", out, "--config", policy(tableModel), "-q"); code != 0 {
			t.Fatalf("run with tables on %s: exit %d: %s", tableModel, code, stderr)
		}
		return formats(srv.Requests()[before:])
	}

	first := run("gpt-4.1-mini")
	tables, images := first["folio_table gpt-4.1-mini"], first["folio_image gpt-4.1-mini"]
	if tables == 0 || images == 0 {
		t.Fatalf("first run sent %v; the test needs table and image requests", first)
	}
	if got, want := run("gpt-4.1"), map[string]int{"folio_table gpt-4.1": tables}; !maps.Equal(got, want) {
		t.Errorf("after switching the table model: requests %v, want %v", got, want)
	}
	if got := run("gpt-4.1"); len(got) != 0 {
		t.Errorf("the run after that sent %v, want nothing", got)
	}
}

// A document whose elements the budget degraded is not done: a plain re-run
// without the cap finishes those elements, paying only for them (every
// answer bought before comes from the cache), and reports none degraded;
// the run after that has nothing to do.
func TestRerunFinishesBudgetDegradedElements(t *testing.T) {
	srv := oaitest.New(t)
	out := t.TempDir()
	policy := writeCappedPolicy(t, srv)
	run := func(args ...string) (runSummary, []oaitest.Request) {
		t.Helper()
		before := len(srv.Requests())
		args = append([]string{"parse", "../../testdata/samples", "-o", out, "--config", policy, "--json"}, args...)
		stdout, stderr, code := runWithKey(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		sum, _ := summaryOf(t, stdout)
		return sum, srv.Requests()[before:]
	}
	capped, first := run("--max-cost", "0.002")
	if capped.ElementStatus.Degraded == 0 || budgetDegraded(capped.ElementStatus.Reasons) != capped.ElementStatus.Degraded {
		t.Fatalf("capped run: %+v; the test needs elements degraded for the budget", capped.ElementStatus)
	}
	again, second := run()
	if again.ElementStatus.Degraded != 0 || again.OK == 0 {
		t.Errorf("re-run without the cap: %+v, %d ok; want none degraded", again.ElementStatus, again.OK)
	}
	paid := map[string]bool{}
	for _, r := range first {
		if r.Answered {
			paid[string(r.Body)] = true
		}
	}
	for _, r := range second {
		if paid[string(r.Body)] {
			t.Errorf("re-run sent again a request the capped run paid for (%s, %d bytes)", r.Model, len(r.Body))
		}
	}
	if len(second) == 0 {
		t.Error("re-run sent nothing: the degraded elements were not finished")
	}
	if last, third := run(); len(third) != 0 || last.OK != 0 || last.ElementStatus.Degraded != 0 {
		t.Errorf("third run: %d requests, %d ok, %d degraded; want nothing to do", len(third), last.OK, last.ElementStatus.Degraded)
	}
}

// --max-cost never overshoots, whatever the concurrency: every call
// reserves its worst case (a token per byte of input, the answer cap's
// output tokens, list prices) before it is sent. The server bills answers
// far longer than Folio expects (3,000 output tokens each), with 8 route
// workers and 4 requests in flight per endpoint; it bills at most the cap.
func TestMaxCostNeverOvershoots(t *testing.T) {
	srv := oaitest.New(t)
	long := make([]oaitest.Step, 400)
	for i := range long {
		long[i] = oaitest.Step{Usage: oaitest.Usage{CompletionTokens: 3000}}
	}
	srv.Script("gpt-4.1-mini", long...)
	srv.Script("gpt-4.1", long...)
	policy := writePolicy(t, srv, "budget: {on_exhausted: degrade}\n")
	for _, cap := range []string{"0.01", "0.02", "0.03", "0.05"} {
		before := len(srv.Requests())
		stdout, stderr, code := runWithKey(t, "parse", "../../testdata/samples", "-o", t.TempDir(), "--config", policy,
			"--max-cost", cap, "--route-workers", "8", "--json")
		if code != 0 {
			t.Fatalf("--max-cost %s: exit %d: %s", cap, code, stderr)
		}
		usd, answered := billed(srv.Requests()[before:])
		var max float64
		fmt.Sscan(cap, &max)
		sum, _ := summaryOf(t, stdout)
		t.Logf("--max-cost %s: %d requests, $%.6f billed, %d elements degraded for the budget",
			cap, answered, float64(usd)/1e6, budgetDegraded(sum.ElementStatus.Reasons))
		if usd > int64(max*1e6) {
			t.Errorf("--max-cost %s: the server billed $%.6f", cap, float64(usd)/1e6)
		}
		if answered == 0 {
			t.Errorf("--max-cost %s: no request was sent", cap)
		}
	}
}

// A document deferred when its model endpoint goes down mid-document keeps
// what its answered calls cost: the ledger records them with the deferred
// document (not done, so the next run does it), and folio cost equals what
// the server billed.
func TestDeferredDocumentKeepsItsSpend(t *testing.T) {
	srv := oaitest.New(t)
	// The first two answers come, then the endpoint fails for good.
	steps := []oaitest.Step{{}, {}}
	for range 200 {
		steps = append(steps, oaitest.Step{Status: 503})
	}
	srv.Script("gpt-4.1-mini", steps...)
	srv.Script("gpt-4.1", steps[2:]...)
	out := t.TempDir()
	policy := writePolicy(t, srv, "retries: 0\n")
	stdout, stderr, code := runWithKey(t, "parse", "../../testdata/samples", "-o", out, "--config", policy, "--json",
		"--workers", "1", "--route-workers", "1")
	if code != 75 {
		t.Fatalf("exit %d, want 75 (deferred): %s", code, stderr)
	}
	usd, answered := billed(srv.Requests())
	if answered != 2 || usd == 0 {
		t.Fatalf("%d answered requests ($%.6f); the test needs two", answered, float64(usd)/1e6)
	}
	sum, _ := summaryOf(t, stdout)
	_, total := costReport(t, out, "--by", "run")
	if total != usd {
		t.Errorf("folio cost says %d µ$, the server billed %d µ$ (summary %+v)", total, usd, sum)
	}
	var summaryCost struct {
		Cost struct {
			USDMicros int64 `json:"usd_micros"`
		} `json:"cost"`
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &summaryCost); err != nil || summaryCost.Cost.USDMicros != usd {
		t.Errorf("run summary cost %d µ$ (%v), the server billed %d µ$", summaryCost.Cost.USDMicros, err, usd)
	}
}
