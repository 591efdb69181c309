package parse

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio"
)

func TestScanReason(t *testing.T) {
	page := folio.Box{0, 0, 600, 800}
	scan := []folio.ImagePlacement{{Box: page}}
	photo := []folio.ImagePlacement{{Box: folio.Box{0, 0, 600, 300}}}
	word := func(text string, hidden bool) folio.Word {
		return folio.Word{Text: text, Box: folio.Box{10, 10, 50, 20}, Hidden: hidden}
	}
	prose := []folio.Word{word("The quick brown fox jumps over the lazy dog, twice over.", false)}
	tests := []struct {
		name    string
		words   []folio.Word
		images  []folio.ImagePlacement
		objects int
		want    string
	}{
		{name: "blank_page_not_scanned", objects: 0, want: ""},
		{name: "image_only_scanned", images: scan, objects: 1, want: "no visible text"},
		{name: "vector_drawing_only_scanned", objects: 40, want: "no visible text"},
		{name: "invisible_ocr_layer_scanned", words: []folio.Word{word("hidden", true)}, images: scan, objects: 2, want: "no visible text"},
		{name: "garbage_text_scanned", words: []folio.Word{word("\uE001\uE002\uE003\uFFFDa", false)}, objects: 2, want: "garbage text"},
		{name: "stamp_over_scan_scanned", words: []folio.Word{word("Page", false), word("3", false)}, images: scan, objects: 3, want: "little text over a picture"},
		{name: "text_page_not_scanned", words: prose, objects: 5, want: ""},
		{name: "caption_under_photo_not_scanned", words: []folio.Word{word("Figure", false), word("1", false)}, images: photo, objects: 3, want: ""},
		{name: "prose_over_scan_not_scanned", words: prose, images: scan, objects: 3, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scanReason(tt.words, tt.images, tt.objects, 600, 800); got != tt.want {
				t.Errorf("scanReason = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMergeOCRWords(t *testing.T) {
	w := func(text string, x float64, hidden bool) folio.Word {
		return folio.Word{Text: text, Box: folio.Box{x, 10, x + 30, 20}, Hidden: hidden}
	}
	ocr := []folio.Word{w("Page", 0, false), w("Report", 100, false)}
	tests := []struct {
		name  string
		words []folio.Word
		want  []string
	}{
		{name: "stamp_kept_ocr_duplicate_dropped", words: []folio.Word{w("Page", 1, false)}, want: []string{"Page", "Report"}},
		{name: "hidden_layer_kept_beside_ocr", words: []folio.Word{w("Page", 1, true)}, want: []string{"Page", "Page", "Report"}},
		{name: "garbage_dropped", words: []folio.Word{w("\uE001\uE002", 1, false)}, want: []string{"Page", "Report"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, w := range mergeOCRWords(tt.words, ocr) {
				got = append(got, w.Text)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("words = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestFindLines draws a ruled grid with text-like marks and checks that
// the rulings are found and painted out, and the marks left alone.
func TestFindLines(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 1000, 600))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	fill := func(x0, y0, x1, y1 int) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				img.Pix[y*img.Stride+x] = 0
			}
		}
	}
	fill(100, 100, 900, 103) // horizontal rules, 3 px
	fill(100, 300, 900, 303)
	fill(100, 500, 900, 502)
	fill(100, 100, 103, 502) // vertical rules
	fill(500, 100, 502, 502)
	fill(897, 100, 900, 502)
	// A skewed rule: 600 px stepping down a pixel every 150.
	for k := range 4 {
		fill(100+150*k, 550+k, 250+150*k, 553+k)
	}
	// Letters: stems 40 px tall and 6 wide, a bold bar 30×12.
	for x := 150; x < 400; x += 20 {
		fill(x, 200, x+6, 240)
	}
	fill(600, 200, 630, 212)
	lines := findLines(img, 300)
	var h, v int
	for _, l := range lines {
		if l.vertical {
			v++
		} else {
			h++
		}
	}
	if h != 4 || v != 3 {
		t.Errorf("found %d horizontal and %d vertical lines, want 4 and 3: %+v", h, v, lines)
	}
	for _, l := range lines {
		if !l.vertical && l.a <= 105 && l.b >= 695 && math.Abs(l.at-552.5) < 1 {
			goto skewOK
		}
	}
	t.Errorf("skewed rule not found as one line: %+v", lines)
skewOK:
	dark := func(x0, y0, x1, y1 int) int {
		n := 0
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				if img.Pix[y*img.Stride+x] < darkLevel {
					n++
				}
			}
		}
		return n
	}
	if n := dark(90, 90, 910, 110) + dark(495, 110, 505, 190) + dark(90, 540, 910, 560); n != 0 {
		t.Errorf("%d pixels of the rules left", n)
	}
	if n := dark(150, 200, 400, 240); n != 13*6*40 {
		t.Errorf("letter stems lost ink: %d pixels left, want %d", n, 13*6*40)
	}
	if n := dark(600, 200, 630, 212); n != 30*12 {
		t.Errorf("bold bar lost ink: %d pixels left", n)
	}
	// In points at 300 dpi: the first rule runs from 24 pt to 216 pt, at
	// the middle of pixel row 101.
	r := lines[0].ruling(0.24, 0.24)
	if want := (folio.Ruling{X0: 24, Y0: 24.36, X1: 216, Y1: 24.36}); r != want {
		t.Errorf("first ruling = %+v, want %+v", r, want)
	}
}

func TestInkBlobsAndDots(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 200, 100))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	// A filled disc of radius 6 and a ring of radius 10.
	for y := range 100 {
		for x := range 200 {
			d := math.Hypot(float64(x-30), float64(y-50))
			e := math.Hypot(float64(x-100), float64(y-50))
			if d <= 6 || (e <= 10 && e >= 8) {
				img.Pix[y*img.Stride+x] = 0
			}
		}
	}
	bs := inkBlobs(img)
	if len(bs) != 2 {
		t.Fatalf("found %d blobs, want 2: %+v", len(bs), bs)
	}
	letter := 30.0
	for _, b := range bs {
		disc := b.box.Min.X < 50
		if got := isDot(b, letter); got != disc {
			t.Errorf("isDot(%v) = %v, want %v", b.box, got, disc)
		}
	}
}

// pngWithDPI encodes img as PNG with a pHYs chunk for dpi.
func pngWithDPI(t testing.TB, img image.Image, dpi float64) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	chunk := make([]byte, 0, 21)
	chunk = binary.BigEndian.AppendUint32(chunk, 9)
	chunk = append(chunk, "pHYs"...)
	ppm := uint32(math.Round(dpi / 0.0254))
	chunk = binary.BigEndian.AppendUint32(chunk, ppm)
	chunk = binary.BigEndian.AppendUint32(chunk, ppm)
	chunk = append(chunk, 1)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	const afterIHDR = 8 + 25
	return append(append(append([]byte{}, b[:afterIHDR]...), chunk...), b[afterIHDR:]...)
}

