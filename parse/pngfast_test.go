package parse

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"testing"

	"github.com/folio/folio"
)

func testImages() map[string]image.Image {
	r := rand.New(rand.NewPCG(1, 2))
	rect := image.Rect(0, 0, 97, 61)
	gray, rgba, nrgba := image.NewGray(rect), image.NewRGBA(rect), image.NewNRGBA(rect)
	for y := range 61 {
		for x := range 97 {
			v := uint8(x*2 + y + r.IntN(8))
			gray.SetGray(x, y, color.Gray{v})
			rgba.SetRGBA(x, y, color.RGBA{v, uint8(y * 3), 255 - v, 255})
			nrgba.SetNRGBA(x, y, color.NRGBA{v, uint8(y * 3), 255 - v, uint8(x)})
		}
	}
	return map[string]image.Image{"gray": gray, "rgb": rgba, "rgba": nrgba}
}

// fastPNG's files decode to the very pixels it was given.
func TestFastPNGRoundTrip(t *testing.T) {
	for name, img := range testImages() {
		b := fastPNG(img)
		if b == nil {
			t.Fatalf("%s: not encoded", name)
		}
		got, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: decode: %v", name, err)
		}
		if got.Bounds() != img.Bounds() {
			t.Fatalf("%s: bounds %v, want %v", name, got.Bounds(), img.Bounds())
		}
		for y := range img.Bounds().Dy() {
			for x := range img.Bounds().Dx() {
				r1, g1, b1, a1 := got.At(x, y).RGBA()
				r2, g2, b2, a2 := img.At(x, y).RGBA()
				if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
					t.Fatalf("%s: pixel %d,%d differs", name, x, y)
				}
			}
		}
	}
	translucent := image.NewRGBA(image.Rect(0, 0, 2, 2))
	if fastPNG(translucent) != nil {
		t.Error("a translucent RGBA image was encoded; it needs un-premultiplying")
	}
}

func BenchmarkPNG(b *testing.B) {
	data := readTestdata(b, "2305.03393v1-pg9.pdf")
	imgs, err := testEngine.Render(b.Context(), folio.Source{Rel: "pg9"}, data, at([]folio.PageBox{{Page: 1, Box: folio.Box{0, 0, 612, 792}}}, 150, 4e6))
	if err != nil {
		b.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(imgs[0]))
	if err != nil {
		b.Fatal(err)
	}
	rgba := image.NewRGBA(img.Bounds())
	for y := range img.Bounds().Dy() {
		for x := range img.Bounds().Dx() {
			rgba.Set(x, y, img.At(x, y))
		}
	}
	b.Run("stdlib", func(b *testing.B) {
		var n int
		for b.Loop() {
			var out bytes.Buffer
			(&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&out, rgba)
			n = out.Len()
		}
		b.ReportMetric(float64(n), "bytes")
	})
	b.Run("fast", func(b *testing.B) {
		var n int
		for b.Loop() {
			n = len(fastPNG(rgba))
		}
		b.ReportMetric(float64(n), "bytes")
	})
}
