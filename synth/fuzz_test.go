package synth

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// unescape drops the backslash before each ASCII punctuation character, as
// a CommonMark reader does.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// FuzzEscapeText checks that escaping loses nothing: a reader removing the
// escapes gets the text back.
func FuzzEscapeText(f *testing.F) {
	for _, s := range []string{"# x", "a_b _c_ *d*", "1. x", "&amp; &", `\*`, "[x](y)", "<b>", "~~x~~", "שלום"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			t.Skip("invalid UTF-8 becomes U+FFFD, as in the JSON")
		}
		s = oneLine(s)
		if got := unescape(escapeText(s)); got != s {
			t.Fatalf("unescape(escapeText(%q)) = %q", s, got)
		}
		if got := unescape(headingText(escapeInline(s))); got != s {
			t.Fatalf("heading text of %q reads back as %q", s, got)
		}
	})
}