// jpegWith encodes img as JPEG with a JFIF density of dpi and, when
// orientation > 1, an Exif orientation.
func jpegWith(t testing.TB, img image.Image, dpi, orientation int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	seg := []byte{0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(dpi))
	seg = binary.BigEndian.AppendUint16(seg, uint16(dpi))
	seg = append(seg, 0, 0)
	if orientation > 1 {
		exif := []byte("Exif\x00\x00II*\x00\x08\x00\x00\x00\x01\x00")
		exif = binary.LittleEndian.AppendUint16(exif, tagOrientation)
		exif = binary.LittleEndian.AppendUint16(exif, 3)
		exif = binary.LittleEndian.AppendUint32(exif, 1)
		exif = binary.LittleEndian.AppendUint32(exif, uint32(orientation))
		exif = binary.LittleEndian.AppendUint32(exif, 0)
		seg = append(seg, 0xFF, 0xE1)
		seg = binary.BigEndian.AppendUint16(seg, uint16(len(exif)+2))
		seg = append(seg, exif...)
	}
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

// tiffGray encodes a gray image as an uncompressed little-endian TIFF
// with a resolution of dpi.
func tiffGray(img *image.Gray, dpi uint32) []byte {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	type entry struct {
		tag, typ uint16
		val      uint32
	}
	const nTags = 12
	ifd := 8
	resX := ifd + 2 + nTags*12 + 4
	pix := resX + 16
	entries := []entry{
		{256, 4, uint32(w)}, {257, 4, uint32(h)}, {258, 3, 8}, {259, 3, 1}, {262, 3, 1},
		{273, 4, uint32(pix)}, {277, 3, 1}, {278, 4, uint32(h)}, {279, 4, uint32(w * h)},
		{282, 5, uint32(resX)}, {283, 5, uint32(resX + 8)}, {296, 3, 2},
	}
	b := []byte("II*\x00")
	b = binary.LittleEndian.AppendUint32(b, uint32(ifd))
	b = binary.LittleEndian.AppendUint16(b, nTags)
	for _, e := range entries {
		b = binary.LittleEndian.AppendUint16(b, e.tag)
		b = binary.LittleEndian.AppendUint16(b, e.typ)
		b = binary.LittleEndian.AppendUint32(b, 1)
		b = binary.LittleEndian.AppendUint32(b, e.val)
	}
	b = binary.LittleEndian.AppendUint32(b, 0)
	for range 2 {
		b = binary.LittleEndian.AppendUint32(b, dpi)
		b = binary.LittleEndian.AppendUint32(b, 1)
	}
	for y := range h {
		b = append(b, img.Pix[y*img.Stride:y*img.Stride+w]...)
	}
	return b
}

func TestImageInfo(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 4, 2))
	x, y := pngDPI(pngWithDPI(t, img, 150))
	if math.Abs(x-150) > 0.1 || math.Abs(y-150) > 0.1 {
		t.Errorf("pngDPI = %v, %v, want 150", x, y)
	}
	if x, y := pngDPI(pngWithDPI(t, img, 150)[:40]); x != 0 || y != 0 {
		t.Errorf("pngDPI of a cut file = %v, %v, want 0", x, y)
	}
	x, y, o := jpegInfo(jpegWith(t, img, 200, 6))
	if x != 200 || y != 200 || o != 6 {
		t.Errorf("jpegInfo = %v, %v, %d, want 200, 200, 6", x, y, o)
	}
	x, y, o = tiffInfo(tiffGray(img, 300))
	if x != 300 || y != 300 || o != 1 {
		t.Errorf("tiffInfo = %v, %v, %d, want 300, 300, 1", x, y, o)
	}
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	src.Pix[0] = 9 // red of the top-left pixel
	for o, want := range map[int]image.Point{2: {2, 0}, 3: {2, 1}, 4: {0, 1}, 5: {0, 0}, 6: {1, 0}, 7: {1, 2}, 8: {0, 2}} {
		got := orient(src, o).(*image.RGBA)
		if r, _, _, _ := got.At(want.X, want.Y).RGBA(); r>>8 != 9 {
			t.Errorf("orient %d: top-left pixel not at %v", o, want)
		}
	}
}

