package segment

import (
	"math"
	"regexp"
	"unicode"
	"unicode/utf8"
)

// Words against column borders, shared by textTable and rowCells.
const (
	wordCrossTol      = 0.5 // points a word must reach past a column border on both sides to cross it
	phraseLineOverlap = 0.5 // share of a word's height it must overlap the word before to stand on its line
)

// A line joins the row above when it is a cell's wrapped text or a
// first-column label's next line, set closer than rows stand apart.
const (
	cellWrapMaxGap    = 0.5 // font sizes between a cell's text and its wrapped lower-case line
	labelWrapMaxGap   = 0.5 // font sizes between a first-column label's lines
	labelWrapGapShare = 0.5 // share of the median gap between lines that a label's lines stay under
)

// mergeRows joins the lines of one table row: text wrapped inside its
// cells (the next line opens in lower case in columns the row holds),
// cells set on different baselines (the next line fills only columns the
// row left empty), and a label wrapped in the first column when rows
// stand further apart than the lines of a label.
func mergeRows(lines []*line, xs []float64) []*line {
	col := func(w *word) int {
		for c := 1; c < len(xs); c++ {
			if w.cx() < xs[c] {
				return c - 1
			}
		}
		return len(xs) - 2
	}
	cols := func(l *line) map[int]bool {
		m := map[int]bool{}
		for _, w := range l.words {
			m[col(w)] = true
		}
		return m
	}
	var gaps []float64
	for i := 1; i < len(lines); i++ {
		gaps = append(gaps, lines[i].box[1]-lines[i-1].box[3])
	}
	med := median(gaps)
	var out []*line
	var outCols []map[int]bool
	for i, l := range lines {
		lc := cols(l)
		if n := len(out); n > 0 {
			prev := out[n-1]
			pc := outCols[n-1]
			gap := l.box[1] - lines[i-1].box[3]
			r, _ := utf8.DecodeRuneInString(l.logical()[0].Text)
			subset, disjoint := true, true
			for c := range lc {
				if pc[c] {
					disjoint = false
				} else {
					subset = false
				}
			}
			merge := false
			switch {
			case subset && gap < cellWrapMaxGap*l.size && unicode.IsLower(r) && !pc[0] == !lc[0] && (len(lc) < len(pc) || !hasNumber(l)):
				// (A row of figures opening in lower case, "total", is
				// a row of its own.)
				merge = true
			case disjoint && gap < 0:
				// Cells set off-baseline overlap the row's other cells;
				// heads stacked over each other do not.
				merge = true
			case len(lc) == 1 && lc[0] && pc[0] && !numeric(l.text) && gap < labelWrapMaxGap*l.size && gap < labelWrapGapShare*med:
				merge = true
			}
			if merge {
				merged := append(append([]*word(nil), prev.words...), l.words...)
				nl := newLine(merged)
				nl.box = prev.box.Union(l.box)
				out[n-1] = &line{words: merged, box: nl.box, size: nl.size, text: nl.text, wideGap: -1}
				for c := range lc {
					pc[c] = true
				}
				continue
			}
		}
		out = append(out, l)
		outCols = append(outCols, lc)
	}
	return out
}

// rowCells returns a row's text per column, columns parted at xs, and
// whether a word crosses a column border.
func rowCells(l *line, xs []float64) (map[int]string, bool) {
	m := map[int]string{}
	span := false
	prevCol := -1
	for i, w := range l.words {
		c := colOf(w, xs)
		for k := 1; k < len(xs)-1; k++ {
			if w.Box[0] < xs[k]-wordCrossTol && w.Box[2] > xs[k]+wordCrossTol {
				span = true
			}
		}
		if i > 0 && c != prevCol && overlapY(l.words[i-1].Box, w.Box) > phraseLineOverlap*w.h() && spaced(l.words[i-1], w) {
			span = true
		}
		prevCol = c
	}
	for _, w := range l.logical() {
		c := colOf(w, xs)
		if m[c] != "" {
			m[c] += " "
		}
		m[c] += w.Text
	}
	return m, span
}

// colOf returns the column, parted at xs, that holds w's centre.
func colOf(w *word, xs []float64) int {
	for k := 1; k < len(xs); k++ {
		if w.cx() < xs[k] {
			return k - 1
		}
	}
	return len(xs) - 2
}

// An ordinary word space is narrower than a column gap, between words
// of one size.
const (
	spacedMaxGap      = 0.35 // font sizes (of the larger word) a word space stays under
	spacedMaxSizeDiff = 1    // points the two words' sizes may differ by and still be one phrase
)

// spaced reports whether b follows a on its line at an ordinary word
// space: one phrase, even when a column border runs between the words.
func spaced(a, b *word) bool {
	gap := b.Box[0] - a.Box[2]
	return gap < spacedMaxGap*math.Max(a.size(), b.size()) && math.Abs(a.size()-b.size()) < spacedMaxSizeDiff
}

// yearRe matches a year or a fiscal year, which heads columns of numbers.
var yearRe = regexp.MustCompile(`^(?i:fy\s*)?(1[89]|20)\d\d([-–/]\d{2,4})?$`)

// headCount returns how many leading rows (lines parted at xs) head a
// table of numbers; see headsOver.
func headCount(rows []*line, xs []float64) int {
	data := make([]bool, len(rows))
	for i, r := range rows {
		cells, _ := rowCells(r, xs)
		for c, t := range cells {
			if c > 0 && figure(t) {
				data[i] = true
			}
		}
	}
	return headsOver(data)
}

// A multi-line column head sets its lines closer than head rows stand.
const headStackMaxGap = 0.6 // font sizes (of the smaller line) between the lines of one stacked head

// mergeHeads joins the lines of multi-line column heads ("Number" over
// "of items"): among the head rows, a row whose heads each sit in one
// column, right over a row with a head in each of those columns, holds
// their first lines. A row of group heads spanning columns stays.
func mergeHeads(rows []*line, xs []float64) []*line {
	head := headCount(rows, xs)
	for r := 0; r+1 < head; {
		a, b := rows[r], rows[r+1]
		ac, span := rowCells(a, xs)
		bc, _ := rowCells(b, xs)
		stacked := !span && b.box[1]-a.box[3] < headStackMaxGap*math.Min(a.size, b.size)
		for c := range ac {
			if bc[c] == "" {
				stacked = false
			}
		}
		if !stacked {
			r++
			continue
		}
		merged := append(append([]*word(nil), a.words...), b.words...)
		nl := newLine(merged)
		nl.box = a.box.Union(b.box)
		rows[r] = &line{words: merged, box: nl.box, size: nl.size, text: nl.text, wideGap: -1}
		rows = append(rows[:r+1], rows[r+2:]...)
		head--
	}
	return rows
}
