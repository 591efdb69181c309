package parse

import (
	"context"
	"fmt"
	"image"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/folio/folio"
)

// testRoleEnv makes the test binary a parse worker ("worker") or a
// parent that starts one and waits to be killed ("parent").
const testRoleEnv = "FOLIO_PARSE_TEST_ROLE"

func testSupervisorOptions(opts Options) SupervisorOptions {
	if opts.Instances == 0 {
		opts.Instances = 1
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	// A race-built worker compiling PDFium on a cold cache, on a busy
	// machine, may need more than the default 2 minutes.
	return SupervisorOptions{Options: opts, Command: os.Args[0], Env: []string{testRoleEnv + "=worker"}, StartTimeout: hangGuard}
}

func newTestSupervisor(t testing.TB, so SupervisorOptions) *Supervisor {
	t.Helper()
	s, err := NewSupervisor(context.Background(), so)
	if err != nil {
		t.Fatalf("NewSupervisor: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// alive reports whether process pid exists (and is not a zombie).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return len(f) > 2 && f[2] != "Z"
}

// The same documents give the same pages, images and failures through a
// worker as in-process.
func TestSupervisorMatchesEngine(t *testing.T) {
	s := newTestSupervisor(t, testSupervisorOptions(Options{}))
	for _, name := range []string{"2305.03393v1-pg9.pdf", "eu-015.pdf", "right_to_left_01.pdf",
		"corrupt.pdf", "password.pdf", "no-pages.pdf"} {
		t.Run(name, func(t *testing.T) {
			data := readTestdata(t, name)
			want, werr := parse(t, testEngine, name, data)
			got, err := s.Parse(ctxFor(t), folio.Source{Rel: name}, data)
			if folio.ErrorKind(err) != folio.ErrorKind(werr) || (err == nil) != (werr == nil) {
				t.Fatalf("worker error %v, in-process %v", err, werr)
			}
			if err != nil {
				if err.Error() != werr.Error() {
					t.Errorf("worker error %q, in-process %q", err, werr)
				}
				return
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("worker and in-process results differ: %d vs %d pages", len(got.Pages), len(want.Pages))
			}
		})
	}
}

func TestSupervisorRender(t *testing.T) {
	s := newTestSupervisor(t, testSupervisorOptions(Options{}))
	data := readTestdata(t, "eu-015.pdf")
	regions := []folio.PageBox{{Page: 1, Box: folio.Box{50, 50, 300, 200}}, {Page: 1, Box: folio.Box{0, 0, 100, 100}}}
	ctx := context.Background()
	want, err := testEngine.Render(ctx, folio.Source{Rel: "eu-015.pdf"}, data, at(regions, 100, 1e6))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Render(ctx, folio.Source{Rel: "eu-015.pdf"}, data, at(regions, 100, 1e6))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("worker rendered %d images, in-process %d; they differ", len(got), len(want))
	}
}

// A deadline kills the worker, whatever it is doing, and the next
// document gets a fresh one. 150 ms is a small part of DA-619p's time in a
// worker (over 1.7 s at the engine's floor, BENCHMARKS.md).
func TestSupervisorDeadlineKillsWorker(t *testing.T) {
	path := filepath.Join(corpusDir, "robustness", "unstructured__DA-619p.pdf")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("corpus: %v", err)
	}
	s := newTestSupervisor(t, testSupervisorOptions(Options{}))
	before := s.pids()
	if len(before) != 1 {
		t.Fatalf("%d workers running, want 1", len(before))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = s.Parse(ctx, folio.Source{Rel: "DA-619p.pdf"}, data)
	took := time.Since(start)
	if folio.ErrorKind(err) != folio.KindTimeout {
		t.Fatalf("err %v, want a timeout", err)
	}
	if took > 150*time.Millisecond+killSlack {
		t.Errorf("returned after %v, deadline 150ms", took)
	}
	if alive(before[0]) {
		t.Errorf("worker %d still running after the deadline", before[0])
	}
	if _, err := s.Parse(context.Background(), folio.Source{Rel: "eu-015.pdf"}, readTestdata(t, "eu-015.pdf")); err != nil {
		t.Fatalf("next document: %v", err)
	}
	if after := s.pids(); len(after) != 1 || after[0] == before[0] {
		t.Errorf("workers %v after the kill, want one new one (old %d)", after, before[0])
	}
}

// A worker killed from outside (the kernel's OOM killer, an operator)
// fails its document as a crash; the batch goes on with a new worker.
func TestSupervisorWorkerDies(t *testing.T) {
	path := filepath.Join(corpusDir, "robustness", "unstructured__DA-619p.pdf")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("corpus: %v", err)
	}
	so := testSupervisorOptions(Options{})
	var once sync.Once
	// Killed when its first page arrives: inside the document, whatever
	// the machine's speed.
	so.onPages = func(pid int) { once.Do(func() { syscall.Kill(pid, syscall.SIGKILL) }) }
	s := newTestSupervisor(t, so)
	_, err = s.Parse(ctxFor(t), folio.Source{Rel: "DA-619p.pdf"}, data)
	if folio.ErrorKind(err) != folio.KindCrash || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("err %v, want a crash saying the worker was killed", err)
	}
	if _, err := s.Parse(context.Background(), folio.Source{Rel: "eu-015.pdf"}, readTestdata(t, "eu-015.pdf")); err != nil {
		t.Fatalf("next document: %v", err)
	}
}

