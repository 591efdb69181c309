package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/route/openai/oaitest"
)

// elementStatus is the element_status of an NDJSON event or summary.
type elementStatus struct {
	OK       int            `json:"ok"`
	Review   int            `json:"review"`
	Degraded int            `json:"degraded"`
	Reasons  map[string]int `json:"reasons"`
}

// An answer that is not what the schema asks for, on the last link of the
// chain, sends the element to review: its status, reason and producing
// model in the JSON, a review row in the ledger, counts in every NDJSON
// event, the final summary and the human summary; --fail-on review makes
// the run exit 1.
func TestOffSchemaAnswerGoesToReview(t *testing.T) {
	srv := oaitest.New(t)
	steps := make([]oaitest.Step, 200)
	for i := range steps {
		steps[i] = oaitest.Step{Content: `{"unexpected": true}`}
	}
	srv.Script("gpt-4.1", steps...)
	policy := filepath.Join(t.TempDir(), "folio.yaml")
	yaml := fmt.Sprintf(`endpoints:
  test: {base_url: %q, api_key_env: FOLIO_TEST_KEY}
models:
  tab: {endpoint: test, model: gpt-4.1, input_per_mtok: 2.00, output_per_mtok: 8.00}
routes:
  table: [tab]
`, srv.URL)
	if err := os.WriteFile(policy, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	stdout, stderr, code := runWithKey(t, "parse", "../../testdata/samples", "-o", out, "--config", policy, "--json")
	if code != 0 {
		t.Fatalf("exit %d without --fail-on, want 0: %s", code, stderr)
	}
	tables := len(srv.Requests())
	if tables == 0 {
		t.Fatal("no table was sent to the model")
	}

	var events int
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var ev struct {
			Type          string         `json:"type"`
			Rel           string         `json:"rel"`
			ElementStatus *elementStatus `json:"element_status"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Type == "document" {
			if ev.ElementStatus == nil {
				t.Errorf("%s: document event without element_status", ev.Rel)
				continue
			}
			events += ev.ElementStatus.Review
		}
	}
	s, _ := summaryOf(t, stdout)
	sum := s.ElementStatus
	if sum.Review != tables || events != tables || sum.Reasons["review/schema/table"] != tables {
		t.Errorf("review counts: summary %+v, events %d; want %d tables in review for schema", sum, events, tables)
	}

	// Each table: review, why, whose answer, and who made its content.
	inReview := 0
	files, _ := filepath.Glob(filepath.Join(out, "*.json"))
	for _, f := range files {
		for _, e := range readDoc(t, f).Elements {
			if e.Type != "table" {
				continue
			}
			inReview++
			if e.Status != "review" || !strings.HasPrefix(e.Reason, "schema:") || !strings.Contains(e.Reason, "(openai/gpt-4.1)") || e.Model != "local/segment" {
				t.Errorf("%s: table %s: status %s, reason %q, model %q; want review for schema by openai/gpt-4.1, content local/segment",
					f, e.ID, e.Status, e.Reason, e.Model)
			}
		}
	}
	if inReview != tables {
		t.Errorf("%d tables in the outputs, %d requests", inReview, tables)
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(out, "folio.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows int
	if err := db.QueryRow(`SELECT count(*) FROM review WHERE reason LIKE 'schema:%'`).Scan(&rows); err != nil || rows != tables {
		t.Errorf("review rows: %d (%v), want %d", rows, err, tables)
	}
	var rejected int
	if err := db.QueryRow(`SELECT count(*) FROM calls WHERE status = 'rejected' AND model = 'openai/gpt-4.1'`).Scan(&rejected); err != nil || rejected != tables {
		t.Errorf("rejected model calls: %d (%v), want %d: the answers were bought and rejected", rejected, err, tables)
	}

	// folio cost says the money bought answers that were rejected.
	stdout, stderr, code = runFolio(t, "cost", "-o", out, "--json")
	var rep struct {
		Total struct {
			USDMicros         int64 `json:"usd_micros"`
			RejectedUSDMicros int64 `json:"rejected_usd_micros"`
		} `json:"total"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != 0 {
		t.Fatalf("cost: exit %d, %v: %s", code, err, stderr)
	}
	if rep.Total.USDMicros == 0 || rep.Total.RejectedUSDMicros != rep.Total.USDMicros {
		t.Errorf("cost: %+v; want every dollar spent on rejected answers", rep.Total)
	}

	// The human summary says so, and --fail-on review fails the run.
	stdout, stderr, code = runWithKey(t, "parse", "../../testdata/samples", "-o", t.TempDir(), "--config", policy, "--fail-on", "review")
	if code != 1 {
		t.Errorf("--fail-on review: exit %d, want 1: %s", code, stderr)
	}
	if want := fmt.Sprintf("%d review (schema: table ×%d)", tables, tables); !strings.Contains(stdout, want) {
		t.Errorf("summary lacks %q:\n%s", want, stdout)
	}
	if _, _, code := runWithKey(t, "parse", "../../testdata/samples", "-o", t.TempDir(), "--fail-on", "reviewed"); code != 2 {
		t.Errorf("--fail-on reviewed: exit %d, want 2", code)
	}
}
