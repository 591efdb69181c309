package parse

import (
	"bytes"
	"compress/zlib"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/folio/folio"
	"github.com/folio/folio/internal/tesseract"
)

// needTesseract skips the test when the tesseract program is missing.
func needTesseract(t testing.TB) {
	t.Helper()
	if _, err := tesseract.Find("", ""); err != nil {
		t.Skipf("OCR test skipped: %v", err)
	}
}

// scanPage is one page of a scanned PDF built by scanPDF.
type scanPage struct {
	img  *image.Gray
	w, h float64 // page size in points
	// flate stores the pixels losslessly instead of as a JPEG.
	flate bool
	// content is extra content stream text drawn after the image, with
	// font /F1 (Helvetica) available.
	content string
}

// scanPDF builds a PDF with one page per image, each image drawn over
// the whole page as a scanner would: a DCT (JPEG, quality 80) or Flate
// image XObject.
func scanPDF(t testing.TB, pages []scanPage) []byte {
	t.Helper()
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", ""}
	var kids []string
	// Pages that share an image share its encoding, which is slow under
	// -race.
	type encoding struct {
		img   *image.Gray
		flate bool
	}
	encoded := map[encoding]*bytes.Buffer{}
	for _, p := range pages {
		n := len(objs) + 1 // page object number
		kids = append(kids, fmt.Sprintf("%d 0 R", n))
		b := p.img.Rect
		filter := "/DCTDecode"
		if p.flate {
			filter = "/FlateDecode"
		}
		data := encoded[encoding{p.img, p.flate}]
		if data == nil {
			data = new(bytes.Buffer)
			if p.flate {
				data = flateGray(p.img)
			} else if err := jpeg.Encode(data, p.img, &jpeg.Options{Quality: 80}); err != nil {
				t.Fatal(err)
			}
			encoded[encoding{p.img, p.flate}] = data
		}
		content := fmt.Sprintf("q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q\n%s", p.w, p.h, p.content)
		objs = append(objs,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents %d 0 R "+
				"/Resources << /XObject << /Im0 %d 0 R >> /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
				p.w, p.h, n+1, n+2),
			fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
			fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter %s /Length %d >>\nstream\n%s\nendstream",
				b.Dx(), b.Dy(), filter, data.Len(), data.Bytes()),
		)
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages))
	return buildPDF(objs...)
}

// flateGray compresses img's rows, as a Flate-encoded DeviceGray image
// XObject stores them.
func flateGray(img *image.Gray) *bytes.Buffer {
	var data bytes.Buffer
	zw := zlib.NewWriter(&data)
	for y := range img.Rect.Dy() {
		zw.Write(img.Pix[y*img.Stride : y*img.Stride+img.Rect.Dx()])
	}
	zw.Close()
	return &data
}

// pageImage renders page pg of data at dpi as a gray image, straight
// from PDFium's bitmap (no PNG round trip, which is slow under -race).
func pageImage(t testing.TB, data []byte, pg folio.Page, dpi float64) *image.Gray {
	t.Helper()
	tt, ok := t.(*testing.T)
	if !ok {
		out := render(t, data, []folio.PageBox{{Page: pg.Number, Box: folio.Box{0, 0, pg.Width, pg.Height}}}, dpi, 40_000_000)
		return grayOf(decode(t, out[0]))
	}
	var img image.Image
	withDoc(tt, data, func(d *docParser) {
		page := d.l.callPtr(fnLoadPage, uint64(d.doc), uint64(pg.Number-1))
		if page == 0 {
			t.Fatalf("load page %d", pg.Number)
		}
		defer d.l.call(fnClosePage, uint64(page))
		r := &regionRenderer{l: d.l, doc: d.doc, scale: dpi / 72, maxPixels: 40_000_000}
		img = r.region(page, folio.Box{0, 0, pg.Width, pg.Height})
	})
	if img == nil {
		t.Fatalf("page %d could not be drawn", pg.Number)
	}
	return grayOf(img)
}

// scanOf returns page num of the PDF file at path as a scan at dpi: the
// original page as parsed, and a one-page scanned PDF of it.
func scanOf(t testing.TB, path string, num int, dpi float64, flate bool) (folio.Page, []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	orig, err := parse(t, testEngine, filepath.Base(path), data)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	if num > len(orig.Pages) {
		t.Fatalf("%s has %d pages, want page %d", path, len(orig.Pages), num)
	}
	pg := orig.Pages[num-1]
	img := pageImage(t, data, pg, dpi)
	return pg, scanPDF(t, []scanPage{{img: img, w: pg.Width, h: pg.Height, flate: flate}})
}

// wordTokens returns the words of a page as comparable tokens: visible
// words only, ligatures expanded, punctuation around a word dropped,
// hyphens and dashes unified.
func wordTokens(words []folio.Word) []string {
	var out []string
	repl := strings.NewReplacer("ﬁ", "fi", "ﬂ", "fl", "ﬀ", "ff", "ﬃ", "ffi", "ﬄ", "ffl", "–", "-", "—", "-", "−", "-",
		"‘", "'", "’", "'", "“", `"`, "”", `"`)
	for _, w := range words {
		if w.Hidden {
			continue
		}
		for f := range strings.FieldsSeq(repl.Replace(w.Text)) {
			f = strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
			if f != "" {
				out = append(out, f)
			}
		}
	}
	return out
}

// wordF1 is the F1 score of the bag of words got against want.
func wordF1(want, got []string) (f1, precision, recall float64) {
	if len(want) == 0 && len(got) == 0 {
		return 1, 1, 1
	}
	bag := map[string]int{}
	for _, w := range want {
		bag[w]++
	}
	match := 0
	for _, g := range got {
		if bag[g] > 0 {
			bag[g]--
			match++
		}
	}
	if match == 0 {
		return 0, 0, 0
	}
	precision = float64(match) / float64(len(got))
	recall = float64(match) / float64(len(want))
	return 2 * precision * recall / (precision + recall), precision, recall
}

