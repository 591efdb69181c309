package parse

import (
	"fmt"
	"strings"
	"testing"

	"github.com/folio/folio"
)

// streamObj is a PDF stream object with extra dictionary entries dict.
func streamObj(dict, data string) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

// toUnicode is a ToUnicode CMap for one-byte codes with the bfchar
// entries given ("<41> <D835DC00>" …); other codes go by the encoding.
func toUnicode(bfchars ...string) string {
	return streamObj("", fmt.Sprintf("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /T def "+
		"1 begincodespacerange <00> <FF> endcodespacerange %d beginbfchar %s endbfchar "+
		"endcmap CMapName currentdict /CMap defineresource pop end end",
		len(bfchars), strings.Join(bfchars, " ")))
}

// pagePDF is a one-page Letter PDF drawing content, with the resources
// dictionary entries resources and objects extra as objects 5….
func pagePDF(resources, content string, extra ...string) []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << " + resources + " >> /Contents 4 0 R >>",
		streamObj("", content),
	}
	return buildPDF(append(objs, extra...)...)
}

// wordsByText indexes the words of a page by their text.
func wordsByText(pg folio.Page) map[string]folio.Word {
	m := map[string]folio.Word{}
	for _, w := range pg.Words {
		m[w.Text] = w
	}
	return m
}

// Characters outside the Basic Multilingual Plane (mathematical
// alphanumerics, CJK Extension B) come from PDFium as UTF-16 surrogate
// pairs, two character indexes each; they are one character of the word,
// with one box.
func TestNonBMPCharacters(t *testing.T) {
	data := pagePDF("/Font << /F1 5 0 R >>", "BT /F1 12 Tf 72 700 Td (xAByz) Tj ET",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
		toUnicode("<41> <D835DC00>", "<42> <D840DC00>"))
	pg := mustParseBytes(t, data).Pages[0]
	want := "x\U0001D400\U00020000yz"
	if got := text(pg); got != want {
		t.Fatalf("text %q, want %q", got, want)
	}
	w := pg.Words[0]
	if w.Hidden || w.Box[0] != 72 || w.Box[2] < 100 {
		t.Errorf("word %+v: want a visible word from x=72 past the last letter", w)
	}
}

// A negative font size draws text turned half round, as legible as the
// positive size: the text is visible, with the absolute size. A text
// matrix that flips the text keeps it visible too.
func TestNegativeFontSize(t *testing.T) {
	data := contentPDF(`BT /F1 -12 Tf 300 600 Td (Negative) Tj ET
BT /F1 12 Tf -1 0 0 -1 300 500 Tm (Flipped) Tj ET
BT /F1 -1 Tf -12 0 0 -12 72 400 Tm (DoublyFlipped) Tj ET`)
	pg := mustParseBytes(t, data).Pages[0]
	got := wordsByText(pg)
	for text, angle := range map[string]float64{"Negative": 180, "Flipped": 180, "DoublyFlipped": 0} {
		w, ok := got[text]
		switch {
		case !ok:
			t.Errorf("%q missing among %v", text, got)
		case w.Hidden || w.Size != 12 || w.Angle != angle:
			t.Errorf("%q: hidden %v, size %v, angle %v; want visible, 12, %v", text, w.Hidden, w.Size, w.Angle, angle)
		}
	}
	if pg.Scanned {
		t.Error("page with a text layer marked scanned")
	}
}

// type3Font is a Type3 font object with FontMatrix fm, FontBBox bbox and
// glyphs a, b, c drawn by object glyph (advance 1000 glyph units each).
func type3Font(fm, bbox string, glyph int) string {
	return fmt.Sprintf("<< /Type /Font /Subtype /Type3 /FontBBox %s /FontMatrix %s "+
		"/CharProcs << /a %[3]d 0 R /b %[3]d 0 R /c %[3]d 0 R >> /Encoding << /Type /Encoding /Differences [97 /a /b /c] >> "+
		"/FirstChar 97 /LastChar 99 /Widths [1000 1000 1000] /Resources << >> >>", bbox, fm, glyph)
}

