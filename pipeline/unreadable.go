package pipeline

import (
	"fmt"

	"github.com/folio/folio"
)

// unreadable returns the error of a parsed input that yields nothing: no
// page at all, or no page that could be read. A document with some pages
// lost is not unreadable: it is partial.
func unreadable(path string, p *folio.Parsed) error {
	if len(p.Pages) == 0 {
		return &folio.Error{Op: "parse", Doc: path, Kind: folio.KindMalformed, Err: fmt.Errorf("the document has no pages")}
	}
	pages := make([]folio.PageInfo, len(p.Pages))
	for i, pg := range p.Pages {
		if pg.Error == "" {
			return nil
		}
		pages[i] = folio.PageInfo{Page: pg.Number, Error: pg.Error}
	}
	return &folio.Error{Op: "parse", Doc: path, Kind: folio.KindMalformed,
		Err: fmt.Errorf("no page could be read (%s)", (&folio.Document{Pages: pages}).LostPages())}
}
