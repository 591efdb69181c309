package main

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/lineage"
)

// TestHostileSet parses the generated hostile documents (testdata/hostile/
// gen.go): every one ends within its deadline, the failures with a named
// reason, the FIFO is skipped, and the ledger stays sound.
func TestHostileSet(t *testing.T) {
	if testing.Short() {
		t.Skip("hostile set: skipped in -short mode")
	}
	in, out := t.TempDir(), t.TempDir()
	gen := exec.Command("go", "run", "../../testdata/hostile/gen.go", "-o", in, "-fifo")
	if b, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("generate hostile set: %v\n%s", err, b)
	}
	// Every document of the set ends by itself, in a few seconds; the
	// deadline only bounds one that would not. A short one would race the
	// failures checked below: on a loaded machine the bomb could run into
	// it before it reaches the memory cap. (The supervisor's own tests
	// check that deadlines are enforced.)
	const (
		deadline = 120.0
		stopping = 10.0 // seconds to kill a worker at the deadline and record the failure
	)
	stdout, stderr, code := runFolio(t, "parse", in, "-o", out, "--json", "--timeout", "120s")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (some documents are broken)\nstderr: %s", code, stderr)
	}
	if !strings.Contains(stderr, "x.pdf") || !strings.Contains(stderr, "not a regular file") {
		t.Errorf("the FIFO x.pdf was not skipped with a warning:\n%s", stderr)
	}
	// Documents whose outcome is known (status and reason, in the NDJSON
	// and the ledger); the others may parse or fail. A document that
	// yields no page is not ok.
	want := map[string]string{
		"bomb-nested-flate.pdf": "failed memory",
		"many-glyphs.pdf":       "failed too_large",
		"empty.pdf":             "failed malformed",
		"not-a-pdf.pdf":         "failed malformed",
		"truncated.pdf":         "failed malformed",
		"kids-cycle.pdf":        "failed malformed",
		"kids-parent-loop.pdf":  "failed malformed",
		"zero-pages.pdf":        "failed malformed",
		"one-page-lost.pdf":     "partial malformed",
	}
	inLedger := maps.Clone(want)
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var ev struct {
			Type, Status, Reason, Rel string
			Seconds                   float64
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		if ev.Type != "document" {
			continue
		}
		seen++
		if ev.Seconds > deadline+stopping {
			t.Errorf("%s took %.1fs, over its %.0fs deadline", ev.Rel, ev.Seconds, deadline)
		}
		if ev.Status == "failed" && (ev.Reason == "" || ev.Reason == "internal") {
			t.Errorf("%s failed without a named reason", ev.Rel)
		}
		if w, ok := want[ev.Rel]; ok {
			if got := ev.Status + " " + ev.Reason; got != w {
				t.Errorf("%s: %s, want %s", ev.Rel, got, w)
			}
			delete(want, ev.Rel)
		}
		t.Logf("%-26s %-7s %-10s %.2fs", ev.Rel, ev.Status, ev.Reason, ev.Seconds)
	}
	if seen < 10 {
		t.Errorf("only %d documents reported", seen)
	}
	for rel := range want {
		t.Errorf("%s was not reported", rel)
	}
	db, err := lineage.Open(context.Background(), filepath.Join(out, "folio.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.IntegrityCheck(context.Background()); err != nil {
		t.Errorf("ledger integrity: %v", err)
	}
	for rel, w := range inLedger {
		ts, err := db.Trace(context.Background(), rel)
		if err != nil {
			t.Errorf("trace %s: %v", rel, err)
			continue
		}
		if d := ts[0].Document; d.Status+" "+string(d.ErrorKind) != w || d.Error == "" {
			t.Errorf("ledger of %s: %s %s (%q), want %s with a reason", rel, d.Status, d.ErrorKind, d.Error, w)
		}
	}
	// The partial document's JSON names its lost page and keeps the
	// other's text.
	var doc struct {
		Status string `json:"status"`
		Pages  []struct {
			Page  int    `json:"page"`
			Error string `json:"error"`
		} `json:"pages"`
		Elements []struct {
			Text string `json:"text"`
		} `json:"elements"`
	}
	b, err := os.ReadFile(filepath.Join(out, "one-page-lost.pdf.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Status != "partial" || len(doc.Pages) != 2 || doc.Pages[0].Error != "" || doc.Pages[1].Error == "" ||
		len(doc.Elements) == 0 || !strings.Contains(doc.Elements[0].Text, "first page") {
		t.Errorf("one-page-lost.pdf.json: %s", b)
	}
}
