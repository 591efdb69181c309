package pipeline

import (
	"fmt"

	"github.com/folio/folio"
)

// withheld returns a warning per page for the invisible words (Word.Hidden)
// that no element's box holds: the segmenter withheld them from every
// element's text and counted the others on the elements that hold them
// (Element.HiddenWords). Scanned pages are left out: their invisible words
// are an earlier OCR layer, which Folio's own OCR replaces.
func withheld(p *folio.Parsed, els []folio.Element) []string {
	var warnings []string
	for i := range p.Pages {
		pg := &p.Pages[i]
		if pg.Scanned {
			continue
		}
		outside := 0
		for _, w := range pg.Words {
			if w.Hidden && !held(els, pg.Number, w.Box) {
				outside++
			}
		}
		if outside > 0 {
			warnings = append(warnings, fmt.Sprintf("page %d: %d words of invisible text withheld (in no element)", pg.Number, outside))
		}
	}
	return warnings
}

// held reports whether an element's box on page, or one of its regions
// there, holds the centre of b.
func held(els []folio.Element, page int, b folio.Box) bool {
	x, y := b.CenterX(), b.CenterY()
	holds := func(r folio.Box) bool { return x >= r[0] && x <= r[2] && y >= r[1] && y <= r[3] }
	for _, e := range els {
		if e.Page == page && holds(e.Box) {
			return true
		}
		for _, r := range e.Regions {
			if r.Page == page && holds(r.Box) {
				return true
			}
		}
	}
	return false
}
