package parse

// Defaults, in one place: New applies them to zero Options fields, and
// Render to a drawing whose DPI or MaxPixels is ≤ 0.
const (
	DefaultMemoryLimit = 512 << 20
	// DefaultMemoryBudget is what all instances together may use when
	// MemoryLimit is not set: each gets an equal share, at most
	// DefaultMemoryLimit and at least minMemoryLimit, so that the whole
	// process stays under 1 GiB with the default two instances.
	DefaultMemoryBudget   = 768 << 20
	minMemoryLimit        = 128 << 20
	DefaultMaxPages       = 2000
	DefaultMaxImagePixels = 40_000_000
	DefaultMaxPageGlyphs  = 200_000
	DefaultMaxPageObjects = 500_000

	// DefaultOCRDPI and DefaultOCRMaxPixels: pages read by OCR are drawn at
	// 300 dpi, lowered to at most 12 megapixels (A3 at 240 dpi).
	DefaultOCRDPI       = 300
	DefaultOCRMaxPixels = 12_000_000

	// DefaultRenderDPI and DefaultRenderMaxPixels: figures and crops are
	// drawn at 150 dpi, enough to read a chart's labels, and at most 4
	// megapixels.
	DefaultRenderDPI       = 150
	DefaultRenderMaxPixels = 4_000_000
)
