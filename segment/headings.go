package segment

import (
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/folio/folio"
)

// sectionRe matches a section number opening a heading: "2", "2.1",
// "2.1.3", "A.1", "IV.", "Chapter 3", "Appendix B".
var sectionRe = regexp.MustCompile(`^((\d{1,2})(\.\d{1,2}){0,4}\.?|[A-Z](\.\d{1,2}){1,4}\.?|[IVX]{1,5}\.|(?i:chapter|section|part|appendix|annex)\s+(\d+|[A-Z]|[IVX]+)[.:]?)(\s|$)|^(제\s?\d{1,3}\s?[장절편부]|第\s?[\d一二三四五六七八九十百]{1,4}\s?[章節节部編编])`)

// numberingDepth returns the depth of a section number ("2.1.3" → 3) and
// the number, or 0 when text opens with none.
func numberingDepth(text string) (int, string) {
	m := sectionRe.FindStringSubmatch(text)
	if m == nil {
		return 0, ""
	}
	num := strings.TrimSpace(m[1])
	lower := strings.ToLower(num)
	if num == "" {
		// Korean, Chinese and Japanese chapter and section marks: 제1장,
		// 第三章 (chapter, part) above 제2절, 第2節 (section).
		num = strings.TrimSpace(m[0])
		if strings.ContainsAny(num, "절節节") {
			return 2, num
		}
		return 1, num
	}
	switch {
	case strings.HasPrefix(lower, "chapter"), strings.HasPrefix(lower, "part"):
		return 1, num
	case strings.HasPrefix(lower, "section"), strings.HasPrefix(lower, "appendix"), strings.HasPrefix(lower, "annex"):
		return 1, num
	}
	return strings.Count(strings.TrimSuffix(num, "."), ".") + 1, num
}

// shortHeadingWords is the most words of a lone line that heads a list
// below it: longer lines above lists are lead-in sentences.
const shortHeadingWords = 6

// displayRatio is the size over the body's from which a short line is
// display type, and shortDisplayWords the most words such a line has.
const (
	displayRatio      = 1.3
	shortDisplayWords = 12
)

// headingStyle is the look of a heading: its size and weight.
type headingStyle struct {
	size float64
	bold bool
}

// findHeadings finds the title and the headings of the document and
// gives the headings levels. Body size is the document's most common
// size; a heading is a short block set larger, or bold when the body is
// not, or opening with a section number in a style of its own.
func (d *doc) findHeadings() {
	var heads []*item
	for _, pg := range d.pages {
		for i, it := range pg.items {
			if !d.headingCandidate(it) {
				continue
			}
			var next *item
			for _, n := range pg.items[i+1:] {
				if n.layer == folio.LayerBody {
					next = n
					break
				}
			}
			score := d.headingScore(it, next)
			if score >= 1 {
				it.typ = folio.Heading
				it.conf = headingConfidence(score, it, next, proseLines(pg))
				if it.marker != "" {
					it.text = strings.TrimSpace(it.marker + " " + it.text)
					it.marker = ""
				}
				heads = append(heads, it)
			}
		}
	}
	d.findTitle()
	d.headingLevels(heads)
}

// headingConfidence turns a heading's score into a belief that it is one,
// lowered where lone short lines pass for headings: nothing but another
// heading (or nothing) follows it, it reads as code, or its page holds
// little running text (a cover, a form, a poster).
func headingConfidence(score float64, it, next *item, prose int) float64 {
	c := math.Min(0.9, 0.45+0.15*score)
	if next == nil || (next.typ != folio.Paragraph && next.typ != folio.ListItem && next.typ != folio.TableType && next.typ != folio.ImageType) {
		c -= 0.1
	}
	if prose < 8 {
		c -= 0.15
	}
	return math.Max(c, 0.1)
}

// proseLines counts the page's lines in paragraphs of two lines or more.
func proseLines(pg *page) int {
	n := 0
	for _, it := range pg.items {
		if it.layer == folio.LayerBody && it.typ == folio.Paragraph && len(it.lines) >= 2 {
			n += len(it.lines)
		}
	}
	return n
}

