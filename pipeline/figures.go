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

// renderFigures gives pixels to image elements that have none (vector
// drawings, pictures joined from tiles, pictures too large to decode) by
// drawing their region of the page. It returns warnings for figures that
// could not be drawn; the elements keep their box either way.
func renderFigures(ctx context.Context, r folio.Renderer, src folio.Source, data []byte, els []folio.Element) []string {
	var idx []int
	var regions []folio.PageBox
	for i, el := range els {
		if el.Type != folio.ImageType || (el.Image != nil && len(el.Image.PNG) > 0) {
			continue
		}
		idx = append(idx, i)
		regions = append(regions, folio.PageBox{Page: el.Page, Box: el.Box})
	}
	if len(regions) == 0 {
		return nil
	}
	pngs, err := r.Render(ctx, src, data, regions, FigureDPI, FigureMaxPixels)
	if err != nil {
		return []string{fmt.Sprintf("render figures: %v", detail(err))}
	}
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

// renderCrops draws the page region of elements that vision models may be
// sent: the types in CropTypes, and with CropNoTextLayer every element on a
// page without a text layer.
func (b *Batch) renderCrops(ctx context.Context, r folio.Renderer, src folio.Source, data []byte, p *folio.Parsed, els []folio.Element) []string {
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
	var regions []folio.PageBox
	for i, el := range els {
		if el.Layer == folio.LayerFurniture || el.Type == folio.ImageType || el.Box.Area() == 0 {
			continue
		}
		if b.CropTypes[el.Type] || noText[el.Page] {
			idx = append(idx, i)
			regions = append(regions, folio.PageBox{Page: el.Page, Box: el.Box})
		}
	}
	if len(regions) == 0 {
		return nil
	}
	dpi := b.CropDPI
	if dpi <= 0 {
		dpi = FigureDPI
	}
	pngs, err := r.Render(ctx, src, data, regions, dpi, FigureMaxPixels)
	if err != nil {
		return []string{fmt.Sprintf("render crops: %v", detail(err))}
	}
	for k, i := range idx {
		if k < len(pngs) {
			els[i].Crop = pngs[k]
		}
	}
	return nil
}
