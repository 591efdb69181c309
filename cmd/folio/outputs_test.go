package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/route/openai/oaitest"
)

// --markdown is part of done: adding it on a later run writes every missing
// Markdown file from the JSON, with no parse, no new recording and no model
// call; dropping it removes them; the runs after each change have nothing
// to do.
func TestMarkdownAddedOrDroppedLater(t *testing.T) {
	srv := oaitest.New(t)
	policy := writePolicy(t, srv, "")
	out := t.TempDir()
	docs := 0
	run := func(markdown bool) (runSummary, int) {
		t.Helper()
		before := len(srv.Requests())
		args := []string{"parse", "../../testdata/samples", "-o", out, "--config", policy, "--json"}
		if markdown {
			args = append(args, "--markdown")
		}
		stdout, stderr, code := runWithKey(t, args...)
		if code != 0 {
			t.Fatalf("markdown %v: exit %d: %s", markdown, code, stderr)
		}
		sum, _ := summaryOf(t, stdout)
		return sum, len(srv.Requests()) - before
	}
	mdFiles := func() int {
		m, _ := filepath.Glob(filepath.Join(out, "*.md"))
		return len(m)
	}
	recordings := func() (n, withMD int) {
		db, err := sql.Open("sqlite3", "file:"+filepath.Join(out, "folio.db")+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE outputs LIKE '%.md"%') FROM documents`).Scan(&n, &withMD); err != nil {
			t.Fatal(err)
		}
		return n, withMD
	}

	first, _ := run(false)
	docs = first.OK
	if docs == 0 || mdFiles() != 0 {
		t.Fatalf("first run: %d ok, %d Markdown files", docs, mdFiles())
	}
	for i, step := range []struct {
		markdown        bool
		refreshed, skip int
		md              int
	}{
		{true, docs, 0, docs}, // added: written from the JSON
		{true, 0, docs, docs}, // nothing left to do
		{false, docs, 0, 0},   // dropped: removed
		{false, 0, docs, 0},   // nothing left to do
	} {
		sum, requests := run(step.markdown)
		if sum.OK != 0 || sum.Refreshed != step.refreshed || sum.Skipped != step.skip || requests != 0 {
			t.Errorf("run %d (markdown %v): %d ok, %d refreshed, %d skipped, %d requests; want 0, %d, %d, 0",
				i+2, step.markdown, sum.OK, sum.Refreshed, sum.Skipped, requests, step.refreshed, step.skip)
		}
		if n := mdFiles(); n != step.md {
			t.Errorf("run %d: %d Markdown files, want %d", i+2, n, step.md)
		}
		if n, withMD := recordings(); n != docs || withMD != step.md {
			t.Errorf("run %d: %d recordings (%d listing Markdown); want %d, none redone (%d)", i+2, n, withMD, docs, step.md)
		}
	}
	// What a refresh writes is what a run with --markdown writes.
	run(true)
	fresh := t.TempDir()
	if _, stderr, code := runWithKey(t, "parse", "../../testdata/samples", "-o", fresh, "--config", policy, "--markdown"); code != 0 {
		t.Fatalf("fresh run: exit %d: %s", code, stderr)
	}
	mds, _ := filepath.Glob(filepath.Join(fresh, "*.md"))
	if len(mds) != docs {
		t.Fatalf("fresh run wrote %d Markdown files, want %d", len(mds), docs)
	}
	for _, p := range mds {
		want, _ := os.ReadFile(p)
		got, err := os.ReadFile(filepath.Join(out, filepath.Base(p)))
		if err != nil || string(got) != string(want) {
			t.Errorf("%s: refreshed Markdown differs from a fresh run's (%v)", filepath.Base(p), err)
		}
	}
}

// A corrupt ledger is reported with its path and never overwritten; a
// ledger newer than the binary is refused, untouched.
func TestBadLedgerIsReportedNotTouched(t *testing.T) {
	for _, tt := range []struct {
		name  string
		bytes func(t *testing.T) []byte
		want  string
	}{
		{"corrupt", func(*testing.T) []byte { return []byte("this is not a SQLite database, it is a note\n") }, "not a database"},
		{"newer", func(t *testing.T) []byte {
			out := t.TempDir()
			if _, stderr, code := runFolio(t, "parse", "../../testdata/samples/twotables_2.pdf", "-o", out); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			db, err := sql.Open("sqlite3", filepath.Join(out, "folio.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec("PRAGMA user_version = 999"); err != nil {
				t.Fatal(err)
			}
			db.Close()
			b, err := os.ReadFile(filepath.Join(out, "folio.db"))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}, "upgrade folio"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			ledger := filepath.Join(out, "folio.db")
			want := tt.bytes(t)
			if err := os.WriteFile(ledger, want, 0o644); err != nil {
				t.Fatal(err)
			}
			_, stderr, code := runFolio(t, "parse", "../../testdata/samples/twotables_2.pdf", "-o", out)
			if code != 78 || !strings.Contains(stderr, ledger) || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 78 naming %s and %q", code, stderr, ledger, tt.want)
			}
			if got, err := os.ReadFile(ledger); err != nil || string(got) != string(want) {
				t.Errorf("the ledger was changed (%v)", err)
			}
			if outs, _ := filepath.Glob(filepath.Join(out, "*.json")); len(outs) != 0 {
				t.Errorf("outputs written beside a bad ledger: %v", outs)
			}
		})
	}
}
