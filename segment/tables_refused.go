package segment

import (
	"math"
	"strings"

	"github.com/folio/folio"
)

// A refused region's confidence is the belief that it is not a table. It
// starts high, since text between rules that splits into no columns is
// most often a framed note or a one-column list, and falls with what
// tables have and notes lack.
const (
	// refusedRuled is the belief in refusing text between rules.
	refusedRuled = 0.8
	// namedTableDoubt is taken off when a caption naming a table stands
	// right above or below the region: the document says a table is there.
	namedTableDoubt = 0.45
	// labelColumnDoubt is taken off when the region's lines are short
	// (under half its width): stacked labels, like a table's first column
	// beside empty or unsplit cells, not the lines of a note.
	labelColumnDoubt = 0.1
	// captionReach is how far, in body sizes, a caption may stand from the
	// region it names.
	captionReach = 3.0
)

// What a refused region needs to be a candidate, and what marks its lines
// as short.
const (
	minRefusedLines    = 2    // a region without two lines of text is not worth a candidate
	shortLineShare     = 0.5  // share of the region's width under which a line is short
	shortLinesMajority = 2    // short lines times this above the line count: most lines are short
	minRefusedConf     = 0.05 // floor on the belief in a refusal
	maxRefusedConf     = 0.95 // ceiling: a refusal is never certain
)

// refuseTable records region b of pg, weighed as a table and refused, as
// a candidate: an element of type table in the candidate layer whose
// content stays in the body elements it covers. Routing may still send a
// doubtful refusal to a model; a region without two lines of text is not
// worth one.
func (d *doc) refuseTable(pg *page, b folio.Box) {
	ws := freeWordsIn(nil, pg.words, b)
	lines := buildLines(ws)
	if len(lines) < minRefusedLines {
		return
	}
	box := unionBoxes(wordBoxes(ws)...)
	box[0], box[2] = math.Min(box[0], b[0]), math.Max(box[2], b[2])
	texts := make([]string, len(lines))
	short := 0
	for i, l := range lines {
		texts[i] = l.text
		if l.box.Width() < shortLineShare*b.Width() {
			short++
		}
	}
	conf := refusedRuled
	if d.tableNamed(pg, box) {
		conf -= namedTableDoubt
	}
	if shortLinesMajority*short > len(lines) {
		conf -= labelColumnDoubt
	}
	pg.candidates = append(pg.candidates, &item{
		typ: folio.TableType, layer: folio.LayerCandidate, page: pg.num, box: box,
		text: strings.Join(texts, "\n"), conf: clamp(conf, minRefusedConf, maxRefusedConf),
	})
}

// A caption's label opens a line over or under the region, across its
// columns.
const (
	captionOverlapTol  = 1   // points a caption may overlap the region's top or bottom edge
	captionLineOverlap = 0.5 // share of the label's height a word must overlap to be on its line
	captionIndentTol   = 1   // points a word of the caption's line may start left of the label
	captionLineReach   = 20  // font sizes right of the label the caption line's words may start
)

// tableNamed reports whether a line reading as a table's caption ("Table
// 13.2.") stands within captionReach body sizes above or below b, across
// its columns.
func (d *doc) tableNamed(pg *page, b folio.Box) bool {
	reach := captionReach * d.bodySize
	for _, w := range pg.words {
		if overlapX(w.Box, b) <= 0 {
			continue
		}
		above, below := b[1]-w.Box[3], w.Box[1]-b[3]
		if (above < -captionOverlapTol || above > reach) && (below < -captionOverlapTol || below > reach) {
			continue
		}
		// Of the caption labels, only "Table" and "Tab." open with "tab".
		if !strings.HasPrefix(strings.ToLower(w.Text), "tab") {
			continue
		}
		// The line the word opens.
		var ls []*word
		for _, o := range pg.words {
			if overlapY(o.Box, w.Box) > captionLineOverlap*w.h() && o.Box[0] >= w.Box[0]-captionIndentTol && o.Box[0]-w.Box[2] < captionLineReach*w.size() {
				ls = append(ls, o)
			}
		}
		if l := buildLines(ls); len(l) > 0 && captionRe.MatchString(l[0].text) {
			return true
		}
	}
	return false
}
