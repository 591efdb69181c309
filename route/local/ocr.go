package local

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"strings"

	"github.com/folio/folio"
	"github.com/folio/folio/internal/tesseract"
	"github.com/folio/folio/route"
)

// DefaultOCRConfidence is the least confidence (0-100) of a word OCR
// keeps: charts and photos make tesseract read shapes as letters, with
// low confidence.
const DefaultOCRConfidence = 60

// OCR is the "local/ocr" specialist: it reads the text shown in an image
// element's pixels (chart labels, text in a photo or a scanned figure)
// with the tesseract program and returns the image with that text in
// OCRText, one line of the picture per line, and its size read from the
// PNG. Small pictures are read enlarged. An element without pixels fails
// with class input; without tesseract the specialist fails with class
// unavailable, saying how to install it. The zero value is ready to use.
type OCR struct {
	// Tesseract is the program to run; default "tesseract" in PATH.
	Tesseract string
	// Language is the tesseract language; default "eng".
	Language string
	// MinConfidence is the least confidence (0-100) of a word kept;
	// default DefaultOCRConfidence.
	MinConfidence float64
}

var _ route.Specialist = OCR{}

// Name returns "local/ocr".
func (OCR) Name() string { return "local/ocr" }

// ocrMinSide is the longest side below which a picture is read at twice
// its size: tesseract wants letters at least 20 pixels tall.
const ocrMinSide = 1200

// Run returns the element's image with OCRText set (empty when the
// picture shows no text).
func (o OCR) Run(ctx context.Context, t route.Task) (route.Result, error) {
	res := route.Result{USDMicros: free()}
	in := t.Element.Image
	if in == nil || len(in.PNG) == 0 {
		return res, route.Errorf(folio.ClassInput, "image has no pixels")
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(in.PNG))
	if err != nil {
		return res, route.Errorf(folio.ClassInput, "read png header: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return res, route.Errorf(folio.ClassInput, "image has no pixels: %dx%d", cfg.Width, cfg.Height)
	}
	prog, err := tesseract.Find(o.Tesseract, o.Language)
	if err != nil {
		return res, route.Errorf(folio.ClassUnavailable, "%w", err)
	}
	// The picture's resolution on the page, when its box says.
	dpi := 0
	if w := t.Element.Box.Width(); w > 0 {
		dpi = int(float64(cfg.Width)/w*72 + 0.5)
	}
	pix := in.PNG
	if max(cfg.Width, cfg.Height) < ocrMinSide {
		if pix, err = enlarge(in.PNG, 2); err != nil {
			return res, route.Errorf(folio.ClassInput, "decode png: %w", err)
		}
		dpi *= 2
	}
	words, err := prog.Recognize(ctx, bytes.NewReader(pix), dpi, tesseract.Sparse)
	switch {
	case ctx.Err() != nil:
		return res, ctx.Err()
	case errors.Is(err, tesseract.ErrLanguage):
		return res, route.Errorf(folio.ClassUnavailable, "%w", err)
	case err != nil:
		return res, err
	}
	minConf := o.MinConfidence
	if minConf <= 0 {
		minConf = DefaultOCRConfidence
	}
	out := *in
	out.Width, out.Height = cfg.Width, cfg.Height
	out.OCRText = ocrText(words, minConf)
	res.Image = &out
	return res, nil
}

// ocrText joins the words tesseract is sure enough of: words of a line
// with spaces, lines with line breaks, each cleaned as by Text.
func ocrText(words []tesseract.Word, minConf float64) string {
	var lines []string
	var cur []string
	flush := func() {
		if s := cleanText(strings.Join(cur, " ")); s != "" {
			lines = append(lines, s)
		}
		cur = cur[:0]
	}
	for _, w := range words {
		if w.Conf >= minConf {
			cur = append(cur, w.Text)
		}
		if w.LastInLine {
			flush()
		}
	}
	flush()
	return strings.Join(lines, "\n")
}
