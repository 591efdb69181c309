package local

import (
	"strings"
	"unicode"
)

// ligature returns the letters a Latin ligature stands for.
func ligature(r rune) (string, bool) {
	switch r {
	case '\uFB00':
		return "ff", true
	case '\uFB01':
		return "fi", true
	case '\uFB02':
		return "fl", true
	case '\uFB03':
		return "ffi", true
	case '\uFB04':
		return "ffl", true
	case '\uFB05', '\uFB06':
		return "st", true
	}
	return "", false
}

// invisible reports whether r is dropped outright: the soft hyphen, the
// zero-width space, the word joiner and the byte-order mark. Zero-width
// joiners and bidirectional marks carry meaning and are kept.
func invisible(r rune) bool {
	switch r {
	case '\u00AD', '\u200B', '\u2060', '\uFEFF':
		return true
	}
	return false
}

// cleanText normalises text extracted from a page: ligatures expanded,
// invisible and control characters dropped, soft hyphens removed together
// with the line break after them, every other run of white space
// (non-breaking and odd spaces, tabs, line breaks) turned into one space,
// the ends trimmed. Letters, typographic quotes and right-to-left text stay
// as they are; invalid UTF-8 becomes U+FFFD.
func cleanText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space, join := false, false
	for _, r := range s {
		switch {
		case r == '\u00AD':
			// A soft hyphen marks a word broken at a line end: the
			// white space after it is the break, not a word gap.
			join = true
			continue
		case invisible(r):
			continue
		case unicode.IsSpace(r):
			space = space || !join
			continue
		case unicode.IsControl(r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space, join = false, false
		if lig, ok := ligature(r); ok {
			b.WriteString(lig)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cleanCode normalises code, where layout matters: lines and indentation
// are kept, line endings become "\n", tabs stay, odd spaces become spaces,
// trailing spaces and leading and trailing blank lines go; ligatures,
// invisible and control characters are handled as by cleanText.
func cleanCode(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case invisible(r):
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == '\r' || r == '\u0085' || r == '\u2028' || r == '\u2029':
			b.WriteByte('\n')
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case unicode.IsControl(r):
		default:
			if lig, ok := ligature(r); ok {
				b.WriteString(lig)
			} else {
				b.WriteRune(r)
			}
		}
	}
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}