// FuzzImageInput checks that no input makes the image decoders or the
// resolution readers panic, and that a decoded picture has a plausible
// resolution.
func FuzzImageInput(f *testing.F) {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	f.Add(pngWithDPI(f, img, 150))
	f.Add(jpegWith(f, img, 200, 6))
	f.Add(tiffGray(img, 300))
	f.Fuzz(func(t *testing.T, data []byte) {
		pngDPI(data)
		jpegInfo(data)
		tiffInfo(data)
		for _, format := range []string{formatPNG, formatJPEG, formatTIFF} {
			p, err := decodePicture(data, format, 1<<16)
			if err != nil {
				continue
			}
			if !plausibleDPI(p.dpiX) || !plausibleDPI(p.dpiY) || p.img.Bounds().Empty() {
				t.Fatalf("%s: picture %v at %v×%v dpi", format, p.img.Bounds(), p.dpiX, p.dpiY)
			}
		}
	})
}

func TestInputFormat(t *testing.T) {
	tests := []struct {
		format string
		data   string
		want   string
	}{
		{"pdf", "\x89PNG\r\n\x1a\n", "pdf"},
		{"png", "%PDF-1.4", "png"},
		{"", "\x89PNG\r\n\x1a\nxx", "png"},
		{"", "\xFF\xD8\xFF\xE0", "jpeg"},
		{"", "II*\x00", "tiff"},
		{"", "MM\x00*", "tiff"},
		{"", "%PDF-1.7", "pdf"},
		{"", "", "pdf"},
	}
	for _, tt := range tests {
		if got := inputFormat(folio.Source{Format: tt.format}, []byte(tt.data)); got != tt.want {
			t.Errorf("inputFormat(%q, %q) = %q, want %q", tt.format, tt.data, got, tt.want)
		}
	}
}

