package openai_test

import (
	"bytes"
	"context"
	"image"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/folio/folio/route/openai"
	"github.com/folio/folio/route/openai/oaitest"
)

// TestVisionImageSize sends images to tile and patch models through the
// test server and checks the size and detail chosen, that the server got
// exactly that image, and that the estimate is the server's count.
func TestVisionImageSize(t *testing.T) {
	// box returns a box of w×h pixels drawn at dpi.
	box := func(w, h int, dpi float64) folio.Box {
		return folio.Box{72, 72, 72 + float64(w)*72/dpi, 72 + float64(h)*72/dpi}
	}
	tests := []struct {
		name   string
		model  string
		dpi    float64 // the model's minimum resolution; 0 for the default
		task   route.Task
		want   folio.ImageSent
		shrunk bool // the image sent is smaller than the source
	}{{
		// 1200×800 at 300 dpi fits 512×512 at 100 dpi: low detail.
		name:   "photo at 300 dpi goes low detail",
		model:  "gpt-4.1",
		task:   imageOf(t, 1200, 800, box(1200, 800, 300)),
		want:   folio.ImageSent{ImageWidth: 512, ImageHeight: 341, ImageDetail: "low", EstimatedImageTokens: 85},
		shrunk: true,
	}, {
		// Without a box its resolution is unknown: no detail is lost, but
		// the pixels the model would drop (shortest side over 768) are not
		// sent: 1152×768, 3×2 tiles.
		name:   "no box keeps the detail the model sees",
		model:  "gpt-4.1",
		task:   imageOf(t, 1200, 800, folio.Box{}),
		want:   folio.ImageSent{ImageWidth: 1152, ImageHeight: 768, ImageDetail: "high", EstimatedImageTokens: 85 + 6*170},
		shrunk: true,
	}, {
		// A stricter minimum keeps high detail; 1024×683 is 2×2 tiles,
		// where 1152×768 would be 3×2.
		name:   "configured minimum resolution",
		model:  "gpt-4.1",
		dpi:    200,
		task:   imageOf(t, 1200, 800, box(1200, 800, 300)),
		want:   folio.ImageSent{ImageWidth: 1024, ImageHeight: 683, ImageDetail: "high", EstimatedImageTokens: 765},
		shrunk: true,
	}, {
		// A 150 dpi table crop may lose a third: 1024×493 is 2×1 tiles
		// instead of 3×2.
		name:   "table crop snaps to fewer tiles",
		model:  "gpt-4.1",
		task:   tableCrop(t, 1100, 530, box(1100, 530, 150)),
		want:   folio.ImageSent{ImageWidth: 1024, ImageHeight: 493, ImageDetail: "high", EstimatedImageTokens: 425},
		shrunk: true,
	}, {
		// The same crop to a patch model: at least 734 wide, 23×12 patches
		// at most: 736×355, 276 × 1.62 = 447.12 → 448.
		name:   "table crop to a patch model",
		model:  "gpt-4.1-mini",
		task:   tableCrop(t, 1100, 530, box(1100, 530, 150)),
		want:   folio.ImageSent{ImageWidth: 736, ImageHeight: 355, EstimatedImageTokens: 448},
		shrunk: true,
	}, {
		// Under the minimum resolution nothing is lost: 19×3 patches ×
		// 2.46 = 140.22 → 141.
		name:  "coarse scan is sent whole",
		model: "gpt-4.1-nano",
		task:  scanTask(t), // 600×80 for 468×40 pt: 92 dpi
		want:  folio.ImageSent{ImageWidth: 600, ImageHeight: 80, EstimatedImageTokens: 141},
	}, {
		// o4-mini's multiplier: 4×2 patches × 1.72 = 13.76 → 14.
		name:  "small image to o4-mini",
		model: "o4-mini",
		task:  imageOf(t, 100, 40, box(100, 40, 72)),
		want:  folio.ImageSent{ImageWidth: 100, ImageHeight: 40, EstimatedImageTokens: 14},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := oaitest.New(t)
			m := mini()
			m.Model, m.MinImageDPI = tt.model, tt.dpi
			s := newSpecialist(t, srv, m)
			est, err := s.Estimate(tt.task)
			if err != nil {
				t.Fatalf("Estimate: %v", err)
			}
			res, err := s.Run(context.Background(), tt.task)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if diff := cmp.Diff(tt.want, res.ImageSent); diff != "" {
				t.Errorf("image sent (-want +got):\n%s", diff)
			}
			reqs := srv.Requests()
			if len(reqs) != 1 || len(reqs[0].ImageParts) != 1 {
				t.Fatalf("server saw %d requests, want 1 with 1 image: %+v", len(reqs), reqs)
			}
			got := reqs[0].ImageParts[0]
			want := oaitest.ImagePart{Width: tt.want.ImageWidth, Height: tt.want.ImageHeight,
				Detail: tt.want.ImageDetail, Tokens: tt.want.EstimatedImageTokens}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("image the server counted (-want +got):\n%s", diff)
			}
			if src := srcSize(tt.task); tt.shrunk != (got.Width*got.Height < src) {
				t.Errorf("sent %dx%d of a %d-pixel source; want shrunk %v", got.Width, got.Height, src, tt.shrunk)
			}
			// The budget's estimate counts the image as sent; its text part
			// is a rule of thumb some 60 tokens under the server's byte
			// count, while the source images would cost hundreds more.
			if d := est.Usage.InputTokens - res.Usage.InputTokens; d < -100 || d > 100 {
				t.Errorf("estimated %d input tokens, server counted %d (%d of them the image's)",
					est.Usage.InputTokens, res.Usage.InputTokens, got.Tokens)
			}
		})
	}
}

