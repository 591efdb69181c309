package folio

import (
	"fmt"
	"path"
	"strings"
)

// Schema is the identifier written in every output document.
const Schema = "folio.document/v1"

// DefaultMaxBytes is the largest input file read by default: bigger ones
// fail as too large before they are parsed.
const DefaultMaxBytes = 256 << 20

// Source describes one input file.
type Source struct {
	// Path is the file's location on disk; Rel is its path relative to the
	// input root it was found under, with forward slashes, which decides
	// where its outputs go.
	Path   string `json:"-"`
	Rel    string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
	Format string `json:"format"`
	Pages  int    `json:"pages"`
}

// PageInfo is a page's summary in the output document.
type PageInfo struct {
	Page      int     `json:"page"`
	Width     float64 `json:"width"`
	Height    float64 `json:"height"`
	Rotation  int     `json:"rotation"`
	TextLayer bool    `json:"text_layer"`
	// Error says why the page could not be read; the page is then empty
	// and the document partial.
	Error string `json:"error,omitempty"`
}

// Document statuses: a partial document lost some pages (each PageInfo
// with an Error says why) and has the elements of the others.
const (
	DocumentOK      = "ok"
	DocumentPartial = "partial"
)

// Document is the output for one input: the folio.document/v1 JSON.
type Document struct {
	Schema string `json:"schema"`
	ID     string `json:"id"`
	Source Source `json:"source"`
	Run    string `json:"run"`
	Config string `json:"config"`
	// Status is DocumentOK or DocumentPartial.
	Status   string            `json:"status"`
	Meta     map[string]string `json:"meta,omitempty"`
	Pages    []PageInfo        `json:"pages"`
	Elements []Element         `json:"elements"`
	// Candidates are regions the segmenter weighed as tables and refused
	// (LayerCandidate), each with the belief in its refusal; their text is
	// in Elements. A model's table answer moves one into Elements.
	Candidates []Element `json:"candidates,omitempty"`
	Cost       Cost      `json:"cost"`
	Warnings   []string  `json:"warnings"`

	// Fragments are recorded in the ledger, not in the JSON.
	Fragments []Fragment `json:"-"`
}

// maxLostPages bounds how many lost pages a message names one by one.
const maxLostPages = 10

// lostPages describes the pages that could not be read ("page 2: why;
// page 5: why"), "" when there are none.
func lostPages(pages []PageInfo) string {
	var lost []string
	n := 0
	for _, pg := range pages {
		if pg.Error == "" {
			continue
		}
		if n++; n <= maxLostPages {
			lost = append(lost, fmt.Sprintf("page %d: %s", pg.Page, pg.Error))
		}
	}
	if n > maxLostPages {
		lost = append(lost, fmt.Sprintf("and %d more pages", n-maxLostPages))
	}
	return strings.Join(lost, "; ")
}

// LostPages describes the pages of the document that could not be read,
// "" when there are none.
func (d *Document) LostPages() string { return lostPages(d.Pages) }

// FormatOf returns the input format Folio reads for a file name ("pdf",
// or for images "png", "jpeg" and "tiff"), or "" when the extension is not
// one Folio reads.
func FormatOf(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".pdf":
		return "pdf"
	case ".png":
		return "png"
	case ".jpg", ".jpeg":
		return "jpeg"
	case ".tif", ".tiff":
		return "tiff"
	}
	return ""
}