// TestParseScannedPDF parses a two-page scan (a JPEG page and a
// lossless one) of real pages: both are scans with OCR words in place,
// sizes, confidences, and the ruled table's rulings found in the pixels.
func TestParseScannedPDF(t *testing.T) {
	t.Parallel()
	needTesseract(t)
	data := readSample(t, "twotables_2.pdf")
	orig := mustParseBytes(t, data)
	pg := orig.Pages[0]
	img := pageImage(t, data, pg, 300)
	paper := readSample(t, "2305.03393v1-pg9.pdf")
	pg2 := mustParseBytes(t, paper).Pages[0]
	scan := scanPDF(t, []scanPage{
		{img: img, w: pg.Width, h: pg.Height},
		{img: pageImage(t, paper, pg2, 300), w: pg2.Width, h: pg2.Height, flate: true},
	})
	got, err := testEngine.Parse(ctxFor(t), folio.Source{Rel: "scan.pdf"}, scan)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Pages) != 2 {
		t.Fatalf("%d pages, want 2", len(got.Pages))
	}
	for i, want := range []folio.Page{pg, pg2} {
		p := got.Pages[i]
		if !p.Scanned || p.TextLayer() {
			t.Errorf("page %d: Scanned %v, TextLayer %v; want a scan without a text layer", i+1, p.Scanned, p.TextLayer())
		}
		if f1, _, _ := wordF1(wordTokens(want.Words), wordTokens(p.Words)); f1 < 0.9 {
			t.Errorf("page %d: word F1 %.3f, want ≥ 0.9", i+1, f1)
		}
		for _, w := range p.Words {
			if w.Confidence <= 0 || w.Confidence > 1 || w.Size <= 0 || w.Box.Area() <= 0 || w.Hidden {
				t.Fatalf("page %d: OCR word %+v lacks confidence, size or box", i+1, w)
			}
			if w.Box[0] < 0 || w.Box[1] < 0 || w.Box[2] > p.Width || w.Box[3] > p.Height {
				t.Fatalf("page %d: word %+v off the page", i+1, w)
			}
		}
	}
	// Words land where the text layer had them.
	near := 0
	for _, w := range got.Pages[0].Words {
		for _, o := range pg.Words {
			if o.Text == w.Text && math.Abs(o.Box.CenterX()-w.Box.CenterX()) < 3 && math.Abs(o.Box.CenterY()-w.Box.CenterY()) < 3 {
				near++
				break
			}
		}
	}
	if near < len(got.Pages[0].Words)*9/10 {
		t.Errorf("only %d of %d OCR words within 3 pt of the same word in the text layer", near, len(got.Pages[0].Words))
	}
	// The two ruled tables: long rulings across the page.
	var long int
	for _, r := range got.Pages[0].Rulings {
		if r.Horizontal() && r.X1-r.X0 > 300 {
			long++
		}
	}
	if long < 10 {
		t.Errorf("%d long horizontal rulings found in the scan, want the tables' (≥ 10): %v", long, got.Pages[0].Rulings)
	}
}