// TestImageTokensAgreeWithServer compares Folio's formulas with the test
// server's own implementation over sizes around tile and patch edges.
func TestImageTokensAgreeWithServer(t *testing.T) {
	sizes := []int{1, 31, 32, 33, 511, 512, 513, 767, 768, 769, 1024, 1025, 1300, 1536, 2047, 2048, 2049, 3000, 5000}
	for _, model := range []string{"gpt-4.1", "gpt-4o-mini", "o3", "gpt-5", "gpt-4.1-mini", "gpt-4.1-nano", "o4-mini", "gpt-5-nano"} {
		base, tile := openai.TileTokens(model)
		for _, w := range sizes {
			for _, h := range sizes {
				var want int
				if openai.FormulaFor(model) == openai.ImageTokensPatches {
					want = openai.ImageTokensPatches32(w, h, openai.PatchMultiplier(model))
				} else {
					want = (openai.ImageTokensTiles512(w, h, "high")-85)/170*tile + base
				}
				if got := oaitest.ImageTokens(model, w, h, "high"); got != int64(want) {
					t.Errorf("%s %dx%d: server counts %d, Folio %d", model, w, h, got, want)
				}
			}
		}
	}
}

// imageOf returns an image task with a w×h image over box.
func imageOf(t *testing.T, w, h int, box folio.Box) route.Task {
	task := imageTask(t)
	task.Element.Box = box
	task.Element.Image = &folio.Image{Width: w, Height: h, PNG: pngOf(t, w, h)}
	return task
}

// tableCrop returns a table task with a w×h crop of box.
func tableCrop(t *testing.T, w, h int, box folio.Box) route.Task {
	task := tableTask()
	task.Element.Box = box
	task.Crop = pngOf(t, w, h)
	return task
}

// srcSize returns the pixels of the task's image or crop.
func srcSize(t route.Task) int {
	src := t.Crop
	if t.Element.Image != nil {
		src = t.Element.Image.PNG
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(src))
	if err != nil {
		return 0
	}
	return cfg.Width * cfg.Height
}
