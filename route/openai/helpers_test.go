package openai_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/png"
	"testing"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/folio/folio/route/openai"
	"github.com/folio/folio/route/openai/oaitest"
)

// fakeKey is a recognisable API key that must never leak.
const fakeKey = "sk-folio-test-7d1e4c9b2a-SECRET"

func price(v float64) *float64 { return &v }

func micros(v int64) *int64 { return &v }

// mini is a priced vision model: USD 0.40 in, 0.10 cached, 1.60 out per
// million tokens.
func mini() openai.Model {
	return openai.Model{Alias: "small", Model: "gpt-4.1-mini", Vision: true,
		InputPerMTok: price(0.40), CachedInputPerMTok: price(0.10), OutputPerMTok: price(1.60)}
}

// newSpecialist returns a specialist for m on srv with fakeKey.
func newSpecialist(t *testing.T, srv *oaitest.Server, m openai.Model, edit ...func(*openai.Endpoint)) *openai.Specialist {
	t.Helper()
	ep := openai.Endpoint{Name: "test", BaseURL: srv.URL, APIKey: fakeKey}
	for _, e := range edit {
		e(&ep)
	}
	s, err := openai.New(ep, m)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// pngOf returns a w×h grey PNG.
func pngOf(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func textLayer() folio.PageInfo {
	return folio.PageInfo{Page: 1, Width: 612, Height: 792, TextLayer: true}
}

func tableTask() route.Task {
	return route.Task{
		Element: folio.Element{ID: "el_t", Type: folio.TableType, Page: 1, Box: folio.Box{72, 100, 540, 200},
			Text: "Region Q1 Q2 North 12.5 −3 South 1,234 40",
			Table: &folio.Table{Rows: [][]string{{"Region", "Q1", "Q2"}, {"North", "12.5", "−3"}, {"South", "1,234", "40"}},
				HeaderRows: 1}},
		Page: textLayer(), Rule: "table#2", Attempt: 2,
	}
}

func imageTask(t testing.TB) route.Task {
	return route.Task{
		Element: folio.Element{ID: "el_i", Type: folio.ImageType, Page: 1, Box: folio.Box{72, 300, 300, 500},
			Image: &folio.Image{Width: 64, Height: 32, PNG: pngOf(t, 64, 32)}},
		Page: textLayer(),
	}
}

func paragraphTask() route.Task {
	return route.Task{
		Element: folio.Element{ID: "el_p", Type: folio.Paragraph, Page: 1, Box: folio.Box{72, 520, 540, 560},
			Text: "Revenue grew by 12 per-\ncent in 2024."},
		Page: textLayer(),
	}
}

func scanTask(t testing.TB) route.Task {
	return route.Task{
		Element: folio.Element{ID: "el_s", Type: folio.Paragraph, Page: 1, Box: folio.Box{72, 520, 540, 560}},
		Page:    folio.PageInfo{Page: 1, Width: 612, Height: 792},
		Crop:    pngOf(t, 600, 80),
	}
}
