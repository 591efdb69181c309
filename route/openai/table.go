package openai

import (
	"fmt"
	"strings"

	"github.com/folio/folio"
	"github.com/folio/folio/route/local"
)

// maxGrid bounds the positions of an answered table grid.
const maxGrid = 1 << 20

// toTable maps a table answer into a folio.Table: rows padded to the widest
// row, one cell per grid position (the answer lists only spanning cells),
// a spanning cell's text at its top-left position and the positions it
// covers empty (text the model put there is appended to the cell's), header
// cells marked, and HTML rendered. Cells outside the grid, overlapping
// cells and header_rows past the last row are errors.
func toTable(a tableAnswer) (*folio.Table, error) {
	rows, cols := len(a.Rows), 0
	for _, r := range a.Rows {
		cols = max(cols, len(r))
	}
	if rows == 0 || cols == 0 {
		return nil, fmt.Errorf("table has no cells")
	}
	if rows*cols > maxGrid {
		return nil, fmt.Errorf("table of %dx%d is too large", rows, cols)
	}
	if a.HeaderRows > rows {
		return nil, fmt.Errorf("header_rows %d is past the last row (%d rows)", a.HeaderRows, rows)
	}
	grid := make([][]string, rows)
	for i, r := range a.Rows {
		grid[i] = make([]string, cols)
		copy(grid[i], r)
	}
	// owner holds k+1 at every position cell k covers.
	owner := make([]int, rows*cols)
	for k, c := range a.Cells {
		if c.Row+c.RowSpan > rows || c.Col+c.ColSpan > cols {
			return nil, fmt.Errorf("cell at row %d column %d spanning %dx%d is outside the %dx%d grid",
				c.Row, c.Col, c.RowSpan, c.ColSpan, rows, cols)
		}
		for i := c.Row; i < c.Row+c.RowSpan; i++ {
			for j := c.Col; j < c.Col+c.ColSpan; j++ {
				if owner[i*cols+j] != 0 {
					return nil, fmt.Errorf("cells overlap at row %d column %d", i, j)
				}
				owner[i*cols+j] = k + 1
			}
		}
	}
	t := &folio.Table{Rows: grid, HeaderRows: a.HeaderRows}
	for i := range rows {
		for j := range cols {
			k := owner[i*cols+j]
			if k == 0 {
				t.Cells = append(t.Cells, folio.Cell{Row: i, Col: j, RowSpan: 1, ColSpan: 1,
					Text: grid[i][j], Header: i < a.HeaderRows})
				continue
			}
			c := a.Cells[k-1]
			if c.Row != i || c.Col != j {
				continue // covered: its text went to the cell's at the top-left
			}
			text := strings.TrimSpace(c.Text)
			if text == "" {
				text = strings.TrimSpace(grid[i][j])
			}
			parts, seen := []string{text}, map[string]bool{text: true}
			for ci := i; ci < i+c.RowSpan; ci++ {
				for cj := j; cj < j+c.ColSpan; cj++ {
					if s := strings.TrimSpace(grid[ci][cj]); s != "" && !seen[s] {
						parts, seen[s] = append(parts, s), true
					}
					grid[ci][cj] = ""
				}
			}
			text = strings.TrimSpace(strings.Join(parts, " "))
			grid[i][j] = text
			t.Cells = append(t.Cells, folio.Cell{Row: i, Col: j, RowSpan: c.RowSpan, ColSpan: c.ColSpan,
				Text: text, Header: i < a.HeaderRows})
		}
	}
	t.HTML = local.HTML(t)
	return t, nil
}
