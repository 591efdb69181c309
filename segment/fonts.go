package segment

import (
	"math"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	// boldNameRe finds a bold weight in a font name: "Arial-BoldMT",
	// "HelveticaNeueLTPro-Bd", "MinionPro-Semibold", TeX's "CMBX10".
	boldNameRe = regexp.MustCompile(`(?i)(bold|black|heavy|semibold|demibold|demi\b|-bd\b|-bd[a-z]|extrabold|ultrabold)|^(CM|SF|EC|LM)BX|^CMB\d|[-,]B$`)
	// plainNameRe finds a weight below bold in a font name.
	plainNameRe = regexp.MustCompile(`(?i)(regular|roman|book|light|thin|-th\b|medium|-md\b|normal)|^(CM|SF|EC|LM)(R|TI|SL|SS|TT)\d`)
	// monoNameRe finds a fixed-pitch family in a font name.
	monoNameRe = regexp.MustCompile(`(?i)courier|mono|consol|typewriter|^(CM|SF|EC|LM)TT\d|menlo|inconsolata|lucidaconsole|sourcecodepro|firacode`)
	// italicNameRe finds an italic or oblique style in a font name.
	italicNameRe = regexp.MustCompile(`(?i)italic|oblique|-it\b|-it[A-Z]|boldit|^(CM|SF|EC|LM)(TI|SL|MI)\d`)
)

// nameStyle is what a font name says about its style; bold is -1 when
// the name is silent on the weight.
type nameStyle struct {
	bold         int
	italic, mono bool
}

func parseFontName(name string) nameStyle {
	if i := strings.IndexByte(name, '+'); i == 6 {
		name = name[i+1:] // subset prefix "ABCDEF+"
	}
	st := nameStyle{bold: -1}
	switch {
	case boldNameRe.MatchString(name):
		st.bold = 1
	case plainNameRe.MatchString(name):
		st.bold = 0
	}
	st.italic = italicNameRe.MatchString(name)
	st.mono = monoNameRe.MatchString(name)
	return st
}

// fontStyle corrects the engine's style flags from the font name where
// the name is explicit: weights read from font descriptors are often
// wrong ("MyriadPro-Regular" reported at 720), while names rarely lie.
// Names without a style keep the engine's flags: producers fake bold by
// stroking a regular font, which only the engine sees. cache holds the
// parsed names.
func fontStyle(w *word, cache map[string]nameStyle) {
	st, ok := cache[w.Font]
	if !ok {
		st = parseFontName(w.Font)
		cache[w.Font] = st
	}
	if st.bold >= 0 {
		w.Bold = st.bold == 1
	}
	w.Italic = w.Italic || st.italic
	w.Mono = w.Mono || st.mono
}

// monoFonts finds fixed-pitch fonts by their glyph widths when names do
// not tell: in a monospaced font every word's width per character is the
// same. Words of digits are left out, since digits are fixed-width in
// most proportional fonts too.
//
// Words in Chinese, Japanese or Korean script do not count: every font
// sets those characters one em wide, so they say nothing of its pitch.
func monoFonts(pages []*page) map[string]bool {
	type acc struct {
		n          int
		sum, sumSq float64
	}
	per := map[string]*acc{}
	for _, pg := range pages {
		for _, w := range pg.words {
			n := utf8.RuneCountInString(w.Text)
			if n < 3 || w.size() <= 0 || !hasLetter(w.Text) || hasWide(w.Text) {
				continue
			}
			a := per[w.Font]
			if a == nil {
				a = &acc{}
				per[w.Font] = a
			}
			r := w.Box.Width() / float64(n) / w.size()
			a.n++
			a.sum += r
			a.sumSq += r * r
		}
	}
	out := map[string]bool{}
	for f, a := range per {
		if a.n < 15 {
			continue
		}
		m := a.sum / float64(a.n)
		v := a.sumSq/float64(a.n) - m*m
		if m > 0 && math.Sqrt(math.Max(v, 0))/m < 0.02 {
			out[f] = true
		}
	}
	return out
}

// hasWide reports whether s holds a character of an East Asian script
// set one em wide (Han, Hangul, kana).
func hasWide(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana) {
			return true
		}
	}
	return false
}
