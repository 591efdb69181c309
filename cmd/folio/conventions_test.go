package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

// runIn runs the command line in this process with buffers for streams and
// returns stdout, stderr and the exit code.
func runIn(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	return out.String(), errb.String(), code
}

func TestVersionFlagAndJSON(t *testing.T) {
	line, stderr, code := runIn(t, "version")
	if code != 0 || !strings.HasPrefix(line, "folio ") {
		t.Fatalf("version: exit %d, %q, %s", code, line, stderr)
	}
	got, _, code := runIn(t, "--version")
	if code != 0 || got != line {
		t.Errorf("--version: exit %d, %q; want %q", code, got, line)
	}

	stdout, _, code := runIn(t, "version", "--json")
	if code != 0 {
		t.Fatalf("version --json: exit %d", code)
	}
	var v map[string]string
	if err := json.Unmarshal([]byte(stdout), &v); err != nil {
		t.Fatalf("version --json: %v: %s", err, stdout)
	}
	want := map[string]string{"version": v["version"], "pipeline": folio.PipelineVersion, "go": runtime.Version(), "os": runtime.GOOS, "arch": runtime.GOARCH}
	if diff := cmp.Diff(want, v); diff != "" {
		t.Errorf("version --json (-want +got):\n%s", diff)
	}
	if want := fmt.Sprintf("folio %s (pipeline %s, %s, %s/%s)\n", v["version"], v["pipeline"], v["go"], v["os"], v["arch"]); line != want {
		t.Errorf("version = %q, JSON says %q", line, want)
	}
}

func TestRoutesJSON(t *testing.T) {
	for _, args := range [][]string{nil, {"--config", "../../route/config/testdata/openai.yaml"}} {
		t.Run(fmt.Sprint(args), func(t *testing.T) {
			text, stderr, code := runIn(t, append([]string{"routes"}, args...)...)
			if code != 0 {
				t.Fatalf("routes: exit %d: %s", code, stderr)
			}
			stdout, stderr, code := runIn(t, append([]string{"routes", "--json"}, args...)...)
			if code != 0 {
				t.Fatalf("routes --json: exit %d: %s", code, stderr)
			}
			var r struct {
				Policy     string `json:"policy"`
				PolicyHash string `json:"policy_hash"`
				Config     string `json:"config"`
				Pipeline   string `json:"pipeline"`
				Models     []struct {
					Alias string `json:"alias"`
				} `json:"models"`
				Routes []struct {
					Type  string `json:"type"`
					Chain []struct {
						Specialist string `json:"specialist"`
					} `json:"chain"`
				} `json:"routes"`
			}
			if err := json.Unmarshal([]byte(stdout), &r); err != nil {
				t.Fatalf("routes --json: %v\n%s", err, stdout)
			}
			if r.PolicyHash == "" || !strings.Contains(text, "hash    "+r.PolicyHash) {
				t.Errorf("policy_hash %q not the text's:\n%s", r.PolicyHash, text)
			}
			if r.Config == "" || !strings.Contains(text, "config    "+r.Config) || r.Pipeline != folio.PipelineVersion {
				t.Errorf("config %q, pipeline %q; text:\n%s", r.Config, r.Pipeline, text)
			}
			if len(r.Routes) == 0 {
				t.Fatal("no routes")
			}
			for _, rt := range r.Routes {
				// The text's line for the type names the chain in order.
				var line string
				for l := range strings.Lines(text) {
					if strings.HasPrefix(l, "  "+rt.Type+" ") {
						line = l
					}
				}
				rest := line
				for _, l := range rt.Chain {
					i := strings.Index(rest, l.Specialist)
					if i < 0 {
						t.Errorf("route %s: %s not in order in the text's line %q", rt.Type, l.Specialist, line)
						break
					}
					rest = rest[i+len(l.Specialist):]
				}
			}
			for _, m := range r.Models {
				if !strings.Contains(text, "  "+m.Alias+" ") {
					t.Errorf("model %s not in text", m.Alias)
				}
			}
			if (len(args) == 0) != (r.Policy == "") {
				t.Errorf("policy %q with args %v", r.Policy, args)
			}
		})
	}
}

