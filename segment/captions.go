package segment

import (
	"math"
	"regexp"
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
	for _, it := range pg.items {
		if it.layer != folio.LayerBody || it.figure || it.lines == nil || len(it.lines) > 8 {
			continue
		}
		if it.typ != folio.Paragraph && it.typ != folio.ListItem {
			continue
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
