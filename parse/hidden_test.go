package parse

import (
	"fmt"
	"testing"

	"github.com/folio/folio"
)

// contentPDF is a one-page Letter PDF drawing content with Helvetica as F1.
func contentPDF(content string) []byte {
	return buildPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
	)
}

// Text nobody can see on the page is marked hidden: invisible render
// mode, white on white, transparent, sub-point, off the page; white text
// on a dark box or a picture stays visible.
func TestHiddenText(t *testing.T) {
	p := mustParseBytes(t, contentPDF(`
0 0 0.4 rg 60 590 300 40 re f
0.8 0 0 rg 60 200 m 360 200 l 370 200 370 240 360 240 c 60 240 l 50 240 50 200 60 200 c f
BT /F1 12 Tf 1 1 1 rg 72 210 Td (WhiteOnRounded) Tj ET
BT /F1 12 Tf 1 1 1 rg 72 600 Td (WhiteOnBlue) Tj ET
BT /F1 12 Tf 1 1 1 rg 72 700 Td (WhiteOnWhite) Tj ET
q BT /F1 12 Tf 0 g 3 Tr 72 500 Td (InvisibleMode) Tj ET Q
BT /F1 0.5 Tf 0 g 72 400 Td (Tiny) Tj ET
BT /F1 12 Tf 0 g 700 300 Td (OffPage) Tj ET
BT /F1 12 Tf 0 g 72 300 Td (Visible) Tj ET
`))
	want := map[string]bool{"WhiteOnBlue": false, "WhiteOnRounded": false, "WhiteOnWhite": true, "InvisibleMode": true,
		"Tiny": true, "OffPage": true, "Visible": false}
	assertHidden(t, p.Pages[0].Words, want)
}

// ocPDF is a one-page PDF whose text sits in optional content groups
// Shown, Secret and Dup (twice) and a membership dictionary M over Secret,
// with the default configuration conf.
func ocPDF(conf string) []byte {
	form := "BT /F1 12 Tf 72 500 Td (InHiddenForm) Tj ET"
	content := `BT /F1 12 Tf 72 700 Td (Plain) Tj ET
/OC /Shown BDC BT /F1 12 Tf 72 650 Td (ShownLayer) Tj ET EMC
/OC /Secret BDC BT /F1 12 Tf 72 600 Td (SecretLayer) Tj ET EMC
/OC /M BDC BT /F1 12 Tf 72 550 Td (MembershipOff) Tj ET EMC
/OC /Secret BDC /Fm Do EMC
/OC /Dup1 BDC BT /F1 12 Tf 72 450 Td (DupLayer) Tj ET EMC`
	return buildPDF(
		"<< /Type /Catalog /Pages 2 0 R /OCProperties << /OCGs [6 0 R 7 0 R 8 0 R 11 0 R] /D "+conf+" >> >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> "+
			"/Properties << /Shown 6 0 R /Secret 7 0 R /Dup1 8 0 R /M 9 0 R >> /XObject << /Fm 10 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /OCG /Name (Shown) >>",
		"<< /Type /OCG /Name (Secret) >>",
		"<< /Type /OCG /Name (Dup) >>",
		"<< /Type /OCMD /OCGs [7 0 R] /P /AnyOn >>",
		fmt.Sprintf("<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Length %d >>\nstream\n%s\nendstream", len(form), form),
		"<< /Type /OCG /Name (Dup) >>",
	)
}

// Text in optional content that the default configuration turns off is
// hidden, also inside a form drawn in such a layer and under a membership
// dictionary; groups that are on, and names shared by a group that is on,
// stay visible.
func TestHiddenOptionalContent(t *testing.T) {
	tests := []struct {
		name string
		conf string
		want map[string]bool
	}{
		{"off_list", "<< /OFF [7 0 R 8 0 R] >>", map[string]bool{"Plain": false, "ShownLayer": false, "SecretLayer": true,
			"MembershipOff": true, "InHiddenForm": true, "DupLayer": false}},
		{"base_state_off", "<< /BaseState /OFF /ON [6 0 R] >>", map[string]bool{"Plain": false, "ShownLayer": false,
			"SecretLayer": true, "MembershipOff": true, "InHiddenForm": true, "DupLayer": true}},
		{"all_on", "<< >>", map[string]bool{"Plain": false, "ShownLayer": false, "SecretLayer": false,
			"MembershipOff": false, "InHiddenForm": false, "DupLayer": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParseBytes(t, ocPDF(tt.conf))
			assertHidden(t, p.Pages[0].Words, tt.want)
		})
	}
}

// Text wholly outside its clipping path is hidden; text inside it, a word
// the clip cuts through, text under a page-wide clip and text clipped
// inside a form stay visible.
func TestHiddenClippedText(t *testing.T) {
	form := "q 0 0 1 1 re W n BT /F1 12 Tf 72 300 Td (FormText) Tj ET Q"
	content := `q 0 0 612 792 re W n
BT /F1 12 Tf 72 700 Td (PageClip) Tj ET
q 0 0 0 0 re W n BT /F1 12 Tf 72 650 Td (ZeroClip) Tj ET Q
q 70 595 60 20 re W n BT /F1 12 Tf 72 600 Td (Inside) Tj 200 0 Td (Outside) Tj ET Q
q 300 500 10 10 re W n BT /F1 12 Tf 72 500 Td (FarAway) Tj ET Q
q 70 445 30 20 re W n BT /F1 12 Tf 72 450 Td (Straddling) Tj ET Q
/Fm Do
Q`
	p := mustParseBytes(t, buildPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> /XObject << /Fm 6 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		fmt.Sprintf("<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Length %d >>\nstream\n%s\nendstream", len(form), form),
	))
	want := map[string]bool{"PageClip": false, "ZeroClip": true, "Inside": false, "Outside": true,
		"FarAway": true, "Straddling": false, "FormText": false}
	assertHidden(t, p.Pages[0].Words, want)
}

// assertHidden checks the Hidden flag of the words named in want.
func assertHidden(t *testing.T, words []folio.Word, want map[string]bool) {
	t.Helper()
	got := map[string]bool{}
	for _, w := range words {
		got[w.Text] = w.Hidden
	}
	for text, hidden := range want {
		if h, ok := got[text]; !ok {
			t.Errorf("%q not found among %v", text, got)
		} else if h != hidden {
			t.Errorf("%q hidden=%v, want %v", text, h, hidden)
		}
	}
}
