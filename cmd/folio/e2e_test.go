package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/internal/pgtest"
)

// binary is the folio program built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "folio-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "folio")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("build folio: " + err.Error())
	}
	code := pgtest.Main(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// runFolio runs the built binary and returns stdout, stderr and the exit code.
func runFolio(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run folio %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

type outDoc struct {
	Schema string `json:"schema"`
	ID     string `json:"id"`
	Source struct {
		Path   string `json:"path"`
		SHA256 string `json:"sha256"`
		Pages  int    `json:"pages"`
	} `json:"source"`
	Run      string `json:"run"`
	Config   string `json:"config"`
	Elements []struct {
		ID       string     `json:"id"`
		Type     string     `json:"type"`
		Page     int        `json:"page"`
		BBox     [4]float64 `json:"bbox"`
		Text     string     `json:"text"`
		Layer    string     `json:"layer"`
		Fragment string     `json:"fragment"`
		Model    string     `json:"model"`
		Status   string     `json:"status"`
		Reason   string     `json:"reason"`
		Table    *struct {
			Rows [][]string `json:"rows"`
		} `json:"table"`
		Image *struct {
			File string `json:"file"`
		} `json:"image"`
	} `json:"elements"`
}

func readDoc(t *testing.T, path string) outDoc {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d outDoc
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: invalid JSON: %v", path, err)
	}
	return d
}

func TestParseSamplesThenTrace(t *testing.T) {
	out := t.TempDir()
	samples, _ := filepath.Glob("../../testdata/samples/*.pdf")
	if len(samples) == 0 {
		t.Fatal("no samples in testdata/samples")
	}
	stdout, stderr, code := runFolio(t, "parse", "../../testdata/samples", "-o", out, "--markdown")
	if code != 0 {
		t.Fatalf("parse exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "documents: 4 ok, 0 failed") {
		t.Errorf("summary = %q, want 4 ok", stdout)
	}
	var elementID string
	var assets int
	types := map[string]int{}
	for _, s := range samples {
		base := filepath.Base(s)
		d := readDoc(t, filepath.Join(out, base+".json"))
		if d.Schema != "folio.document/v1" || d.Source.Path != base || d.Source.Pages < 1 || len(d.Source.SHA256) != 64 {
			t.Errorf("%s: bad header %+v", base, d)
		}
		if len(d.Elements) == 0 {
			t.Errorf("%s: no elements", base)
		}
		if _, err := os.Stat(filepath.Join(out, base+".md")); err != nil {
			t.Errorf("%s: markdown missing: %v", base, err)
		}
		for _, e := range d.Elements {
			types[e.Type]++
			if e.ID == "" || e.Fragment == "" || e.Page < 1 || e.Status == "" {
				t.Errorf("%s: element without lineage: %+v", base, e)
			}
			if e.Status == "ok" && e.Model == "" {
				t.Errorf("%s: ok element without a model: %+v", base, e)
			}
			if e.Image != nil && e.Image.File != "" {
				if _, err := os.Stat(filepath.Join(out, e.Image.File)); err != nil {
					t.Errorf("%s: image asset missing: %v", base, err)
				}
				assets++
			}
			if elementID == "" && e.Type == "paragraph" {
				elementID = e.ID
			}
		}
	}
	if assets == 0 {
		t.Error("no image asset written for any sample")
	}
	for _, typ := range []string{"paragraph", "heading", "table", "image", "caption"} {
		if types[typ] == 0 {
			t.Errorf("no %s element in any sample (types: %v)", typ, types)
		}
	}

	// A second run skips everything: same content, same configuration,
	// same outputs asked for.
	stdout, _, code = runFolio(t, "parse", "../../testdata/samples", "-o", out, "--markdown")
	if code != 0 || !strings.Contains(stdout, "0 ok, 0 failed, 4 skipped") {
		t.Errorf("re-run: exit %d, summary %q; want all skipped", code, stdout)
	}

	stdout, stderr, code = runFolio(t, "trace", "-o", out, elementID)
	if code != 0 {
		t.Fatalf("trace exit %d: %s", code, stderr)
	}
	for _, want := range []string{elementID, "page", "local/text", "run_", "doc_"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("trace output lacks %q:\n%s", want, stdout)
		}
	}
	stdout, _, code = runFolio(t, "trace", "-o", out, "--json", elementID)
	if code != 0 || !json.Valid([]byte(stdout)) || !strings.Contains(stdout, elementID) || !strings.Contains(stdout, "local/text") {
		t.Errorf("trace --json: exit %d, output %s", code, stdout)
	}
	if _, _, code = runFolio(t, "trace", "-o", out, "el_doesnotexist"); code != 1 {
		t.Errorf("trace of an unknown id: exit %d, want 1", code)
	}
}

func TestParseBrokenFileFailsAloneWithReason(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	sample, err := os.ReadFile("../../testdata/samples/twotables_2.pdf")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"good.pdf":      sample,
		"truncated.pdf": sample[:len(sample)/3],
		"garbage.pdf":   []byte("this is not a PDF at all"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(in, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stdout, stderr, code := runFolio(t, "parse", in, "-o", out, "--json")
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstderr: %s", code, stderr)
	}
	readDoc(t, filepath.Join(out, "good.pdf.json"))
	if strings.Count(stderr, "garbage.pdf") != 1 || !strings.Contains(stderr, "reason=malformed") {
		t.Errorf("stderr should name garbage.pdf once with reason=malformed:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "garbage.pdf.json")); err == nil {
		t.Error("a failed document left an output")
	}
	var failed, ok int
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var ev struct{ Type, Status, Reason string }
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("--json line is not JSON: %q", line)
		}
		if ev.Type == "document" && ev.Status == "failed" {
			failed++
			if ev.Reason == "" {
				t.Errorf("failed event without reason: %s", line)
			}
		}
		if ev.Type == "document" && ev.Status == "ok" {
			ok++
		}
	}
	if ok != 1 {
		t.Errorf("ok events = %d, want 1", ok)
	}
	if failed+ok != 3 && failed+ok != 2 {
		t.Errorf("events: %d failed, %d ok", failed, ok)
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"version", []string{"version"}, 0},
		{"unknown flag", []string{"parse", "--nope"}, 2},
		{"no output folder", []string{"parse", "../../testdata/samples"}, 2},
		{"missing input", []string{"parse", "/nonexistent/x.pdf", "-o", t.TempDir()}, 2},
		{"unknown command", []string{"frobnicate"}, 2},
		{"negative budget", []string{"parse", "../../testdata/samples", "-o", t.TempDir(), "--max-cost", "-5"}, 2},
		{"budget not a number", []string{"parse", "../../testdata/samples", "-o", t.TempDir(), "--max-cost", "five"}, 2},
		{"budget NaN", []string{"parse", "../../testdata/samples", "-o", t.TempDir(), "--max-cost", "NaN"}, 2},
		{"cost scope unknown", []string{"cost", "-o", t.TempDir(), "--scope", "all"}, 2},
		{"trace without ledger", []string{"trace", "-o", t.TempDir(), "el_x"}, 78},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runFolio(t, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.want, stderr)
			}
			// Under --log-format json the error is one JSON object that
			// carries the exit code.
			if tt.want == 0 {
				return
			}
			_, stderr, code = runFolio(t, append([]string{"--log-format", "json"}, tt.args...)...)
			var obj struct {
				Level    string `json:"level"`
				Msg      string `json:"msg"`
				ExitCode int    `json:"exit_code"`
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &obj); err != nil || obj.ExitCode != code || code != tt.want || obj.Msg == "" {
				t.Errorf("--log-format json: exit %d, last stderr line %q (%v); want one JSON object with exit_code %d",
					code, lines[len(lines)-1], err, tt.want)
			}
		})
	}
}