// scanCase is one page of the OCR benchmark.
type scanCase struct {
	path string
	page int
}

// ocrBenchPages are the pages scanned and read back by TestOCRScannedF1:
// papers, handbooks, government reports with tables, ruled tables.
var ocrBenchPages = []scanCase{
	{samplesDir + "/2305.03393v1-pg9.pdf", 1},
	{samplesDir + "/twotables_2.pdf", 1},
	{samplesDir + "/amt_handbook_sample.pdf", 1},
	{samplesDir + "/picture_classification.pdf", 1},
	{corpusDir + "/docling-pdf/code_and_formula.pdf", 1},
	{corpusDir + "/docling-pdf/multi_page.pdf", 1},
	{corpusDir + "/docling-pdf/multi_page.pdf", 2},
	{corpusDir + "/docling-pdf/redp5110_sampled.pdf", 2},
	{corpusDir + "/icdar2013/eu-002.pdf", 1},
	{corpusDir + "/icdar2013/us-003.pdf", 1},
	{corpusDir + "/icdar2013/us-012.pdf", 1},
	{corpusDir + "/icdar2013/eu-018.pdf", 1},
	{corpusDir + "/tabula-java/spanning_cells.pdf", 1},
}

// TestOCRScannedF1 renders real pages at 300 dpi, wraps them in PDFs as
// JPEG scans, parses those and compares the words OCR reads with the
// original text layer: at least 10 pages must reach a word F1 of 0.90.
func TestOCRScannedF1(t *testing.T) {
	t.Parallel()
	needTesseract(t)
	if testing.Short() {
		t.Skip("OCR benchmark skipped in -short mode")
	}
	type row struct {
		name     string
		f1, p, r float64
		words    int
		took     time.Duration
	}
	var (
		mu   sync.Mutex
		rows []row
	)
	t.Run("pages", func(t *testing.T) {
		for _, c := range ocrBenchPages {
			name := fmt.Sprintf("%s#%d", filepath.Base(c.path), c.page)
			t.Run(name, func(t *testing.T) {
				if _, err := os.Stat(c.path); err != nil {
					t.Skipf("%s: %v", c.path, err)
				}
				t.Parallel()
				orig, scan := scanOf(t, c.path, c.page, 300, false)
				start := time.Now()
				got, err := parse(t, testEngine, name, scan)
				took := time.Since(start)
				if err != nil {
					t.Fatalf("parse scan: %v", err)
				}
				pg := got.Pages[0]
				if !pg.Scanned {
					t.Errorf("page not marked scanned")
				}
				f1, p, r := wordF1(wordTokens(orig.Words), wordTokens(pg.Words))
				mu.Lock()
				rows = append(rows, row{name, f1, p, r, len(pg.Words), took})
				mu.Unlock()
			})
		}
	})
	sort.Slice(rows, func(i, j int) bool { return rows[i].f1 > rows[j].f1 })
	good := 0
	var sum float64
	var took time.Duration
	for _, r := range rows {
		t.Logf("%-36s F1 %.3f  P %.3f  R %.3f  %4d words  %.2fs", r.name, r.f1, r.p, r.r, r.words, r.took.Seconds())
		if r.f1 >= 0.90 {
			good++
		}
		sum += r.f1
		took += r.took
	}
	if len(rows) > 0 {
		t.Logf("%d of %d pages at F1 ≥ 0.90; mean F1 %.3f; %.2fs per page (two at a time)",
			good, len(rows), sum/float64(len(rows)), took.Seconds()/float64(len(rows)))
	}
	if len(rows) < 10 {
		t.Skipf("only %d benchmark pages found (the corpus is in ../shared/corpus)", len(rows))
	}
	if good < 10 {
		t.Errorf("%d pages reach word F1 0.90, want at least 10", good)
	}
}

var scanOut = flag.String("scan-out", "", "directory to write scanned copies of the corpus sets to (enables TestWriteScans)")

// TestWriteScans writes a scanned copy of each PDF of the corpus sets
// (every page drawn at 300 dpi, wrapped as a JPEG scan) with its truth
// file, so that scanned and born-digital scores can be compared:
//
//	go test ./parse/ -run TestWriteScans -scan-out /tmp/scanned -timeout 30m
//	bin/folio parse /tmp/scanned/icdar2013 -o /tmp/out/icdar2013
//	python3 ../shared/eval/score.py /tmp/scanned/icdar2013 /tmp/out/icdar2013
//
// Right-to-left documents are left out: OCR reads English only.
func TestWriteScans(t *testing.T) {
	if *scanOut == "" {
		t.Skip("scanned corpus: give -scan-out DIR")
	}
	for _, set := range []string{"docling-pdf", "icdar2013", "camelot-lattice", "tabula-java"} {
		dir := filepath.Join(corpusDir, set)
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(*scanOut, set)
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			name := e.Name()
			if strings.HasPrefix(name, "right_to_left") {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				continue // a folder
			}
			if strings.HasSuffix(name, ".truth.json") {
				if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if !strings.HasSuffix(name, ".pdf") {
				continue
			}
			orig, err := parse(t, testEngine, name, data)
			if err != nil {
				t.Logf("%s: %v", name, err)
				continue
			}
			var pages []scanPage
			for _, pg := range orig.Pages {
				pages = append(pages, scanPage{img: pageImage(t, data, pg, 300), w: pg.Width, h: pg.Height})
			}
			if err := os.WriteFile(filepath.Join(out, name), scanPDF(t, pages), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
