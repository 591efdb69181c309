package segment

import (
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/folio/folio"
)

// line is a row of words that share a baseline, in visual order (left to
// right), with its assembled text in logical order.
type line struct {
	words []*word
	box   folio.Box
	// size is the dominant font size, weighted by characters.
	size                    float64
	bold, italic, mono, rtl bool
	font                    string
	text                    string
	// wideGap is the character offset in text after which the engine left
	// an unusually wide space (a tab stop), or -1. Captions and numbered
	// headings use one after their label.
	wideGap int
	// mark is the marker of a list item whose bullet is drawn as a shape
	// left of the line (see drawnBullets), or empty.
	mark string
}

// buildLines groups words into lines by vertical overlap and returns them
// top to bottom. Words must belong to one column: words side by side end
// up on one line.
func buildLines(words []*word) []*line {
	if len(words) == 0 {
		return nil
	}
	ws := append([]*word(nil), words...)
	slices.SortStableFunc(ws, func(a, b *word) int {
		if ya, yb := a.cy(), b.cy(); ya != yb {
			return cmpFloat(ya, yb)
		}
		return cmpFloat(a.Box[0], b.Box[0])
	})
	type group struct {
		y0, y1 float64 // the line's core: the span of its largest words
		h      float64
		n      int
	}
	var groups []group
	in := make([]int, len(ws)) // the group of each word
	for i, w := range ws {
		best := -1
		bestOv := 0.0
		// Only recent groups can hold the word: they are sorted by centre.
		for k := len(groups) - 1; k >= 0 && k >= len(groups)-3; k-- {
			g := &groups[k]
			ov := math.Min(g.y1, w.Box[3]) - math.Max(g.y0, w.Box[1])
			minH := math.Min(g.h, w.h())
			if minH <= 0 {
				minH = 1
			}
			if ov/minH >= 0.5 && ov/minH > bestOv {
				best, bestOv = k, ov/minH
			}
		}
		if best < 0 {
			in[i] = len(groups)
			groups = append(groups, group{y0: w.Box[1], y1: w.Box[3], h: w.h(), n: 1})
			continue
		}
		in[i] = best
		g := &groups[best]
		g.n++
		// The core follows the tallest word so that superscripts do not
		// drag the line toward its neighbours.
		if w.h() > g.h {
			g.y0, g.y1, g.h = w.Box[1], w.Box[3], w.h()
		}
	}
	// Each line's words, in the order they came, from one allocation.
	all := make([]*word, len(ws))
	next := make([]int, len(groups))
	for k, at := 0, 0; k < len(groups); k++ {
		next[k] = at
		at += groups[k].n
	}
	for i, w := range ws {
		all[next[in[i]]] = w
		next[in[i]]++
	}
	lines := make([]*line, len(groups))
	for k := range groups {
		end := next[k]
		lines[k] = lineOf(all[end-groups[k].n : end : end])
	}
	slices.SortStableFunc(lines, func(l, m *line) int {
		a, b := l.box, m.box
		if math.Abs(a.CenterY()-b.CenterY()) > 0.5 {
			return cmpFloat(a.CenterY(), b.CenterY())
		}
		return cmpFloat(a[0], b[0])
	})
	return lines
}

// newLine makes a line of words that share a baseline.
func newLine(words []*word) *line {
	return lineOf(append([]*word(nil), words...))
}