// TestParseScanWithTextOver checks the two kinds of text a scan may
// carry: an invisible OCR layer (the page's text: the page is not read
// again) and a visible stamp (kept beside what OCR reads).
func TestParseScanWithTextOver(t *testing.T) {
	t.Parallel()
	needTesseract(t)
	data := readSample(t, "2305.03393v1-pg9.pdf")
	pg := mustParseBytes(t, data).Pages[0]
	img := pageImage(t, data, pg, 300)
	// The layer an OCR program would write: the page's words, invisible,
	// where they are on the scan.
	var layer strings.Builder
	for _, w := range pg.Words {
		if strings.ContainsFunc(w.Text, func(r rune) bool { return r > 0x7E || r == '(' || r == ')' || r == '\\' }) {
			continue
		}
		fmt.Fprintf(&layer, "BT 3 Tr /F1 %.1f Tf %.2f %.2f Td (%s ) Tj ET\n", w.Size, w.Box[0], pg.Height-w.Box[3], w.Text)
	}
	scan := scanPDF(t, []scanPage{
		{img: img, w: pg.Width, h: pg.Height, content: layer.String()},
		{img: img, w: pg.Width, h: pg.Height, content: "BT /F1 6 Tf 500 20 Td (STAMP-0042) Tj ET"},
	})
	got, err := testEngine.Parse(ctxFor(t), folio.Source{Rel: "scan.pdf"}, scan)
	if err != nil {
		t.Fatal(err)
	}
	layered := got.Pages[0]
	if layered.Scanned {
		t.Error("page 1, with an OCR layer, scanned")
	}
	if f1, _, _ := wordF1(wordTokens(pg.Words), wordTokens(layered.Words)); f1 < 0.85 {
		t.Errorf("page 1: word F1 %.3f", f1)
	}
	for _, w := range layered.Words {
		if w.Hidden {
			t.Errorf("page 1: layer word %q hidden", w.Text)
		}
	}
	stamped := got.Pages[1]
	if !stamped.Scanned {
		t.Error("page 2 not scanned")
	}
	if f1, _, _ := wordF1(wordTokens(pg.Words), wordTokens(stamped.Words)); f1 < 0.85 {
		t.Errorf("page 2: word F1 %.3f", f1)
	}
	stamp := 0
	for _, w := range stamped.Words {
		if w.Text == "STAMP-0042" && w.Confidence == 0 {
			stamp++
		}
	}
	if stamp != 1 {
		t.Errorf("stamp kept %d times (want 1)", stamp)
	}
}

