package openai

import (
	_ "image/png" // crops and images are PNG
	"math"
	"strings"
)

// Image token formulas, as OpenAI publishes them for its vision models.
const (
	// ImageTokensTiles is "tiles512": GPT-4o and GPT-4.1 style.
	ImageTokensTiles = "tiles512"
	// ImageTokensPatches is "patches32": GPT-4.1-mini, GPT-4.1-nano and
	// o4-mini style.
	ImageTokensPatches = "patches32"
)

// ImageTokensTiles512 returns the input tokens of a w×h image under the
// 512-pixel tile formula of gpt-4o and gpt-4.1: detail "low" costs 85
// tokens; any other detail fits the image within 2048×2048, then scales it
// so its shortest side is at most 768, and costs 85 plus 170 per 512-pixel
// tile needed to cover it. A 1024×1024 image costs 765. Images are scaled
// down, never up. It returns 0 for an empty image.
func ImageTokensTiles512(w, h int, detail string) int {
	return tileTokens(w, h, detail, 85, 170)
}

// TileTokens returns the base and per-tile tokens of the 512-pixel tile
// formula OpenAI publishes for a model id: 2833 and 5667 for gpt-4o-mini, 75
// and 150 for o1 and o3, 70 and 140 for gpt-5, 85 and 170 for gpt-4o,
// gpt-4.1 and any other model.
func TileTokens(model string) (base, tile int) {
	m := strings.ToLower(model)
	switch {
	case strings.HasPrefix(m, "gpt-4o-mini"):
		return 2833, 5667
	case strings.HasPrefix(m, "o1"), strings.HasPrefix(m, "o3"):
		return 75, 150
	case strings.HasPrefix(m, "gpt-5"):
		return 70, 140
	}
	return 85, 170
}

// tileTokens is the tile formula with base and tile tokens: detail "low"
// costs base.
func tileTokens(w, h int, detail string, base, tile int) int {
	if w <= 0 || h <= 0 {
		return 0
	}
	if detail == "low" {
		return base
	}
	fw, fh := float64(w), float64(h)
	if s := 2048 / math.Max(fw, fh); s < 1 {
		fw, fh = fw*s, fh*s
	}
	if s := 768 / math.Min(fw, fh); s < 1 {
		fw, fh = fw*s, fh*s
	}
	return base + tile*ceil(fw/512)*ceil(fh/512)
}

// maxPatches caps the 32-pixel patches of one image.
const maxPatches = 1536

// ImageTokensPatches32 returns the input tokens of a w×h image under the
// 32-pixel patch formula: the number of 32×32 patches that cover the image;
// when that is over 1536 the image is scaled down until it fits in 1536
// patches, and the count is capped at 1536; the count is then multiplied by
// the model's multiplier (1.62 for gpt-4.1-mini, 2.46 for gpt-4.1-nano,
// 1.72 for o4-mini; 1 when multiplier is not positive) and rounded up. A
// 1024×1024 image is 1024 patches, 1800×2400 is 1452. It returns 0 for an
// empty image.
func ImageTokensPatches32(w, h int, multiplier float64) int {
	if w <= 0 || h <= 0 {
		return 0
	}
	fw, fh := float64(w), float64(h)
	patches := ceil(fw/32) * ceil(fh/32)
	if patches > maxPatches {
		r := math.Sqrt(32 * 32 * maxPatches / (fw * fh))
		pw, ph := fw*r/32, fh*r/32
		r *= math.Min(math.Max(1, floor(pw))/pw, math.Max(1, floor(ph))/ph)
		patches = min(ceil(fw*r/32)*ceil(fh*r/32), maxPatches)
	}
	if multiplier <= 0 {
		multiplier = 1
	}
	return int(math.Ceil(float64(patches)*multiplier - 1e-9))
}

// imageTokens returns the input tokens of a w×h image sent to m with
// detail, by m's formula.
func (m *Model) imageTokens(w, h int, detail string) int {
	if m.formula() == ImageTokensPatches {
		return ImageTokensPatches32(w, h, PatchMultiplier(m.Model))
	}
	base, tile := TileTokens(m.Model)
	return tileTokens(w, h, detail, base, tile)
}

// PatchMultiplier returns the patches32 token multiplier OpenAI publishes
// for a model id: 2.46 for nano models, 1.72 for o4-mini, 1.62 for other
// mini models, 1 otherwise.
func PatchMultiplier(model string) float64 {
	m := strings.ToLower(model)
	switch {
	case strings.Contains(m, "nano"):
		return 2.46
	case strings.Contains(m, "o4-mini"):
		return 1.72
	case strings.Contains(m, "mini"):
		return 1.62
	}
	return 1
}

// ceil and floor round x, forgiving the float error of a scaled size that
// should be a whole number (2048/3000·3000 is 2048.0000000000002).
func ceil(x float64) int      { return int(math.Ceil(x - 1e-9)) }
func floor(x float64) float64 { return math.Floor(x + 1e-9) }

// textTokens estimates the tokens of text: a quarter of its bytes, rounded
// up.
func textTokens(n int) int64 { return int64(n+3) / 4 }
