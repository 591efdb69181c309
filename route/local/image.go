package local

import (
	"bytes"
	"context"
	"image/png"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
)

// Image is the "local/image" specialist: it passes an image element's
// pixels through, with its size read from the PNG header. An element without
// pixels fails with class input, and keeps its own content.
type Image struct{}

var _ route.Specialist = Image{}

// Name returns "local/image".
func (Image) Name() string { return "local/image" }

// Run returns the element's image with Width and Height from its PNG.
func (Image) Run(_ context.Context, t route.Task) (route.Result, error) {
	in := t.Element.Image
	if in == nil || len(in.PNG) == 0 {
		return route.Result{USDMicros: free()}, route.Errorf(folio.ClassInput, "image has no pixels")
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(in.PNG))
	if err != nil {
		return route.Result{USDMicros: free()}, route.Errorf(folio.ClassInput, "read png header: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return route.Result{USDMicros: free()}, route.Errorf(folio.ClassInput, "image has no pixels: %dx%d", cfg.Width, cfg.Height)
	}
	out := *in
	out.Width, out.Height = cfg.Width, cfg.Height
	return route.Result{Image: &out, USDMicros: free()}, nil
}