// flagsFromEnv fills what the command line leaves unset, and only that,
// without marking the flag as given.
func TestFlagsFromEnv(t *testing.T) {
	env := map[string]string{"FOLIO_CONFIG": "env.yaml", "FOLIO_OUTPUT": "env-out", "FOLIO_DB": "", "FOLIO_LOG_LEVEL": "warn", "FOLIO_JSON": "true"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	var config, output, db, level string
	var asJSON bool
	cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
	cmd.Flags().StringVar(&config, "config", "default.yaml", "")
	cmd.Flags().StringVarP(&output, "output", "o", "", "")
	cmd.Flags().StringVar(&db, "db", "default.db", "")
	cmd.Flags().StringVar(&level, "log-level", "info", "")
	cmd.Flags().BoolVar(&asJSON, "json", false, "")
	if err := cmd.ParseFlags([]string{"-o", "flag-out"}); err != nil {
		t.Fatal(err)
	}
	if err := flagsFromEnv(cmd, lookup); err != nil {
		t.Fatal(err)
	}
	got := []string{config, output, db, level, fmt.Sprint(asJSON)}
	want := []string{"env.yaml", "flag-out", "default.db", "warn", "false"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config, output, db, log-level, json (-want +got):\n%s", diff)
	}
	if cmd.Flags().Changed("config") {
		t.Error("--config from the environment counts as given on the command line")
	}
}

// The variables work on the real commands: a flag beats its variable, a
// variable beats the default, and a bad value names the variable.
func TestEnvVariables(t *testing.T) {
	const ollama, openai = "../../route/config/testdata/ollama.yaml", "../../route/config/testdata/openai.yaml"
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		stdout   string // a line that must be in stdout
		stderr   string // text that must be in stderr
		jsonLine bool   // stderr's last line is a JSON object
	}{
		{"default", nil, []string{"routes"}, 0, "policy  none (fully local)", "", false},
		{"env beats default", map[string]string{"FOLIO_CONFIG": ollama}, []string{"routes"}, 0, "policy  " + ollama, "", false},
		{"flag beats env", map[string]string{"FOLIO_CONFIG": ollama}, []string{"routes", "--config", openai}, 0, "policy  " + openai, "", false},
		{"empty is unset", map[string]string{"FOLIO_CONFIG": ""}, []string{"routes"}, 0, "policy  none (fully local)", "", false},
		{"bad level", map[string]string{"FOLIO_LOG_LEVEL": "loud"}, []string{"routes"}, exitUsage, "", `FOLIO_LOG_LEVEL="loud"`, false},
		{"bad format", map[string]string{"FOLIO_LOG_FORMAT": "xml"}, []string{"version"}, exitUsage, "", `FOLIO_LOG_FORMAT="xml"`, false},
		{"flag beats bad env", map[string]string{"FOLIO_LOG_LEVEL": "loud"}, []string{"routes", "--log-level", "warn"}, 0, "policy  none (fully local)", "", false},
		{"bad flag still a flag error", nil, []string{"routes", "--log-level", "loud"}, exitUsage, "", `"--log-level"`, false},
		{"env log format for errors", map[string]string{"FOLIO_LOG_FORMAT": "json"}, []string{"routes", "--config", "missing.yaml"}, exitConfig, "", "missing.yaml", true},
		{"env output", map[string]string{"FOLIO_OUTPUT": "no-such-out"}, []string{"cost"}, exitConfig, "", filepath.Join("no-such-out", "folio.db"), false},
		{"env db beats env output", map[string]string{"FOLIO_OUTPUT": "no-such-out", "FOLIO_DB": "other.db"}, []string{"cost"}, exitConfig, "", "ledger other.db", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, name := range envFlags {
				t.Setenv(envName(name), "")
				os.Unsetenv(envName(name))
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			stdout, stderr, code := runIn(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			if tt.stdout != "" && !slices.Contains(strings.Split(stdout, "\n"), tt.stdout) {
				t.Errorf("stdout lacks the line %q:\n%s", tt.stdout, stdout)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, stderr)
			}
			if tt.jsonLine && !json.Valid([]byte(lastLine(stderr))) {
				t.Errorf("stderr's last line is not JSON: %q", lastLine(stderr))
			}
		})
	}
}

