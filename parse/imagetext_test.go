package parse

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"testing"

	"github.com/folio/folio"
)

// picturePDF builds a one-page US-letter PDF with three lines of text at
// the top and img drawn, losslessly, in box (PDF user space: x, y from
// the bottom-left, width, height).
func picturePDF(t testing.TB, img *image.Gray, x, y, w, h float64) []byte {
	t.Helper()
	data := flateGray(img)
	b := img.Rect
	content := fmt.Sprintf("BT /F1 11 Tf 72 740 Td (The table below was placed as a picture by its producer.) Tj "+
		"0 -14 Td (Its words are in no text layer, only in the pixels of the picture.) Tj "+
		"0 -14 Td (A reader sees a table all the same.) Tj ET\nq %.2f 0 0 %.2f %.2f %.2f cm /Im0 Do Q\n", w, h, x, y)
	return buildPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "+
			"/Resources << /XObject << /Im0 5 0 R >> /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream",
			b.Dx(), b.Dy(), data.Len(), data.Bytes()),
	)
}

// A table placed as a picture on a page with a text layer is read: its
// words join the page's with their confidence, where the picture shows
// them, and its lines become rulings. A photograph beside it is not read.
func TestPictureOfTableIsRead(t *testing.T) {
	t.Parallel()
	needTesseract(t)
	data := readSample(t, "twotables_2.pdf")
	orig := mustParseBytes(t, data)
	pg := orig.Pages[0]
	full := pageImage(t, data, pg, 200)
	// The upper half of the page holds its first table.
	crop := full.SubImage(image.Rect(0, 0, full.Rect.Dx(), full.Rect.Dy()/2)).(*image.Gray)
	const x, y, w = 36.0, 150.0, 540.0
	h := w * float64(crop.Rect.Dy()) / float64(crop.Rect.Dx())
	got := mustParseBytes(t, picturePDF(t, crop, x, y, w, h)).Pages[0]
	if got.Scanned {
		t.Fatal("page with a text layer and a picture taken for a scan")
	}
	box := folio.Box{x, 792 - y - h, x + w, 792 - y}
	var read []folio.Word
	layer := 0
	for _, wd := range got.Words {
		if wd.Confidence > 0 {
			read = append(read, wd)
			if !box.Contains(wd.Box.CenterX(), wd.Box.CenterY()) {
				t.Errorf("word %q read at %v, outside the picture %v", wd.Text, wd.Box, box)
			}
		} else {
			layer++
		}
	}
	if layer < 25 {
		t.Errorf("%d text-layer words, want the three lines' (≥ 25)", layer)
	}
	// The picture shows the upper half of the page: its words, mapped
	// into the picture's box, are what OCR should find.
	var want []folio.Word
	sx, sy := w/pg.Width, h/(pg.Height/2)
	for _, wd := range pg.Words {
		if wd.Box.CenterY() < pg.Height/2 {
			b := wd.Box
			wd.Box = folio.Box{x + b[0]*sx, box[1] + b[1]*sy, x + b[2]*sx, box[1] + b[3]*sy}
			want = append(want, wd)
		}
	}
	if f1, _, _ := wordF1(wordTokens(want), wordTokens(read)); f1 < 0.85 {
		t.Errorf("picture read with word F1 %.3f against the page's text, want ≥ 0.85", f1)
	}
	long := 0
	for _, r := range got.Rulings {
		if r.Horizontal() && r.X1-r.X0 > 0.5*w && box.Contains(r.X0+1, r.Y0) {
			long++
		}
	}
	if long < 3 {
		t.Errorf("%d long rulings found in the picture's table, want ≥ 3: %v", long, got.Rulings)
	}
}

// A photograph (mostly mid-tone) and a chart's scattered labels are not
// pictures of tables; a grid of word blobs is.
func TestTextLikeAndTabular(t *testing.T) {
	photo := image.NewGray(image.Rect(0, 0, 200, 120))
	for i := range photo.Pix {
		photo.Pix[i] = uint8(60 + (i*7)%140)
	}
	if textLike(photo) {
		t.Error("a mid-tone photograph looks like text")
	}
	blank := func() *image.Gray {
		g := image.NewGray(image.Rect(0, 0, 300, 200))
		for i := range g.Pix {
			g.Pix[i] = 255
		}
		return g
	}
	blob := func(g *image.Gray, x, y, w, h int) {
		for yy := y; yy < y+h; yy++ {
			for xx := x; xx < x+w; xx++ {
				g.SetGray(xx, yy, color.Gray{Y: 20})
			}
		}
	}
	table := blank()
	for r := range 6 {
		for c, cx := range []int{10, 110, 200} {
			blob(table, cx, 10+r*20, 30+10*(r%2)+c*3, 6)
		}
	}
	if !textLike(table) || !tabular(wordBlobs(table)) {
		t.Errorf("a grid of words: textLike %v, tabular %v; want both", textLike(table), tabular(wordBlobs(table)))
	}
	chart := blank()
	for k, p := range [][2]int{{15, 10}, {80, 37}, {150, 64}, {210, 91}, {40, 118}, {120, 145}, {250, 172}, {190, 30}} {
		blob(chart, p[0], p[1], 20+k*2, 6)
	}
	blob(chart, 60, 50, 40, 120) // a bar
	if tabular(wordBlobs(chart)) {
		t.Error("a chart's scattered labels read as a table")
	}
}

// A page whose lettering was converted to outlines has a few words of
// text and a great many drawn path segments: it is read from its pixels
// as a scan, keeping the words it has; a page with a few drawings and
// little text is not.
func TestOutlinedTextIsRead(t *testing.T) {
	t.Parallel()
	page := func(squares int) folio.Page {
		var c bytes.Buffer
		c.WriteString("BT /F1 10 Tf 72 740 Td (Logo and .org) Tj ET\n0 g\n")
		for i := range squares {
			x, y := 40+float64(i%250)*2.1, 100+float64(i/250)*2.1
			fmt.Fprintf(&c, "%.1f %.1f m %.1f %.1f l %.1f %.1f l %.1f %.1f l h f\n", x, y, x+1, y, x+1, y+1, x, y+1)
		}
		data := buildPDF(
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "+
				"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
			fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", c.Len(), c.Bytes()),
		)
		return mustParseBytes(t, data).Pages[0]
	}
	if pg := page(50); pg.Scanned {
		t.Error("a page with 50 drawn squares and a line of text taken for outlined text")
	}
	needTesseract(t)
	pg := page(6000) // 4 segments each: 24,000
	if !pg.Scanned {
		t.Fatal("a page of 24,000 drawn segments and three words not read as outlined text")
	}
	kept := 0
	for _, w := range pg.Words {
		if w.Confidence == 0 && (w.Text == "Logo" || w.Text == ".org") {
			kept++
		}
	}
	if kept != 2 {
		t.Errorf("text-layer words kept: %d of 2 (%v)", kept, pg.Words)
	}
}
