package segment

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/folio/folio"
)

// classify decides the type of every text item, then links captions,
// headings and list levels across the document.
func (d *doc) classify() {
	for _, pg := range d.pages {
		for _, it := range pg.items {
			if it.typ != folio.Paragraph || it.figure || len(it.lines) == 0 {
				continue
			}
			switch {
			case formulaLike(it):
				it.typ = folio.Formula
				it.conf = 0.5
			case it.mono && len(it.lines) > 0 && !captionRe.MatchString(it.text):
				// (A caption set in the listing's font stays a caption.)
				it.typ = folio.Code
				it.text = codeText(it.lines)
				it.conf = 0.75
			default:
				if m, ok := listMarker(it.lines[0]); ok {
					it.typ = folio.ListItem
					it.marker = m
					it.text = stripMarker(it.text, m)
					it.conf = 0.8
				}
			}
		}
		d.findFootnotes(pg)
		d.findCaptions(pg)
		listLevels(pg)
	}
	d.findHeadings()
	linkParents(d.pages)
}

// formulaLike reports whether a short block reads as a displayed
// equation: a relation or operator sign among mostly one-character
// tokens (variables, digits, operators) rather than words.
func formulaLike(it *item) bool {
	if len(it.lines) > 2 || it.mono {
		return false
	}
	fields := strings.Fields(it.text)
	if len(fields) < 3 || len(fields) > 20 {
		return false
	}
	if !strings.ContainsAny(it.text, "=≤≥≈≠∑∫√∂∞±×÷→⇒") {
		return false
	}
	short, words := 0, 0
	for _, f := range fields {
		t := strings.Trim(f, ",.;:()[]{}")
		if len([]rune(t)) <= 3 {
			short++
		}
		if len([]rune(t)) >= 2 && isAlpha(t) {
			words++
		}
	}
	return short*10 >= len(fields)*7 && words*3 <= len(fields)
}

func isAlpha(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return s != ""
}

// codeText keeps a code block's line breaks and its indentation, as far
// as word positions tell it.
func codeText(ls []*line) string {
	left := math.Inf(1)
	var cw float64
	for _, l := range ls {
		left = math.Min(left, l.box[0])
		for _, w := range l.words {
			if n := len([]rune(w.Text)); n > 0 && cw == 0 {
				cw = w.Box.Width() / float64(n)
			}
		}
	}
	var b strings.Builder
	for i, l := range ls {
		if i > 0 {
			b.WriteByte('\n')
		}
		if cw > 0 {
			ind := int(math.Round((l.box[0] - left) / cw))
			if ind > 0 && ind < 80 {
				b.WriteString(strings.Repeat(" ", ind))
			}
		}
		b.WriteString(l.text)
	}
	return b.String()
}

// footnoteRe matches a footnote's opening marker.
var footnoteRe = regexp.MustCompile(`^(\d{1,3}|[*†‡§¶]+|\(\d{1,3}\)|\[\d{1,3}\]|[a-z])$`)

// findFootnotes marks small-print blocks at the foot of a page that open
// with a note marker, and the small-print blocks that follow them.
func (d *doc) findFootnotes(pg *page) {
	in := false
	for _, it := range pg.items {
		if it.layer != folio.LayerBody || it.lines == nil || it.figure {
			continue
		}
		small := it.size <= d.bodySize-0.7 || it.size <= 0.88*d.bodySize
		low := it.box[1] > 0.6*pg.h
		if !small || !low {
			in = false
			continue
		}
		// A note's line that opens with an initial ("S. Hattox, …") is
		// the note running on, not a list item.
		if in && it.typ == folio.ListItem && initialRe.MatchString(it.marker) {
			it.typ, it.text, it.marker, it.level = folio.Footnote, it.marker+" "+it.text, "", 0
			it.conf = 0.55
			continue
		}
		// A bulleted list in small print is a list, not notes.
		if it.typ == folio.ListItem && !footnoteRe.MatchString(it.marker) {
			in = false
			continue
		}
		if footnoteStart(it.lines[0]) {
			it.typ = folio.Footnote
			it.conf = 0.7
			in = true
			continue
		}
		if in && it.typ == folio.Paragraph {
			it.typ = folio.Footnote
			it.conf = 0.55
		}
	}
	pg.items = notesLast(pg.items)
}

// initialRe matches a capital initial taken for a list marker.
var initialRe = regexp.MustCompile(`^\p{Lu}\.$`)

// notesLast moves the notes at the foot of a column after the text that
// runs on above them in the next column: the page's text is read whole,
// then its notes, column by column, as a reader of a page set in columns
// does. Notes with no text after them stay where they are.
func notesLast(items []*item) []*item {
	isText := func(it *item) bool {
		return it.layer == folio.LayerBody && it.typ != folio.Footnote
	}
	var moved []*item
	last := -1 // the last text item that runs on above a note before it
	for i, it := range items {
		if it.typ != folio.Footnote || it.layer != folio.LayerBody {
			continue
		}
		for j := i + 1; j < len(items); j++ {
			if isText(items[j]) && items[j].box[1] < it.box[1] {
				moved = append(moved, it)
				last = max(last, j)
				break
			}
		}
	}
	if len(moved) == 0 {
		return items
	}
	// Every text item up to last stays before the notes moved.
	for j := last + 1; j < len(items); j++ {
		if isText(items[j]) {
			last = j
		} else {
			break
		}
	}
	out := make([]*item, 0, len(items))
	for i, it := range items {
		if !slices.Contains(moved, it) {
			out = append(out, it)
		}
		if i == last {
			out = append(out, moved...)
		}
	}
	return out
}

// listLevels numbers list nesting by marker indentation within each run
// of list items on a page.
func listLevels(pg *page) {
	var stack []float64
	for _, it := range pg.items {
		if it.layer != folio.LayerBody {
			continue
		}
		if it.typ != folio.ListItem {
			if it.typ == folio.Paragraph && len(stack) > 0 && it.box[0] < stack[0]+2 {
				stack = nil
			}
			if it.typ != folio.Paragraph {
				stack = nil
			}
			continue
		}
		x := it.box[0]
		for len(stack) > 0 && x < stack[len(stack)-1]-3 {
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 || x > stack[len(stack)-1]+3 {
			stack = append(stack, x)
		}
		it.level = len(stack)
	}
}

// linkParents points every body element at the nearest heading before it
// and every heading at the nearest one above it in rank.
func linkParents(pages []*page) {
	var heads []*item
	for _, pg := range pages {
		for _, it := range pg.items {
			if it.layer != folio.LayerBody || it.captionOf != nil {
				continue
			}
			switch it.typ {
			case folio.Title:
				heads = []*item{it}
			case folio.Heading:
				for len(heads) > 0 && heads[len(heads)-1].typ == folio.Heading && heads[len(heads)-1].level >= it.level {
					heads = heads[:len(heads)-1]
				}
				if len(heads) > 0 {
					it.parent = heads[len(heads)-1]
				}
				heads = append(heads, it)
			default:
				if len(heads) > 0 {
					it.parent = heads[len(heads)-1]
				}
			}
		}
	}
}