// parseOne parses one sample PDF into a fresh OUT with Markdown and returns
// OUT and the document written.
func parseOne(t *testing.T) (string, outDoc) {
	t.Helper()
	in := copyPDFs(t, []string{"../../testdata/samples/twotables_2.pdf"})
	out := t.TempDir()
	if stdout, stderr, code := runFolio(t, "parse", in, "-o", out, "--markdown", "-q"); code != 0 {
		t.Fatalf("parse exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	return out, readDoc(t, filepath.Join(out, "twotables_2.pdf.json"))
}

// traced runs folio trace --json and returns the document and element ids
// of the traces.
func traced(t *testing.T, args ...string) (docs, elements []string) {
	t.Helper()
	stdout, stderr, code := runIn(t, append([]string{"trace", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("trace %v: exit %d: %s", args, code, stderr)
	}
	var ts []lineage.Trace
	if err := json.Unmarshal([]byte(stdout), &ts); err != nil {
		t.Fatalf("trace %v: %v", args, err)
	}
	for _, tr := range ts {
		docs = append(docs, tr.Document.ID)
		if tr.Element != nil {
			elements = append(elements, tr.Element.ID)
		}
	}
	return docs, elements
}

func TestTraceByOutputPath(t *testing.T) {
	out, doc := parseOne(t)
	want := []string{doc.ID}
	for _, args := range [][]string{
		{"-o", out, filepath.Join(out, "twotables_2.pdf.json")},
		{"-o", out, filepath.Join(out, "twotables_2.pdf.md")},
		{"--db", filepath.Join(out, "folio.db"), filepath.Join(out, "twotables_2.pdf.md")},
		{"-o", out, "twotables_2.pdf.json"},
	} {
		if got, _ := traced(t, args...); !slices.Equal(got, want) {
			t.Errorf("trace %v: documents %v, want %v", args, got, want)
		}
	}
	if _, stderr, code := runIn(t, "trace", "-o", out, "twotables_2.pdf.txt"); code != exitFailed || !strings.Contains(stderr, "not found") {
		t.Errorf("trace of a file that is no output: exit %d, %s", code, stderr)
	}
}

// A path relative to the working directory names the file there, even
// when OUT holds another output of that name at its top.
func TestTraceByOutputPathFromInsideOUT(t *testing.T) {
	in := copyPDFs(t, []string{"../../testdata/samples/twotables_2.pdf"})
	data, err := os.ReadFile(filepath.Join(in, "twotables_2.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(in, "sub", "twotables_2.pdf"), data)
	out := t.TempDir()
	if stdout, stderr, code := runFolio(t, "parse", in, "-o", out, "-q"); code != 0 {
		t.Fatalf("parse exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	top := readDoc(t, filepath.Join(out, "twotables_2.pdf.json")).ID
	sub := readDoc(t, filepath.Join(out, "sub", "twotables_2.pdf.json")).ID
	if top == sub {
		t.Fatal("both inputs have the same document id")
	}
	t.Setenv("FOLIO_OUTPUT", out) // OUT from the environment
	t.Chdir(filepath.Join(out, "sub"))
	if got, _ := traced(t, "twotables_2.pdf.json"); !slices.Equal(got, []string{sub}) {
		t.Errorf("trace from OUT/sub: documents %v, want %s (not the top's %s)", got, sub, top)
	}
	if got, _ := traced(t, "../twotables_2.pdf.json"); !slices.Equal(got, []string{top}) {
		t.Errorf("trace ../: documents %v, want %s", got, top)
	}
}

func TestTraceByPrefix(t *testing.T) {
	out, doc := parseOne(t)
	var ids []string
	for _, e := range doc.Elements {
		ids = append(ids, e.ID)
	}
	el := doc.Elements[len(doc.Elements)/2].ID
	// The shortest prefix, of at least 4 hex digits, no other element shares.
	prefix := el
	for n := len("el_") + lineage.MinIDPrefix; n < len(el); n++ {
		if !slices.ContainsFunc(ids, func(id string) bool { return id != el && strings.HasPrefix(id, el[:n]) }) {
			prefix = el[:n]
			break
		}
	}
	if docs, elements := traced(t, "-o", out, prefix); !slices.Equal(elements, []string{el}) || !slices.Equal(docs, []string{doc.ID}) {
		t.Errorf("trace %s: elements %v of %v, want %s of %s", prefix, elements, docs, el, doc.ID)
	}
	if docs, _ := traced(t, "-o", out, doc.ID[:len("doc_")+lineage.MinIDPrefix]); !slices.Equal(docs, []string{doc.ID}) {
		t.Errorf("trace by document prefix: %v, want %s", docs, doc.ID)
	}
	// Three digits are not enough.
	if _, stderr, code := runIn(t, "trace", "-o", out, el[:len("el_")+lineage.MinIDPrefix-1]); code != exitFailed || !strings.Contains(stderr, "not found") {
		t.Errorf("trace by a 3-digit prefix: exit %d, %s", code, stderr)
	}
}

// An ambiguous prefix exits as an unknown id does and lists candidates.
// Sharing four hex digits takes many elements: the ledger is written
// through lineage, as parse writes it.
func TestTraceAmbiguousPrefix(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "folio.db")
	db, err := lineage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	const sha = "5d41402abc4b2a76b9719d911017c592ae4b1f2c1a6e5f8b3c2d1e0f9a8b7c6d"
	doc := &folio.Document{Schema: folio.Schema, ID: folio.DocumentID(sha, "cfg", "big.pdf"), Config: "cfg",
		Source: folio.Source{Rel: "big.pdf", SHA256: sha, Bytes: 1, Format: "pdf", Pages: 1}}
	byPrefix := map[string][]string{}
	shared := ""
	for i := range 1500 {
		id := folio.ElementID(doc.ID, i)
		doc.Elements = append(doc.Elements, folio.Element{ID: id, Type: folio.Paragraph, Page: 1, Text: "x", Layer: folio.LayerBody, Status: folio.StatusOK})
		p := id[:len("el_")+lineage.MinIDPrefix]
		byPrefix[p] = append(byPrefix[p], id)
		if len(byPrefix[p]) == 2 && shared == "" {
			shared = p
		}
	}
	if shared == "" {
		t.Fatal("no two elements share a prefix; record more")
	}
	run := folio.Run{ID: "run_1", Started: time.Now(), Version: "test", Config: "cfg", Args: []string{"parse"}}
	if err := db.StartRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordDocument(ctx, "run_1", doc, []folio.Output{{Path: "big.pdf.json"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runIn(t, "trace", "--db", path, shared)
	if code != exitFailed {
		t.Errorf("exit %d, want %d as for an unknown id", code, exitFailed)
	}
	for _, id := range byPrefix[shared][:min(len(byPrefix[shared]), lineage.MaxCandidates)] {
		if !strings.Contains(stderr, id) {
			t.Errorf("stderr does not list %s:\n%s", id, stderr)
		}
	}
	if !strings.Contains(stderr, "ambiguous") {
		t.Errorf("stderr does not say the prefix is ambiguous:\n%s", stderr)
	}
}

// completions runs cobra's hidden completion command and returns the
// completions and the directive line.
func completions(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	stdout, stderr, code := runIn(t, append([]string{cobra.ShellCompRequestCmd}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %v: exit %d: %s", args, code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	return lines[:len(lines)-1], lines[len(lines)-1]
}

func TestCompletion(t *testing.T) {
	noFiles := fmt.Sprintf(":%d", cobra.ShellCompDirectiveNoFileComp)
	var starting []string
	for _, d := range lineage.CostDimensions() {
		if strings.HasPrefix(d, "t") {
			starting = append(starting, d)
		}
	}
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"cost", "--by", ""}, lineage.CostDimensions()},
		{[]string{"cost", "--by", "t"}, starting},
		{[]string{"cost", "--scope", ""}, lineage.Scopes()},
		{[]string{"cost", "--log-level", ""}, []string{"debug", "info", "warn", "error"}},
		{[]string{"--log-format", ""}, []string{"text", "json"}},
	}
	for _, tt := range tests {
		got, directive := completions(t, tt.args...)
		if diff := cmp.Diff(tt.want, got); diff != "" || directive != noFiles {
			t.Errorf("complete %v (-want +got):\n%s directive %s", tt.args, diff, directive)
		}
	}

	out, doc := parseOne(t)
	var want []string
	for _, e := range doc.Elements {
		want = append(want, e.ID)
	}
	slices.Sort(want)
	got, _ := completions(t, "trace", "-o", out, "el_")
	if diff := cmp.Diff(want[:min(len(want), maxCompletions)], got); diff != "" {
		t.Errorf("complete trace el_ (-want +got):\n%s", diff)
	}
	got, _ = completions(t, "trace", "--db", filepath.Join(out, "folio.db"), doc.ID[:6])
	if !slices.Equal(got, []string{doc.ID}) {
		t.Errorf("complete trace %s = %v, want %s", doc.ID[:6], got, doc.ID)
	}
	if got, _ := completions(t, "trace", "some/path"); len(got) != 0 {
		t.Errorf("complete trace of a path without a ledger = %v, want none", got)
	}
}
