package openai

import "time"

// Defaults, in one place: New applies them to zero Model and Endpoint
// fields.
const (
	DefaultTimeout         = 120 * time.Second
	DefaultMaxOutputTokens = 4096
	DefaultEndpointName    = "openai"
	// DefaultMinImageDPI is the least resolution, in dots per inch of the
	// page, an image or crop is sent at when the model sets none: 7-point
	// text is then about ten pixels tall, which vision models read. A full
	// page is about the resolution OpenAI's own high-detail scaling gives a
	// letter page (90 dpi).
	DefaultMinImageDPI = 100
)
