package openai

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
)

// minWordsFound is the share of an answer's words, in percent, that must
// occur in the source text.
const minWordsFound = 80

// Check grounds the answer in the element's source text when its page has a
// text layer: every number in the output (a table's cells, an image's
// visible text, a text element's text) must occur among the source's
// numbers, and at least 80% of its words of three letters or more must
// occur among the source's words. Otherwise it returns an error of class
// grounding naming the first missing token. The source is the element's
// text and its table's cells as the parser found them; an element without
// source text, or on a page without a text layer, is not checked.
func (s *Specialist) Check(t route.Task, r route.Result) error {
	if !t.Page.TextLayer {
		return nil
	}
	el := &t.Element
	src := []string{el.Text}
	if el.Table != nil {
		src = append(src, tableStrings(el.Table)...)
	}
	if !route.HasText(strings.Join(src, "")) {
		return nil
	}
	var out []string
	switch {
	case el.Type == folio.TableType && r.Table != nil:
		out = tableStrings(r.Table)
	case el.Type == folio.ImageType && r.Image != nil:
		out = []string{r.Image.OCRText}
	case r.Text != nil:
		out = []string{*r.Text}
	}
	return ground(strings.Join(src, "\n"), out)
}

// tableStrings returns the text of every position and cell of t.
func tableStrings(t *folio.Table) []string {
	var out []string
	for _, r := range t.Rows {
		out = append(out, r...)
	}
	for _, c := range t.Cells {
		out = append(out, c.Text)
	}
	return out
}

// ground checks out against source as Check describes.
func ground(source string, out []string) error {
	nums := make(map[string]bool)
	for _, n := range numbers(source) {
		nums[n] = true
		nums[strings.TrimPrefix(n, "-")] = true // "5" is grounded by "−5"
	}
	words := make(map[string]bool)
	for _, s := range []string{source, joinBroken(source)} {
		for _, w := range wordsOf(s) {
			words[w] = true
		}
	}
	total, found, missing := 0, 0, ""
	for _, s := range out {
		for _, n := range numbers(s) {
			if !nums[n] {
				return route.Errorf(folio.ClassGrounding, "number %q is not in the source text", n)
			}
		}
		for _, w := range wordsOf(s) {
			total++
			if words[w] {
				found++
			} else if missing == "" {
				missing = w
			}
		}
	}
	if found*100 < total*minWordsFound {
		return route.Errorf(folio.ClassGrounding, "%d of %d words are not in the source text, first %q",
			total-found, total, missing)
	}
	return nil
}

// numbers returns the numbers in s, normalised: thousands separators
// (commas, apostrophes, thin spaces between digits) dropped, a decimal point
// kept, and any minus sign (hyphen, en dash, U+2212 …) written "-" when it
// stands before the number rather than after a word or number ("COVID-19"
// and "2019-2020" hold no negative numbers).
func numbers(s string) []string {
	rs := []rune(s)
	var out []string
	for i := 0; i < len(rs); {
		if !unicode.IsDigit(rs[i]) {
			i++
			continue
		}
		var b strings.Builder
		if i > 0 && isMinus(rs[i-1]) && (i < 2 || !isAlnum(rs[i-2])) {
			b.WriteByte('-')
		}
		for ; i < len(rs); i++ {
			r := rs[i]
			if unicode.IsDigit(r) {
				b.WriteRune(r)
				continue
			}
			if isSeparator(r) && i+1 < len(rs) && unicode.IsDigit(rs[i+1]) {
				if r == '.' {
					b.WriteByte('.')
				}
				continue
			}
			break
		}
		out = append(out, b.String())
	}
	return out
}

func isMinus(r rune) bool {
	switch r {
	case '-', '\u2212', '\u2013', '\u2012', '\u2010', '\u2011', '\uFE63', '\uFF0D':
		return true
	}
	return false
}

func isSeparator(r rune) bool {
	switch r {
	case ',', '.', '\'', '\u2019', '\u2009', '\u202F', '\u00A0':
		return true
	}
	return false
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// wordsOf returns the words of s of at least three letters, lower-cased,
// with ligatures spelled out.
func wordsOf(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsMark(r) && !isLigature(r)
	}) {
		w := strings.ToLower(ligatures.Replace(f))
		if len([]rune(w)) >= 3 {
			out = append(out, w)
		}
	}
	return out
}

var ligatures = strings.NewReplacer("ﬀ", "ff", "ﬁ", "fi", "ﬂ", "fl", "ﬃ", "ffi", "ﬄ", "ffl", "ﬅ", "st", "ﬆ", "st")

func isLigature(r rune) bool { return r >= '\uFB00' && r <= '\uFB06' }

// brokenWord matches a word broken at a line end by a hyphen.
var brokenWord = regexp.MustCompile(`(\pL)[-\x{00AD}\x{2010}]\s+(\pL)`)

// joinBroken returns s with words broken at line ends joined, so that an
// answer that repairs them is grounded.
func joinBroken(s string) string {
	return strings.ReplaceAll(brokenWord.ReplaceAllString(s, "$1$2"), "\u00AD", "")
}
