package parse

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
)

func TestParseText(t *testing.T) {
	p := mustParse(t, "2305.03393v1-pg9.pdf")
	if len(p.Pages) != 1 {
		t.Fatalf("got %d pages, want 1", len(p.Pages))
	}
	pg := p.Pages[0]
	got := []any{pg.Number, pg.Width, pg.Height, pg.Rotation, pg.TextLayer()}
	if diff := cmp.Diff([]any{1, 612.0, 792.0, 0, true}, got); diff != "" {
		t.Errorf("number, width, height, rotation, text layer (-want +got):\n%s", diff)
	}
	all := text(pg)
	last := -1
	for _, phrase := range []string{
		"Optimized Table Tokenization for Table Structure Recognition",
		"on a single core with AMD EPYC 7763 CPU @2.45 GHz.",
		"5.1 Hyper Parameter Optimization",
		"We have chosen the PubTabNet data set to perform HPO,",
	} {
		i := strings.Index(all, phrase)
		if i < 0 {
			t.Errorf("text lacks %q", phrase)
			continue
		}
		if i < last {
			t.Errorf("%q comes before the previous phrase", phrase)
		}
		last = i
	}
	for _, w := range pg.Words {
		if w.Box[0] < 0 || w.Box[1] < 0 || w.Box[2] > pg.Width || w.Box[3] > pg.Height || w.Box[0] > w.Box[2] || w.Box[1] > w.Box[3] {
			t.Errorf("word %q box %v is not inside the %vx%v page", w.Text, w.Box, pg.Width, pg.Height)
		}
		if w.Size < 4 || w.Size > 30 || w.Font == "" || w.Hidden {
			t.Errorf("word %q: size %v, font %q, hidden %v", w.Text, w.Size, w.Font, w.Hidden)
		}
	}
	styles := map[string]folio.Word{}
	for _, w := range pg.Words {
		if _, ok := styles[w.Text]; !ok {
			styles[w.Text] = w
		}
	}
	type style struct {
		Font string
		Bold bool
	}
	gotStyles := []style{{styles["Hyper"].Font, styles["Hyper"].Bold}, {styles["chosen"].Font, styles["chosen"].Bold}}
	if diff := cmp.Diff([]style{{"SFBX1000", true}, {"SFRM1000", false}}, gotStyles); diff != "" {
		t.Errorf("heading and body styles (-want +got):\n%s", diff)
	}
	if !strings.Contains(p.Meta["Producer"], "Quartz") || p.Meta["Creator"] != "LaTeX with hyperref" {
		t.Errorf("meta = %v, want Producer ~ Quartz and Creator LaTeX with hyperref", p.Meta)
	}
	if diff := cmp.Diff([]string{"SFBX0900", "SFBX1000", "SFRM0900", "SFRM1000", "SFTI1000"}, p.Fonts); diff != "" {
		t.Errorf("fonts (-want +got):\n%s", diff)
	}
}

func TestRotatedPages(t *testing.T) {
	tests := []struct {
		name          string
		file          string
		page          int
		width, height float64
		rotation      int
		angle         float64 // of the body text, displayed
		word          string  // a word and its box as poppler's pdftotext -bbox reports it
		box           folio.Box
	}{
		{"rotate 90 with horizontal text", "eu-015.pdf", 0, 842, 595, 90, 0,
			"Enquiries", folio.Box{53.75, 56.85, 110.55, 71.61}},
		{"rotate 180 with text turned clockwise", "clockwise_table_1.pdf", 0, 612, 792, 180, 270,
			"Table", folio.Box{542.70, 176.84, 552.89, 205.57}},
		{"upright page with text turned counter-clockwise", "anticlockwise_table_1.pdf", 0, 612, 792, 0, 90,
			"", folio.Box{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pg := mustParse(t, tt.file).Pages[tt.page]
			got := []any{pg.Width, pg.Height, pg.Rotation}
			if diff := cmp.Diff([]any{tt.width, tt.height, tt.rotation}, got); diff != "" {
				t.Errorf("width, height, rotation (-want +got):\n%s", diff)
			}
			along, across, inside := 0, 0, 0
			for _, w := range pg.Words {
				if w.Box[0] >= 0 && w.Box[1] >= 0 && w.Box[2] <= pg.Width && w.Box[3] <= pg.Height {
					inside++
				}
				if len([]rune(w.Text)) < 3 || w.Angle != tt.angle {
					continue
				}
				wide := w.Box.Width() > w.Box.Height()
				if wide == (tt.angle == 0 || tt.angle == 180) {
					along++
				} else {
					across++
				}
			}
			if inside != len(pg.Words) {
				t.Errorf("%d of %d words inside the displayed page", inside, len(pg.Words))
			}
			if along < 50 || across > along/20 {
				t.Errorf("words of 3+ characters at %v°: %d extend along the text direction, %d across; want nearly all along", tt.angle, along, across)
			}
			if tt.word == "" {
				return
			}
			for _, w := range pg.Words {
				if w.Text != tt.word {
					continue
				}
				// Loose boxes reach from descender to ascender; poppler's
				// are a little tighter across the line.
				for i, tol := range [4]float64{0.5, 1.5, 0.5, 1.5} {
					if math.Abs(w.Box[i]-tt.box[i]) > tol {
						t.Errorf("%q box %v, poppler has %v", w.Text, w.Box, tt.box)
						break
					}
				}
				return
			}
			t.Errorf("no word %q", tt.word)
		})
	}
}

