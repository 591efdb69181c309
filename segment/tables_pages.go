package segment

import (
	"math"
	"strings"

	"github.com/folio/folio"
)

// A table continued over a page break ends low on its page and goes on
// high on the next, a page of the same size.
const (
	pageSizeTol          = 1   // points two pages' widths or heights may differ and still be one size
	continuedTableEnd    = 0.5 // share of the page's height the table must end below: its lower half
	continuationTableTop = 0.5 // share of the next page's height the continuation must start above
)

// mergeContinued joins a table that runs over a page break: the last
// table of a page, with nothing but notes after it, and the first body
// element of the next page, a table with the same columns (within a few
// points), its head repeated or left out. The second table's rows follow
// the first's, a repeated head dropped; the element lists both pages'
// boxes in its regions. A caption over the continuation ("Table 1,
// continued") stays, pointing at the joined table.
func (d *doc) mergeContinued() {
	band := d.opt.FurnitureBand
	// carry is a joined table that also ends the page before q, and end
	// its box there: a table may run over many pages.
	var carry *item
	var end folio.Box
	for i := 0; i+1 < len(d.pages); i++ {
		p, q := d.pages[i], d.pages[i+1]
		a := lastTable(p, band)
		if a != nil {
			end = a.box
		}
		if carry != nil {
			a = carry
		}
		carry = nil
		if p.turn.angle != q.turn.angle || math.Abs(p.w-q.w) > pageSizeTol || math.Abs(p.h-q.h) > pageSizeTol {
			continue
		}
		b, capt := firstTable(q, band)
		if a == nil || b == nil || end[3] < continuedTableEnd*p.h || b.box[1] > continuationTableTop*q.h {
			continue
		}
		drop, ok := continuation(a.table, b.table)
		if !ok || !sameColumns(a.table, b.table, drop) {
			continue
		}
		if lastTable(q, band) == b {
			carry, end = a, b.box
		}
		if len(a.regions) == 0 {
			setPage(a.table, a.page)
		}
		appendRows(a.table, b.table, drop, b.page)
		a.text = tableText(a.table)
		if len(a.regions) == 0 {
			a.regions = []folio.PageBox{{Page: a.page, Box: a.box}}
		}
		a.regions = append(a.regions, folio.PageBox{Page: b.page, Box: b.box})
		if capt != nil {
			capt.captionOf = a
		}
		for k, it := range q.items {
			if it == b {
				q.items = append(q.items[:k:k], q.items[k+1:]...)
				break
			}
		}
		for _, it := range q.items {
			if it.parent == b {
				it.parent = a
			}
		}
	}
}

// maxTrailNoteWords bounds a one-line note that may follow a table to
// the end of its page ("Continued on next page"): longer lines are text.
const maxTrailNoteWords = 12

// lastTable returns the table that ends a page's body: after it only
// notes, footnotes, captions and furniture.
func lastTable(pg *page, band float64) *item {
	for k := len(pg.items) - 1; k >= 0; k-- {
		it := pg.items[k]
		if it.layer != folio.LayerBody || inBand(pg, it, band) {
			continue
		}
		switch {
		case it.typ == folio.TableType:
			return it
		case it.typ == folio.Footnote || it.typ == folio.Caption || noteRe.MatchString(it.text):
			continue
		case it.typ == folio.Paragraph && len(it.lines) == 1 && len(strings.Fields(it.text)) <= maxTrailNoteWords:
			// "See notes at end of table", "Continued on next page".
			continue
		}
		return nil
	}
	return nil
}

// firstTable returns the table that opens a page's body, with the caption
// over it if there is one; only a caption or a short line may come first.
func firstTable(pg *page, band float64) (*item, *item) {
	var capt *item
	for _, it := range pg.items {
		if it.layer != folio.LayerBody || inBand(pg, it, band) {
			continue
		}
		switch {
		case it.typ == folio.TableType:
			return it, capt
		case it.typ == folio.Caption && capt == nil:
			capt = it
			continue
		}
		return nil, nil
	}
	return nil, nil
}

// inBand reports whether a one-line text item sits in the page's top or
// bottom band, where running heads that were not recognised as such
// stand.
func inBand(pg *page, it *item, band float64) bool {
	if it.typ == folio.TableType || it.typ == folio.ImageType || len(it.lines) > 1 || pg.h <= 0 {
		return false
	}
	return it.box[3] <= band*pg.h || it.box[1] >= (1-band)*pg.h
}

