package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/internal/pgtest"
)

// folio parse with --db postgres://… records in PostgreSQL what it records
// in the SQLite file otherwise: the commands that read the ledger read it
// there, a re-run skips what is done, and the password of the address is
// never recorded.
func TestParseOnPostgres(t *testing.T) {
	dsn := strings.Replace(pgtest.Database(t), "postgres://folio@", "postgres://folio:s3cret@", 1)
	out := t.TempDir()
	stdout, stderr, code := runFolio(t, "parse", "../../testdata/samples", "-o", out, "--db", dsn, "--json")
	if code != 0 {
		t.Fatalf("parse: exit %d: %s", code, stderr)
	}
	if s, _ := summaryOf(t, stdout); s.OK != 4 {
		t.Fatalf("summary %+v, want 4 ok", s)
	}
	if _, err := os.Stat(filepath.Join(out, "folio.db")); err == nil {
		t.Error("a SQLite ledger was written beside the outputs")
	}
	stdout, stderr, code = runFolio(t, "parse", "../../testdata/samples", "-o", out, "--db="+dsn, "--json")
	if s, _ := summaryOf(t, stdout); code != 0 || s.Skipped != 4 {
		t.Fatalf("re-run: exit %d, summary %+v: %s", code, s, stderr)
	}

	stdout, _, code = runFolio(t, "runs", "--db", dsn, "--json")
	if code != 0 || strings.Contains(stdout, "s3cret") || !strings.Contains(stdout, "folio:xxxxx@") {
		t.Errorf("runs: exit %d; want the address recorded without its password:\n%s", code, stdout)
	}
	var el struct {
		Elements []struct{ ID string } `json:"elements"`
	}
	data, err := os.ReadFile(filepath.Join(out, "twotables_2.pdf.json"))
	if err != nil || json.Unmarshal(data, &el) != nil || len(el.Elements) == 0 {
		t.Fatalf("output: %v", err)
	}
	stdout, stderr, code = runFolio(t, "trace", "--db", dsn, el.Elements[0].ID)
	if code != 0 || !strings.Contains(stdout, "twotables_2.pdf") {
		t.Errorf("trace: exit %d: %s%s", code, stdout, stderr)
	}
	if _, stderr, code := runFolio(t, "cost", "--db", dsn, "--json"); code != 0 {
		t.Errorf("cost: exit %d: %s", code, stderr)
	}
}

// A ledger server that does not answer defers the run (exit 75), names the
// host, and writes nothing.
func TestParseOnPostgres_unreachable(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	_, stderr, code := runFolio(t, "parse", "../../testdata/samples", "-o", out,
		"--db", "postgres://folio:s3cret@127.0.0.1:1/ledger?sslmode=disable&connect_timeout=2")
	if code != 75 || !strings.Contains(stderr, "127.0.0.1:1") || strings.Contains(stderr, "s3cret") {
		t.Errorf("exit %d, stderr %q; want 75 naming the host, not the password", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("the output folder was created")
	}
}

// A ledger server lost mid-run defers the documents it could not record
// and starts no more (exit 75); when it is back, the next run finishes the
// rest, and every document ends with exactly one current recording.
func TestParseOnPostgres_lostMidRun(t *testing.T) {
	srv := pgtest.New(t)
	dsn, err := srv.CreateDatabase(context.Background(), "lost")
	if err != nil {
		t.Fatal(err)
	}
	in := t.TempDir()
	pdfs, _ := filepath.Glob("../../../shared/corpus/icdar2013/*.pdf")
	if len(pdfs) < 20 {
		t.Fatalf("%d PDFs in the corpus, want 20", len(pdfs))
	}
	for _, p := range pdfs[:20] {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(in, filepath.Base(p)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	cmd := exec.Command(binary, "parse", in, "-o", out, "--db", dsn, "--json", "--workers", "1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	events := 0
	for lines.Scan() {
		events++
		if events == 3 {
			if err := srv.Kill(); err != nil {
				t.Fatal(err)
			}
		}
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 75 {
		t.Fatalf("run with the ledger lost: %v, want exit 75\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "ledger unavailable") {
		t.Errorf("stderr does not say the ledger was lost:\n%s", stderr.String())
	}

	if err := srv.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	stdoutText, stderrText, code := runFolio(t, "parse", in, "-o", out, "--db", dsn, "--json")
	s, _ := summaryOf(t, stdoutText)
	if code != 0 || s.OK+s.Skipped != 20 || s.Skipped < 2 {
		t.Fatalf("run after the ledger came back: exit %d, summary %+v: %s", code, s, stderrText)
	}
	got, err := srv.Psql(context.Background(), dsn, `SELECT count(*) || ' ' || count(DISTINCT id) FROM documents WHERE superseded IS NULL AND status = 'ok'`)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(got) != "20 20" {
		t.Errorf("current recordings: %q, want 20 documents once each", got)
	}
}
