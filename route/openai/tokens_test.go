package openai

import "testing"

func TestImageTokensTiles512(t *testing.T) {
	tests := []struct {
		w, h   int
		detail string
		want   int
	}{
		{1024, 1024, "high", 765},       // → 768×768, 4 tiles
		{2048, 4096, "high", 1105},      // → 1024×2048 → 768×1536, 6 tiles
		{4096, 8192, "auto", 1105},      // the same shape, larger
		{512, 512, "high", 255},         // one tile, not scaled up
		{513, 512, "high", 425},         // two tiles
		{1000, 3000, "high", 1445},      // → 682.67×2048, 2×4 tiles; no float error
		{1024, 1024, "low", 85},         // low detail is flat
		{10000, 10, "high", 85 + 170*4}, // → 2048×2.05, 4×1 tiles
		{0, 100, "high", 0},
	}
	for _, tt := range tests {
		if got := ImageTokensTiles512(tt.w, tt.h, tt.detail); got != tt.want {
			t.Errorf("ImageTokensTiles512(%d, %d, %q) = %d, want %d", tt.w, tt.h, tt.detail, got, tt.want)
		}
	}
}

func TestImageTokensPatches32(t *testing.T) {
	tests := []struct {
		w, h int
		mult float64
		want int
	}{
		{1024, 1024, 1, 1024},    // 32×32 patches
		{1800, 2400, 1, 1452},    // scaled to 1056×1408: 33×44
		{1024, 1024, 1.62, 1659}, // gpt-4.1-mini: 1658.88 rounded up
		{1024, 1024, 2.46, 2520}, // gpt-4.1-nano: 2519.04 rounded up
		{1, 1, 1, 1},
		{33, 32, 1, 2},
		{4000, 4000, 1, 1521}, // scaled to 39×39 patches
		{100000, 1, 0, 1536},  // extreme shape: capped, never zero
		{0, 5, 1, 0},
	}
	for _, tt := range tests {
		if got := ImageTokensPatches32(tt.w, tt.h, tt.mult); got != tt.want {
			t.Errorf("ImageTokensPatches32(%d, %d, %v) = %d, want %d", tt.w, tt.h, tt.mult, got, tt.want)
		}
	}
}

func TestPatchMultiplier(t *testing.T) {
	for model, want := range map[string]float64{
		"gpt-4.1-mini": 1.62, "gpt-4.1-nano": 2.46, "o4-mini": 1.72, "GPT-4.1-Mini-2025-04-14": 1.62, "gpt-4.1": 1,
	} {
		if got := PatchMultiplier(model); got != want {
			t.Errorf("PatchMultiplier(%q) = %v, want %v", model, got, want)
		}
	}
}

func TestFormulaFor(t *testing.T) {
	for model, want := range map[string]string{
		"gpt-4.1-mini": ImageTokensPatches, "gpt-4.1-nano-2025-04-14": ImageTokensPatches, "o4-mini": ImageTokensPatches,
		"GPT-5-Mini": ImageTokensPatches, "gpt-5-nano": ImageTokensPatches,
		"gpt-4.1": ImageTokensTiles, "gpt-4o-mini": ImageTokensTiles, "gpt-5": ImageTokensTiles, "gemma3:4b": ImageTokensTiles,
	} {
		if got := FormulaFor(model); got != want {
			t.Errorf("FormulaFor(%q) = %q, want %q", model, got, want)
		}
	}
}

func TestTileTokens(t *testing.T) {
	for model, want := range map[string][2]int{
		"gpt-4.1": {85, 170}, "gpt-4o-2024-08-06": {85, 170}, "gpt-4o-mini": {2833, 5667}, "o3": {75, 150},
		"o1-pro": {75, 150}, "gpt-5-chat-latest": {70, 140}, "qwen2.5vl:7b": {85, 170},
	} {
		if b, tl := TileTokens(model); b != want[0] || tl != want[1] {
			t.Errorf("TileTokens(%q) = %d, %d, want %d, %d", model, b, tl, want[0], want[1])
		}
	}
}
