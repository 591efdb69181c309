package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"image/png"

	"github.com/folio/folio"
)

// Figure rendering defaults: enough resolution to read a chart's labels,
// bounded so that one figure never costs more than a few megapixels.
const (
	FigureDPI       = 150
	FigureMaxPixels = 4_000_000
)

// drawPages makes the one drawing call of a document: pixels for image
// elements that have none (vector drawings, pictures joined from tiles,
// pictures too large to decode) at FigureDPI, and the page regions of
// elements vision models may be sent (see crops) at CropDPI. It returns
// warnings for figures that could not be drawn; the elements keep their
// box either way.
func (b *Batch) drawPages(ctx context.Context, r folio.Renderer, src folio.Source, data []byte, p *folio.Parsed, els []folio.Element) []string {
	figures := figureRegions(els)
	crops := b.cropRegions(p, els)
	if len(figures)+len(crops) == 0 {
		return nil
	}
	dpi := b.CropDPI
	if dpi <= 0 {
		dpi = FigureDPI
	}
	drawings := make([]folio.Drawing, 0, len(figures)+len(crops))
	for _, i := range figures {
		drawings = append(drawings, folio.Drawing{PageBox: folio.PageBox{Page: els[i].Page, Box: els[i].Box}, DPI: FigureDPI, MaxPixels: FigureMaxPixels})
	}
	for _, i := range crops {
		drawings = append(drawings, folio.Drawing{PageBox: folio.PageBox{Page: els[i].Page, Box: els[i].Box}, DPI: dpi, MaxPixels: FigureMaxPixels})
	}
	pngs, err := r.Render(ctx, src, data, drawings)
	if err != nil {
		var warnings []string
		if len(figures) > 0 {
			warnings = append(warnings, fmt.Sprintf("render figures: %v", detail(err)))
		}
		if len(crops) > 0 {
			warnings = append(warnings, fmt.Sprintf("render crops: %v", detail(err)))
		}
		return warnings
	}
	warnings := setFigures(els, figures, pngs)
	for k, i := range crops {
		if k := len(figures) + k; k < len(pngs) {
			els[i].Crop = pngs[k]
		}
	}
	return warnings
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

// cropRegions lists the elements vision models may be sent, whose region
// of the page is drawn: the types in CropTypes, and with CropNoTextLayer
// every element on a page without a text layer. Without a vision model in
// the policy there are none.
func (b *Batch) cropRegions(p *folio.Parsed, els []folio.Element) []int {
	if len(b.CropTypes) == 0 && !b.CropNoTextLayer {
		return nil
	}
	noText := map[int]bool{}
	if b.CropNoTextLayer {
		for i := range p.Pages {
			if !p.Pages[i].TextLayer() {
				noText[p.Pages[i].Number] = true
			}
		}
	}
	var idx []int
	for i, el := range els {
		if el.Layer == folio.LayerFurniture || el.Type == folio.ImageType || el.Box.Area() == 0 {
			continue
		}
		if b.CropTypes[el.Type] || noText[el.Page] {
			idx = append(idx, i)
		}
	}
	return idx
}
