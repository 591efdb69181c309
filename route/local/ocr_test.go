package local

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/internal/tesseract"
	"github.com/folio/folio/route"
)

// needTesseract skips the test when the tesseract program is missing.
func needTesseract(t *testing.T) {
	t.Helper()
	if _, err := tesseract.Find("", ""); err != nil {
		t.Skipf("OCR test skipped: %v", err)
	}
}

func TestOCRReadsText(t *testing.T) {
	needTesseract(t)
	pix, err := os.ReadFile("testdata/ocr_lines.png") // 990×190, 200 dpi
	if err != nil {
		t.Fatal(err)
	}
	// A hang guard: tesseract reads the image in a second or two, more on
	// a busy machine with its language data not yet cached.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	el := folio.Element{Type: folio.ImageType, Box: folio.Box{0, 0, 356.4, 68.4}, Image: &folio.Image{Description: "d", PNG: pix}}
	res, err := OCR{}.Run(ctx, route.Task{Element: el})
	if err != nil {
		t.Fatal(err)
	}
	if err := route.Check(route.Task{Element: el}, res); err != nil {
		t.Fatalf("result fails the check: %v", err)
	}
	img := res.Image
	if img.Width != 990 || img.Height != 190 || img.Description != "d" || len(img.PNG) != len(pix) {
		t.Errorf("image = %dx%d %q, %d bytes; want 990x190 \"d\", the input's pixels", img.Width, img.Height, img.Description, len(img.PNG))
	}
	for _, want := range []string{"Optimized Table Tokenization", "Inference timing results", "AMD EPYC 7763"} {
		if !strings.Contains(img.OCRText, want) {
			t.Errorf("OCRText %q does not contain %q", img.OCRText, want)
		}
	}
	if n := strings.Count(img.OCRText, "\n"); n < 2 {
		t.Errorf("OCRText has %d line breaks, want one per line of the picture:\n%s", n, img.OCRText)
	}
	if res.USDMicros == nil || *res.USDMicros != 0 {
		t.Errorf("USDMicros = %v, want a known 0", res.USDMicros)
	}
}

func TestOCRFails(t *testing.T) {
	pix := pngBytes(t, 40, 20)
	tests := []struct {
		name      string
		ocr       OCR
		in        *folio.Image
		wantClass folio.ErrorClass
	}{
		{name: "no_pixels_input", in: &folio.Image{Width: 10, Height: 10}, wantClass: folio.ClassInput},
		{name: "not_png_input", in: &folio.Image{PNG: []byte("GIF89a")}, wantClass: folio.ClassInput},
		{name: "no_tesseract_unavailable", ocr: OCR{Tesseract: "/nonexistent/tesseract"}, in: &folio.Image{PNG: pix}, wantClass: folio.ClassUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.ocr.Run(context.Background(), route.Task{Element: folio.Element{Type: folio.ImageType, Image: tt.in}})
			if got := route.Classify(err); got != tt.wantClass {
				t.Fatalf("error class = %q (%v), want %q", got, err, tt.wantClass)
			}
			if tt.wantClass == folio.ClassUnavailable && !strings.Contains(err.Error(), "install tesseract-ocr") {
				t.Errorf("error %q does not say how to install tesseract", err)
			}
		})
	}
}

func TestOCRBlankImage(t *testing.T) {
	needTesseract(t)
	res, err := OCR{}.Run(context.Background(), route.Task{Element: folio.Element{Type: folio.ImageType, Image: &folio.Image{PNG: pngBytes(t, 64, 48)}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Image == nil || res.Image.OCRText != "" || res.Image.Width != 64 {
		t.Errorf("image = %+v, want 64 wide with no text", res.Image)
	}
}

func TestOCRCanceled(t *testing.T) {
	needTesseract(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := OCR{}.Run(ctx, route.Task{Element: folio.Element{Type: folio.ImageType, Image: &folio.Image{PNG: pngBytes(t, 64, 48)}}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
