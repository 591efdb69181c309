package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/lineage"
)

// TestRobustnessCorpus parses the shared set of broken and hostile PDFs: the
// run must finish, fail each bad file once with a reason, write valid JSON
// for the rest and leave a sound ledger.
func TestRobustnessCorpus(t *testing.T) {
	corpus := "../../../shared/corpus/robustness"
	files, _ := filepath.Glob(filepath.Join(corpus, "*.pdf"))
	if len(files) == 0 {
		t.Skipf("robustness corpus not found at %s", corpus)
	}
	out := t.TempDir()
	stdout, stderr, code := runFolio(t, "parse", corpus, "-o", out, "--json", "--timeout", "60s")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (some files are broken)\nstderr: %s", code, stderr)
	}
	var ok, failed int
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var ev struct{ Type, Status, Reason, Rel string }
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		if ev.Type != "document" {
			continue
		}
		switch ev.Status {
		case "ok", "partial":
			ok++
			data, err := os.ReadFile(filepath.Join(out, ev.Rel+".json"))
			if err != nil || !json.Valid(data) {
				t.Errorf("%s: ok but its JSON is missing or invalid: %v", ev.Rel, err)
			}
		case "failed":
			failed++
			if ev.Reason == "" || ev.Reason == "internal" || ev.Reason == "crash" {
				t.Errorf("%s: failed with reason %q, want a named input reason", ev.Rel, ev.Reason)
			}
			if n := strings.Count(stderr, ev.Rel); n != 1 {
				t.Errorf("%s named %d times on stderr, want once", ev.Rel, n)
			}
		}
	}
	if ok+failed != len(files) {
		t.Errorf("%d ok + %d failed events for %d files", ok, failed, len(files))
	}
	if ok < len(files)/2 {
		t.Errorf("only %d of %d files parsed", ok, len(files))
	}
	db, err := lineage.Open(context.Background(), filepath.Join(out, "folio.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.IntegrityCheck(context.Background()); err != nil {
		t.Errorf("ledger integrity: %v", err)
	}
	t.Logf("%d ok, %d failed", ok, failed)
}
