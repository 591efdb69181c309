package serve

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/folio/folio"
)

// whitePNG returns an opaque white w×h PNG.
func whitePNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func decode(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("overlay is not a PNG: %v", err)
	}
	return img
}

func rgb(c color.Color) [3]uint8 {
	r, g, b, _ := c.RGBA()
	return [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}
}

var white = [3]uint8{0xFF, 0xFF, 0xFF}

// The page is 400×200 points drawn as 200×100 pixels: half a pixel a
// point.
func TestDrawOverlay_outlinesBoxesInTheirColour(t *testing.T) {
	els := []OverlayBox{
		{ID: "el_1", Ord: 7, Type: folio.TableType, Model: "openai/gpt-4.1-mini", Layer: folio.LayerBody, Box: folio.Box{40, 40, 200, 160}},
		{ID: "el_2", Ord: 12, Type: folio.Footer, Model: "local/text", Layer: folio.LayerFurniture, Box: folio.Box{240, 170, 380, 190}},
	}
	for _, colorBy := range []string{ColorByType, ColorByModel} {
		t.Run(colorBy, func(t *testing.T) {
			out, err := DrawOverlay(whitePNG(t, 200, 100), 400, 200, els, colorBy)
			if err != nil {
				t.Fatal(err)
			}
			img := decode(t, out)
			if b := img.Bounds(); b.Dx() != 200 || b.Dy() != 100 {
				t.Fatalf("overlay is %v, want the page image's size", b)
			}
			key := string(folio.TableType)
			if colorBy == ColorByModel {
				key = "openai/gpt-4.1-mini"
			}
			want := rgb(hexColour(Palette(colorBy, key)))
			// The table's box is pixels (20, 20)-(100, 80).
			for _, p := range []image.Point{{60, 20}, {60, 21}, {60, 79}, {60, 78}, {20, 50}, {21, 50}, {99, 50}, {98, 50}, {99, 79}} {
				if got := rgb(img.At(p.X, p.Y)); got != want {
					t.Errorf("edge pixel %v = %v, want %v", p, got, want)
				}
			}
			for _, p := range []image.Point{{60, 50}, {60, 22}, {22, 50}, {97, 50}, {60, 77}, {19, 50}, {100, 50}, {60, 19}, {60, 80}, {5, 5}} {
				if got := rgb(img.At(p.X, p.Y)); got != white {
					t.Errorf("pixel %v inside or outside the outline = %v, want white", p, got)
				}
			}
			// The label at the top-left corner: "7" is a full top row, then
			// only its last column.
			ox, oy := 20+labelPad, 20+labelPad
			for _, p := range []image.Point{{ox, oy}, {ox + 1, oy}, {ox + 2, oy}, {ox + 2, oy + 1}, {ox + 2, oy + 4}} {
				if got := rgb(img.At(p.X, p.Y)); got != white {
					t.Errorf("digit pixel %v = %v, want white ink", p, got)
				}
			}
			for _, p := range []image.Point{{ox, oy + 1}, {ox + 1, oy + 2}, {ox, oy + 4}} {
				if got := rgb(img.At(p.X, p.Y)); got != want {
					t.Errorf("label pixel %v = %v, want the label's colour %v", p, got, want)
				}
			}

			// The footer is furniture: lighter than its colour, not white.
			key = string(folio.Footer)
			if colorBy == ColorByModel {
				key = "local/text"
			}
			full := rgb(hexColour(Palette(colorBy, key)))
			got := rgb(img.At(150, 94)) // its bottom edge: pixels (120, 85)-(190, 95)
			for i := range got {
				if got[i] == 0xFF && full[i] != 0xFF || got[i] < full[i] || got == full {
					t.Errorf("furniture edge %v, colour %v: want it faded between the colour and white", got, full)
					break
				}
			}
		})
	}
}

func TestDrawOverlay_skipsBoxesItCannotPlace(t *testing.T) {
	els := []OverlayBox{
		{Type: folio.Paragraph, Box: folio.Box{math.NaN(), 0, 10, 10}},
		{Type: folio.Paragraph, Box: folio.Box{500, 500, 600, 600}},     // off the page
		{Type: folio.Paragraph, Box: folio.Box{-50, -50, 1e300, 1e300}}, // clipped to the page
		{Type: folio.Paragraph, Ord: 123456789, Box: folio.Box{399, 199, 400, 200}},
	}
	out, err := DrawOverlay(whitePNG(t, 200, 100), 400, 200, els, "")
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, out)
	if got, want := rgb(img.At(100, 0)), rgb(hexColour(Palette(ColorByType, "paragraph"))); got != want {
		t.Errorf("clipped box's edge at the page's top = %v, want %v", got, want)
	}
}

