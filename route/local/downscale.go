package local

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math"

	"github.com/disintegration/imaging"
)

// Downscale returns a PNG image fitted within maxSide×maxSide pixels,
// keeping its aspect ratio (Lanczos resampling), with its new width and
// height. An image that already fits is returned as it is; maxSide ≤ 0
// means no limit. It fails when pngData does not decode.
func Downscale(pngData []byte, maxSide int) ([]byte, int, int, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(pngData))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("read png header: %w", err)
	}
	if maxSide <= 0 || (cfg.Width <= maxSide && cfg.Height <= maxSide) {
		return pngData, cfg.Width, cfg.Height, nil
	}
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("decode png: %w", err)
	}
	small := imaging.Fit(img, maxSide, maxSide, imaging.Lanczos)
	out, err := encodePNG(small)
	if err != nil {
		return nil, 0, 0, err
	}
	b := small.Bounds()
	return out, b.Dx(), b.Dy(), nil
}

// Resize returns a PNG image of exactly w×h pixels drawn from pngData with
// Lanczos resampling: the size a vision request was priced at (see
// CheapestSize), which may change the aspect ratio by the rounding of a
// pixel. An image already w×h is returned as it is. It fails when pngData
// does not decode, or when w×h is empty or larger than the image on either
// side: images are scaled down, never up.
func Resize(pngData []byte, w, h int) ([]byte, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(pngData))
	if err != nil {
		return nil, fmt.Errorf("read png header: %w", err)
	}
	switch {
	case w == cfg.Width && h == cfg.Height:
		return pngData, nil
	case w <= 0 || h <= 0 || w > cfg.Width || h > cfg.Height:
		return nil, fmt.Errorf("resize %dx%d image to %dx%d: only smaller sizes", cfg.Width, cfg.Height, w, h)
	}
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		return nil, fmt.Errorf("decode png: %w", err)
	}
	return encodePNG(imaging.Resize(img, w, h, imaging.Lanczos))
}

// CheapestSize returns the size, among the sizes of a w×h image scaled
// by minScale to 1 (aspect ratio kept, no enlargement), that costs the
// fewest image tokens by the formula tokens, with that cost; among equal
// costs the largest size wins. minScale is the least detail the task
// needs: 0.75 keeps three quarters of the resolution. Token formulas are
// step functions of the size (512-pixel tiles, 32-pixel patches), so a
// slightly smaller image often costs a tile less: a 530×530 crop is four
// 512-pixel tiles (765 tokens at high detail) but one (255) at 512×512.
// A vision route downscales to the size chosen, with Downscale.
func CheapestSize(w, h int, minScale float64, tokens func(w, h int) int) (int, int, int) {
	if w <= 0 || h <= 0 {
		return w, h, tokens(w, h)
	}
	if !(minScale > 0) || minScale > 1 {
		minScale = 1
	}
	bw, bh, best := w, h, tokens(w, h)
	// Every width from the full one down, the height following; for a
	// tall image, every height.
	long, short := w, h
	if h > w {
		long, short = h, w
	}
	for l := long - 1; float64(l) >= math.Ceil(minScale*float64(long)) && l >= 1; l-- {
		s := max(1, int(math.Round(float64(short)*float64(l)/float64(long))))
		cw, ch := l, s
		if h > w {
			cw, ch = s, l
		}
		if c := tokens(cw, ch); c < best {
			bw, bh, best = cw, ch, c
		}
	}
	return bw, bh, best
}

// enlarge returns a PNG image k times the size of pngData (Catmull-Rom).
func enlarge(pngData []byte, k int) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		return nil, err
	}
	b := img.Bounds()
	return encodePNG(imaging.Resize(img, b.Dx()*k, b.Dy()*k, imaging.CatmullRom))
}

// encodePNG encodes img as PNG, favouring speed over size.
func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}