// A worker that grows past MaxRSS is killed and its document fails with
// KindMemory, even when the WebAssembly cap would have allowed more.
func TestSupervisorMemoryCap(t *testing.T) {
	t.Parallel()
	// The cap sits 128 MiB above what a ready worker of this build holds
	// (several times more under -race, and after compiling PDFium); the
	// document needs hundreds of MiB more.
	probe := newTestSupervisor(t, testSupervisorOptions(Options{}))
	ready, ok := residentBytes(probe.pids()[0])
	if !ok {
		t.Skip("no resident size on this system")
	}
	probe.Close()
	so := testSupervisorOptions(Options{MemoryLimit: 1 << 30})
	so.MaxRSS = ready + 128<<20
	s := newTestSupervisor(t, so)
	_, err := s.Parse(ctxFor(t), folio.Source{Rel: "bomb.pdf"}, pathsPDF(3_000_000))
	if folio.ErrorKind(err) != folio.KindMemory || !strings.Contains(err.Error(), "resident") {
		t.Fatalf("err %v, want KindMemory from the resident-memory cap", err)
	}
}

// Workers get none of the parent's credentials.
func TestSupervisorWorkerEnvironment(t *testing.T) {
	const secret = "sk-folio-test-0123456789abcdef"
	t.Setenv("OPENAI_API_KEY", secret)
	t.Setenv("AZURE_OPENAI_API_KEY", secret)
	s := newTestSupervisor(t, testSupervisorOptions(Options{}))
	env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", s.pids()[0]))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	if strings.Contains(string(env), secret) {
		t.Errorf("the worker's environment holds the parent's API key")
	}
	if !strings.Contains(string(env), "PATH=") {
		t.Errorf("the worker's environment lacks PATH: %q", env)
	}
}

// A worker dies with its parent, even when the parent is killed and has
// no chance to stop it.
func TestSupervisorWorkerDiesWithParent(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), testRoleEnv+"=parent")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	if _, err := fmt.Fscan(out, &pid); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("read the worker's pid: %v", err)
	}
	if !alive(pid) {
		t.Fatalf("worker %d is not running", pid)
	}
	cmd.Process.Kill()
	cmd.Wait()
	// The kernel signals the worker as its parent dies.
	deadline := time.Now().Add(killSlack)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("worker %d outlived its parent by %v", pid, killSlack)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// orphanParent is the "parent" role: it starts a supervisor, prints its
// worker's pid and waits to be killed.
func orphanParent() int {
	so := testSupervisorOptions(Options{})
	s, err := NewSupervisor(context.Background(), so)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(s.pids()[0])
	time.Sleep(time.Minute)
	return 0
}