// headingCandidate reports whether an item may be a heading at all.
func (d *doc) headingCandidate(it *item) bool {
	if it.layer != folio.LayerBody || it.figure || it.lines == nil {
		return false
	}
	if it.typ != folio.Paragraph && it.typ != folio.ListItem {
		return false
	}
	if len(it.lines) > 3 || utf8.RuneCountInString(it.text) > 160 {
		return false
	}
	letters := 0
	for _, r := range it.text {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2
}

// headingScore weighs the evidence that it is a heading; 1 or more is a
// heading. next is the body item after it, if any.
func (d *doc) headingScore(it, next *item) float64 {
	body := d.bodySize
	ratio := it.size / body
	words := len(strings.Fields(it.text))
	// A numbered heading ("5. Natural dispersal") reaches here as a list
	// item whose marker holds the number.
	depth, num := numberingDepth(strings.TrimSpace(it.marker + " " + it.text))
	score := 0.0
	switch {
	case ratio >= 1.3:
		score += 1.2
	case ratio >= 1.12:
		score += 1
	case ratio >= 1.04:
		score += 0.4
	case ratio < 0.93:
		score -= 0.8
	}
	if it.bold && !d.bodyBold {
		score += 0.8
		// Bold at body size heads what comes below it; bold labels in a
		// diagram or a form sit beside their text.
		if ratio < 1.12 && (next == nil || next.box[1] < it.box[3]-0.5*it.size || overlapX(next.box, it.box) <= 0) {
			score -= 0.5
		}
	}
	if len(it.lines) == 1 && !endsSentence(it.text) && words <= 10 && next != nil && next.typ == folio.Paragraph && len(next.lines) >= 2 {
		score += 0.4
	}
	// A short line standing alone above a list: the list's heading.
	if len(it.lines) == 1 && !endsSentence(it.text) && words <= shortHeadingWords && it.typ != folio.ListItem &&
		next != nil && next.typ == folio.ListItem && next.box[1] >= it.box[3]-0.5*it.size && overlapX(next.box, it.box) > 0 {
		score += 0.3
	}
	// Set larger than the text it heads, even when smaller than the
	// document's usual body text (a side column in small print).
	if next != nil && next.typ == folio.Paragraph && it.size >= 1.15*next.size && next.box[1] >= it.box[1] {
		score += 0.3
	}
	if depth > 0 && words >= 2 {
		score += 0.5
	}
	// 제1장, 第三章: chapter and section marks that head nothing but
	// sections, in scripts whose fonts seldom carry a bold style.
	if depth > 0 && len(it.lines) == 1 && strings.ContainsAny(num, "장절편부章節节部編编") {
		score += 0.5
	}
	if isAllCaps(it.text) && words <= 8 {
		score += 0.3
	}
	// Against: sentences, long blocks, list items without a style of
	// their own, text that runs on into the next block.
	// Against: a sentence, unless set well above the body in a short line
	// ("Humanity's Home Base.", "Why seagrass?"): display type is no
	// running text.
	display := ratio >= displayRatio && words <= shortDisplayWords && len(it.lines) <= 2
	if endsSentence(it.text) && !strings.HasSuffix(it.text, ":") {
		if display {
			score -= 0.2
		} else {
			score -= 0.6
		}
	}
	// A colon leads into what follows; only a short bold line standing
	// above its block ("As a boater:") heads it.
	leadIn := it.bold && !d.bodyBold && len(it.lines) == 1 && words <= shortHeadingWords &&
		next != nil && next.box[1] >= it.box[3]-0.5*it.size && overlapX(next.box, it.box) > 0
	switch {
	case strings.HasSuffix(it.text, ":") && leadIn:
		score += 0.2
	case strings.HasSuffix(it.text, ":") || strings.HasSuffix(it.text, ","):
		score -= 0.5
	}
	// A line that ends in a hyphen runs on into the next one.
	if strings.HasSuffix(it.text, "-") {
		score -= 0.8
	}
	if words > 14 {
		score -= 0.5
	}
	if len(it.lines) > 2 {
		score -= 0.3
	}
	if it.typ == folio.ListItem && depth == 0 {
		score -= 0.5
	}
	r, _ := utf8.DecodeRuneInString(it.text)
	if unicode.IsLower(r) {
		score -= 0.8
	}
	// Program text ("WHERE <condition>", "DISABLE;") is no heading.
	if strings.ContainsAny(it.text, "<>;{}=") {
		score -= 0.8
	}
	// A lone line in italics, not a sentence, above body text: a low
	// level heading in many reports.
	if it.italic && !it.bold && ratio < 1.12 && len(it.lines) == 1 && !endsSentence(it.text) &&
		next != nil && next.typ == folio.Paragraph && !next.italic && math.Abs(next.size-it.size) < 0.5 {
		score += 0.6
	}
	if next != nil && next.typ == folio.Paragraph && next.size > it.size+0.5 {
		score -= 0.5
	}
	// A bold line at body size with no follower, or followed by another
	// bold line, is more likely a label in a form or a table.
	if ratio < 1.12 && it.bold && next != nil && next.bold && next.size <= it.size+0.5 && next.typ == folio.Paragraph && len(next.lines) <= 2 && depth == 0 {
		score -= 0.3
	}
	return score
}

func isAllCaps(s string) bool {
	up, low := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			up++
		case unicode.IsLower(r):
			low++
		}
	}
	return up >= 3 && low == 0
}