// lineOf makes a line of words that share a baseline, sorting them.
func lineOf(ws []*word) *line {
	slices.SortStableFunc(ws, func(a, b *word) int { return cmpFloat(a.Box[0], b.Box[0]) })
	l := &line{words: ws, wideGap: -1}
	// Lines have few sizes and fonts: lists beat maps. The winners do not
	// depend on the order the lists are in.
	var sbuf [4]tally[float64]
	var fbuf [4]tally[string]
	sizes, fonts := sbuf[:0], fbuf[:0]
	var n, nb, ni, nm, nrtl, nltr int
	for _, w := range ws {
		l.box = l.box.Union(w.Box)
		c := utf8.RuneCountInString(w.Text)
		n += c
		sizes = addTally(sizes, math.Round(w.size()*2)/2, c)
		fonts = addTally(fonts, w.Font, c)
		if w.Bold {
			nb += c
		}
		if w.Italic {
			ni += c
		}
		if w.Mono {
			nm += c
		}
		if w.RTL {
			nrtl += c
		} else if hasLetter(w.Text) {
			nltr += c
		}
	}
	best := -1
	for _, t := range sizes {
		if t.n > best || (t.n == best && t.key > l.size) {
			l.size, best = t.key, t.n
		}
	}
	best = -1
	for _, t := range fonts {
		if t.n > best || (t.n == best && t.key < l.font) {
			l.font, best = t.key, t.n
		}
	}
	l.bold = nb*10 >= n*7
	l.italic = ni*10 >= n*7
	l.mono = nm*10 >= n*7
	l.rtl = nrtl > nltr
	l.text, l.wideGap = lineText(l.logical(), l.size)
	return l
}

// tally is a count of characters for one key.
type tally[K comparable] struct {
	key K
	n   int
}

// addTally adds n to key's tally in ts.
func addTally[K comparable](ts []tally[K], key K, n int) []tally[K] {
	for i := range ts {
		if ts[i].key == key {
			ts[i].n += n
			return ts
		}
	}
	return append(ts, tally[K]{key, n})
}

// logical returns the line's words in reading order. Right-to-left lines
// read right to left, except that runs of left-to-right words inside them
// keep their own order.
func (l *line) logical() []*word {
	if !l.rtl {
		return l.words
	}
	n := len(l.words)
	out := make([]*word, n)
	for i, w := range l.words {
		out[n-1-i] = w
	}
	for i := 0; i < n; {
		if out[i].RTL {
			i++
			continue
		}
		j := i
		for j < n && !out[j].RTL {
			j++
		}
		for a, b := i, j-1; a < b; a, b = a+1, b-1 {
			out[a], out[b] = out[b], out[a]
		}
		i = j
	}
	return out
}

// lineText joins words with single spaces, except where the engine saw no
// space and the glyphs touch (a word broken by a style change). It also
// reports where the first unusually wide gap (a tab stop) sits.
func lineText(ws []*word, size float64) (string, int) {
	var b strings.Builder
	n := len(ws) // a space per word, at most
	for _, w := range ws {
		n += len(w.Text)
	}
	b.Grow(n)
	buf := make([]float64, 2*len(ws))
	gaps, sp := buf[:len(ws)], buf[len(ws):len(ws)]
	for i := 1; i < len(ws); i++ {
		p, w := ws[i-1], ws[i]
		gaps[i] = w.Box[0] - p.Box[2]
		if p.RTL && w.RTL {
			gaps[i] = p.Box[0] - w.Box[2]
		}
		if gaps[i] > 0.12*size {
			sp = append(sp, gaps[i])
		}
	}
	wideAt := math.Max(2.5*median(sp), 0.5*size)
	wide := -1
	for i, w := range ws {
		if i > 0 {
			p := ws[i-1]
			if p.SpaceAfter || gaps[i] > 0.12*size || p.RTL != w.RTL {
				if wide < 0 && gaps[i] > wideAt && !p.RTL {
					wide = b.Len()
				}
				b.WriteByte(' ')
			}
		}
		b.WriteString(w.Text)
	}
	return b.String(), wide
}

// splitLine cuts a line where the horizontal gap between two words is
// wider than gap times the font size.
func splitLine(l *line, gap float64) []*line {
	var out []*line
	start := 0
	for i := 1; i < len(l.words); i++ {
		p, w := l.words[i-1], l.words[i]
		if w.Box[0]-p.Box[2] > gap*math.Max(p.size(), w.size()) {
			out = append(out, newLine(l.words[start:i]))
			start = i
		}
	}
	if start == 0 {
		return []*line{l}
	}
	return append(out, newLine(l.words[start:]))
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}
