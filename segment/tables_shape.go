package segment

import (
	"strings"
	"unicode"

	"github.com/folio/folio"
)

// A number is mostly digits: other characters (letters, units) are few.
const numericDigitsPerOther = 2 // digits a number needs per other character ("12k" passes, "12kg" fails)

// numeric reports whether s reads as a number, amount or percentage.
func numeric(s string) bool {
	digits, other := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			digits++
		case strings.ContainsRune(" .,%$€£()+-–—/:*", r):
		default:
			other++
		}
	}
	return digits > 0 && other <= digits/numericDigitsPerOther
}

// A table found from alignment alone needs a few rows, most of them full,
// and few long cells.
const (
	shapedMinRows       = 3 // rows a table found from alignment alone needs (tables between rules pass with two)
	shapedMinCols       = 2 // columns a table found from alignment alone needs
	shapedLongCellWords = 8 // words over which a cell counts as long, running text
	fullRowNum          = 2 // numerator: a row is full when it fills two thirds of the columns
	fullRowDen          = 3 // denominator of that two-thirds share
	fullRowMinCells     = 3 // filled cells that make a row full however many columns the table has
	fullRowsFactor      = 2 // full rows times this must reach all rows: at least half
	longCellsFactor     = 5 // long cells times this must stay within all filled cells: at most a fifth
)

// tableShaped reports whether a table found from alignment alone has the
// regularity of a table: most rows fill most columns, and cells are short.
func tableShaped(t *folio.Table) bool {
	if len(t.Rows) < shapedMinRows || len(t.Rows[0]) < shapedMinCols {
		return false
	}
	nc := len(t.Rows[0])
	full := 0
	long := 0
	cells := 0
	for _, row := range t.Rows {
		n := 0
		for _, c := range row {
			if c != "" {
				n++
				cells++
				if len(strings.Fields(c)) > shapedLongCellWords {
					long++
				}
			}
		}
		if n*fullRowDen >= nc*fullRowNum || n >= fullRowMinCells {
			full++
		}
	}
	return full*fullRowsFactor >= len(t.Rows) && long*longCellsFactor <= cells
}

// A list with hanging markers has a marker column beside text, several
// markers, and either two columns or long text beside the markers.
const (
	listMinCols         = 2 // columns a row needs: a marker and its text
	listMinMarks        = 2 // markers the first column needs to read as a list
	listPlainCols       = 2 // a grid of just this many columns (markers and text) is a list outright
	listMinWordsPerText = 6 // mean words per text cell that make a wider grid read as list items
)

// listLike reports whether a grid is a list set with hanging markers: its
// first column holds only bullets or enumerators, beside running text.
func listLike(t *folio.Table) bool {
	marks, words, texts := 0, 0, 0
	for _, row := range t.Rows {
		if len(row) < listMinCols {
			return false
		}
		if c := row[0]; c != "" {
			if _, ok := bulletWord(c); !ok && !enumRe.MatchString(c) {
				return false
			}
			marks++
		}
		for _, c := range row[1:] {
			if c != "" {
				texts++
				words += len(strings.Fields(c))
			}
		}
	}
	return marks >= listMinMarks && texts > 0 && (len(t.Rows[0]) == listPlainCols || words >= listMinWordsPerText*texts)
}

func filledRatio(t *folio.Table) float64 {
	n, all := 0, 0
	for _, row := range t.Rows {
		for _, c := range row {
			all++
			if c != "" {
				n++
			}
		}
	}
	if all == 0 {
		return 0
	}
	return float64(n) / float64(all)
}

// A single column of ruled boxes is a table when there are enough of
// them and each holds an entry, not a paragraph: a list of framed items
// as layout models and readers take it.
const (
	minStackRows  = 4  // fewer boxes are callouts or a form's fields
	maxStackWords = 12 // words in one box of such a column
)

// boxStack reports whether a one-column ruled table is a column of short
// entries, each in a box of its own.
func boxStack(t *folio.Table) bool {
	if len(t.Rows) < minStackRows {
		return false
	}
	for _, row := range t.Rows {
		if len(row) != 1 || row[0] == "" || len(strings.Fields(row[0])) > maxStackWords {
			return false
		}
	}
	return true
}

// Rows pair up cells when half of them hold two cells or more; a label
// spanning rows in the first column fills those rows' first cell.
const (
	labelMinSpan     = 2 // rows a first-column cell must span to head a group of rows
	labelSpanFactor  = 2 // a span times this over the row count covers most of the grid: a chart, not a label
	pairedMinCells   = 2 // filled cells that make a row paired
	pairedRowsFactor = 2 // paired rows times this must reach all rows: at least half
)

// rowsPaired reports whether at least half the rows of a table hold two
// or more cells with text. A frame around a page's layout (a sidebar, a
// boxed column) has a cell or two of running text per row.
func rowsPaired(t *folio.Table) bool {
	// A label in the first column spanning some rows heads each of them
	// (a group of rows); spans elsewhere, or over most of the grid, are
	// as often a chart's bars and axis.
	filled := make([]map[int]bool, len(t.Rows))
	for r, row := range t.Rows {
		filled[r] = map[int]bool{}
		for c, s := range row {
			if s != "" {
				filled[r][c] = true
			}
		}
	}
	for _, c := range t.Cells {
		if c.Col != 0 || c.RowSpan < labelMinSpan || labelSpanFactor*c.RowSpan > len(t.Rows) || !hasLetter(c.Text) {
			continue
		}
		for r := c.Row; r < c.Row+c.RowSpan && r < len(t.Rows); r++ {
			filled[r][c.Col] = true
		}
	}
	n := 0
	for _, f := range filled {
		if len(f) >= pairedMinCells {
			n++
		}
	}
	return n*pairedRowsFactor >= len(t.Rows)
}

// Prose in a grid is few cells, at least one holding a paragraph.
const (
	proseCellChars = 250 // bytes over which a cell holds running text, not an entry
	proseMaxCells  = 3   // filled cells a grid of prose has at most
)

// looksLikeProse reports whether a grid's text reads as paragraphs: few
// cells holding long running text, as in a framed note or a layout box.
func looksLikeProse(t *folio.Table) bool {
	var long, filled int
	for _, c := range t.Cells {
		if c.Text == "" {
			continue
		}
		filled++
		if len(c.Text) > proseCellChars {
			long++
		}
	}
	return filled <= proseMaxCells && long > 0
}