func TestRulings(t *testing.T) {
	tests := []struct {
		file                 string
		page                 int
		horizontal, vertical int // at least
	}{
		{"clockwise_table_1.pdf", 0, 100, 100},
		{"anticlockwise_table_1.pdf", 0, 100, 100},
		{"2305.03393v1-pg9.pdf", 0, 5, 20},
		{"eu-015.pdf", 0, 20, 20},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			pg := mustParse(t, tt.file).Pages[tt.page]
			h, v := 0, 0
			for _, r := range pg.Rulings {
				if r.X0 < 0 || r.Y0 < 0 || r.X1 > pg.Width || r.Y1 > pg.Height || r.X0 > r.X1 || r.Y0 > r.Y1 {
					t.Errorf("ruling %+v is not a normalised segment on the %vx%v page", r, pg.Width, pg.Height)
				}
				switch {
				case r.Y0 == r.Y1:
					h++
				case r.X0 == r.X1:
					v++
				default:
					t.Errorf("ruling %+v is not axis-aligned", r)
				}
			}
			if h < tt.horizontal || v < tt.vertical {
				t.Errorf("got %d horizontal and %d vertical rulings, want at least %d and %d", h, v, tt.horizontal, tt.vertical)
			}
		})
	}
}

func TestRightToLeft(t *testing.T) {
	pg := mustParse(t, "right_to_left_01.pdf").Pages[0]
	// The title in logical order (compare docling's truth); PDFium gives
	// the lam-alef ligature of "الإنتاجية" as alef, lam.
	want := "تحسين الإنتاجية وحل المشكلات من خلال البرمجة بلغة R و Python"
	if got := text(pg); !strings.HasPrefix(got, want) {
		t.Errorf("text starts %q, want %q", got[:min(len(got), len(want)+20)], want)
	}
	rtl := map[string]bool{}
	for _, w := range pg.Words[:11] {
		rtl[w.Text] = w.RTL
	}
	if diff := cmp.Diff(map[string]bool{"تحسين": true, "الإنتاجية": true, "وحل": true, "المشكلات": true, "من": true,
		"خلال": true, "البرمجة": true, "بلغة": true, "R": false, "و": true, "Python": false}, rtl); diff != "" {
		t.Errorf("RTL flags (-want +got):\n%s", diff)
	}
	// Logical order runs right to left: the first word is rightmost.
	if a, b := pg.Words[0], pg.Words[1]; a.Box[0] < b.Box[2] {
		t.Errorf("first word %q at %v is left of the second %q at %v", a.Text, a.Box, b.Text, b.Box)
	}
}

