package segment

import (
	"math"
	"sort"
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
}

// buildLines groups words into lines by vertical overlap and returns them
// top to bottom. Words must belong to one column: words side by side end
// up on one line.
func buildLines(words []*word) []*line {
	if len(words) == 0 {
		return nil
	}
	ws := append([]*word(nil), words...)
	sort.SliceStable(ws, func(i, j int) bool {
		if a, b := ws[i].cy(), ws[j].cy(); a != b {
			return a < b
		}
		return ws[i].Box[0] < ws[j].Box[0]
	})
	type group struct {
		words  []*word
		y0, y1 float64 // the line's core: the span of its largest words
		h      float64
	}
	var groups []*group
	for _, w := range ws {
		var best *group
		bestOv := 0.0
		// Only recent groups can hold the word: they are sorted by centre.
		for k := len(groups) - 1; k >= 0 && k >= len(groups)-3; k-- {
			g := groups[k]
			ov := math.Min(g.y1, w.Box[3]) - math.Max(g.y0, w.Box[1])
			minH := math.Min(g.h, w.h())
			if minH <= 0 {
				minH = 1
			}
			if ov/minH >= 0.5 && ov/minH > bestOv {
				best, bestOv = g, ov/minH
			}
		}
		if best == nil {
			groups = append(groups, &group{words: []*word{w}, y0: w.Box[1], y1: w.Box[3], h: w.h()})
			continue
		}
		best.words = append(best.words, w)
		// The core follows the tallest word so that superscripts do not
		// drag the line toward its neighbours.
		if w.h() > best.h {
			best.y0, best.y1, best.h = w.Box[1], w.Box[3], w.h()
		}
	}
	lines := make([]*line, 0, len(groups))
	for _, g := range groups {
		lines = append(lines, newLine(g.words))
	}
	sort.SliceStable(lines, func(i, j int) bool {
		a, b := lines[i].box, lines[j].box
		if math.Abs(a.CenterY()-b.CenterY()) > 0.5 {
			return a.CenterY() < b.CenterY()
		}
		return a[0] < b[0]
	})
	return lines
}

// newLine makes a line of words that share a baseline.
func newLine(words []*word) *line {
	ws := append([]*word(nil), words...)
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].Box[0] < ws[j].Box[0] })
	l := &line{words: ws, wideGap: -1}
	sizes := map[float64]int{}
	fonts := map[string]int{}
	var n, nb, ni, nm, nrtl, nltr int
	for _, w := range ws {
		l.box = l.box.Union(w.Box)
		c := utf8.RuneCountInString(w.Text)
		n += c
		sizes[math.Round(w.size()*2)/2] += c
		fonts[w.Font] += c
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
	for s, c := range sizes {
		if c > best || (c == best && s > l.size) {
			l.size, best = s, c
		}
	}
	best = -1
	for f, c := range fonts {
		if c > best || (c == best && f < l.font) {
			l.font, best = f, c
		}
	}
	l.bold = nb*10 >= n*7
	l.italic = ni*10 >= n*7
	l.mono = nm*10 >= n*7
	l.rtl = nrtl > nltr
	l.text, l.wideGap = lineText(l.logical(), l.size)
	return l
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
	gaps := make([]float64, len(ws))
	var sp []float64
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
