package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/folio/folio/serve"
)

// parsedSample parses one sample PDF into a fresh output folder with the
// real program and returns the input folder and OUT.
func parsedSample(t *testing.T, name string) (string, string) {
	t.Helper()
	in, out := t.TempDir(), t.TempDir()
	data, err := os.ReadFile(filepath.Join("../../testdata/samples", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(in, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if stdout, stderr, code := runFolio(t, "parse", in, "-o", out); code != 0 {
		t.Fatalf("parse exit %d\n%s\n%s", code, stdout, stderr)
	}
	return in, out
}

// TestServeParsedDocument serves a real parse's ledger and outputs with the
// real page drawer: the document's boxes, an element's lineage and a page
// drawn by the parse engine; then the source changes and drawing refuses.
func TestServeParsedDocument(t *testing.T) {
	const name = "twotables_2.pdf"
	in, out := parsedSample(t, name)
	ctx := context.Background()
	db, err := openLedgerReadOnly(ctx, out, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	traces, err := db.Trace(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	doc := traces[0]
	var table string
	for _, e := range doc.Elements {
		if e.Type == "table" && e.Page == 1 {
			table = e.ID
		}
	}
	if table == "" {
		t.Fatalf("no table on page 1 of %s", name)
	}
	drawer := &pageDrawer{log: slog.New(slog.DiscardHandler)}
	defer drawer.Close()
	srv, err := serve.New(serve.Options{Out: out, DB: db, Pages: drawer})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		res, err := ts.Client().Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, body
	}
	res, body := get("/")
	if res.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(doc.Run.ID)) {
		t.Errorf("runs page: %d, lists %s: %v", res.StatusCode, doc.Run.ID, bytes.Contains(body, []byte(doc.Run.ID)))
	}
	res, body = get("/docs/" + doc.Document.ID + "?el=" + table)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("document page: %d\n%s", res.StatusCode, body)
	}
	for _, want := range []string{`data-id="` + table + `"`, "folio trace -o OUT " + table, "local/table", "/pages/1.png"} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("document page lacks %q", want)
		}
	}

	res, body = get("/docs/" + doc.Document.ID + "/pages/1.png")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("page image: %d %s", res.StatusCode, body)
	}
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	// A US Letter or A4 page at 100 dpi is 790–850 pixels wide.
	if w := img.Bounds().Dx(); w < 700 || w > 900 {
		t.Errorf("page drawn %d pixels wide, want a page at %d dpi", w, serve.PageDPI)
	}

	// The source changes: its pages are no longer the ones parsed.
	f, err := os.OpenFile(filepath.Join(in, name), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\n% changed\n")
	f.Close()
	if _, err := drawer.DrawPage(ctx, filepath.Join(in, name), doc.Document.SHA256, 1, 100); !errors.Is(err, serve.ErrSourceChanged) {
		t.Errorf("drawing a changed source = %v, want ErrSourceChanged", err)
	}
	if err := os.RemoveAll(filepath.Join(out, ".folio", "pages")); err != nil {
		t.Fatal(err)
	}
	if res, body := get("/docs/" + doc.Document.ID + "/pages/1.png"); res.StatusCode != http.StatusConflict || !bytes.Contains(body, []byte("source changed since it was parsed")) {
		t.Errorf("page of a changed source: %d %s, want 409 saying the source changed", res.StatusCode, body)
	}
}

func TestRunsCommand(t *testing.T) {
	_, out := parsedSample(t, "twotables_2.pdf")
	stdout, stderr, code := runFolio(t, "runs", "-o", out)
	if code != 0 {
		t.Fatalf("runs exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "run_") || !strings.Contains(stdout, "1/0/0/0/0") {
		t.Errorf("runs output lacks the run or its documents (1 ok):\n%s", stdout)
	}
	stdout, _, code = runFolio(t, "runs", "-o", out, "--json")
	var page struct {
		Total int `json:"total"`
		Runs  []struct {
			ID      string `json:"id"`
			Summary struct {
				OK int `json:"ok"`
			} `json:"summary"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(stdout), &page); err != nil || code != 0 {
		t.Fatalf("runs --json: exit %d, %v\n%s", code, err, stdout)
	}
	if page.Total != 1 || len(page.Runs) != 1 || page.Runs[0].Summary.OK != 1 {
		t.Errorf("runs --json = %+v, want one run with one document ok", page)
	}
	if _, _, code := runFolio(t, "runs", "-o", out, "--limit", "0"); code != exitUsage {
		t.Errorf("--limit 0: exit %d, want %d", code, exitUsage)
	}
	if _, _, code := runFolio(t, "runs", "-o", t.TempDir()); code != exitConfig {
		t.Errorf("no ledger: exit %d, want %d", code, exitConfig)
	}
}

// TestServeCommand runs folio serve as a user does: refused off loopback
// without a token, serving on loopback until SIGINT.
func TestServeCommand(t *testing.T) {
	_, out := parsedSample(t, "twotables_2.pdf")
	cmd := exec.Command(binary, "serve", "-o", out, "--addr", "0.0.0.0:0")
	cmd.Env = append(os.Environ(), "FOLIO_TOKEN=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitConfig || !strings.Contains(stderr.String(), "--token") {
		t.Errorf("serve off loopback without token: %v, %s; want exit %d naming --token", err, stderr.String(), exitConfig)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd = exec.Command(binary, "serve", "-o", out, "--addr", addr)
	cmd.Env = append(os.Environ(), "FOLIO_TOKEN=t0ken")
	stderr.Reset()
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var res *http.Response
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if res, err = http.Get(fmt.Sprintf("http://%s/", addr)); err == nil {
			res.Body.Close()
			break
		}
	}
	if err != nil {
		t.Fatalf("serve never answered: %v\n%s", err, stderr.String())
	}
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET / without the token of FOLIO_TOKEN = %d, want 401", res.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s/cost.csv", addr), nil)
	req.Header.Set("Authorization", "Bearer t0ken")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("GET /cost.csv with the token: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		// SIGINT maps to 130 like any interrupted command.
		if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
			t.Errorf("serve after SIGINT: %v, want exit %d\n%s", err, exitInterrupted, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop on SIGINT")
	}
}