func TestParseImageInputs(t *testing.T) {
	t.Parallel()
	needTesseract(t)
	e := newTestEngine(t, Options{ExtractImages: true})
	data := readSample(t, "2305.03393v1-pg9.pdf")
	pg := mustParseBytes(t, data).Pages[0]
	// The top half of the page, where the prose is.
	half := pageImage(t, data, pg, 200).SubImage(image.Rect(0, 0, 1700, 1100)).(*image.Gray)
	h200 := image.NewGray(image.Rect(0, 0, 1700, 1100))
	for y := range 1100 {
		copy(h200.Pix[y*h200.Stride:], half.Pix[y*half.Stride:y*half.Stride+1700])
	}
	// Stored turned a quarter anticlockwise, shown upright by Exif 6.
	turned := orient(h200, 8)
	tests := []struct {
		name, format string
		data         []byte
		w, h         float64
	}{
		{name: "png_150dpi", format: "png", data: pngWithDPI(t, h200, 150), w: 816, h: 528},
		{name: "jpeg_200dpi_exif_rotated", format: "jpeg", data: jpegWith(t, turned, 200, 6), w: 612, h: 396},
		{name: "tiff_300dpi", format: "tiff", data: tiffGray(h200, 300), w: 408, h: 264},
		{name: "png_unknown_dpi_sniffed", format: "", data: func() []byte {
			var b bytes.Buffer
			png.Encode(&b, h200)
			return b.Bytes()
		}(), w: 1700, h: 1100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Parse(ctxFor(t), folio.Source{Rel: "x." + tt.format, Format: tt.format}, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Pages) != 1 {
				t.Fatalf("%d pages, want 1", len(got.Pages))
			}
			p := got.Pages[0]
			if p.Width != tt.w || p.Height != tt.h || !p.Scanned {
				t.Errorf("page %v×%v scanned %v, want %v×%v scanned", p.Width, p.Height, p.Scanned, tt.w, tt.h)
			}
			if len(p.Images) != 1 || p.Images[0].Box != (folio.Box{0, 0, tt.w, tt.h}) || len(p.Images[0].PNG) == 0 {
				t.Errorf("%d images, want one covering the page with pixels", len(p.Images))
				for _, im := range p.Images {
					t.Logf("image at %v, %d×%d pixels, %d PNG bytes", im.Box, im.PixelWidth, im.PixelHeight, len(im.PNG))
				}
			}
			text := strings.Join(wordTokens(p.Words), " ")
			for _, want := range []string{"Hyper Parameter Optimization", "PubTabNet data set"} {
				if !strings.Contains(text, want) {
					t.Errorf("OCR text does not contain %q:\n%s", want, text)
				}
			}
			// Word boxes in page points: the heading sits where it was.
			for _, w := range p.Words {
				if w.Text == "Hyper" {
					if x := w.Box[0] / tt.w * 612; math.Abs(x-157) > 6 {
						t.Errorf("Hyper at x %.1f of %v (%.1f on the original page), want ≈157", w.Box[0], tt.w, x)
					}
				}
			}
		})
	}
}

func TestRenderImageInput(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 300, 200)) // black, at 150 dpi: 144×96 pt
	for y := 100; y < 200; y++ {
		for x := range 300 {
			img.Pix[y*img.Stride+x] = 0xFF // bottom half white
		}
	}
	data := pngWithDPI(t, img, 150)
	ctx := ctxFor(t)
	out, err := testEngine.Render(ctx, folio.Source{Rel: "x.png", Format: "png"}, data, at([]folio.PageBox{{Page: 1, Box: folio.Box{0, 0, 144, 48}}, {Page: 1, Box: folio.Box{0, 48, 72, 96}}, {Page: 2, Box: folio.Box{0, 0, 10, 10}}, {Page: 1, Box: folio.Box{200, 200, 300, 300}}}, 75, 0))
	if err != nil {
		t.Fatal(err)
	}
	top, bottom := decode(t, out[0]), decode(t, out[1])
	if b := top.Bounds(); b.Dx() != 150 || b.Dy() != 50 {
		t.Errorf("top half at 75 dpi is %v, want 150×50", b)
	}
	if b := bottom.Bounds(); b.Dx() != 75 || b.Dy() != 50 {
		t.Errorf("bottom-left quarter at 75 dpi is %v, want 75×50", b)
	}
	if s := imageStats(top); s.dark < 0.99 {
		t.Errorf("top half %.2f dark, want black", s.dark)
	}
	if s := imageStats(bottom); s.white < 0.99 {
		t.Errorf("bottom half %.2f white, want white", s.white)
	}
	if out[2] != nil || out[3] != nil {
		t.Error("regions off the image were drawn")
	}
	if _, err := testEngine.Render(ctx, folio.Source{Rel: "x.png", Format: "png"}, []byte("junk"), at([]folio.PageBox{{Page: 1, Box: folio.Box{0, 0, 1, 1}}}, 75, 0)); folio.ErrorKind(err) != folio.KindMalformed {
		t.Errorf("render of a broken PNG: %v, want malformed", err)
	}
}

