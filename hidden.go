package folio

import "fmt"

// withholdHidden counts the invisible words of each page (Word.Hidden)
// into the element whose box holds them, and returns a warning per page
// for those inside no element. The segmenter has already left them out of
// every element's text, so no model ever sees them: text a reader cannot
// see is a classic carrier of prompt injection. Scanned pages are skipped:
// their hidden words are an earlier OCR layer, which Folio's own OCR
// replaces.
func withholdHidden(p *Parsed, els []Element) []string {
	var warnings []string
	onPage := map[int][]*Element{}
	for i := range els {
		e := &els[i]
		onPage[e.Page] = append(onPage[e.Page], e)
		for _, r := range e.Regions {
			if r.Page != e.Page {
				onPage[r.Page] = append(onPage[r.Page], e)
			}
		}
	}
	for i := range p.Pages {
		pg := &p.Pages[i]
		if pg.Scanned {
			continue
		}
		outside := 0
		for _, w := range pg.Words {
			if !w.Hidden {
				continue
			}
			if e := smallestHolding(onPage[pg.Number], pg.Number, w.Box); e != nil {
				e.HiddenWords++
			} else {
				outside++
			}
		}
		if outside > 0 {
			warnings = append(warnings, fmt.Sprintf("page %d: %d words of invisible text withheld (in no element)", pg.Number, outside))
		}
	}
	return warnings
}

// smallestHolding returns the smallest of els whose box on page (or one
// of its regions there) holds the centre of b.
func smallestHolding(els []*Element, page int, b Box) *Element {
	x, y := b.CenterX(), b.CenterY()
	holds := func(r Box) bool { return x >= r[0] && x <= r[2] && y >= r[1] && y <= r[3] }
	var best *Element
	for _, e := range els {
		in := e.Page == page && holds(e.Box)
		for _, r := range e.Regions {
			in = in || (r.Page == page && holds(r.Box))
		}
		if in && (best == nil || e.Box.Area() < best.Box.Area()) {
			best = e
		}
	}
	return best
}
