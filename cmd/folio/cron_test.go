package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/folio/folio/lineage"
	"github.com/folio/folio/route/openai/oaitest"
	_ "github.com/mattn/go-sqlite3" // the ledger's raw rows, for the chaos test's checks
)

// makeInputs writes n copies of the samples into dir, each with a comment
// appended after %%EOF so that every copy has its own content hash.
func makeInputs(t testing.TB, dir string, n int) []string { return makeSaltedInputs(t, dir, n, "") }

// makeSaltedInputs is makeInputs with salt in the appended comment, so that
// two folders of inputs share no content.
func makeSaltedInputs(t testing.TB, dir string, n int, salt string) []string {
	t.Helper()
	samples, _ := filepath.Glob("../../testdata/samples/*.pdf")
	if len(samples) == 0 {
		t.Fatal("no samples in testdata/samples")
	}
	var names []string
	for i := range n {
		s := samples[i%len(samples)]
		data, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, fmt.Sprintf("%%folio copy %d%s\n", i, salt)...)
		name := fmt.Sprintf("%s-%03d.pdf", strings.TrimSuffix(filepath.Base(s), ".pdf"), i)
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	return names
}

// folioCmd returns the folio command with the test key in its
// environment, its stdout and stderr captured.
func folioCmd(env []string, args ...string) (*exec.Cmd, *bytes.Buffer, *lockedBuffer) {
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "FOLIO_TEST_KEY="+fakeKey)
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	errb := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = &out, errb
	return cmd, &out, errb
}

