package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/folio/folio/route/openai/oaitest"
)

// A PNG page is a document read by OCR: its elements carry their OCR
// confidence, and a rule on it sends the poorly read ones, and only them,
// to a model.
func TestImageInputOCRConfidenceRoutes(t *testing.T) {
	if _, err := exec.LookPath("tesseract"); err != nil {
		t.Skip("tesseract is not installed (make deps installs it): OCR is not tested here")
	}
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm is not installed (make deps installs poppler-utils): no page image to read")
	}
	in, out := t.TempDir(), t.TempDir()
	render := exec.Command("pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", "-singlefile",
		"../../testdata/samples/2305.03393v1-pg9.pdf", filepath.Join(in, "page"))
	if b, err := render.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, b)
	}
	srv := oaitest.New(t)
	srv.RequireKey(fakeKey)
	const threshold = 0.93
	policy := textModelPolicy(t, srv, `  paragraph: [{model: txt, when: {max_ocr_confidence: 0.93}}, local/text]
  heading: [{model: txt, when: {max_ocr_confidence: 0.93}}, local/text]
`)
	stdout, stderr, code := runWithKey(t, "parse", in, "-o", out, "--config", policy)
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "page.png.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Elements []struct {
			Type          string  `json:"type"`
			Text          string  `json:"text"`
			OCRConfidence float64 `json:"ocr_confidence"`
			Model         string  `json:"model"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	low, read := 0, 0
	for _, e := range doc.Elements {
		if e.Text == "" {
			continue
		}
		read++
		if e.OCRConfidence <= 0 || e.OCRConfidence > 1 {
			t.Errorf("%s %q: OCR confidence %v, want within (0, 1]", e.Type, e.Text, e.OCRConfidence)
		}
		toModel := (e.Type == "paragraph" || e.Type == "heading") && e.OCRConfidence < threshold
		if toModel {
			low++
		}
		if got := e.Model != "local/text" && e.Model != "local/table"; got != toModel {
			t.Errorf("%s %q (OCR confidence %.2f) went to %s", e.Type, e.Text, e.OCRConfidence, e.Model)
		}
	}
	if read < 5 {
		t.Fatalf("only %d elements with text read from the page", read)
	}
	if low == 0 || low == read {
		t.Errorf("%d of %d elements under %.2f: the page should have some of both", low, read, threshold)
	}
	if len(srv.Requests()) != low {
		t.Errorf("%d model requests for %d poorly read paragraphs", len(srv.Requests()), low)
	}
	t.Logf("%d elements read, %d paragraphs and headings below %.2f sent to the model", read, low, threshold)
}