func TestFailures(t *testing.T) {
	pdf := readTestdata(t, "2305.03393v1-pg9.pdf")
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(i*7919 + i>>3)
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel2()
	time.Sleep(time.Millisecond)
	tests := []struct {
		name string
		ctx  context.Context
		data []byte
		want folio.Kind
	}{
		{"a password-protected file is encrypted", nil, readTestdata(t, "password.pdf"), folio.KindEncrypted},
		{"a corrupt file is malformed", nil, readTestdata(t, "corrupt.pdf"), folio.KindMalformed},
		{"a truncated file is malformed", nil, pdf[:len(pdf)/2], folio.KindMalformed},
		{"garbage is malformed", nil, garbage, folio.KindMalformed},
		{"an empty file is malformed", nil, nil, folio.KindMalformed},
		{"an expired deadline is a timeout", expired, pdf, folio.KindTimeout},
		{"a canceled context is canceled", canceled, pdf, folio.KindCanceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			p, err := testEngine.Parse(ctx, folio.Source{Rel: "x.pdf"}, tt.data)
			var fe *folio.Error
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, %v; want a *folio.Error of kind %s", p, err, tt.want)
			}
			got := []any{fe.Op, fe.Doc, fe.Kind}
			if diff := cmp.Diff([]any{"parse", "x.pdf", tt.want}, got); diff != "" {
				t.Errorf("op, doc, kind (-want +got):\n%s\nerror: %v", diff, err)
			}
		})
	}
}

func TestEmptyPasswordOpens(t *testing.T) {
	p := mustParse(t, "empty-password.pdf")
	if len(p.Pages) != 1 || p.Pages[0].Width <= 0 {
		t.Errorf("got %d pages (%+v), want 1 page", len(p.Pages), p.Pages)
	}
}

func TestNoPages(t *testing.T) {
	p := mustParse(t, "no-pages.pdf")
	if len(p.Pages) != 0 || len(p.Warnings) == 0 || p.Warnings[0] != "document has no pages" {
		t.Errorf("got %d pages and warnings %q; want none and a warning", len(p.Pages), p.Warnings)
	}
}

func TestDeadlineInterruptsPDFium(t *testing.T) {
	t.Parallel()
	// One page with 2 million lines: PDFium needs seconds to load it.
	data := pathsPDF(2_000_000)
	e := interruptEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.Parse(ctx, folio.Source{Rel: "slow.pdf"}, data)
	took := time.Since(start)
	if folio.ErrorKind(err) != folio.KindTimeout {
		t.Errorf("got %v, want a timeout", err)
	}
	if took > 200*time.Millisecond+killSlack {
		t.Errorf("Parse returned %v after the deadline", took-200*time.Millisecond)
	}
	// The killed instance is replaced.
	if _, err := parse(t, e, "after.pdf", readTestdata(t, "clockwise_table_1.pdf")); err != nil {
		t.Errorf("parse after a timeout: %v", err)
	}
}

func TestMemoryLimit(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("fills 64 MiB of wasm memory")
	}
	e := newTestEngine(t, Options{MemoryLimit: 64 << 20})
	_, err := parse(t, e, "bomb.pdf", pathsPDF(3_000_000))
	if folio.ErrorKind(err) != folio.KindMemory {
		t.Errorf("got %v, want kind memory", err)
	}
	// A 63 MiB document cannot be copied into 64 MiB of wasm memory.
	big := make([]byte, 63<<20)
	copy(big, "%PDF-1.4\n")
	_, err = parse(t, e, "big.pdf", big)
	if folio.ErrorKind(err) != folio.KindMemory {
		t.Errorf("got %v, want kind memory", err)
	}
	if _, err := parse(t, e, "after.pdf", readTestdata(t, "clockwise_table_1.pdf")); err != nil {
		t.Errorf("parse after running out of memory: %v", err)
	}
}

func TestLimits(t *testing.T) {
	e := newTestEngine(t, Options{MaxPages: 1, MaxBytes: 100_000})
	tests := []struct {
		file string
		want folio.Kind
	}{
		{"eu-015.pdf", folio.KindTooLarge},           // 2 pages
		{"2305.03393v1-pg9.pdf", folio.KindTooLarge}, // 162 KB
	}
	for _, tt := range tests {
		_, err := parse(t, e, tt.file, readTestdata(t, tt.file))
		if got := folio.ErrorKind(err); got != tt.want {
			t.Errorf("%s: got %v, want kind %s", tt.file, err, tt.want)
		}
	}
	if _, err := parse(t, e, "clockwise_table_1.pdf", readTestdata(t, "clockwise_table_1.pdf")); err != nil {
		t.Errorf("a document within the limits: %v", err)
	}
}

