package parse

import (
	"fmt"
	"testing"
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
	got := map[string]bool{}
	for _, w := range p.Pages[0].Words {
		got[w.Text] = w.Hidden
	}
	for text, hidden := range want {
		h, ok := got[text]
		if !ok {
			t.Errorf("%q not found among %v", text, got)
			continue
		}
		if h != hidden {
			t.Errorf("%q hidden=%v, want %v", text, h, hidden)
		}
	}
}
