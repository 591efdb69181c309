package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"maps"
	"slices"

	"github.com/folio/folio"
)

// drawPages makes the document's one drawing call: pixels for image
// elements that have none (vector drawings, pictures joined from tiles,
// pictures too large to decode) at the renderer's default resolution, and the page regions the
// router's vision links may be sent (Router.Crops). It returns the crops
// by element id, and warnings for figures that could not be drawn; the
// elements keep their box either way. With nothing to draw, the document
// is not drawn.
func drawPages(ctx context.Context, r folio.Renderer, src folio.Source, data []byte, doc *folio.Document, want map[string]folio.Drawing) (map[string][]byte, []string) {
	els := doc.Elements
	figures := figureRegions(els)
	ids := slices.Sorted(maps.Keys(want))
	if len(figures)+len(ids) == 0 {
		return nil, nil
	}
	drawings := make([]folio.Drawing, 0, len(figures)+len(ids))
	for _, i := range figures {
		// The renderer's defaults: enough resolution to read a chart's
		// labels, a few megapixels at most.
		drawings = append(drawings, folio.Drawing{PageBox: folio.PageBox{Page: els[i].Page, Box: els[i].Box}})
	}
	for _, id := range ids {
		drawings = append(drawings, want[id])
	}
	pngs, err := r.Render(ctx, src, data, drawings)
	if err != nil {
		var warnings []string
		if len(figures) > 0 {
			warnings = append(warnings, fmt.Sprintf("render figures: %v", detail(err)))
		}
		if len(ids) > 0 {
			warnings = append(warnings, fmt.Sprintf("render crops: %v", detail(err)))
		}
		return nil, warnings
	}
	warnings := setFigures(els, figures, pngs)
	crops := map[string][]byte{}
	for k, id := range ids {
		if i := len(figures) + k; i < len(pngs) && pngs[i] != nil {
			crops[id] = pngs[i]
		}
	}
	return crops, warnings
}

// figureRegions lists the image elements without pixels.
func figureRegions(els []folio.Element) []int {
	var idx []int
	for i, el := range els {
		if el.Type == folio.ImageType && (el.Image == nil || len(el.Image.PNG) == 0) {
			idx = append(idx, i)
		}
	}
	return idx
}

// setFigures gives the figures listed by idx the pixels drawn for them,
// in order, and returns a warning for each that could not be drawn.
func setFigures(els []folio.Element, idx []int, pngs [][]byte) []string {
	var warnings []string
	for k, i := range idx {
		if k >= len(pngs) || len(pngs[k]) == 0 {
			warnings = append(warnings, fmt.Sprintf("figure on page %d: could not be drawn", els[i].Page))
			continue
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(pngs[k]))
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("figure on page %d: renderer gave an unreadable PNG: %v", els[i].Page, err))
			continue
		}
		if els[i].Image == nil {
			els[i].Image = &folio.Image{}
		}
		els[i].Image.PNG, els[i].Image.Width, els[i].Image.Height = pngs[k], cfg.Width, cfg.Height
	}
	return warnings
}
