package local

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"testing"
)

// tiles512 is OpenAI's 512-pixel tile formula at high detail (as
// route/openai implements it), for the tests.
func tiles512(w, h int) int {
	fw, fh := float64(w), float64(h)
	if s := 2048 / math.Max(fw, fh); s < 1 {
		fw, fh = fw*s, fh*s
	}
	if s := 768 / math.Min(fw, fh); s < 1 {
		fw, fh = fw*s, fh*s
	}
	return 85 + 170*int(math.Ceil(fw/512-1e-9))*int(math.Ceil(fh/512-1e-9))
}

// patches32 is the 32-pixel patch formula without the cap.
func patches32(w, h int) int { return ((w + 31) / 32) * ((h + 31) / 32) }

func TestDownscale(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 1000, 400))
	for x := range 1000 {
		for y := range 400 {
			src.SetGray(x, y, color.Gray{uint8(x / 4)})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, src); err != nil {
		t.Fatal(err)
	}
	in := buf.Bytes()
	tests := []struct {
		name         string
		maxSide      int
		wantW, wantH int
		same         bool
	}{
		{name: "wide_fits_max_side", maxSide: 500, wantW: 500, wantH: 200},
		{name: "already_small_unchanged", maxSide: 1000, wantW: 1000, wantH: 400, same: true},
		{name: "no_limit_unchanged", maxSide: 0, wantW: 1000, wantH: 400, same: true},
		{name: "tiny", maxSide: 10, wantW: 10, wantH: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, w, h, err := Downscale(in, tt.maxSide)
			if err != nil {
				t.Fatal(err)
			}
			if w != tt.wantW || h != tt.wantH {
				t.Errorf("size = %dx%d, want %dx%d", w, h, tt.wantW, tt.wantH)
			}
			if tt.same != bytes.Equal(out, in) {
				t.Errorf("output is the input: %v, want %v", !tt.same, tt.same)
			}
			img, err := png.Decode(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
				t.Errorf("PNG is %v, reported %dx%d", b, w, h)
			}
			// The gradient survives: dark left, light right.
			l, _, _, _ := img.At(0, h/2).RGBA()
			r, _, _, _ := img.At(w-1, h/2).RGBA()
			if l >= r {
				t.Errorf("gradient lost: left %d, right %d", l>>8, r>>8)
			}
		})
	}
	if _, _, _, err := Downscale([]byte("no png"), 10); err == nil {
		t.Error("Downscale of a non-PNG succeeded")
	}
}

func TestCheapestSize(t *testing.T) {
	tests := []struct {
		name                string
		w, h                int
		minScale            float64
		tokens              func(w, h int) int
		wantW, wantH, wantT int
	}{
		// Four tiles at full size, one at 512×512.
		{name: "tiles_snap_to_one_tile", w: 530, h: 530, minScale: 0.9, tokens: tiles512, wantW: 512, wantH: 512, wantT: 255},
		// Not allowed to lose enough detail to save a tile: full size.
		{name: "tiles_detail_kept", w: 1100, h: 530, minScale: 0.99, tokens: tiles512, wantW: 1100, wantH: 530, wantT: 1105},
		{name: "tiles_one_row_fewer", w: 1100, h: 530, minScale: 0.95, tokens: tiles512, wantW: 1063, wantH: 512, wantT: 595},
		{name: "tiles_wide_snaps", w: 1100, h: 530, minScale: 0.9, tokens: tiles512, wantW: 1024, wantH: 493, wantT: 425},
		{name: "patches_snap_down", w: 650, h: 330, minScale: 0.9, tokens: patches32, wantW: 608, wantH: 309, wantT: 190},
		{name: "tall_image", w: 330, h: 650, minScale: 0.9, tokens: patches32, wantW: 309, wantH: 608, wantT: 190},
		{name: "full_scale_only", w: 530, h: 530, minScale: 1, tokens: tiles512, wantW: 530, wantH: 530, wantT: 765},
		{name: "bad_scale_means_full", w: 530, h: 530, minScale: math.NaN(), tokens: tiles512, wantW: 530, wantH: 530, wantT: 765},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, h, tok := CheapestSize(tt.w, tt.h, tt.minScale, tt.tokens)
			if w != tt.wantW || h != tt.wantH || tok != tt.wantT {
				t.Errorf("CheapestSize = %dx%d %d tokens, want %dx%d %d", w, h, tok, tt.wantW, tt.wantH, tt.wantT)
			}
			if tok != tt.tokens(w, h) {
				t.Errorf("reported %d tokens, formula says %d", tok, tt.tokens(w, h))
			}
		})
	}
}

func TestResize(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 300, 120))
	for x := range 300 {
		for y := range 120 {
			src.SetGray(x, y, color.Gray{uint8(x * 255 / 299)})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, src); err != nil {
		t.Fatal(err)
	}
	in := buf.Bytes()
	tests := []struct {
		name    string
		w, h    int
		same    bool
		wantErr bool
	}{
		{name: "exact_size_drawn", w: 200, h: 81},
		{name: "same_size_unchanged", w: 300, h: 120, same: true},
		{name: "one_side_kept", w: 300, h: 100},
		{name: "enlarging_refused", w: 301, h: 120, wantErr: true},
		{name: "empty_refused", w: 0, h: 10, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Resize(in, tt.w, tt.h)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Resize error %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if tt.same != bytes.Equal(out, in) {
				t.Errorf("output is the input: %v, want %v", !tt.same, tt.same)
			}
			img, err := png.Decode(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
				t.Errorf("PNG is %dx%d, want %dx%d", b.Dx(), b.Dy(), tt.w, tt.h)
			}
			l, _, _, _ := img.At(0, tt.h/2).RGBA()
			r, _, _, _ := img.At(tt.w-1, tt.h/2).RGBA()
			if l >= r {
				t.Errorf("gradient lost: left %d, right %d", l>>8, r>>8)
			}
		})
	}
	if _, err := Resize([]byte("no png"), 10, 10); err == nil {
		t.Error("Resize of a non-PNG succeeded")
	}
}
