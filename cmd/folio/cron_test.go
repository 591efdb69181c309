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
func folioCmd(env []string, args ...string) (*exec.Cmd, *lockedBuffer, *lockedBuffer) {
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "FOLIO_TEST_KEY="+fakeKey)
	cmd.Env = append(cmd.Env, env...)
	out, errb := &lockedBuffer{}, &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, errb
	return cmd, out, errb
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

// Bounds on waiting for a folio process. They are hang guards, not
// expectations, and only a stuck test waits them out: a run may first
// compile PDFium on a cold cache, which takes about 20 s on a 2-core
// machine that is already busy, and a minute or more on a slower one.
const (
	// startBound is how long a run may take to get to its first document
	// or model request.
	startBound = 5 * time.Minute
	// exitBound is how long a run may take to end once nothing holds it
	// up: documents in flight finish in seconds.
	exitBound = 2 * time.Minute
)

// proc is a folio process the test watches while it runs.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr *lockedBuffer
	done           chan struct{} // closed once it has exited
	err            error         // cmd.Wait's, set before done is closed
}

// startFolio starts folioCmd(env, args...); the process is killed, if it
// still runs, when the test ends.
func startFolio(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	cmd, stdout, stderr := folioCmd(env, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, stdout: stdout, stderr: stderr, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	return p
}

// await waits for ready, an event of the run such as a line of its
// output; it fails the test when the process exits first or bound passes.
func (p *proc) await(t *testing.T, what string, bound time.Duration, ready func() bool) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for !ready() {
		select {
		case <-p.done:
			if ready() {
				return
			}
			t.Fatalf("folio exited (%v) before %s\n%s", p.err, what, p.stderr)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v\n%s", what, bound, p.stderr)
		}
	}
}

// exit waits for the process to end and returns its exit code; it fails
// the test when the process still runs after bound.
func (p *proc) exit(t *testing.T, bound time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return exitCode(p.err)
	case <-time.After(bound):
		t.Fatalf("folio still running after %v\n%s", bound, p.stderr)
		return -1
	}
}

// runSummary is the last line of parse --json.
type runSummary struct {
	Type                string
	OK, Failed, Skipped int
	Refreshed           int
	Interrupted         int
	NotStarted          int `json:"not_started"`
	Pages, Elements     int
	ElementStatus       elementStatus `json:"element_status"`
	Seconds             float64
}

