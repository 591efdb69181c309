package route

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/folio/folio"
)

// maxGrid bounds the positions of a table grid a check or specialist will
// look at, so that a cell claiming row 10⁹ cannot exhaust memory.
const maxGrid = 1 << 20

// Check is the quality check every output passes before it is accepted,
// whichever specialist produced it: the content the element's type needs
// must be there, valid, and not empty when the input was not. It returns an
// *Error of class folio.ClassSchema or folio.ClassEmpty.
func Check(t Task, r Result) error {
	if r.Text != nil && !utf8.ValidString(*r.Text) {
		return Errorf(folio.ClassSchema, "text is not valid UTF-8")
	}
	in := t.Element
	switch in.Type {
	case folio.TableType:
		if r.Table == nil {
			return Errorf(folio.ClassSchema, "no table in the output")
		}
		if err := validTable(r.Table); err != nil {
			return &Error{Class: folio.ClassSchema, Err: err}
		}
		if !TableHasText(r.Table) {
			return Errorf(folio.ClassEmpty, "table has no non-empty cell")
		}
	case folio.ImageType:
		if r.Image == nil {
			return Errorf(folio.ClassSchema, "no image in the output")
		}
		if r.Image.Width <= 0 || r.Image.Height <= 0 {
			return Errorf(folio.ClassSchema, "image size %dx%d", r.Image.Width, r.Image.Height)
		}
		if len(r.Image.PNG) == 0 && in.Image != nil && len(in.Image.PNG) > 0 {
			return Errorf(folio.ClassEmpty, "image pixels lost")
		}
	default:
		if r.Text == nil {
			return Errorf(folio.ClassSchema, "no text in the output")
		}
		if HasText(in.Text) && !HasText(*r.Text) {
			return Errorf(folio.ClassEmpty, "text is empty")
		}
	}
	return nil
}

// validTable reports the first structural problem of t: no rows, ragged
// rows, header rows out of range, or cells outside the grid or overlapping.
func validTable(t *folio.Table) error {
	rows := len(t.Rows)
	if rows == 0 {
		return fmt.Errorf("table has no rows")
	}
	cols := len(t.Rows[0])
	if cols == 0 {
		return fmt.Errorf("table has no columns")
	}
	if rows*cols > maxGrid {
		return fmt.Errorf("table of %dx%d is too large", rows, cols)
	}
	for i, r := range t.Rows {
		if len(r) != cols {
			return fmt.Errorf("row %d has %d cells, want %d", i, len(r), cols)
		}
		for j, s := range r {
			if !utf8.ValidString(s) {
				return fmt.Errorf("row %d column %d is not valid UTF-8", i, j)
			}
		}
	}
	if t.HeaderRows < 0 || t.HeaderRows > rows {
		return fmt.Errorf("header_rows %d outside 0-%d", t.HeaderRows, rows)
	}
	covered := make([]bool, rows*cols)
	for _, c := range t.Cells {
		if c.Row < 0 || c.Col < 0 || c.RowSpan < 1 || c.ColSpan < 1 ||
			c.Row+c.RowSpan > rows || c.Col+c.ColSpan > cols {
			return fmt.Errorf("cell at row %d column %d spanning %dx%d is outside the %dx%d grid",
				c.Row, c.Col, c.RowSpan, c.ColSpan, rows, cols)
		}
		for i := c.Row; i < c.Row+c.RowSpan; i++ {
			for j := c.Col; j < c.Col+c.ColSpan; j++ {
				if covered[i*cols+j] {
					return fmt.Errorf("cells overlap at row %d column %d", i, j)
				}
				covered[i*cols+j] = true
			}
		}
	}
	return nil
}

// TableHasText reports whether any position or cell of t holds text.
func TableHasText(t *folio.Table) bool {
	for _, r := range t.Rows {
		for _, s := range r {
			if HasText(s) {
				return true
			}
		}
	}
	for _, c := range t.Cells {
		if HasText(c.Text) {
			return true
		}
	}
	return false
}

// HasText reports whether s holds anything visible: a rune that is graphic
// and not a space.
func HasText(s string) bool {
	for _, r := range s {
		if unicode.IsGraphic(r) && !unicode.IsSpace(r) {
			return true
		}
	}
	return false
}