// A repeated head matches the first table's column by column, most of
// the columns word for word (folded).
const (
	headMatchScale    = 10 // the share below is counted in tenths, in integers
	minSameHeadTenths = 7  // at least 7/10 of the column heads repeat a's; fewer is another table
)

// continuation reports whether table b can continue table a, and how many of
// b's leading rows repeat a's head. A head of its own that differs from
// a's starts another table.
func continuation(a, b *folio.Table) (int, bool) {
	if len(a.Rows) == 0 || len(b.Rows) == 0 || len(a.Rows[0]) != len(b.Rows[0]) {
		return 0, false
	}
	h := b.HeaderRows
	if h == 0 {
		return 0, true
	}
	if a.HeaderRows == 0 || len(b.Rows) <= h {
		return 0, false
	}
	// The repeated head may word its first column differently
	// ("Benchmarking systems" for "Education systems").
	same, all := 0, 0
	for c := 1; c < len(a.Rows[0]); c++ {
		ha, hb := colHead(a, a.HeaderRows, c), colHead(b, h, c)
		if ha == "" && hb == "" {
			continue
		}
		all++
		if ha == hb {
			same++
		}
	}
	return h, all > 0 && same*headMatchScale >= all*minSameHeadTenths
}

// colHead is the text of column c's head over the first h rows, folded.
func colHead(t *folio.Table, h, c int) string {
	var parts []string
	for r := range min(h, len(t.Rows)) {
		if c < len(t.Rows[r]) {
			parts = append(parts, t.Rows[r][c])
		}
	}
	return strings.ToLower(strings.Join(strings.Fields(strings.Join(parts, " ")), " "))
}

// Columns of a continued table stand where the first table's did, within
// a few points, or a small share of the width on wide tables.
const (
	minColumnShiftTol = 6    // points a column's edges may shift between pages
	columnShiftShare  = 0.03 // share of the table's width they may shift, when that is more
)

// sameColumns reports whether the columns of b (past its first skip rows)
// line up with a's: each column's left and right edges, taken from cells
// that span one column, within a few points.
func sameColumns(a, b *folio.Table, skip int) bool {
	ea, eb := colEdges(a, 0), colEdges(b, skip)
	if len(ea) != len(eb) {
		return false
	}
	// Facing pages shift the whole table; columns keep their places
	// relative to its left edge.
	left := func(es [][2]float64) (float64, float64) {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, e := range es {
			if !math.IsNaN(e[0]) {
				lo, hi = math.Min(lo, e[0]), math.Max(hi, e[1])
			}
		}
		return lo, hi - lo
	}
	la, width := left(ea)
	lb, _ := left(eb)
	tol := math.Max(minColumnShiftTol, columnShiftShare*width)
	for i := range ea {
		if math.IsNaN(ea[i][0]) || math.IsNaN(eb[i][0]) {
			continue
		}
		if math.Abs((ea[i][0]-la)-(eb[i][0]-lb)) > tol && math.Abs((ea[i][1]-la)-(eb[i][1]-lb)) > tol {
			return false
		}
	}
	return true
}

// colEdges returns each column's leftmost left edge and rightmost right
// edge over its one-column cells from row skip on; NaN where none.
func colEdges(t *folio.Table, skip int) [][2]float64 {
	n := len(t.Rows[0])
	out := make([][2]float64, n)
	for i := range out {
		out[i] = [2]float64{math.NaN(), math.NaN()}
	}
	for _, c := range t.Cells {
		if c.ColSpan != 1 || c.Row < skip || c.Col >= n {
			continue
		}
		e := &out[c.Col]
		if math.IsNaN(e[0]) || c.Box[0] < e[0] {
			e[0] = c.Box[0]
		}
		if math.IsNaN(e[1]) || c.Box[2] > e[1] {
			e[1] = c.Box[2]
		}
	}
	return out
}

// setPage marks the cells of t that have no page yet as on page p.
func setPage(t *folio.Table, p int) {
	for i := range t.Cells {
		if t.Cells[i].Page == 0 {
			t.Cells[i].Page = p
		}
	}
}

// appendRows adds b's rows past its first skip to a; they are on page p.
func appendRows(a, b *folio.Table, skip, p int) {
	off := len(a.Rows) - skip
	a.Rows = append(a.Rows, b.Rows[skip:]...)
	for _, c := range b.Cells {
		if c.Row < skip {
			continue
		}
		c.Row += off
		c.Header = false
		c.Page = p
		a.Cells = append(a.Cells, c)
	}
	a.Ruled = a.Ruled && b.Ruled
}
