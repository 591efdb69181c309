package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/internal/testpdf"
	"github.com/google/go-cmp/cmp"
)

// onePagePDF is a Letter page drawing content with font F1, the object
// given (a font dictionary) and, when set, a font descriptor as object 6.
func onePagePDF(content, font, descriptor string) []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		font,
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
	}
	if descriptor != "" {
		objs = append(objs, descriptor)
	}
	return testpdf.Build(objs...)
}

// Layout read from PDFs the test makes, through the whole parse: bullets
// drawn as discs become list items, and lines in a font whose declared
// ascent and descent make PDFium's boxes of consecutive lines overlap
// stay apart.
func TestParseLayoutFromMadePDFs(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	// A disc of radius 1.75 drawn with four curves, centred on the
	// x-height of the line whose baseline is at y.
	disc := func(y float64) string {
		return fmt.Sprintf("q 1 0 0 1 78 %g cm 1.75 0 m 1.75 0.97 0.97 1.75 0 1.75 c -0.97 1.75 -1.75 0.97 -1.75 0 c "+
			"-1.75 -0.97 -0.97 -1.75 0 -1.75 c 0.97 -1.75 1.75 -0.97 1.75 0 c h f Q\n", y+2.6)
	}
	var bullets strings.Builder
	bullets.WriteString("BT /F1 10 Tf 72 700 Td (Pack these before the trip, and check them the night before:) Tj ET\n")
	for i, s := range []string{"A waterproof notebook", "Two spare batteries", "A first aid kit"} {
		y := 680 - 14*float64(i)
		bullets.WriteString(disc(y))
		fmt.Fprintf(&bullets, "BT /F1 10 Tf 86 %g Td (%s) Tj ET\n", y, s)
	}
	helvetica := "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"

	// Proportional widths, so that the font is not taken for a fixed-pitch one.
	var widths strings.Builder
	for c := 32; c <= 126; c++ {
		fmt.Fprintf(&widths, "%d ", 300+c*37%400)
	}
	tall := onePagePDF("BT /F1 10 Tf 72 700 Td (3. Mix reagents by pipetting gently up and down.) Tj "+
		"0 -25.7 Td (4. Incubate all of the reaction tubes for 1 hour.) Tj ET",
		"<< /Type /Font /Subtype /TrueType /BaseFont /Cambria /FirstChar 32 /LastChar 126 /Widths ["+widths.String()+
			"] /Encoding /WinAnsiEncoding /FontDescriptor 6 0 R >>",
		"<< /Type /FontDescriptor /FontName /Cambria /Flags 32 /FontBBox [-1475 -2463 2867 3117] /ItalicAngle 0 "+
			"/Ascent 2994 /Descent -2584 /CapHeight 667 /StemV 80 >>")
	for name, data := range map[string][]byte{
		"bullets.pdf": onePagePDF(bullets.String(), helvetica, ""),
		"tall.pdf":    tall,
	} {
		if err := os.WriteFile(filepath.Join(in, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, stderr, code := runFolio(t, "parse", in, "-o", out); code != 0 {
		t.Fatalf("parse exit %d\nstderr: %s", code, stderr)
	}
	tests := []struct {
		file string
		want []string
	}{
		{"bullets.pdf", []string{
			"paragraph: Pack these before the trip, and check them the night before:",
			"list_item: A waterproof notebook", "list_item: Two spare batteries", "list_item: A first aid kit",
		}},
		{"tall.pdf", []string{
			"list_item: Mix reagents by pipetting gently up and down.",
			"list_item: Incubate all of the reaction tubes for 1 hour.",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var got []string
			for _, e := range readDoc(t, filepath.Join(out, tt.file+".json")).Elements {
				got = append(got, e.Type+": "+e.Text)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("elements (-want +got):\n%s", diff)
			}
		})
	}
}
