package local

import (
	"cmp"
	"context"
	"html"
	"slices"
	"strconv"
	"strings"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
)

// maxGrid bounds the grid positions of a table the specialist will build.
const maxGrid = 1 << 20

// Table is the "local/table" specialist: it validates and normalises a
// table's grid and renders it as HTML. Rows become rectangular, cell text is
// cleaned as by Text, Cells and Rows are made to agree (a cell's text at its
// top-left position, the positions it spans empty), header_rows is brought
// within range and widened to whole row spans, and HTML is built with
// <thead> and <tbody> and the cells' rowspan and colspan.
type Table struct{}

var _ route.Specialist = Table{}

// Name returns "local/table".
func (Table) Name() string { return "local/table" }

// Run returns the element's normalised table, and its cleaned text if any.
func (Table) Run(_ context.Context, t route.Task) (route.Result, error) {
	res := route.Result{USDMicros: free()}
	if t.Element.Table == nil {
		return res, route.Errorf(folio.ClassInput, "element has no table")
	}
	tb, err := normalizeTable(t.Element.Table)
	if err != nil {
		return res, err
	}
	tb.HTML = HTML(tb)
	res.Table = tb
	if t.Element.Text != "" {
		s := cleanText(t.Element.Text)
		res.Text = &s
	}
	return res, nil
}

// normalizeTable returns a normalised copy of in. Cells are authoritative:
// they may widen the grid, their text replaces the grid's at their top-left
// position, and text found at a position a cell spans is appended to the
// cell's rather than lost. Overlapping cells are an error of class input.
func normalizeTable(in *folio.Table) (*folio.Table, error) {
	rows, cols := len(in.Rows), 0
	for _, r := range in.Rows {
		cols = max(cols, len(r))
	}
	for _, c := range in.Cells {
		if c.Row < 0 || c.Col < 0 || c.Row >= maxGrid || c.Col >= maxGrid {
			return nil, route.Errorf(folio.ClassInput, "cell at row %d column %d is outside any grid", c.Row, c.Col)
		}
		rows, cols = max(rows, c.Row+1), max(cols, c.Col+1)
	}
	if rows == 0 || cols == 0 {
		return nil, route.Errorf(folio.ClassInput, "table has no cells")
	}
	if rows*cols > maxGrid {
		return nil, route.Errorf(folio.ClassInput, "table of %dx%d is too large", rows, cols)
	}

	grid := make([]string, rows*cols)
	for i, r := range in.Rows {
		for j, s := range r {
			grid[i*cols+j] = cleanText(s)
		}
	}
	cells := slices.Clone(in.Cells)
	slices.SortStableFunc(cells, func(a, b folio.Cell) int {
		return cmp.Or(cmp.Compare(a.Row, b.Row), cmp.Compare(a.Col, b.Col))
	})
	taken := make([]bool, rows*cols)
	for k := range cells {
		c := &cells[k]
		c.RowSpan = min(max(c.RowSpan, 1), rows-c.Row)
		c.ColSpan = min(max(c.ColSpan, 1), cols-c.Col)
		text := cleanText(c.Text)
		if text == "" {
			text = grid[c.Row*cols+c.Col]
		}
		for i := c.Row; i < c.Row+c.RowSpan; i++ {
			for j := c.Col; j < c.Col+c.ColSpan; j++ {
				p := i*cols + j
				if taken[p] {
					return nil, route.Errorf(folio.ClassInput, "cells overlap at row %d column %d", i, j)
				}
				taken[p] = true
				if s := grid[p]; s != "" && s != text && (i != c.Row || j != c.Col) {
					text = strings.TrimSpace(text + " " + s)
				}
				grid[p] = ""
			}
		}
		grid[c.Row*cols+c.Col] = text
		c.Text = text
	}

	// A header cell spanning rows makes all of them header rows: HTML row
	// spans do not cross from <thead> into <tbody>.
	head := min(max(in.HeaderRows, 0), rows)
	for _, c := range cells {
		if c.Row < head {
			head = max(head, c.Row+c.RowSpan)
		}
	}
	for k := range cells {
		cells[k].Header = cells[k].Header || cells[k].Row < head
	}

	out := &folio.Table{Rows: make([][]string, rows), HeaderRows: head, Ruled: in.Ruled, Contents: in.Contents}
	for i := range rows {
		out.Rows[i] = grid[i*cols : (i+1)*cols : (i+1)*cols]
	}
	if len(cells) > 0 {
		out.Cells = cells
	}
	return out, nil
}

// HTML renders a normalised table (a rectangular, non-empty grid whose
// Cells are consistent with it), as local/table and model providers output it: header rows in <thead> as <th>,
// the rest in <tbody>, header cells there as <th> too, spans as attributes,
// text HTML-escaped.
func HTML(t *folio.Table) string {
	rows, cols := len(t.Rows), len(t.Rows[0])
	// anchor holds k+1 at cell k's top-left position, -1 where a cell
	// spans, 0 for a position without a cell of its own.
	anchor := make([]int, rows*cols)
	for k, c := range t.Cells {
		for i := c.Row; i < c.Row+c.RowSpan; i++ {
			for j := c.Col; j < c.Col+c.ColSpan; j++ {
				anchor[i*cols+j] = -1
			}
		}
		anchor[c.Row*cols+c.Col] = k + 1
	}
	var b strings.Builder
	b.WriteString("<table>")
	for i, row := range t.Rows {
		switch i {
		case 0:
			if t.HeaderRows > 0 {
				b.WriteString("<thead>")
				break
			}
			b.WriteString("<tbody>")
		case t.HeaderRows:
			b.WriteString("</thead><tbody>")
		}
		b.WriteString("<tr>")
		for j, text := range row {
			a := anchor[i*cols+j]
			if a < 0 {
				continue
			}
			tag, rs, cs := "td", 1, 1
			if i < t.HeaderRows {
				tag = "th"
			}
			if a > 0 {
				c := t.Cells[a-1]
				rs, cs = c.RowSpan, c.ColSpan
				if c.Header {
					tag = "th"
				}
			}
			b.WriteString("<" + tag)
			if rs > 1 {
				b.WriteString(` rowspan="` + strconv.Itoa(rs) + `"`)
			}
			if cs > 1 {
				b.WriteString(` colspan="` + strconv.Itoa(cs) + `"`)
			}
			b.WriteString(">" + html.EscapeString(text) + "</" + tag + ">")
		}
		b.WriteString("</tr>")
	}
	if t.HeaderRows < rows {
		b.WriteString("</tbody>")
	} else {
		b.WriteString("</thead>")
	}
	b.WriteString("</table>")
	return b.String()
}
