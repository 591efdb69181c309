package segment

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
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