func TestImages(t *testing.T) {
	e := newTestEngine(t, Options{ExtractImages: true})
	p, err := parse(t, e, "eu-015.pdf", readTestdata(t, "eu-015.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	type img struct {
		W, H    int
		Decoded bool
	}
	var got []img
	for _, im := range p.Pages[0].Images {
		got = append(got, img{im.PixelWidth, im.PixelHeight, im.PNG != nil})
		if im.PNG == nil {
			continue
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(im.PNG))
		if err != nil || cfg.Width != im.PixelWidth || cfg.Height != im.PixelHeight {
			t.Errorf("PNG of a %dx%d image: %dx%d, %v", im.PixelWidth, im.PixelHeight, cfg.Width, cfg.Height, err)
		}
	}
	// Two logos, and a 1-pixel-wide gradient bar that is too thin to extract.
	want := []img{{43, 36, true}, {48, 38, true}, {1, 1512, false}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("images (-want +got):\n%s", diff)
	}
	plain := mustParse(t, "eu-015.pdf")
	for _, im := range plain.Pages[0].Images {
		if im.PNG != nil {
			t.Errorf("without ExtractImages an image has %d PNG bytes", len(im.PNG))
		}
	}
}

// New keeps PDFium's compiled code in CacheDir and loads it from there:
// an engine starts from a copy of the shared engine's cache without
// writing to it, and fails to start from a damaged copy, which shows that
// it read the copy rather than compiling. (How much faster a warm start
// is: BENCHMARKS.md, "PDF engine".)
func TestCompilationCache(t *testing.T) {
	var files []string
	err := filepath.WalkDir(testEngine.opts.CacheDir, func(path string, d fs.DirEntry, err error) error {
		// A .tmp file is another process's write in progress (folio
		// binaries of cmd/folio's tests share the cache).
		if err == nil && d.Type().IsRegular() && !strings.HasSuffix(path, ".tmp") {
			files = append(files, path)
		}
		return err
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("no compiled module in the shared engine's cache %s (%v)", testEngine.opts.CacheDir, err)
	}
	// copyCache copies the cache to a new folder, changing each file's
	// bytes with damage.
	copyCache := func(damage func([]byte)) (string, []os.FileInfo) {
		dir := t.TempDir()
		var infos []os.FileInfo
		for _, f := range files {
			rel, _ := filepath.Rel(testEngine.opts.CacheDir, f)
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			damage(data)
			dst := filepath.Join(dir, rel)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, data, 0o644); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(dst)
			if err != nil {
				t.Fatal(err)
			}
			infos = append(infos, fi)
		}
		return dir, infos
	}

	good, infos := copyCache(func([]byte) {})
	newTestEngine(t, Options{CacheDir: good}).Close()
	for i, f := range files {
		rel, _ := filepath.Rel(testEngine.opts.CacheDir, f)
		fi, err := os.Stat(filepath.Join(good, rel))
		if err != nil || !os.SameFile(fi, infos[i]) || !fi.ModTime().Equal(infos[i].ModTime()) {
			t.Errorf("%s was rewritten: the engine compiled instead of loading it (%v)", rel, err)
		}
	}

	bad, _ := copyCache(func(b []byte) {
		for i := len(b) / 2; i < len(b)/2+64 && i < len(b); i++ {
			b[i] ^= 0xff
		}
	})
	e, err := New(context.Background(), Options{CacheDir: bad, NoInterrupt: true, Instances: 1,
		Logger: slog.New(slog.DiscardHandler)})
	if err == nil {
		e.Close()
		t.Fatal("an engine started from a damaged cache: it did not read the cache")
	}
	if !strings.Contains(err.Error(), "compilationcache") {
		t.Errorf("err %v, want one naming the compilation cache", err)
	}
}

func TestConcurrentParse(t *testing.T) {
	files := []string{"2305.03393v1-pg9.pdf", "clockwise_table_1.pdf", "eu-015.pdf", "right_to_left_01.pdf"}
	want := map[string]*folio.Parsed{}
	data := map[string][]byte{}
	for _, f := range files {
		want[f] = mustParse(t, f)
		data[f] = readTestdata(t, f)
	}
	errs := make(chan error, 4*len(files))
	for range 4 {
		for _, f := range files {
			go func() {
				p, err := parse(t, testEngine, f, data[f])
				if err == nil {
					if diff := cmp.Diff(want[f], p); diff != "" {
						err = errors.New(f + " differs when parsed concurrently:\n" + diff)
					}
				}
				errs <- err
			}()
		}
	}
	for range 4 * len(files) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
