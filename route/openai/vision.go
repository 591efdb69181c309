package openai

import (
	"bytes"
	"fmt"
	"image"
	"math"
	"strings"

	"github.com/folio/folio"
	"github.com/folio/folio/route/local"
)

// lowDetailSide is the square "low" detail fits an image in: the model sees
// at most 512×512 pixels, for a fixed 85 tokens.
const lowDetailSide = 512

// Image details a request asks for.
const (
	detailLow  = "low"
	detailHigh = "high"
)

// FormulaFor returns the image token formula OpenAI publishes for a model
// id: ImageTokensPatches for gpt-4.1-mini, gpt-4.1-nano, o4-mini,
// gpt-5-mini and gpt-5-nano (dated versions included), ImageTokensTiles for
// every other model. Model.ImageTokens, when set, overrides it.
func FormulaFor(model string) string {
	m := strings.ToLower(model)
	for _, p := range []string{"gpt-4.1-mini", "gpt-4.1-nano", "o4-mini", "gpt-5-mini", "gpt-5-nano"} {
		if strings.HasPrefix(m, p) {
			return ImageTokensPatches
		}
	}
	return ImageTokensTiles
}

// formula returns m's image token formula: the one configured, else the one
// its model id has.
func (m *Model) formula() string {
	if m.ImageTokens != "" {
		return m.ImageTokens
	}
	return FormulaFor(m.Model)
}

// sentImage is one image of a request: its source pixels and how they are
// sent.
type sentImage struct {
	png    []byte // the source PNG, drawn at w×h when the request is sent
	w, h   int
	detail string // detailLow or detailHigh for tile models, "" for patch models
	tokens int    // by m's formula at w×h and detail
}

// sizeImage decides how png, the pixels of box on the page, is sent to m:
// the size that costs the fewest image tokens by m's formula while keeping
// at least m's MinImageDPI (never enlarging, and never larger than what the
// provider would scale the image down to anyway), and for tile models
// detail "low" when the image fits 512×512 at that resolution. Without a
// box (its resolution unknown) no detail may be lost. It fails when png
// does not decode.
func (m *Model) sizeImage(png []byte, box folio.Box) (sentImage, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(png))
	if err != nil {
		return sentImage{}, err
	}
	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 {
		return sentImage{}, fmt.Errorf("image has no pixels: %dx%d", w, h)
	}
	// minScale keeps MinImageDPI on the axis with the fewer pixels per
	// point.
	minScale := 1.0
	if bw, bh := box.Width(), box.Height(); bw > 0 && bh > 0 {
		dpi := math.Min(float64(w)/bw, float64(h)/bh) * 72
		if want := m.minImageDPI(); dpi > want {
			minScale = want / dpi
		}
	}
	img := sentImage{png: png}
	if m.formula() == ImageTokensPatches {
		w0, h0 := patchFit(w, h)
		img.w, img.h, img.tokens = local.CheapestSize(w0, h0, relative(minScale, w, w0),
			func(w, h int) int { return m.imageTokens(w, h, "") })
		return img, nil
	}
	if float64(max(w, h))*minScale <= lowDetailSide {
		img.w, img.h = fitIn(w, h, lowDetailSide, lowDetailSide)
		img.detail = detailLow
		img.tokens = m.imageTokens(img.w, img.h, detailLow)
		return img, nil
	}
	w0, h0 := tileFit(w, h)
	img.detail = detailHigh
	img.w, img.h, img.tokens = local.CheapestSize(w0, h0, relative(minScale, w, w0),
		func(w, h int) int { return m.imageTokens(w, h, detailHigh) })
	return img, nil
}

// ImageDPI is the resolution m needs page regions drawn at: its
// MinImageDPI, or the default. Crops drawn finer are only shrunk again.
func (m Model) ImageDPI() float64 { return m.minImageDPI() }

// ImageDPI is the resolution page regions are drawn at for s's model, 0
// when the model has no vision (route.Sighted).
func (s *Specialist) ImageDPI() float64 {
	if !s.m.Vision {
		return 0
	}
	return s.m.ImageDPI()
}

// minImageDPI returns m's MinImageDPI, or the default.
func (m *Model) minImageDPI() float64 {
	if m.MinImageDPI > 0 {
		return m.MinImageDPI
	}
	return DefaultMinImageDPI
}

// relative turns a scale of a w-pixel-wide image into a scale of the same
// image already w0 pixels wide, at most 1.
func relative(scale float64, w, w0 int) float64 {
	return math.Min(1, scale*float64(w)/float64(w0))
}

// fitIn returns w×h scaled down, aspect ratio kept, to fit in maxW×maxH;
// w×h when it fits. Sides are rounded down and at least 1.
func fitIn(w, h, maxW, maxH int) (int, int) {
	s := math.Min(float64(maxW)/float64(w), float64(maxH)/float64(h))
	if s >= 1 {
		return w, h
	}
	return scaleBy(w, h, s)
}

func scaleBy(w, h int, s float64) (int, int) {
	return max(1, int(floor(float64(w)*s))), max(1, int(floor(float64(h)*s)))
}

// tileFit returns the size the 512-pixel tile formula scales a w×h image to
// before counting tiles: within 2048×2048, then a shortest side of at most
// 768. Sending more pixels than that costs nothing more but the bytes.
func tileFit(w, h int) (int, int) {
	w, h = fitIn(w, h, 2048, 2048)
	if s := 768 / float64(min(w, h)); s < 1 {
		return scaleBy(w, h, s)
	}
	return w, h
}

// patchFit returns the size the 32-pixel patch formula scales a w×h image
// to when it needs more than 1536 patches; w×h otherwise.
func patchFit(w, h int) (int, int) {
	fw, fh := float64(w), float64(h)
	if ceil(fw/32)*ceil(fh/32) <= maxPatches {
		return w, h
	}
	r := math.Sqrt(32 * 32 * maxPatches / (fw * fh))
	pw, ph := fw*r/32, fh*r/32
	r *= math.Min(math.Max(1, floor(pw))/pw, math.Max(1, floor(ph))/ph)
	return scaleBy(w, h, r)
}
