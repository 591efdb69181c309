package segment

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/folio/folio"
)

// captionRe matches a caption's label and number: "Table 3", "Fig. 2b",
// "Figure 1-2", "Exhibit A", "Listing 4".
var captionRe = regexp.MustCompile(`^(?i:(table|tab\.|tbl\.|figure|fig\.?|chart|exhibit|listing|example|scheme|plate|algorithm|graph|diagram|illustration|photo|map|box))\s*(?i:no\.?\s*)?(\d+([.\-–]\d+)*[a-z]?|[IVXLC]+|[A-Z](\.?\d+)?)`)

// captionKind says how sure a caption label is: 2 when a separator or a
// tab stop follows the number, 1 when a capitalised phrase does, 0 when
// the text reads as a sentence ("Table 2 shows …").
func captionKind(it *item) (label string, kind int) {
	m := captionRe.FindStringSubmatchIndex(it.text)
	if m == nil {
		return "", -1
	}
	label = strings.ToLower(it.text[m[2]:m[3]])
	rest := it.text[m[1]:]
	if l := it.lines[0]; l.wideGap >= 0 && l.wideGap <= m[1]+1 && l.wideGap >= m[1]-1 {
		return label, 2
	}
	trimmed := strings.TrimLeft(rest, " ")
	if trimmed == "" {
		return label, 2
	}
	r, _ := utf8.DecodeRuneInString(trimmed)
	switch {
	case strings.ContainsRune(":.–—-|", r):
		if rest[0] == '.' && len(trimmed) > 1 && unicode.IsDigit(rune(trimmed[1])) {
			return label, 0
		}
		return label, 2
	case trimmed != rest && unicode.IsUpper(r):
		return label, 1
	}
	return label, 0
}

// bareLabel reports whether text is a caption's label and number alone
// ("Figure 7.", "Table 2:").
func bareLabel(text string) bool {
	m := captionRe.FindStringIndex(text)
	return m != nil && strings.Trim(text[m[1]:], " .:–—-") == ""
}

// maxTitleGap is the most space, in font sizes, between a caption's label
// on a line of its own and its title below.
const maxTitleGap = 1.0

// titleOf reports whether n, the block after a bare caption label, is the
// caption's title: body text of a few lines right under the label (or
// beside it, on its line), overlapping it.
func titleOf(label, n *item) bool {
	if n.layer != folio.LayerBody || n.figure || n.lines == nil || len(n.lines) > 3 || n.page != label.page {
		return false
	}
	if n.typ != folio.Paragraph {
		return false
	}
	below := n.box[1] >= label.box[3]-0.5*label.size && n.box[1]-label.box[3] <= maxTitleGap*label.size &&
		overlapX(n.box, label.box) > 0
	beside := overlapY(n.box, label.box) > 0.5*label.box.Height() && n.box[0] >= label.box[2] &&
		n.box[0]-label.box[2] <= 3*label.size
	return below || beside
}

// findCaptions types caption blocks and links each to the table or figure
// it sits next to (just above or below, overlapping horizontally). A
// label with a separator is a caption even without a neighbour (figures
// drawn as vector art have no image); a weaker one needs the neighbour.
func (d *doc) findCaptions(pg *page) {
	var objs []*item
	for _, it := range pg.items {
		if it.typ == folio.TableType || it.typ == folio.ImageType {
			objs = append(objs, it)
		}
	}
	gone := map[*item]bool{}
	defer func() {
		if len(gone) > 0 {
			pg.items = slices.DeleteFunc(pg.items, func(it *item) bool { return gone[it] })
		}
	}()
	for i, it := range pg.items {
		if gone[it] || it.layer != folio.LayerBody || it.figure || it.lines == nil || len(it.lines) > 8 {
			continue
		}
		if it.typ != folio.Paragraph && it.typ != folio.ListItem {
			continue
		}
		if i+1 < len(pg.items) && bareLabel(it.text) && titleOf(it, pg.items[i+1]) {
			// "Table 1." set on a line of its own over its title.
			n := pg.items[i+1]
			it.text = strings.TrimSpace(it.text + " " + n.text)
			it.lines = append(it.lines, n.lines...)
			it.box = it.box.Union(n.box)
			gone[n] = true
		}
		label, kind := captionKind(it)
		if kind < 1 {
			continue
		}
		var best *item
		bestD := math.Inf(1)
		lim := math.Max(3*it.size, 36)
		for _, o := range objs {
			if o.caption != nil || overlapX(o.box, it.box) < 0.3*math.Min(o.box.Width(), it.box.Width()) {
				continue
			}
			dist := math.Max(o.box[1]-it.box[3], it.box[1]-o.box[3])
			if dist > lim || dist < -0.5*it.box.Height() {
				continue
			}
			// Tables take table captions, figures the others, when both
			// are near.
			if (strings.HasPrefix(label, "tab") || strings.HasPrefix(label, "tbl")) != (o.typ == folio.TableType) {
				dist += lim
			}
			if dist < bestD {
				best, bestD = o, dist
			}
		}
		if best == nil && kind < 2 {
			continue
		}
		if it.typ == folio.ListItem {
			it.text = strings.TrimSpace(it.marker + " " + it.text)
			it.marker = ""
		}
		it.typ = folio.Caption
		it.conf = 0.6
		if best != nil {
			best.caption = it
			it.captionOf = best
			it.conf = 0.85
		}
	}
}
