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

// bullets are the characters that mark list items on their own.
const bullets = "•◦▪▫‣⁃∙·●○■□◆◇►▸▹▶➢➤✓✔✗❖–—-*o"

// enumRe matches an enumeration marker written as a word of its own:
// "1.", "1)", "(a)", "a)", "iv.", "A.". The letter forms need the
// punctuation so that words like "A" or "I" never count.
var enumRe = regexp.MustCompile(`^(\(?\d{1,3}[.)]|\(\d{1,3}\)|\(?[a-z][.)]|\([a-z]\)|\(?[ivx]{1,5}[.)]|\([ivx]{1,5}\)|[A-Z][.)])$`)

var symbolFontRe = regexp.MustCompile(`(?i)wingding|dingbat|webding|symbol|zapf`)

// listMarker returns the list marker that opens line l, if any.
func listMarker(l *line) (string, bool) {
	if l.mark != "" {
		return l.mark, true
	}
	ws := l.logical()
	if len(ws) == 0 {
		return "", false
	}
	first := ws[0].Text
	if m, ok := bulletWord(first); ok {
		if len(ws) == 1 && m == first {
			return "", false
		}
		return m, true
	}
	if len(ws) < 2 {
		return "", false
	}
	// A lone glyph much smaller than the text after it, or from a symbol
	// font, is a bullet whatever its code: dingbat fonts map their
	// bullets to letters ("r" is a box in Wingdings).
	if r := []rune(first); len(r) == 1 && !unicode.IsDigit(r[0]) {
		if ws[0].size() < 0.8*ws[1].size() || symbolFontRe.MatchString(ws[0].Font) {
			return first, true
		}
	}
	if !enumRe.MatchString(first) {
		return "", false
	}
	return first, true
}

// bulletWord reports whether w is a bullet, alone or glued to the word it
// marks, and returns the bullet.
func bulletWord(w string) (string, bool) {
	r, n := utf8.DecodeRuneInString(w)
	if r == utf8.RuneError {
		return "", false
	}
	// Symbol fonts put their bullets in the private use area.
	pua := r >= 0xE000 && r <= 0xF8FF
	if !pua && !strings.ContainsRune(bullets, r) {
		return "", false
	}
	if n == len(w) {
		// ASCII letters only count as bullets when alone ("o" in some
		// Word documents); hyphens alone too.
		return w, true
	}
	// A glued bullet: "•Item". Dashes and letters glued to text are words
	// ("-5", "old"), not bullets.
	if r < 0x80 || r == '–' || r == '—' {
		return "", false
	}
	return string(r), true
}

// stripMarker removes the marker from the start of text.
func stripMarker(text, marker string) string {
	t := strings.TrimPrefix(text, marker)
	return strings.TrimLeftFunc(t, unicode.IsSpace)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Bullets drawn as graphics: a small shape left of a line's first word,
// the way browsers print the markers of HTML lists.
const (
	// drawnBullet is the marker given to a line opened by a drawn shape;
	// the shape's kind (disc, circle, square) is not kept.
	drawnBullet = "•"
	// bulletMin and bulletMax bound a drawn bullet's larger side, in
	// multiples of the line's font size: Chromium draws discs and
	// squares at 0.34 of it; a shape as tall as the text is a check box.
	bulletMin = 0.15
	bulletMax = 0.6
	// bulletGap is the widest space, in multiples of the font size,
	// between a drawn bullet and the text it marks (Chromium leaves 0.72).
	bulletGap = 2.0
	// bulletDrift is how far, in multiples of the font size, a bullet's
	// centre may sit from the middle of its line's box: bullets are
	// centred on the x-height, which lies within this of it.
	bulletDrift = 0.3
	// bulletRow is how near, in multiples of its own width, another mark
	// on the same height makes a shape one dot of a dotted line.
	bulletRow = 3.0
	// maxPageMarks is the most marks a page may have for any to be read
	// as bullets: more are the dots of a chart or a map.
	maxPageMarks = 500
)

// drawnBullets gives a line of es the marker of a list item when a mark
// of the page (a small drawn shape) sits just left of its first word,
// centred on it, with no text between, and widens the line's box over
// the mark as over a bullet glyph.
func drawnBullets(pg *page, es []entry) {
	marks := pg.src.Marks
	if len(marks) == 0 || len(marks) > maxPageMarks {
		return
	}
	for _, e := range es {
		l := e.ln
		if l == nil || l.mark != "" || len(l.words) == 0 || l.rtl {
			continue
		}
		if _, ok := listMarker(l); ok {
			continue // a bullet glyph of its own
		}
		for i, m := range marks {
			if bulletOf(pg, l, marks, i) {
				l.mark = drawnBullet
				l.box = l.box.Union(m)
				break
			}
		}
	}
}

// bulletOf reports whether marks[i] is the bullet of line l.
func bulletOf(pg *page, l *line, marks []folio.Box, i int) bool {
	m, size := marks[i], l.size
	side := math.Max(m.Width(), m.Height())
	if side < bulletMin*size || side > bulletMax*size {
		return false
	}
	if gap := l.box[0] - m[2]; gap < -0.1*size || gap > bulletGap*size {
		return false
	}
	if math.Abs(m.CenterY()-l.box.CenterY()) > bulletDrift*size {
		return false
	}
	// A shape in a row of its like is a dot of a dotted line; one of
	// several keys along the line, or just after it, is a chart's legend.
	for j, o := range marks {
		if j == i || math.Abs(o.CenterY()-m.CenterY()) >= 0.5*m.Height() {
			continue
		}
		if math.Abs(o.CenterX()-m.CenterX()) < bulletRow*m.Width() || (o[0] > m[2] && o[0] < l.box[2]+bulletGap*size) {
			return false
		}
	}
	// Text beside the shape, left of it or between it and the line, makes
	// it a symbol inside a sentence or a table, not a bullet.
	for _, w := range pg.words {
		if w.Box[2] > m[0]-size && w.Box[0] < l.box[0] && overlapY(w.Box, m) > 0 && !slices.Contains(l.words, w) {
			return false
		}
	}
	return true
}