func TestDrawOverlay_refusesHostileInput(t *testing.T) {
	good := whitePNG(t, 4, 4)
	huge := withSize(t, good, 100_000, 100_000)
	tests := []struct {
		name   string
		png    []byte
		w, h   float64
		by     string
		errHas string
	}{
		{"garbage", []byte("<svg onload=alert(1)>"), 100, 100, "", "page image"},
		{"empty", nil, 100, 100, "", "page image"},
		{"truncated", good[:len(good)/2], 100, 100, "", "page image"},
		{"declared ten gigapixels", huge, 100, 100, "", "too large"},
		{"no page size", good, 0, 100, "", "page size"},
		{"page size NaN", good, math.NaN(), 100, "", "page size"},
		{"page size infinite", good, math.Inf(1), 100, "", "page size"},
		{"unknown colouring", good, 100, 100, "layer", "want type or model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := DrawOverlay(tt.png, tt.w, tt.h, []OverlayBox{{Box: folio.Box{0, 0, 1, 1}}}, tt.by)
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("DrawOverlay = %d bytes, %v; want an error with %q", len(out), err, tt.errHas)
			}
		})
	}
}

// withSize rewrites the size a PNG's header declares, with a valid CRC.
func withSize(t *testing.T, p []byte, w, h uint32) []byte {
	t.Helper()
	out := bytes.Clone(p)
	const ihdr = 8 + 4 // signature, chunk length
	if string(out[ihdr:ihdr+4]) != "IHDR" {
		t.Fatal("no IHDR chunk")
	}
	binary.BigEndian.PutUint32(out[ihdr+4:], w)
	binary.BigEndian.PutUint32(out[ihdr+8:], h)
	binary.BigEndian.PutUint32(out[ihdr+4+13:], crc32.ChecksumIEEE(out[ihdr:ihdr+4+13]))
	if cfg, err := png.DecodeConfig(bytes.NewReader(out)); err != nil || cfg.Width != int(w) {
		t.Fatalf("rewritten header: %v, %v", cfg, err)
	}
	return out
}

func TestPalette(t *testing.T) {
	hex := regexp.MustCompile(`^#[0-9a-f]{6}$`)
	for _, c := range append(hashColours, chartPalette...) {
		if !hex.MatchString(c) {
			t.Errorf("palette entry %q is not #rrggbb", c)
		}
	}
	for typ, c := range typeColours {
		if !hex.MatchString(c) || Palette(ColorByType, string(typ)) != c {
			t.Errorf("type %s: colour %q, Palette gives %q", typ, c, Palette(ColorByType, string(typ)))
		}
	}
	// Models are coloured by hash: stable, and spread over the palette.
	models := []string{"openai/gpt-4.1-mini", "openai/gpt-4.1", "local/text", "local/table", "local/ocr", "anthropic/claude", "openai/o3"}
	seen := map[string]bool{}
	for _, m := range models {
		c := Palette(ColorByModel, m)
		if c != Palette(ColorByModel, m) || !hex.MatchString(c) {
			t.Errorf("model %s: colour %q is not stable", m, c)
		}
		seen[c] = true
	}
	if len(seen) < 4 {
		t.Errorf("%d models share %d colours", len(models), len(seen))
	}
	// Colouring by model never uses the type table: a model named like a
	// type gets a hashed colour.
	if Palette(ColorByModel, "table") == "" || Palette(ColorByType, "unknown_type") == "" {
		t.Error("no colour for an unknown key")
	}
}

func FuzzDrawOverlay(f *testing.F) {
	f.Add(whitePNG(f, 8, 8), 8.0, 8.0)
	f.Add([]byte("\x89PNG\r\n\x1a\n"), 1.0, 1.0)
	f.Fuzz(func(t *testing.T, data []byte, w, h float64) {
		els := []OverlayBox{{Ord: 3, Box: folio.Box{0, 0, w / 2, h / 2}}, {Ord: 40, Layer: folio.LayerFurniture, Box: folio.Box{w / 4, h / 4, w, h}}}
		out, err := DrawOverlay(data, w, h, els, ColorByModel)
		if err == nil {
			if _, err := png.Decode(bytes.NewReader(out)); err != nil {
				t.Errorf("overlay of an accepted image is not a PNG: %v", err)
			}
		}
	})
}
