package segment

import (
	"strings"
	"unicode"

	"github.com/folio/folio"
)

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
	return digits > 0 && other <= digits/2
}

// tableShaped reports whether a table found from alignment alone has the
// regularity of a table: most rows fill most columns, and cells are short.
func tableShaped(t *folio.Table) bool {
	if len(t.Rows) < 3 || len(t.Rows[0]) < 2 {
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
				if len(strings.Fields(c)) > 8 {
					long++
				}
			}
		}
		if n*3 >= nc*2 || n >= 3 {
			full++
		}
	}
	return full*2 >= len(t.Rows) && long*5 <= cells
}

// listLike reports whether a grid is a list set with hanging markers: its
// first column holds only bullets or enumerators, beside running text.
func listLike(t *folio.Table) bool {
	marks, words, texts := 0, 0, 0
	for _, row := range t.Rows {
		if len(row) < 2 {
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
	return marks >= 2 && texts > 0 && (len(t.Rows[0]) == 2 || words >= 6*texts)
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
		if c.Col != 0 || c.RowSpan < 2 || 2*c.RowSpan > len(t.Rows) || !hasLetter(c.Text) {
			continue
		}
		for r := c.Row; r < c.Row+c.RowSpan && r < len(t.Rows); r++ {
			filled[r][c.Col] = true
		}
	}
	n := 0
	for _, f := range filled {
		if len(f) >= 2 {
			n++
		}
	}
	return n*2 >= len(t.Rows)
}

// looksLikeProse reports whether a grid's text reads as paragraphs: few
// cells holding long running text, as in a framed note or a layout box.
func looksLikeProse(t *folio.Table) bool {
	var long, filled int
	for _, c := range t.Cells {
		if c.Text == "" {
			continue
		}
		filled++
		if len(c.Text) > 250 {
			long++
		}
	}
	return filled <= 3 && long > 0
}