// A page over the glyph or object limit fails its document as too large,
// naming the page, rather than giving a truncated page.
func TestPageLimits(t *testing.T) {
	data := readTestdata(t, "eu-015.pdf")
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"glyphs", Options{MaxPageGlyphs: 100}, "page 1: "},
		{"objects", Options{MaxPageObjects: 5}, "page 1: more than 5 objects"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEngine(t, tc.opts)
			_, err := parse(t, e, "eu-015.pdf", data)
			if folio.ErrorKind(err) != folio.KindTooLarge || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want too_large with %q", err, tc.want)
			}
		})
	}
}

// A long document parsed in chunks across workers gives the very pages,
// metadata and fonts one engine gives.
func TestSupervisorChunksLongDocument(t *testing.T) {
	t.Parallel()
	path := filepath.Join(corpusDir, "robustness", "unstructured__DA-619p.pdf")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("corpus: %v", err)
	}
	want, err := parse(t, testEngine, "DA-619p.pdf", data)
	if err != nil {
		t.Fatal(err)
	}
	s := newTestSupervisor(t, testSupervisorOptions(Options{Instances: 3}))
	got, err := s.Parse(ctxFor(t), folio.Source{Rel: "DA-619p.pdf"}, data)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.pids()); n != 3 {
		t.Errorf("%d workers running, want 3: the document was not split", n)
	}
	if len(got.Pages) != len(want.Pages) {
		t.Fatalf("%d pages, want %d", len(got.Pages), len(want.Pages))
	}
	for i := range got.Pages {
		if !reflect.DeepEqual(got.Pages[i], want.Pages[i]) {
			t.Fatalf("page %d differs from the in-process parse", i+1)
		}
	}
	if !reflect.DeepEqual(got.Meta, want.Meta) || !reflect.DeepEqual(got.Fonts, want.Fonts) {
		t.Errorf("metadata or fonts differ: %v %v, want %v %v", got.Meta, got.Fonts, want.Meta, want.Fonts)
	}
	if len(got.Warnings) != len(want.Warnings) {
		t.Errorf("warnings %q, want %q", got.Warnings, want.Warnings)
	}
}

// Through a worker, a document mixing a scanned page (read by OCR after
// the others were sent) and text pages comes back in page order, equal to
// the in-process result.
func TestSupervisorScannedAndTextPages(t *testing.T) {
	t.Parallel()
	needTesseract(t)
	data := readSample(t, "twotables_2.pdf")
	pg := mustParseBytes(t, data).Pages[0]
	var text strings.Builder
	for i := range 40 {
		fmt.Fprintf(&text, "BT /F1 11 Tf 72 %d Td (Line %d of a page with a text layer of its own.) Tj ET\n", 740-16*i, i+1)
	}
	blank := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	doc := scanPDF(t, []scanPage{
		{img: blank, w: 612, h: 792, flate: true, content: text.String()},
		{img: pageImage(t, data, pg, 300), w: pg.Width, h: pg.Height},
		{img: blank, w: 612, h: 792, flate: true, content: text.String()},
	})
	want, err := testEngine.Parse(ctxFor(t), folio.Source{Rel: "mixed.pdf"}, doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Pages) != 3 || want.Pages[0].Scanned || !want.Pages[1].Scanned || want.Pages[2].Scanned {
		t.Fatalf("in-process: %d pages; want text, scan, text", len(want.Pages))
	}
	s := newTestSupervisor(t, testSupervisorOptions(Options{}))
	got, err := s.Parse(ctxFor(t), folio.Source{Rel: "mixed.pdf"}, doc)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("worker and in-process results differ")
		for i := range min(len(got.Pages), len(want.Pages)) {
			t.Logf("page %d: number %d vs %d, %d vs %d words", i+1, got.Pages[i].Number, want.Pages[i].Number, len(got.Pages[i].Words), len(want.Pages[i].Words))
		}
	}
}
