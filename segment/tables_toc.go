package segment

import (
	"math"
	"strconv"
	"strings"

	"github.com/folio/folio"
)

// A contents list is a few rows, most with dot leaders, whose entries
// may wrap.
const (
	maxWrappedEntryLines = 2 // lines an entry may run over before its page number
	minContentsRows      = 3 // fewer rows ending in numbers are not taken as a contents list
	leaderRowsDivisor    = 2 // at least 1/this (half) of the rows need dot leaders, unless pageColumn
)

// findContents finds a table of contents: a run of lines that end in a
// page number after a leader of dots or a wide gap. It becomes a
// two-column table (entry, page), the way layout models label it; an
// entry wrapped over two lines is one row.
func (d *doc) findContents(pg *page) []*item {
	lines := pg.freeLines()
	var out []*item
	for i := 0; i < len(lines); {
		type row struct {
			entry []*word
			page  *word
			lines []*line
		}
		var rows []row
		var pending []*line
		leaders := 0
		j := i
		for ; j < len(lines); j++ {
			entry, pnum, dots, ok := contentsLine(lines[j])
			if !ok {
				// A wrapped entry: at most two lines without a number.
				if len(rows) == 0 || len(pending) >= maxWrappedEntryLines || !hasLetter(lines[j].text) {
					break
				}
				pending = append(pending, lines[j])
				continue
			}
			var all []*word
			for _, p := range pending {
				all = append(all, p.logical()...)
			}
			if dots {
				leaders++
			}
			rows = append(rows, row{entry: append(all, entry...), page: pnum, lines: append(pending, lines[j])})
			pending = nil
		}
		// Most lines need dot leaders: a wide gap before a number is also
		// how a table's last column looks.
		pages := make([]*word, len(rows))
		for r := range rows {
			pages[r] = rows[r].page
		}
		if len(rows) < minContentsRows || (leaders*leaderRowsDivisor < len(rows) && !pageColumn(pages)) {
			i++
			continue
		}
		t := &folio.Table{Rows: make([][]string, len(rows)), Contents: true}
		var box folio.Box
		for r, rw := range rows {
			var entry strings.Builder
			for k, w := range rw.entry {
				if k > 0 {
					entry.WriteByte(' ')
				}
				entry.WriteString(w.Text)
			}
			t.Rows[r] = []string{entry.String(), rw.page.Text}
			var rb folio.Box
			for _, l := range rw.lines {
				rb = rb.Union(l.box)
				for _, w := range l.words {
					w.used = true
				}
			}
			box = box.Union(rb)
			t.Cells = append(t.Cells,
				folio.Cell{Row: r, Col: 0, RowSpan: 1, ColSpan: 1, Text: t.Rows[r][0], Box: unionBoxes(wordBoxes(rw.entry)...).Rounded()},
				folio.Cell{Row: r, Col: 1, RowSpan: 1, ColSpan: 1, Text: t.Rows[r][1], Box: rw.page.Box.Rounded()},
			)
		}
		it := &item{typ: folio.TableType, layer: folio.LayerBody, page: pg.num, box: box, table: t, tev: &tableEvidence{kind: contentsTable}}
		it.text = tableText(t)
		out = append(out, it)
		i = j
	}
	return out
}

// Without dot leaders, a contents list is told from a table's last column
// by its page numbers: enough of them, right-aligned, never decreasing.
const (
	minGapContentsRows = 5   // fewer aligned numbers may be any table's column
	pageAlignTol       = 1.5 // points the right edges of page numbers may differ
	minDistinctPages   = 0.6 // share of entries that start on a new page
)

// pageColumn reports whether the page numbers of a run of contents lines
// without leaders read as page numbers: right-aligned and in order.
func pageColumn(pages []*word) bool {
	if len(pages) < minGapContentsRows {
		return false
	}
	prev, distinct := -1, 0
	for _, w := range pages {
		n, err := strconv.Atoi(w.Text)
		if err != nil {
			return false
		}
		if n < prev || math.Abs(w.Box[2]-pages[0].Box[2]) > pageAlignTol {
			return false
		}
		if n > prev {
			distinct++
		}
		prev = n
	}
	// Chapters move on through the book; a column of 0s and 1s is data.
	return float64(distinct) >= minDistinctPages*float64(len(pages))
}

// A contents line is an entry and a page number, set apart by a leader
// of dots or by a wide gap.
const (
	minContentsWords    = 2 // an entry word and a page number word
	maxPageNumberDigits = 4 // longer numbers are not page numbers
	ellipsisDots        = 3 // dots counted for an entry word ending in "..."
	minLeaderDots       = 3 // dots that make a leader; with fewer, the number needs a wide gap
	minPageNumberGap    = 3 // font sizes between entry and page number when there is no leader
)

// contentsLine splits a contents line into its entry words and its page
// number word.
func contentsLine(l *line) (entry []*word, page *word, dotted, ok bool) {
	ws := l.logical()
	if len(ws) < minContentsWords || l.rtl {
		return nil, nil, false, false
	}
	last := ws[len(ws)-1]
	num := strings.TrimLeft(last.Text, ".·…")
	if !(isDigits(num) && len(num) <= maxPageNumberDigits) && !(isRomanOnly(num) && romanRe.MatchString(num)) {
		return nil, nil, false, false
	}
	k := len(ws) - 1
	dots := 0
	for k > 0 && isLeader(ws[k-1].Text) {
		dots += len(ws[k-1].Text)
		k--
	}
	if strings.HasSuffix(ws[max(k-1, 0)].Text, "...") {
		dots += ellipsisDots
	}
	if dots < minLeaderDots && last.Box[0]-ws[len(ws)-2].Box[2] < minPageNumberGap*l.size {
		return nil, nil, false, false
	}
	if k == 0 || !hasLetter(ws[0].Text+ws[k-1].Text) {
		return nil, nil, false, false
	}
	entry = ws[:k]
	// Trailing dots glued to the entry's last word are leader too.
	if t := strings.TrimRight(entry[k-1].Text, ". "); t != entry[k-1].Text && t != "" && strings.HasSuffix(entry[k-1].Text, "..") {
		c := *entry[k-1]
		c.Text = t
		entry = append(append([]*word(nil), entry[:k-1]...), &c)
	}
	return entry, last, dots >= minLeaderDots, true
}

func isLeader(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r != '.' && r != '·' && r != '…' && r != '_' && r != '-' {
			return false
		}
	}
	return true
}