// summaryOf returns the summary that ends parse --json output, and the
// status of each document event before it.
func summaryOf(t *testing.T, ndjson string) (runSummary, []string) {
	t.Helper()
	var sum runSummary
	var statuses []string
	lines := strings.Split(strings.TrimSpace(ndjson), "\n")
	for _, line := range lines[:len(lines)-1] {
		var ev struct{ Type, Status string }
		if err := json.Unmarshal([]byte(line), &ev); err != nil || ev.Type != "document" {
			t.Fatalf("not a document event: %q", line)
		}
		statuses = append(statuses, ev.Status)
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil || sum.Type != "summary" {
		t.Fatalf("last line is not the summary: %q", lines[len(lines)-1])
	}
	return sum, statuses
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
// model server, while killing folio with SIGKILL at random moments: no
// output is ever torn, the next start removes temporary files, a run left
// alone finishes, and in the end the ledger is sound, holds each document
// once with the hashes of its outputs, and no request was paid twice. A run
// over the unchanged inputs then parses nothing and makes no model call.
// FOLIO_CHAOS_SEED replays a seed.
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

	// A clean full run, for the request count a run over unchanged inputs
	// must not add to, and the times the kills below are spread over.
	clean := t.TempDir()
	cmd, stdout, stderr := folioCmd(nil, args(clean)...)
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("clean run: %v\n%s", err, stderr)
	}
	first := time.Since(t0)
	cleanRequests := len(srv.Requests())
	sum, _ := summaryOf(t, stdout.String())
	if sum.OK != docs {
		t.Fatalf("clean run summary: %s", lastLine(stdout.String()))
	}
	work := time.Duration(sum.Seconds * float64(time.Second)) // without start-up, which may compile PDFium
	cmd, stdout, stderr = folioCmd(nil, args(clean)...)
	t0 = time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("second run: %v\n%s", err, stderr)
	}
	second := time.Since(t0)
	// How fast the second run is belongs to benchmarks; that it redoes no
	// work is checked here, in what it reports.
	t.Logf("%d documents: first run %v, second run over unchanged inputs %v (%.1f%%), %d model requests",
		docs, first.Round(time.Millisecond), second.Round(time.Millisecond), 100*second.Seconds()/first.Seconds(), cleanRequests)
	sum2, statuses := summaryOf(t, stdout.String())
	if sum2.Skipped != docs || sum2.OK+sum2.Failed != 0 || sum2.Pages+sum2.Elements != 0 {
		t.Errorf("second run did not skip every document: %s", lastLine(stdout.String()))
	}
	for i, st := range statuses {
		if st != "skipped" {
			t.Errorf("second run: document event %d is %q, want skipped", i+1, st)
		}
	}
	if len(statuses) != docs {
		t.Errorf("second run reported %d documents, want %d", len(statuses), docs)
	}
	if n := len(srv.Requests()) - cleanRequests; n != 0 {
		t.Errorf("second run sent %d model requests, want 0", n)
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
	// Kills land from start-up (about what the second run took) to a
	// quarter of the work in. After maxKills, a run is left to finish:
	// how many kills it takes before one finishes on its own depends on
	// the machine's speed, so it is not what the test checks.
	const maxKills = 40
	maxDelay := second + max(work/4, 500*time.Millisecond)
	out := t.TempDir()
	before := len(srv.Requests())
	var kills, recoveries int
	var leftover []string // temp files the last kill left
	for {
		p := startFolio(t, nil, args(out)...)
		var code int
		if kills < maxKills {
			delay := time.Duration(rng.Int64N(int64(maxDelay)))
			select {
			case <-p.done:
			case <-time.After(delay):
				_ = p.cmd.Process.Kill()
				<-p.done
			}
			code = exitCode(p.err)
		} else {
			// Left alone, it does at most the clean run's work.
			code = p.exit(t, startBound+4*work)
		}
		if code != 0 && code != 128+int(syscall.SIGKILL) {
			t.Fatalf("run exited %d\n%s", code, p.stderr)
		}
		// The run got past its start-up, which removes temp files.
		if strings.Contains(p.stderr.String(), "run started") {
			for _, f := range leftover {
				if _, err := os.Stat(f); err == nil {
					t.Errorf("temp file %s survived the next start", f)
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
// a current recording of each of the docs documents exactly once, and that
// every output's hash is the one it recorded.
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
	rows, err := db.Query(`SELECT path, status, outputs FROM documents WHERE superseded IS NULL`)
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

// TestSecondRunOnSameOutputExits75 holds OUT with a run stuck on a model
// server that answers after an hour, under GOGC=1 so that a lock the
// garbage collector could reach would be lost, and starts 20 more runs on
// the same OUT: each exits 75 while the holder still holds OUT, naming it.
// SIGTERM then ends the holder: in-flight work is canceled after
// --shutdown-timeout, and it exits 143.
func TestSecondRunOnSameOutputExits75(t *testing.T) {
	srv := oaitest.New(t)
	var stuck []oaitest.Step
	for range 40 {
		stuck = append(stuck, oaitest.Step{Delay: time.Hour})
	}
	srv.Script("gpt-4.1-mini", stuck...)
	policy := writePolicy(t, srv, "")
	out := t.TempDir()
	gogc := []string{"GOGC=1"}
	holder := startFolio(t, gogc, "parse", "../../testdata/samples", "-o", out, "--config", policy,
		"--shutdown-timeout", "500ms")
	holder.await(t, "model request from the holder", startBound, func() bool { return len(srv.Requests()) > 0 })

	// A run that waited for the lock would wait for the holder, which holds
	// it until it is sent SIGTERM below: a run that exits at all did not
	// wait, however long it took to start.
	want := fmt.Sprintf("another run holds %s (pid %d)", filepath.Join(out, ".folio.lock"), holder.cmd.Process.Pid)
	var slowest time.Duration
	for i := range 20 {
		p := startFolio(t, gogc, "parse", "../../testdata/samples", "-o", out, "--config", policy)
		t0 := time.Now()
		code := p.exit(t, exitBound)
		slowest = max(slowest, time.Since(t0))
		if code != 75 || !strings.Contains(p.stderr.String(), want) {
			t.Fatalf("attempt %d: exit %d, stderr %q; want 75 naming the holder", i+1, code, p.stderr)
		}
	}
	t.Logf("20 runs on the held OUT exited 75, the slowest after %v", slowest.Round(time.Millisecond))
	// --wait gives up after the given time with the same code.
	p := startFolio(t, nil, "parse", "../../testdata/samples", "-o", out, "--wait", "300ms")
	t0 := time.Now()
	if code := p.exit(t, exitBound); code != 75 || time.Since(t0) < 300*time.Millisecond {
		t.Errorf("--wait 300ms: exit %d after %v, want 75 after at least 300ms", code, time.Since(t0))
	}

	// The holder's requests would be answered in an hour: it ends because
	// --shutdown-timeout cancels them.
	t0 = time.Now()
	if err := holder.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := holder.exit(t, exitBound); code != 143 {
		t.Errorf("holder exited %d after SIGTERM, want 143\n%s", code, holder.stderr)
	}
	t.Logf("holder ended %v after SIGTERM", time.Since(t0).Round(time.Millisecond))
	if !strings.Contains(holder.stderr.String(), "document interrupted") {
		t.Errorf("holder's stderr does not report the interrupted documents:\n%s", holder.stderr)
	}
	// The lock is free again, and --wait takes it.
	if _, stderr, code := runFolio(t, "parse", "../../testdata/samples", "-o", out, "--wait", "5s"); code != 0 {
		t.Errorf("run after the holder: exit %d\n%s", code, stderr)
	}
}

// TestParseDoesNotWaitForALockByDefault checks what "exits 75 at once" in
// TestSecondRunOnSameOutputExits75 cannot time: a run waits for another's
// lock only with --wait.
func TestParseDoesNotWaitForALockByDefault(t *testing.T) {
	f := newParseCmd(&streams{}, &globalOptions{}, nil).Flags().Lookup("wait")
	if f == nil || f.DefValue != "0s" {
		t.Errorf("--wait flag %+v, want one defaulting to 0s", f)
	}
}

// TestSignalFinishesInFlightDocuments sends SIGINT as soon as the first
// document is reported: documents in flight finish and are recorded, no new
// one starts, the exit status is 130, and the next run does only the rest.
func TestSignalFinishesInFlightDocuments(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	// A local run has twice --workers documents in flight: when the first
	// is reported, at most 3 others have started, and the signal arrives
	// long before the other 20 could all be parsed.
	const docs = 24
	makeInputs(t, in, docs)
	// The grace is long enough for the documents in flight to finish on a
	// machine of any speed: none is interrupted.
	p := startFolio(t, nil, "parse", in, "-o", out, "--workers", "2", "--json", "--shutdown-timeout", "10m")
	p.await(t, "document event", startBound, func() bool { return strings.Contains(p.stdout.String(), `"type":"document"`) })
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := p.exit(t, exitBound); code != 130 {
		t.Fatalf("exit %d after SIGINT, want 130\n%s", code, p.stderr)
	}
	// The signal is acknowledged at once, and the run ends saying why.
	stderr := p.stderr.String()
	if !strings.Contains(stderr, "stopping (SIGINT): finishing ") || !strings.Contains(stderr, "up to 10m0s; press Ctrl-C again to abort") {
		t.Errorf("SIGINT not acknowledged on stderr:\n%s", stderr)
	}
	if last := lastLine(stderr); last != "folio: interrupted (SIGINT)" {
		t.Errorf("last line %q, want %q", last, "folio: interrupted (SIGINT)")
	}
	sum, _ := summaryOf(t, p.stdout.String())
	t.Logf("SIGINT after the first document: %d ok, %d not started", sum.OK, sum.NotStarted)
	if sum.OK == 0 || sum.NotStarted == 0 || sum.Interrupted != 0 || sum.OK+sum.NotStarted != docs {
		t.Errorf("summary %+v: want some ok, the rest not started, none interrupted", sum)
	}
	stdout2, stderr2, code := runFolio(t, "parse", in, "-o", out, "--json")
	if code != 0 {
		t.Fatalf("next run: exit %d\n%s", code, stderr2)
	}
	sum2, _ := summaryOf(t, stdout2)
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
