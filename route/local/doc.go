// Package local holds Folio's built-in specialists: fast, offline and
// free. Text cleans extracted text, Table validates and normalises a table
// grid and renders it as HTML, Image passes pixels through, and OCR reads
// the text in an image with the tesseract program when it is installed.
// Downscale, CheapestSize and Resize size images for vision models.
package local

import "github.com/folio/folio/route"

// All returns every local specialist, for route.New.
func All() []route.Specialist {
	return []route.Specialist{Text{}, Table{}, Image{}, OCR{}}
}

// free returns a known price of zero: local calls cost nothing.
func free() *int64 { return new(int64) }
