package synth

import (
	"slices"

	"github.com/folio/folio"
)

// output returns the document as written: a copy with the schema set, nil
// lists made empty, boxes rounded to the output precision and each image
// with pixels given its asset file. It also returns the assets to write;
// filePrefix is the assets folder relative to the JSON's folder, dir
// relative to the output root. doc is not modified.
func output(doc *folio.Document, filePrefix, dir string) (folio.Document, []asset) {
	out := *doc
	if out.Schema == "" {
		out.Schema = folio.Schema
	}
	if out.Status == "" {
		out.Status = folio.DocumentOK
	}
	out.Pages = nonNil(doc.Pages)
	out.Warnings = nonNil(doc.Warnings)
	out.Elements = make([]folio.Element, len(doc.Elements))
	var assets []asset
	perPage := make(map[int]int)
	for i, el := range doc.Elements {
		el.Box = el.Box.Rounded()
		if el.Regions != nil {
			el.Regions = slices.Clone(el.Regions)
			for j := range el.Regions {
				el.Regions[j].Box = el.Regions[j].Box.Rounded()
			}
		}
		if el.Table != nil {
			t := *el.Table
			if t.Cells != nil {
				t.Cells = slices.Clone(t.Cells)
				for j := range t.Cells {
					t.Cells[j].Box = t.Cells[j].Box.Rounded()
				}
			}
			el.Table = &t
		}
		if el.Image != nil {
			img := *el.Image
			img.File = ""
			if len(img.PNG) > 0 {
				perPage[el.Page]++
				name := assetName(el.Page, perPage[el.Page])
				img.File = filePrefix + "/" + name
				assets = append(assets, asset{name: dir + "/" + name, png: img.PNG})
			}
			el.Image = &img
		}
		out.Elements[i] = el
	}
	return out, assets
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
