package segment

import (
	"math"

	"github.com/folio/folio"
)

// wordStats gives each element what the words inside its box say beyond
// their text: the invisible ones (Word.Hidden) it withheld, and the mean
// OCR confidence of the recognised ones. A word belongs to the smallest
// element whose box (or region on its page) holds its centre.
//
// Invisible words are left out of every element's text, so no model ever
// sees them: text a reader cannot see is a classic carrier of prompt
// injection. On scanned pages they are not counted: they are an earlier
// OCR layer, which Folio's own OCR replaces.
func wordStats(p *folio.Parsed, els []folio.Element) {
	onPage := map[int][]*folio.Element{}
	for i := range els {
		e := &els[i]
		onPage[e.Page] = append(onPage[e.Page], e)
		for _, r := range e.Regions {
			if r.Page != e.Page {
				onPage[r.Page] = append(onPage[r.Page], e)
			}
		}
	}
	ocrSum, ocrWords := map[*folio.Element]float64{}, map[*folio.Element]int{}
	for i := range p.Pages {
		pg := &p.Pages[i]
		for _, w := range pg.Words {
			switch {
			case w.Hidden && !pg.Scanned:
				if e := smallestHolding(onPage[pg.Number], pg.Number, w.Box); e != nil {
					e.HiddenWords++
				}
			case !w.Hidden && w.Confidence > 0:
				if e := smallestHolding(onPage[pg.Number], pg.Number, w.Box); e != nil {
					ocrSum[e] += w.Confidence
					ocrWords[e]++
				}
			}
		}
	}
	for e, n := range ocrWords {
		e.OCRConfidence = max(0.01, math.Round(ocrSum[e]/float64(n)*100)/100)
	}
}

// smallestHolding returns the smallest of els whose box on page (or one
// of its regions there) holds the centre of b.
func smallestHolding(els []*folio.Element, page int, b folio.Box) *folio.Element {
	x, y := b.CenterX(), b.CenterY()
	holds := func(r folio.Box) bool { return x >= r[0] && x <= r[2] && y >= r[1] && y <= r[3] }
	var best *folio.Element
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