// findTitle marks the largest heading-like text in the top part of the
// first page as the title, when it clearly stands out.
func (d *doc) findTitle() {
	if len(d.pages) == 0 {
		return
	}
	pg := d.pages[0]
	var best *item
	for _, it := range pg.items {
		if it.layer != folio.LayerBody || it.lines == nil || it.figure || len(it.lines) > 4 {
			continue
		}
		if it.typ != folio.Heading && it.typ != folio.Paragraph {
			continue
		}
		if it.box[1] > 0.5*pg.h || it.size < 1.3*d.bodySize || !hasLetter(it.text) {
			continue
		}
		if best == nil || it.size > best.size+0.5 {
			best = it
		}
	}
	if best == nil {
		return
	}
	// A numbered line, or a style that heads other sections too, is a
	// section heading, not the title.
	if dp, _ := numberingDepth(best.text); dp > 0 {
		return
	}
	for _, p := range d.pages {
		for _, it := range p.items {
			if it != best && it.typ == folio.Heading && math.Abs(it.size-best.size) < 0.5 && it.bold == best.bold {
				return
			}
		}
	}
	best.typ = folio.Title
	best.level = 0
	best.conf = 0.8
}

// headingLevels ranks heading styles by size (bold above regular at the
// same size) for level numbers, then lets section numbering decide where
// it exists: "2.1" is level 2 whatever its size, and unnumbered headings
// in the style of numbered ones take their level.
func (d *doc) headingLevels(heads []*item) {
	var hs []*item
	for _, h := range heads {
		if h.typ == folio.Heading {
			hs = append(hs, h)
		}
	}
	if len(hs) == 0 {
		return
	}
	styleOf := func(h *item) headingStyle {
		return headingStyle{size: math.Round(h.size*2) / 2, bold: h.bold}
	}
	var styles []headingStyle
	seen := map[headingStyle]bool{}
	for _, h := range hs {
		s := styleOf(h)
		if !seen[s] {
			seen[s] = true
			styles = append(styles, s)
		}
	}
	sort.Slice(styles, func(i, j int) bool {
		if styles[i].size != styles[j].size {
			return styles[i].size > styles[j].size
		}
		return styles[i].bold && !styles[j].bold
	})
	rank := map[headingStyle]int{}
	for i, s := range styles {
		rank[s] = min(i+1, 6)
	}
	depths := map[headingStyle]map[int]int{}
	for _, h := range hs {
		if dp, _ := numberingDepth(h.text); dp > 0 {
			s := styleOf(h)
			if depths[s] == nil {
				depths[s] = map[int]int{}
			}
			depths[s][dp]++
		}
	}
	styleDepth := map[headingStyle]int{}
	for s, m := range depths {
		best, n := 0, -1
		for dp, c := range m {
			if c > n || (c == n && dp < best) {
				best, n = dp, c
			}
		}
		styleDepth[s] = best
	}
	for _, h := range hs {
		s := styleOf(h)
		if dp, _ := numberingDepth(h.text); dp > 0 && len(strings.Fields(h.text)) > 1 {
			h.level = min(dp, 6)
			continue
		}
		if dp, ok := styleDepth[s]; ok {
			h.level = dp
			continue
		}
		if len(styleDepth) == 0 {
			h.level = rank[s]
			continue
		}
		// An unnumbered style among numbered ones: place it by size
		// against the numbered styles.
		lv := 1
		for ns, dp := range styleDepth {
			if ns.size > s.size+0.25 || (ns.size >= s.size-0.25 && ns.bold && !s.bold) {
				lv = max(lv, dp+1)
			}
		}
		h.level = min(lv, 6)
	}
}
