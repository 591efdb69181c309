package segment

import (
	"math"
	"regexp"
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

// refuseTable records region b of pg, weighed as a table and refused, as
// a candidate: an element of type table in the candidate layer whose
// content stays in the body elements it covers. Routing may still send a
// doubtful refusal to a model; a region without two lines of text is not
// worth one.
func (d *doc) refuseTable(pg *page, b folio.Box) {
	var ws []*word
	for _, w := range pg.words {
		if !w.used && b.Contains(w.cx(), w.cy()) {
			ws = append(ws, w)
		}
	}
	lines := buildLines(ws)
	if len(lines) < 2 {
		return
	}
	box := unionBoxes(wordBoxes(ws)...)
	box[0], box[2] = math.Min(box[0], b[0]), math.Max(box[2], b[2])
	texts := make([]string, len(lines))
	short := 0
	for i, l := range lines {
		texts[i] = l.text
		if l.box.Width() < 0.5*b.Width() {
			short++
		}
	}
	conf := refusedRuled
	if d.tableNamed(pg, box) {
		conf -= namedTableDoubt
	}
	if 2*short > len(lines) {
		conf -= labelColumnDoubt
	}
	pg.candidates = append(pg.candidates, &item{
		typ: folio.TableType, layer: folio.LayerCandidate, page: pg.num, box: box,
		text: strings.Join(texts, "\n"), conf: clamp(conf, 0.05, 0.95),
	})
}

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
		if (above < -1 || above > reach) && (below < -1 || below > reach) {
			continue
		}
		if !strings.EqualFold(strings.TrimRight(w.Text, ".:"), "table") && !strings.HasPrefix(strings.ToLower(w.Text), "tab") {
			continue
		}
		// The line the word opens.
		var ls []*word
		for _, o := range pg.words {
			if overlapY(o.Box, w.Box) > 0.5*w.h() && o.Box[0] >= w.Box[0]-1 && o.Box[0]-w.Box[2] < 20*w.size() {
				ls = append(ls, o)
			}
		}
		if l := buildLines(ls); len(l) > 0 && tableCaptionRe.MatchString(l[0].text) {
			return true
		}
	}
	return false
}

// tableCaptionRe matches the label of a caption naming a table.
var tableCaptionRe = regexp.MustCompile(`^(?i:table|tab\.|tbl\.)\s*(?i:no\.?\s*)?(\d+([.\-–]\d+)*[a-z]?|[IVXLC]+|[A-Z](\.?\d+)?)\b`)
