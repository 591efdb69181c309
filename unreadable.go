package folio

import (
	"fmt"
	"strings"
)

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

// unreadable returns the error of a parsed input that yields nothing: no
// page at all, or no page that could be read. A document with some pages
// lost is not unreadable: it is partial.
func unreadable(path string, p *Parsed) error {
	if len(p.Pages) == 0 {
		return &Error{Op: "parse", Doc: path, Kind: KindMalformed, Err: fmt.Errorf("the document has no pages")}
	}
	pages := make([]PageInfo, len(p.Pages))
	for i, pg := range p.Pages {
		if pg.Error == "" {
			return nil
		}
		pages[i] = PageInfo{Page: pg.Number, Error: pg.Error}
	}
	return &Error{Op: "parse", Doc: path, Kind: KindMalformed,
		Err: fmt.Errorf("no page could be read (%s)", lostPages(pages))}
}