func TestParseImageFailures(t *testing.T) {
	big := image.NewGray(image.Rect(0, 0, 100, 100))
	small := image.NewGray(image.Rect(0, 0, 50, 50))
	e := newTestEngine(t, Options{MaxImagePixels: 5000, NoOCR: true})
	tests := []struct {
		name   string
		format string
		data   []byte
		want   folio.Kind
	}{
		{name: "too_many_pixels", format: "png", data: pngWithDPI(t, big, 72), want: folio.KindTooLarge},
		{name: "truncated_png", format: "png", data: pngWithDPI(t, small, 72)[:60], want: folio.KindMalformed},
		{name: "not_a_jpeg", format: "jpeg", data: []byte("\xFF\xD8\xFFjunk"), want: folio.KindMalformed},
		{name: "empty_tiff", format: "tiff", data: nil, want: folio.KindMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Parse(ctxFor(t), folio.Source{Rel: "x", Format: tt.format}, tt.data)
			if got := folio.ErrorKind(err); got != tt.want {
				t.Errorf("error %v has kind %q, want %q", err, got, tt.want)
			}
		})
	}
}

// TestOCRUnavailable checks that without tesseract a scanned page is
// still marked, has no words, and the document says why, once; with OCR
// off it says nothing.
func TestOCRUnavailable(t *testing.T) {
	data := readSample(t, "2305.03393v1-pg9.pdf")
	pg := mustParseBytes(t, data).Pages[0]
	img := pageImage(t, data, pg, 100)
	scan := scanPDF(t, []scanPage{{img: img, w: pg.Width, h: pg.Height}, {img: img, w: pg.Width, h: pg.Height}})
	for _, tt := range []struct {
		name string
		opts Options
		warn string
	}{
		{name: "missing_program_warns", opts: Options{Tesseract: "/nonexistent/tesseract"}, warn: "2 scanned page(s) without text: tesseract not found: scanned pages have no text; install tesseract-ocr (make deps)"},
		{name: "ocr_off_silent", opts: Options{NoOCR: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEngine(t, tt.opts)
			got, err := e.Parse(ctxFor(t), folio.Source{Rel: "scan.pdf"}, scan)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range got.Pages {
				if !p.Scanned || len(p.Words) != 0 {
					t.Errorf("page %d: scanned %v with %d words, want scanned without words", p.Number, p.Scanned, len(p.Words))
				}
			}
			var warns []string
			for _, w := range got.Warnings {
				if strings.Contains(w, "scanned") || strings.Contains(w, "tesseract") {
					warns = append(warns, w)
				}
			}
			if tt.warn == "" && len(warns) > 0 || tt.warn != "" && (len(warns) != 1 || warns[0] != tt.warn) {
				t.Errorf("warnings %q, want %q", warns, tt.warn)
			}
		})
	}
}

func TestOCRDeadline(t *testing.T) {
	needTesseract(t)
	data := readSample(t, "2305.03393v1-pg9.pdf")
	pg := mustParseBytes(t, data).Pages[0]
	img := pageImage(t, data, pg, 300)
	// Eight pages: seconds of tesseract on any machine, against a 500 ms
	// deadline.
	pages := make([]scanPage, 8)
	for i := range pages {
		pages[i] = scanPage{img: img, w: pg.Width, h: pg.Height}
	}
	scan := scanPDF(t, pages)
	// The engine with interrupt checks: the deadline must stop PDFium's
	// drawing of a page for OCR as well as tesseract; without them a
	// render under way runs to its end, seconds on a loaded machine.
	e := interruptEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.Parse(ctx, folio.Source{Rel: "scan.pdf"}, scan)
	if folio.ErrorKind(err) != folio.KindTimeout {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v does not wrap the deadline", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond+killSlack {
		t.Errorf("Parse returned %v after the deadline", d)
	}
}

// readSample reads a file of the repository's samples.
func readSample(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(samplesDir + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// mustParseBytes parses data with the shared engine.
func mustParseBytes(t testing.TB, data []byte) *folio.Parsed {
	t.Helper()
	p, err := parse(t, testEngine, "x.pdf", data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
