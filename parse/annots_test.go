package parse

import (
	"strconv"
	"strings"
	"testing"
)

// The text of form field values, list box items and annotation
// appearances (FreeText, stamps) is page text, with boxes; annotations a
// viewer does not show (Hidden, NoView) stay out, and so do those that
// show no text.
func TestAnnotationText(t *testing.T) {
	ap := func(text string) string {
		return streamObj("/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /Helv 5 0 R >> >>",
			"/Tx BMC BT /Helv 10 Tf 2 6 Td ("+text+") Tj ET EMC")
	}
	annot := func(subtype string, rect string, flags int, apObj int, extra string) string {
		return "<< /Type /Annot /Subtype /" + subtype + " /Rect [" + rect + "] /F " + strconv.Itoa(flags) +
			" /AP << /N " + strconv.Itoa(apObj) + " 0 R >> " + extra + " >>"
	}
	data := buildPDF(
		"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 12 0 R] /DA (/Helv 10 Tf 0 g) >> >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R "+
			"/Annots [6 0 R 8 0 R 10 0 R 12 0 R 14 0 R 16 0 R 18 0 R] >>",
		streamObj("", "BT /F1 12 Tf 72 720 Td (Body) Tj ET"),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		annot("Widget", "72 600 272 620", 4, 7, "/FT /Tx /T (name) /V (FieldValue)"),
		ap("FieldValue"),
		annot("FreeText", "72 560 272 580", 4, 9, "/Contents (CommentText) /DA (/Helv 10 Tf)"),
		ap("CommentText"),
		annot("Stamp", "72 520 272 540", 4, 11, ""),
		ap("StampText"),
		annot("Widget", "72 480 272 500", 4, 13, "/FT /Ch /Ff 0 /T (list) /Opt [(ListItem)] /V (ListItem)"),
		ap("ListItem"),
		annot("FreeText", "72 440 272 460", 6, 15, ""),
		ap("HiddenText"),
		annot("FreeText", "72 400 272 420", 36, 17, ""),
		ap("NoViewText"),
		annot("Square", "72 360 272 380", 4, 19, ""),
		streamObj("/Type /XObject /Subtype /Form /BBox [0 0 200 20]", "1 0 0 RG 0 0 200 20 re S"),
	)
	pg := mustParseBytes(t, data).Pages[0]
	got := text(pg)
	for _, want := range []string{"Body", "FieldValue", "CommentText", "StampText", "ListItem"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q missing from the page text %q", want, got)
		}
	}
	for _, not := range []string{"HiddenText", "NoViewText"} {
		if strings.Contains(got, not) {
			t.Errorf("%q, of an annotation not shown, in the page text %q", not, got)
		}
	}
	for _, w := range pg.Words {
		if w.Hidden || w.Box.Area() <= 0 {
			t.Errorf("word %+v: want visible, with a box", w)
		}
		if w.Text == "FieldValue" && (w.Box[0] < 72 || w.Box[0] > 80 || w.Box[3] < 172 || w.Box[3] > 192) {
			t.Errorf("FieldValue at %v, want in its field's rectangle (72-272, 172-192)", w.Box)
		}
	}
	if len(pg.Rects) > 0 || len(pg.Rulings) > 0 {
		t.Errorf("the square annotation became page graphics: rects %v, rulings %v", pg.Rects, pg.Rulings)
	}
}

// In a form that asks for its appearances to be made (NeedAppearances),
// the values of fields without an appearance stream, text and combo box,
// are page text too.
func TestAnnotationTextNeedAppearances(t *testing.T) {
	data := buildPDF(
		"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 7 0 R] /NeedAppearances true "+
			"/DR << /Font << /Helv 5 0 R >> >> /DA (/Helv 10 Tf 0 g) >> >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R /Annots [6 0 R 7 0 R] >>",
		streamObj("", "BT /F1 12 Tf 72 720 Td (Body) Tj ET"),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		"<< /Type /Annot /Subtype /Widget /Rect [72 600 272 620] /F 4 /FT /Tx /T (name) /V (TypedValue) /DA (/Helv 10 Tf 0 g) >>",
		"<< /Type /Annot /Subtype /Widget /Rect [72 560 272 580] /F 4 /FT /Ch /Ff 131072 /T (pick) /Opt [(Alpha) (ComboChoice)] /V (ComboChoice) /DA (/Helv 10 Tf 0 g) >>",
	)
	got := text(mustParseBytes(t, data).Pages[0])
	for _, want := range []string{"Body", "TypedValue", "ComboChoice"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q missing from the page text %q", want, got)
		}
	}
}
