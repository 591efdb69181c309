package parse

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/internal/testpdf"
)

// newTestEngine starts an engine with opts for one test, without
// interrupt checks like testEngine.
func newTestEngine(t testing.TB, opts Options) *Engine {
	t.Helper()
	opts.NoInterrupt = true
	if opts.Instances == 0 {
		opts.Instances = 1
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	e, err := New(context.Background(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// interrupting is the engine interruptEngine shares.
var interrupting struct {
	once sync.Once
	e    *Engine
	err  error
}

// interruptEngine is a shared engine with wazero's interrupt checks, as
// in-process callers run it: a deadline stops PDFium inside a call. It
// compiles its own variant of PDFium once per cache.
func interruptEngine(t testing.TB) *Engine {
	t.Helper()
	interrupting.once.Do(func() {
		interrupting.e, interrupting.err = New(context.Background(), Options{
			Instances: 2,
			Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		})
	})
	if interrupting.err != nil {
		t.Fatalf("New with interrupt checks: %v", interrupting.err)
	}
	return interrupting.e
}

// readTestdata reads a file of testdata/.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// hangGuard bounds work a test expects to finish. It is no speed target,
// only a clearer failure than go test's -timeout if something hangs: the
// slowest such work (DA-619p in-process under -race on a 2-core machine
// with the other core busy) takes under a minute.
const hangGuard = 5 * time.Minute

// killSlack is how long after its deadline a parse, render or OCR that
// the deadline interrupts may take to return. Interrupting takes
// milliseconds (the kill, then the cleanup), also under -race on a busy
// machine; the bound is that many times over, and far below the time the
// uninterrupted work takes.
const killSlack = 10 * time.Second

// ctxFor is a context for work t expects to finish (hangGuard).
func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	t.Cleanup(cancel)
	return ctx
}

// parse parses data with e under hangGuard.
func parse(t testing.TB, e *Engine, name string, data []byte) (*folio.Parsed, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	return e.Parse(ctx, folio.Source{Rel: name}, data)
}

// mustParse parses a testdata file with the shared engine.
func mustParse(t testing.TB, name string) *folio.Parsed {
	t.Helper()
	p, err := parse(t, testEngine, name, readTestdata(t, name))
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return p
}

// text joins the words of a page with single spaces.
func text(pg folio.Page) string {
	var b strings.Builder
	for i, w := range pg.Words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w.Text)
	}
	return b.String()
}

// pathsPDF builds a one-page PDF whose content stream strokes n short
// lines: cheap to store (it compresses to almost nothing), expensive for
// PDFium to load.
func pathsPDF(n int) []byte {
	var content bytes.Buffer
	zw := zlib.NewWriter(&content)
	line := []byte("10 10 m 20 20 l S\n")
	for range n {
		zw.Write(line)
	}
	zw.Close()
	return buildPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", content.Len(), content.Bytes()),
	)
}

// buildPDF assembles objects 1… into a PDF file with a valid xref table.
func buildPDF(objs ...string) []byte { return testpdf.Build(objs...) }

// withDoc opens data on an instance of the shared engine and calls fn with
// a parser bound to it, for tests of the page-level readers.
func withDoc(t *testing.T, data []byte, fn func(d *docParser)) {
	t.Helper()
	inst, err := testEngine.pool.GetInstanceWithContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	l, err := bind(context.Background(), inst)
	if err != nil {
		t.Fatal(err)
	}
	defer l.release()
	d := &docParser{l: l, opts: &testEngine.opts, log: testEngine.log}
	buf := l.malloc(uint32(len(data)))
	defer l.free(buf)
	l.write(buf, data)
	d.doc = l.callPtr(fnLoadMemDocument64, uint64(buf), uint64(len(data)), 0)
	if d.doc == 0 {
		t.Fatalf("open: error %d %v", l.call(fnGetLastError), l.err)
	}
	defer l.call(fnCloseDocument, uint64(d.doc))
	fn(d)
	if l.err != nil {
		t.Fatal(l.err)
	}
}

// at asks for every region drawn at dpi and maxPixels.
func at(regions []folio.PageBox, dpi float64, maxPixels int64) []folio.Drawing {
	ds := make([]folio.Drawing, len(regions))
	for i, r := range regions {
		ds[i] = folio.Drawing{PageBox: r, DPI: dpi, MaxPixels: maxPixels}
	}
	return ds
}