// lockedBuffer is a buffer a test may read while a process writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if st, ok := ee.Sys().(syscall.WaitStatus); ok && st.Signaled() {
			return 128 + int(st.Signal())
		}
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// outputFiles walks out and returns its document JSONs and any temp files.
func outputFiles(t *testing.T, out string) (jsons, temps []string) {
	t.Helper()
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		switch {
		case strings.Contains(name, ".tmp-"):
			temps = append(temps, p)
		case !d.IsDir() && strings.HasSuffix(name, ".json") && !strings.HasPrefix(name, "."):
			jsons = append(jsons, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return jsons, temps
}

// checkOutputs asserts that every output JSON in out is a complete,
// valid document whose image files exist.
func checkOutputs(t *testing.T, out string) (docs int, temps []string) {
	t.Helper()
	jsons, temps := outputFiles(t, out)
	for _, p := range jsons {
		d := readDoc(t, p)
		if d.Schema != "folio.document/v1" || !strings.HasPrefix(d.ID, "doc_") || len(d.Source.SHA256) != 64 || len(d.Elements) == 0 {
			t.Errorf("%s: not a valid document: schema %q id %q", p, d.Schema, d.ID)
		}
		for _, e := range d.Elements {
			if e.Image != nil && e.Image.File != "" {
				if _, err := os.Stat(filepath.Join(filepath.Dir(p), e.Image.File)); err != nil {
					t.Errorf("%s: image %s missing: %v", p, e.Image.File, err)
				}
			}
		}
	}
	return len(jsons), temps
}

// distinctBodies counts the distinct request bodies a server received.
func distinctBodies(reqs []oaitest.Request) int {
	seen := map[[32]byte]bool{}
	for _, r := range reqs {
		seen[sha256.Sum256(r.Body)] = true
	}
	return len(seen)
}

// TestChaosKillNine parses 100 documents, routing tables and images to a
// model server, while killing folio with SIGKILL at random moments until a
// run finishes: no output is ever torn, the next start removes temporary
// files, and in the end the ledger is sound, holds each document once with
// the hashes of its outputs, and no request was paid twice. A run over the
// unchanged inputs then takes a fraction of a full run's time and makes no
// model call. FOLIO_CHAOS_SEED replays a seed.
func TestChaosKillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test: not in -short")
	}
	const docs = 100
	in := t.TempDir()
	makeInputs(t, in, docs)
	srv := oaitest.New(t)
	// Text goes to a model too (one without vision, so that no page is
	// drawn for it), so that there are many requests to pay for, and each
	// answer takes a while, so that kills land while requests are in
	// flight.
	var slow []oaitest.Step
	for range 5000 {
		slow = append(slow, oaitest.Step{Delay: 100 * time.Millisecond})
	}
	srv.Script("gpt-4.1-mini", slow...)
	srv.Script("gpt-4.1-nano", slow...)
	policy := filepath.Join(t.TempDir(), "folio.yaml")
	yaml := fmt.Sprintf(`endpoints:
  test: {base_url: %q, api_key_env: FOLIO_TEST_KEY, concurrency: 4}
models:
  small: {endpoint: test, model: gpt-4.1-mini, input_per_mtok: 0.40, cached_input_per_mtok: 0.10, output_per_mtok: 1.60, vision: true, image_tokens: patches32}
  large: {endpoint: test, model: gpt-4.1, input_per_mtok: 2.00, cached_input_per_mtok: 0.50, output_per_mtok: 8.00, vision: true}
  text: {endpoint: test, model: gpt-4.1-nano, input_per_mtok: 0.10, cached_input_per_mtok: 0.025, output_per_mtok: 0.40}
routes:
  table: [small, large]
  image: [small]
  paragraph: [text]
  heading: [text]
  caption: [text]
  list_item: [text]
`, srv.URL)
	if err := os.WriteFile(policy, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	args := func(out string) []string {
		return []string{"parse", in, "-o", out, "--config", policy, "--workers", "2", "--json"}
	}

	// A clean full run, for the time a run over unchanged inputs must
	// beat, and the request count it must not add to.
	clean := t.TempDir()
	cmd, stdout, stderr := folioCmd(nil, args(clean)...)
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("clean run: %v\n%s", err, stderr)
	}
	first := time.Since(t0)
	cleanRequests := len(srv.Requests())
	if !strings.Contains(stdout.String(), fmt.Sprintf(`"ok":%d`, docs)) {
		t.Fatalf("clean run summary: %s", lastLine(stdout.String()))
	}
	cmd, stdout, stderr = folioCmd(nil, args(clean)...)
	t0 = time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("second run: %v\n%s", err, stderr)
	}
	second := time.Since(t0)
	t.Logf("%d documents: first run %v, second run over unchanged inputs %v (%.1f%%), %d model requests",
		docs, first.Round(time.Millisecond), second.Round(time.Millisecond), 100*second.Seconds()/first.Seconds(), cleanRequests)
	if second > first/10 {
		t.Errorf("second run took %v, more than 10%% of the first's %v", second, first)
	}
	if n := len(srv.Requests()) - cleanRequests; n != 0 {
		t.Errorf("second run sent %d model requests, want 0", n)
	}
	if !strings.Contains(stdout.String(), fmt.Sprintf(`"skipped":%d`, docs)) {
		t.Errorf("second run did not skip every document: %s", lastLine(stdout.String()))
	}

	// The chaos: a fresh output folder, a fresh ledger, and kills.
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("FOLIO_CHAOS_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("FOLIO_CHAOS_SEED: %v", err)
		}
	}
	t.Logf("chaos seed %d (replay with FOLIO_CHAOS_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	maxDelay := max(first/4, 500*time.Millisecond)
	out := t.TempDir()
	before := len(srv.Requests())
	var kills, recoveries int
	var leftover []string // temp files the last kill left
	for {
		if kills > 60 {
			t.Fatalf("no run finished after %d kills", kills)
		}
		cmd, _, stderr := folioCmd(nil, args(out)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		delay := time.Duration(rng.Int64N(int64(maxDelay)))
		var code int
		select {
		case err := <-done:
			code = exitCode(err)
		case <-time.After(delay):
			_ = cmd.Process.Kill()
			code = exitCode(<-done)
		}
		if code != 0 && code != 128+int(syscall.SIGKILL) {
			t.Fatalf("run exited %d\n%s", code, stderr)
		}
		// The run got past its start-up, which removes temp files.
		if strings.Contains(stderr.String(), "run started") {
			for _, p := range leftover {
				if _, err := os.Stat(p); err == nil {
					t.Errorf("temp file %s survived the next start", p)
				}
			}
			if len(leftover) > 0 {
				recoveries++
			}
			leftover = nil
		}
		_, temps := checkOutputs(t, out)
		leftover = append(leftover, temps...)
		if t.Failed() {
			t.FailNow()
		}
		if code == 0 {
			break
		}
		kills++
	}
	t.Logf("%d kills (%d followed by a start that removed left temp files) before a run exited 0", kills, recoveries)
	n, temps := checkOutputs(t, out)
	if n != docs || len(temps) > 0 {
		t.Errorf("%d output documents and temp files %v; want %d and none", n, temps, docs)
	}
	checkLedger(t, out, docs)

	// Requests: the chaos run's ledger saw exactly the requests the server
	// saw; a request is sent again only when a kill lost its answer.
	reqs := srv.Requests()[before:]
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(out, "folio.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var paid, paidDistinct, distinct int
	if err := db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT request_hash) FROM calls WHERE cache_hit = 0 AND usd_micros > 0`).
		Scan(&paid, &paidDistinct); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COUNT(DISTINCT request_hash) FROM calls WHERE request_hash != ''`).Scan(&distinct); err != nil {
		t.Fatal(err)
	}
	t.Logf("chaos: %d requests to the server, %d distinct; ledger: %d paid calls, %d distinct requests", len(reqs), distinctBodies(reqs), paid, distinct)
	if paid != paidDistinct || distinct == 0 {
		t.Errorf("ledger has %d paid calls for %d distinct requests: a request was paid twice", paid, paidDistinct)
	}
	if d := distinctBodies(reqs); d != distinct {
		t.Errorf("server saw %d distinct requests, the ledger records %d", d, distinct)
	}
	// Each kill can lose the answers in flight (endpoint concurrency 4).
	if resent := len(reqs) - distinctBodies(reqs); resent > 4*kills {
		t.Errorf("%d requests sent again after %d kills", resent, kills)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// checkLedger asserts that the ledger in out passes integrity_check, holds
// each of the docs documents exactly once, and that every output's hash is
// the one it recorded.
func checkLedger(t *testing.T, out string, docs int) {
	t.Helper()
	l, err := lineage.Open(context.Background(), filepath.Join(out, "folio.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.IntegrityCheck(context.Background()); err != nil {
		t.Errorf("ledger: %v", err)
	}
	l.Close()

	db, err := sql.Open("sqlite3", "file:"+filepath.Join(out, "folio.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT path, status, outputs FROM documents`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	perPath := map[string]int{}
	for rows.Next() {
		var path, status, outputs string
		if err := rows.Scan(&path, &status, &outputs); err != nil {
			t.Fatal(err)
		}
		if status != "ok" {
			t.Errorf("%s: ledger status %s", path, status)
			continue
		}
		perPath[path]++
		var outs []struct{ Path, SHA256 string }
		if err := json.Unmarshal([]byte(outputs), &outs); err != nil || len(outs) == 0 {
			t.Errorf("%s: outputs %s: %v", path, outputs, err)
		}
		for _, o := range outs {
			data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(o.Path)))
			if err != nil {
				t.Errorf("%s: output %s: %v", path, o.Path, err)
				continue
			}
			if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != o.SHA256 {
				t.Errorf("%s: output %s has sha256 %x, the ledger recorded %s", path, o.Path, sum, o.SHA256)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(perPath) != docs {
		t.Errorf("ledger holds %d documents, want %d", len(perPath), docs)
	}
	for p, n := range perPath {
		if n != 1 {
			t.Errorf("%s recorded %d times", p, n)
		}
	}
}

// TestSecondRunOnSameOutputExits75 holds OUT with a run stuck on a slow
// model server, under GOGC=1 so that a lock the garbage collector could
// reach would be lost, and starts 20 more runs on the same OUT: each exits
// 75 within a second, naming the holder. SIGTERM then ends the holder:
// in-flight work is canceled after --shutdown-timeout, and it exits 143.
func TestSecondRunOnSameOutputExits75(t *testing.T) {
	srv := oaitest.New(t)
	var slow []oaitest.Step
	for range 40 {
		slow = append(slow, oaitest.Step{Delay: time.Minute})
	}
	srv.Script("gpt-4.1-mini", slow...)
	policy := writePolicy(t, srv, "")
	out := t.TempDir()
	gogc := []string{"GOGC=1"}
	holder, _, herr := folioCmd(gogc, "parse", "../../testdata/samples", "-o", out, "--config", policy,
		"--shutdown-timeout", "500ms")
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- holder.Wait() }()
	t.Cleanup(func() { _ = holder.Process.Kill() })
	for deadline := time.Now().Add(20 * time.Second); len(srv.Requests()) == 0; {
		if time.Now().After(deadline) {
			t.Fatalf("the holder sent no model request\n%s", herr)
		}
		time.Sleep(20 * time.Millisecond)
	}

	want := fmt.Sprintf("another run holds %s (pid %d)", filepath.Join(out, ".folio.lock"), holder.Process.Pid)
	for i := range 20 {
		cmd, _, stderr := folioCmd(gogc, "parse", "../../testdata/samples", "-o", out, "--config", policy)
		t0 := time.Now()
		code := exitCode(cmd.Run())
		took := time.Since(t0)
		if code != 75 || took > time.Second || !strings.Contains(stderr.String(), want) {
			t.Fatalf("attempt %d: exit %d after %v, stderr %q; want 75 within 1s naming the holder", i+1, code, took, stderr)
		}
	}
	// --wait gives up after the given time with the same code.
	cmd, _, _ := folioCmd(nil, "parse", "../../testdata/samples", "-o", out, "--wait", "300ms")
	t0 := time.Now()
	if code := exitCode(cmd.Run()); code != 75 || time.Since(t0) < 300*time.Millisecond {
		t.Errorf("--wait 300ms: exit %d after %v, want 75 after at least 300ms", code, time.Since(t0))
	}

	t0 = time.Now()
	if err := holder.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if code := exitCode(err); code != 143 {
			t.Errorf("holder exited %d after SIGTERM, want 143\n%s", code, herr)
		}
		t.Logf("holder ended %v after SIGTERM", time.Since(t0).Round(time.Millisecond))
	case <-time.After(15 * time.Second):
		t.Fatalf("holder still running 15s after SIGTERM with --shutdown-timeout 500ms\n%s", herr)
	}
	if !strings.Contains(herr.String(), "document interrupted") {
		t.Errorf("holder's stderr does not report the interrupted documents:\n%s", herr)
	}
	// The lock is free again, and --wait takes it.
	if _, stderr, code := runFolio(t, "parse", "../../testdata/samples", "-o", out, "--wait", "5s"); code != 0 {
		t.Errorf("run after the holder: exit %d\n%s", code, stderr)
	}
}

// TestSignalFinishesInFlightDocuments sends SIGINT during a run: documents
// in flight finish and are recorded, no new one starts, the exit status is
// 130, and the next run does only the rest.
func TestSignalFinishesInFlightDocuments(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	const docs = 24
	makeInputs(t, in, docs)
	cmd, stdout, stderr := folioCmd(nil, "parse", in, "-o", out, "--workers", "2", "--json")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(stderr.String(), "run started"); {
		if time.Now().After(deadline) {
			t.Fatalf("the run did not start\n%s", stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(<-done); code != 130 {
		t.Fatalf("exit %d after SIGINT, want 130\n%s", code, stderr)
	}
	var sum struct {
		Type            string
		OK, Interrupted int
		NotStarted      int `json:"not_started"`
		Skipped         int
	}
	if err := json.Unmarshal([]byte(lastLine(stdout.String())), &sum); err != nil || sum.Type != "summary" {
		t.Fatalf("last line is not the summary: %q", lastLine(stdout.String()))
	}
	if sum.OK == 0 || sum.NotStarted == 0 || sum.Interrupted != 0 || sum.OK+sum.NotStarted != docs {
		t.Errorf("summary %+v: want some ok, the rest not started, none interrupted", sum)
	}
	stdout2, stderr2, code := runFolio(t, "parse", in, "-o", out, "--json")
	if code != 0 {
		t.Fatalf("next run: exit %d\n%s", code, stderr2)
	}
	var sum2 struct{ OK, Skipped int }
	_ = json.Unmarshal([]byte(lastLine(stdout2)), &sum2)
	if sum2.Skipped != sum.OK || sum2.OK != docs-sum.OK {
		t.Errorf("next run: %+v; want %d skipped and %d ok", sum2, sum.OK, docs-sum.OK)
	}
}

// TestRenamesAndCopiesPayNothing renames one input and copies another: both
// are recognised by content, their model answers come from the cache.
func TestRenamesAndCopiesPayNothing(t *testing.T) {
	srv := oaitest.New(t)
	policy := writePolicy(t, srv, "")
	in, out := t.TempDir(), t.TempDir()
	names := makeInputs(t, in, 4)
	if _, stderr, code := runWithKey(t, "parse", in, "-o", out, "--config", policy); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}
	paid := len(srv.Requests())
	if paid == 0 {
		t.Fatal("no model request in the first run")
	}
	if err := os.Rename(filepath.Join(in, names[0]), filepath.Join(in, "renamed.pdf")); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(in, names[1]))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(in, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(in, "sub", "copy.pdf"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runWithKey(t, "parse", in, "-o", out, "--config", policy, "--prune")
	if code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, stderr)
	}
	if n := len(srv.Requests()) - paid; n != 0 {
		t.Errorf("renamed and copied documents sent %d model requests, want 0", n)
	}
	if !strings.Contains(stdout, "2 ok, 0 failed, 3 skipped") || !strings.Contains(stdout, "1 pruned") || !strings.Contains(stdout, "from cache") {
		t.Errorf("summary %q: want 2 ok (cached answers), 3 skipped, 1 pruned", stdout)
	}
	for _, p := range []string{"renamed.pdf.json", "sub/copy.pdf.json"} {
		readDoc(t, filepath.Join(out, p))
	}
	if _, err := os.Stat(filepath.Join(out, names[0]+".json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the renamed input's old output is still there: %v", err)
	}
}

// TestPrune removes inputs: without --prune their outputs stay, with it
// they go, the ledger keeps their lineage marked pruned, and a run whose
// inputs are all gone prunes nothing.
func TestPrune(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	names := makeInputs(t, in, 3)
	if _, stderr, code := runFolio(t, "parse", in, "-o", out, "--markdown"); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}
	gone := names[2] // picture_classification: it has image assets
	if err := os.Remove(filepath.Join(in, gone)); err != nil {
		t.Fatal(err)
	}
	if _, _, code := runFolio(t, "parse", in, "-o", out); code != 0 {
		t.Fatalf("run without --prune: exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(out, gone+".json")); err != nil {
		t.Fatalf("without --prune the output went: %v", err)
	}
	stdout, stderr, code := runFolio(t, "parse", in, "-o", out, "--prune", "--json")
	if code != 0 {
		t.Fatalf("--prune: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, `"status":"pruned"`) || !strings.Contains(stdout, `"pruned":1`) {
		t.Errorf("--prune output lacks the pruned event or count:\n%s", stdout)
	}
	for _, p := range []string{gone + ".json", gone + ".md", gone + ".assets"} {
		if _, err := os.Stat(filepath.Join(out, p)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s still there after --prune: %v", p, err)
		}
	}
	for _, n := range names[:2] {
		readDoc(t, filepath.Join(out, n+".json"))
	}
	tr, _, code := runFolio(t, "trace", "-o", out, "--json", gone)
	if code != 0 || !strings.Contains(tr, `"pruned"`) {
		t.Errorf("trace of the pruned document: exit %d, want its lineage marked pruned:\n%s", code, tr)
	}

	// An input folder that is empty (an unmounted share) prunes nothing.
	empty := t.TempDir()
	if _, _, code := runFolio(t, "parse", empty, "-o", out, "--prune"); code != 0 {
		t.Fatalf("empty input: exit %d", code)
	}
	for _, n := range names[:2] {
		readDoc(t, filepath.Join(out, n+".json"))
	}
}

// TestStartUpRemovesTempFiles plants the temp files a kill leaves.
func TestStartUpRemovesTempFiles(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	makeInputs(t, in, 1)
	planted := []string{
		filepath.Join(out, ".x.pdf.json.tmp-ABCDEFGHIJKL"),
		filepath.Join(out, "sub", ".y.pdf.md.tmp-ABCDEFGHIJKL"),
		filepath.Join(out, "sub", "y.pdf.assets", ".p1-1.png.tmp-ABCDEFGHIJKL"),
	}
	for _, p := range planted {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, stderr, code := runFolio(t, "parse", in, "-o", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if _, temps := outputFiles(t, out); len(temps) > 0 {
		t.Errorf("temp files left: %v", temps)
	}
	if !strings.Contains(stderr, "removed temporary files") {
		t.Errorf("stderr does not report the removed temp files:\n%s", stderr)
	}
}

// TestSharedLedgerTwoOutputs runs two batches with different outputs and
// one ledger at the same time.
func TestSharedLedgerTwoOutputs(t *testing.T) {
	srv := oaitest.New(t)
	policy := writePolicy(t, srv, "")
	db := filepath.Join(t.TempDir(), "shared.db")
	var wg sync.WaitGroup
	for i := range 2 {
		in, out := t.TempDir(), t.TempDir()
		makeSaltedInputs(t, in, 8, fmt.Sprint(" for run ", i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd, _, stderr := folioCmd(nil, "parse", in, "-o", out, "--db", db, "--config", policy, "--workers", "2")
			if code := exitCode(cmd.Run()); code != 0 || strings.Contains(stderr.String(), "locked") {
				t.Errorf("run %d: exit %d\n%s", i, code, stderr)
			}
		}()
	}
	wg.Wait()
}

// TestNoEscapeCodesOffTerminal runs folio as cron does: an empty
// environment, stdin closed, no terminal.
func TestNoEscapeCodesOffTerminal(t *testing.T) {
	if _, err := exec.LookPath("env"); err != nil {
		t.Skip("env not found")
	}
	out := t.TempDir()
	// The second run reuses the PDF engine's compilation cache: without a
	// home folder, the first compiles it for itself (seconds).
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Skip("no user cache folder")
	}
	for _, args := range [][]string{
		{binary, "parse", "../../testdata/samples", "-o", out},
		{"XDG_CACHE_HOME=" + cache, binary, "parse", "../../testdata/samples", "-o", out, "--force", "--json", "--log-level", "debug"},
	} {
		cmd := exec.Command("sh", append([]string{"-c", `exec 0<&- env -i "$@"`, "sh"}, args...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stderr.String())
		}
		for name, b := range map[string][]byte{"stdout": stdout.Bytes(), "stderr": stderr.Bytes()} {
			if i := bytes.IndexByte(b, 0x1b); i >= 0 {
				t.Errorf("%v: escape code on %s at byte %d: %q", args, name, i, b[max(0, i-40):min(len(b), i+40)])
			}
		}
		if !strings.Contains(stderr.String(), "run started") {
			t.Errorf("%v: no log line on stderr:\n%s", args, stderr.String())
		}
	}
}

// TestProgressBarOnTerminal runs folio with stderr on a pseudo-terminal.
func TestProgressBarOnTerminal(t *testing.T) {
	out := t.TempDir()
	cmd := exec.Command(binary, "parse", "../../testdata/samples", "-o", out)
	cmd.Env = append(os.Environ(), "TERM=xterm")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 160})
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer f.Close()
	var screen bytes.Buffer
	_, _ = io.Copy(&screen, f) // ends with EIO when folio exits
	if err := cmd.Wait(); err != nil {
		t.Fatalf("folio on a terminal: %v\n%s", err, screen.String())
	}
	s := screen.String()
	for _, want := range []string{"\x1b[", "documents 4/4", "pages", "elements", "model calls", "$", "ETA"} {
		if !strings.Contains(s, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, s)
		}
	}
	if !strings.Contains(s, "documents: 4 ok") {
		t.Errorf("terminal output lacks the summary:\n%q", s)
	}

	// --quiet draws nothing.
	cmd = exec.Command(binary, "parse", "../../testdata/samples", "-o", out, "--force", "--quiet")
	f2, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 160})
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	screen.Reset()
	_, _ = io.Copy(&screen, f2)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("--quiet: %v", err)
	}
	if screen.Len() != 0 {
		t.Errorf("--quiet printed %q", screen.String())
	}
}
