package segment

import (
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/folio/folio"
)

// entry is a line or an object in a page's reading sequence.
type entry struct {
	ln  *line
	obj *item
	col int
}

// sequence turns ordered leaves into lines and objects in reading order.
func sequence(leaves []leaf) []entry {
	var out []entry
	for _, lf := range leaves {
		ws := make([]*word, 0, len(lf.atoms))
		var es []entry
		for _, a := range lf.atoms {
			if a.obj != nil {
				es = append(es, entry{obj: a.obj, col: lf.col})
			} else {
				ws = append(ws, a.w)
			}
		}
		for _, l := range buildLines(ws) {
			es = append(es, entry{ln: l, col: lf.col})
		}
		slices.SortStableFunc(es, func(a, b entry) int { return cmpFloat(a.top(), b.top()) })
		out = append(out, es...)
	}
	return out
}

func (e entry) box() folio.Box {
	if e.obj != nil {
		return e.obj.box
	}
	return e.ln.box
}

func (e entry) top() float64 { return e.box()[1] }

// blocker groups a page's lines into blocks.
type blocker struct {
	// pitch is the usual distance between baselines of a paragraph's
	// lines, in multiples of the font size.
	pitch float64
	gap   float64 // Options.ParagraphGap
	body  float64 // the document's body font size
}

// linePitch estimates the usual line pitch, as a multiple of font size,
// from consecutive lines of the same size in one column.
func linePitch(es []entry) float64 {
	var r []float64
	for i := 1; i < len(es); i++ {
		a, b := es[i-1], es[i]
		if a.ln == nil || b.ln == nil || a.col != b.col || math.Abs(a.ln.size-b.ln.size) > 0.5 {
			continue
		}
		if overlapX(a.ln.box, b.ln.box) <= 0 {
			continue
		}
		p := (b.ln.box.CenterY() - a.ln.box.CenterY()) / a.ln.size
		if p > 0.8 && p < 3 {
			r = append(r, p)
		}
	}
	if len(r) < 3 {
		return 1.25
	}
	// The lower quartile: paragraph breaks only ever add space.
	sort.Float64s(r)
	return r[len(r)/4]
}

// blocks cuts the sequence into blocks of lines and objects.
func (b *blocker) blocks(es []entry) [][]entry {
	var out [][]entry
	var cur []entry
	for _, e := range es {
		if len(cur) > 0 && b.breaks(cur, e) {
			out = append(out, cur)
			cur = nil
		}
		cur = append(cur, e)
		if e.obj != nil {
			out = append(out, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// breaks reports whether line e starts a new block after the lines in cur.
func (b *blocker) breaks(cur []entry, e entry) bool {
	if e.obj != nil {
		return true
	}
	prev := cur[len(cur)-1]
	if prev.obj != nil || prev.col != e.col {
		return true
	}
	a, n := prev.ln, e.ln
	// Moving up the page means a new column or a side note.
	if n.box[1] < a.box[1]-0.5*a.size {
		return true
	}
	var bb folio.Box
	for _, c := range cur {
		bb = bb.Union(c.ln.box)
	}
	if overlapX(bb, n.box) <= 0 {
		return true
	}
	size := math.Min(a.size, n.size)
	if math.Abs(a.size-n.size) > math.Max(0.9, 0.1*size) {
		return true
	}
	if a.bold != n.bold || a.mono != n.mono {
		return true
	}
	// A lone italic line over roman text is a run-in heading's line of
	// its own.
	if len(cur) == 1 && a.italic && !n.italic {
		return true
	}
	pitch := n.box.CenterY() - a.box.CenterY()
	if pitch > (b.pitch+b.gap)*size {
		return true
	}
	if pitch <= 0.2*size && overlapX(a.box, n.box) < 0 {
		// A second piece of the same baseline beyond a wide gap that was
		// no column: a table-like row, keep together.
		return false
	}
	if _, ok := listMarker(n); ok {
		return true
	}
	// Each footnote in small print opens with its number.
	if b.body > 0 && n.size < 0.92*b.body && footnoteStart(n) {
		return true
	}
	if len(cur) >= 2 {
		left := math.Inf(1)
		right := math.Inf(-1)
		for _, c := range cur[1:] {
			left = math.Min(left, c.ln.box[0])
		}
		for _, c := range cur {
			right = math.Max(right, c.ln.box[2])
		}
		centred := math.Abs(n.box.CenterX()-a.box.CenterX()) < 0.5*size
		// An indented line after lines at the margin starts a paragraph;
		// so does a line left of the margin the block settled on.
		if !centred && (n.box[0] > left+0.8*size || n.box[0] < left-0.8*size) {
			return true
		}
		// A short line that ends a sentence closes its paragraph.
		if a.box[2] < right-0.2*(right-left) && endsSentence(a.text) && startsUpper(n.text) {
			return true
		}
	}
	return false
}

// footnoteStart reports whether a line opens with a footnote marker: a
// short number or symbol, raised or set apart, before the note's text.
func footnoteStart(l *line) bool {
	ws := l.logical()
	if len(ws) < 2 || !footnoteRe.MatchString(ws[0].Text) || len(ws[0].Text) > 3 {
		return false
	}
	first := ws[0]
	// Raised: set above the baseline, or smaller and high on the line. A
	// small glyph centred on the line is a bullet.
	raised := first.Box[3] < l.box[3]-0.2*l.size || (first.size() < l.size-0.9 && first.cy() < l.box.CenterY()-0.1*l.size)
	return raised || isDigits(first.Text) || !hasLetter(first.Text)
}

func endsSentence(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(s, " \"'”’)"))
	return r == '.' || r == '!' || r == '?' || r == ':'
}

func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r) || unicode.IsDigit(r)
}

// newTextItem makes a paragraph item from a block of lines.
func newTextItem(pg int, es []entry) *item {
	it := &item{typ: folio.Paragraph, layer: folio.LayerBody, page: pg, conf: 0.8}
	sizes := map[float64]int{}
	var n, nb, nm, ni int
	for _, e := range es {
		l := e.ln
		it.lines = append(it.lines, l)
		it.box = it.box.Union(l.box)
		c := utf8.RuneCountInString(l.text)
		sizes[l.size] += c
		n += c
		if l.bold {
			nb += c
		}
		if l.mono {
			nm += c
		}
		if l.italic {
			ni += c
		}
		it.flow = e.col
	}
	best := -1
	for s, c := range sizes {
		if c > best || (c == best && s > it.size) {
			it.size, best = s, c
		}
	}
	it.bold = nb*10 >= n*7
	it.mono = nm*10 >= n*7
	it.italic = ni*10 >= n*7
	it.text = joinLines(it.lines)
	return it
}

// joinLines joins lines with spaces, undoing end-of-line hyphenation when
// the next line goes on in lower case.
func joinLines(ls []*line) string {
	var b strings.Builder
	for i, l := range ls {
		t := l.text
		if i > 0 {
			prev := b.String()
			if dehyphenate(prev, t) {
				s := prev[:len(prev)-1]
				b.Reset()
				b.WriteString(s)
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(t)
	}
	return b.String()
}

// dehyphenate reports whether prev ends with a hyphen that breaks a word
// continued by next: a letter, then '-', then a lower-case letter.
func dehyphenate(prev, next string) bool {
	if !strings.HasSuffix(prev, "-") || len(prev) < 2 {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(prev[:len(prev)-1])
	first, _ := utf8.DecodeRuneInString(next)
	return unicode.IsLetter(before) && unicode.IsLower(first)
}