// Text that is drawn, however unusually, is visible: filled with a
// shading or a tiling pattern, in a Type3 font whose FontMatrix makes a
// tiny Tf draw 12-point glyphs, with degenerate glyph boxes, in form
// XObjects. White on white and sub-point text stay hidden.
func TestUnusualTextVisible(t *testing.T) {
	form := "BT /F1 12 Tf 72 300 Td (InForm) Tj ET q /Pattern cs /Sh scn BT /F1 12 Tf 72 280 Td (ShadedInForm) Tj ET Q"
	content := `q BT /F1 12 Tf /Pattern cs /Sh scn 72 700 Td (ShadingFilled) Tj ET Q
q BT /F1 12 Tf /Pattern cs /Tile scn 72 670 Td (TilingFilled) Tj ET Q
BT /T3 0.012 Tf 72 640 Td (abc) Tj ET
BT /T3 12 Tf 0.001 0 0 0.001 72 610 Tm (cab) Tj ET
BT /Z3 12 Tf 72 580 Td (bca) Tj ET
/Fm Do
q 1 1 1 rg BT /F1 12 Tf 72 500 Td (WhiteOnWhite) Tj ET Q
BT /F1 0.5 Tf 72 480 Td (Tiny) Tj ET`
	shading := "<< /Type /Pattern /PatternType 2 /Shading << /ShadingType 2 /ColorSpace /DeviceRGB /Coords [0 0 612 0] " +
		"/Function << /FunctionType 2 /Domain [0 1] /C0 [0.8 0 0] /C1 [0 0 0.8] /N 1 >> >> >>"
	data := pagePDF("/Font << /F1 5 0 R /T3 6 0 R /Z3 7 0 R >> /Pattern << /Sh 8 0 R /Tile 9 0 R >> /XObject << /Fm 10 0 R >>", content,
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		type3Font("[1 0 0 1 0 0]", "[0 0 750 750]", 11),
		type3Font("[0.001 0 0 0.001 0 0]", "[0 0 0 0]", 12),
		shading,
		streamObj("/Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 4 4] /XStep 4 /YStep 4 /Resources << >>",
			"1 0 0 rg 0 0 2 2 re f 0 0 1 rg 2 2 2 2 re f"),
		streamObj("/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> /Pattern << /Sh 8 0 R >> >>", form),
		streamObj("", "1000 0 0 0 750 750 d1 0 0 750 750 re f"),
		streamObj("", "1000 0 d0 0 0 600 600 re f"),
	)
	pg := mustParseBytes(t, data).Pages[0]
	assertHidden(t, pg.Words, map[string]bool{"ShadingFilled": false, "TilingFilled": false, "abc": false, "cab": false,
		"bca": false, "InForm": false, "ShadedInForm": false, "WhiteOnWhite": true, "Tiny": true})
	for _, w := range pg.Words {
		if (w.Text == "abc" || w.Text == "cab") && (w.Size < 8 || w.Size > 13) {
			t.Errorf("%q: size %v, want the drawn size, about 9-12", w.Text, w.Size)
		}
	}
}

// A scan with an invisible OCR text layer (render mode 3 over a
// page-sized image) and a little visible text (a footer) has a text
// layer: the invisible words are the page's text, shown beside the
// footer, and the page is not read again. Invisible words off the scan,
// or on a page without one, stay hidden.
func TestScanTextLayer(t *testing.T) {
	const pix = "\x80\xc0\xc0\x80"
	content := `q 612 0 0 600 0 192 cm /Im Do Q
q BT 3 Tr /F1 11 Tf 72 700 Td (Invoice number 4711 dated the first of May) Tj 0 -14 Td (Total amount due within thirty days) Tj ET Q
q BT 3 Tr /F1 11 Tf 72 100 Td (OffTheScan) Tj ET Q
BT /F1 8 Tf 72 40 Td (Page 1 of 1) Tj ET`
	data := pagePDF("/Font << /F1 5 0 R >> /XObject << /Im 6 0 R >>", content,
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		streamObj("/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8", pix))
	pg := mustParseBytes(t, data).Pages[0]
	if pg.Scanned {
		t.Error("page with an OCR text layer marked scanned")
	}
	want := "Invoice number 4711 dated the first of May Total amount due within thirty days OffTheScan Page 1 of 1"
	if got := text(pg); got != want {
		t.Errorf("text %q, want %q", got, want)
	}
	for _, w := range pg.Words {
		if w.Hidden != (w.Text == "OffTheScan") {
			t.Errorf("%q hidden=%v", w.Text, w.Hidden)
		}
	}

	// Without the scan, invisible text is hidden.
	plain := contentPDF("q BT 3 Tr /F1 11 Tf 72 700 Td (Invisible words) Tj ET Q BT /F1 8 Tf 72 40 Td (Footer) Tj ET")
	for _, w := range mustParseBytes(t, plain).Pages[0].Words {
		if w.Hidden != (w.Text != "Footer") {
			t.Errorf("no scan: %q hidden=%v", w.Text, w.Hidden)
		}
	}
}

// Words are split at visible gaps without a space (TABLE OF set as two
// runs), not inside words set with kerning or glyph by glyph, where PDFium
// inserts spaces of its own, nor inside leaders of spaced dots; a soft
// hyphen drawn inside a line reads as the hyphen it shows, without
// splitting the word, and one ending a line reads as a hyphen.
func TestWordGaps(t *testing.T) {
	content := `BT /F1 12 Tf 72 700 Td (TABLE) Tj 41 0 Td (OF) Tj 20 0 Td (CONTENTS) Tj ET
BT /F1 12 Tf 72 670 Td [(h) -150 (e) -150 (l) -150 (l) -150 (o)] TJ ET
BT /F1 12 Tf 72 640 Td (w) Tj 10.2 0 Td (o) Tj 8.2 0 Td (r) Tj 5.5 0 Td (l) Tj 4.2 0 Td (d) Tj ET
BT /F1 12 Tf 72 610 Td (hyph\255enated word) Tj ET
BT /F1 12 Tf 72 580 Td (a soft\255) Tj 0 -14 Td (ware end) Tj ET
BT /F1 12 Tf 72 520 Td [(Total) -300 (.) -250 (.) -250 (.) -250 (.) -300 (9)] TJ ET`
	data := pagePDF("/Font << /F1 5 0 R >>", content,
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /ToUnicode 6 0 R >>",
		toUnicode("<AD> <00AD>"))
	pg := mustParseBytes(t, data).Pages[0]
	want := "TABLE OF CONTENTS hello world hyph-enated word a soft- ware end Total .... 9"
	if got := text(pg); got != want {
		t.Errorf("text %q, want %q", got, want)
	}
}
