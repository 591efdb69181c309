package segment

import (
	"math"
	"regexp"
	"sort"

	"github.com/folio/folio"
)

// Regions found between rules or by alignment become tables unless a
// table or figure already holds them, and a region between rules joins
// the region right above or below it when the two line up as one table.
const (
	takenTableShare    = 0.2 // share of a region's area an earlier table or figure may cover before the region counts as taken
	maxHeadBodyGap     = 2.5 // body sizes between a ruled region and the region it joins (a head over its body)
	minHeadBodyOverlap = 0.7 // share of the narrower region's width the two regions must overlap to join
)

// findTextTables finds tables whose columns are drawn by whitespace: the
// regions between horizontal rules that no vertical rule crosses
// (booktabs style), and runs of lines that split into aligned cells.
// Columns come from the vertical whitespace that most rows share.
func (d *doc) findTextTables(pg *page, ruled, figures []*item) []*item {
	var out []*item
	taken := func(b folio.Box) bool {
		for _, o := range append(append(append([]*item(nil), ruled...), figures...), out...) {
			if o.box.Intersect(b).Area() > takenTableShare*b.Area() {
				return true
			}
		}
		return false
	}
	type region struct {
		box     folio.Box
		ruled   bool
		members []folio.Box
		ruledM  []bool
	}
	var regs []region
	for _, r := range d.ruleRegions(pg) {
		regs = append(regs, region{r, true, []folio.Box{r}, []bool{true}})
	}
	for _, r := range d.alignedRegions(pg) {
		regs = append(regs, region{r, false, []folio.Box{r}, []bool{false}})
	}
	sort.SliceStable(regs, func(i, j int) bool { return regs[i].box[1] < regs[j].box[1] })
	// A header between rules and a body found by alignment, one right
	// under (or over) the other, are one table. Regions found by
	// alignment alone were kept apart on purpose and stay apart.
	var joined []region
	for _, r := range regs {
		if k := len(joined) - 1; k >= 0 {
			p := joined[k]
			gap := r.box[1] - p.box[3]
			if (p.ruled || r.ruled) && gap <= maxHeadBodyGap*d.bodySize && overlapX(p.box, r.box) >= minHeadBodyOverlap*math.Min(p.box.Width(), r.box.Width()) {
				joined[k] = region{p.box.Union(r.box), p.ruled || r.ruled, append(p.members, r.box), append(p.ruledM, r.ruled)}
				continue
			}
		}
		joined = append(joined, r)
	}
	for _, r := range joined {
		if !taken(r.box) {
			if it := d.textTable(pg, r.box, r.ruled); it != nil {
				out = append(out, it)
				continue
			}
		}
		found := false
		if len(r.members) > 1 {
			// The parts may still be tables on their own.
			for i, m := range r.members {
				if taken(m) {
					continue
				}
				if it := d.textTable(pg, m, r.ruledM[i]); it != nil {
					out = append(out, it)
					found = true
				}
			}
		}
		if !found && r.ruled && !taken(r.box) {
			d.refuseTable(pg, r.box)
		}
	}
	return out
}

// A table from whitespace needs at least two lines, rows and columns;
// its grid borders sit just outside the region and its rows.
const (
	textTableMinLines = 2   // lines a region must hold, before and after trimming titles and notes
	textTableMinRows  = 2   // rows left after merging wrapped lines; one row is a line, not a table
	textTableMinCols  = 2   // columns of the filled grid; one column is a list or prose
	unruledMinSeps    = 1   // least column separators for a region without rules; at 1 it asks no more than ruled regions
	textGridEdgePad   = 1   // points outside the region the outer column borders sit, so edge words fall inside
	textRowEdgePad    = 0.5 // points above the first row and below the last the outer row borders sit
)

// textTable builds a table from the words in region b, columns from
// shared whitespace, rows from lines. ruled regions (between rules) may
// have two columns; others need structure that prose cannot have.
func (d *doc) textTable(pg *page, b folio.Box, ruled bool) *item {
	ws := freeWordsIn(nil, pg.words, b)
	lines := buildLines(ws)
	if len(lines) < textTableMinLines || codeLike(ws) {
		return nil
	}
	size := medianSize(lines)
	lines, cutTop, cutBottom := trimTitles(lines, size)
	if len(lines) < textTableMinLines {
		return nil
	}
	ws = ws[:0]
	for _, l := range lines {
		ws = append(ws, l.words...)
	}
	seps := separators(lines, size)
	if len(seps) == 0 || (!ruled && len(seps) < unruledMinSeps) {
		return nil
	}
	xs := append([]float64{b[0] - textGridEdgePad}, seps...)
	xs = append(xs, b[2]+textGridEdgePad)
	rows := mergeHeads(mergeRows(lines, xs), xs)
	if len(rows) < textTableMinRows {
		return nil
	}
	ys := []float64{rows[0].box[1] - textRowEdgePad}
	for i := 1; i < len(rows); i++ {
		ys = append(ys, (rows[i-1].box[3]+rows[i].box[1])/2)
	}
	ys = append(ys, rows[len(rows)-1].box[3]+textRowEdgePad)
	g := newGrid(xs, ys)
	for r, rw := range rows {
		for i, w := range rw.words {
			for c := 1; c < len(xs)-1; c++ {
				if w.Box[0] < xs[c]-wordCrossTol && w.Box[2] > xs[c]+wordCrossTol {
					g.right[r][c-1] = true
				}
			}
			// A phrase whose words fall on both sides of a border spans
			// the columns between.
			if i > 0 && overlapY(rw.words[i-1].Box, w.Box) > phraseLineOverlap*w.h() && spaced(rw.words[i-1], w) {
				for c := colOf(rw.words[i-1], xs); c < colOf(w, xs); c++ {
					g.right[r][c] = true
				}
			}
		}
	}
	t, undo := g.fillTrial(ws, false)
	if t == nil || len(t.Rows) < textTableMinRows || len(t.Rows[0]) < textTableMinCols || (!ruled && !tableShaped(t)) || listLike(t) {
		undo()
		return nil
	}

	box := unionBoxes(wordBoxes(ws)...)
	if ruled {
		// The rules frame the table, except where a title or a note
		// above or below them was cut away.
		box[0], box[2] = math.Min(box[0], b[0]), math.Max(box[2], b[2])
		if !cutTop {
			box[1] = math.Min(box[1], b[1])
		}
		if !cutBottom {
			box[3] = math.Max(box[3], b[3])
		}
	}
	it := &item{typ: folio.TableType, layer: folio.LayerBody, page: pg.num, box: box, table: t}
	it.text = tableText(t)
	it.tev = &tableEvidence{kind: alignedTable, trimmed: cutTop || cutBottom}
	if ruled {
		it.tev.kind = rulesTable
	}
	return it
}

// freeWordsIn appends to dst the words of ws no element has taken whose
// centre lies in b.
func freeWordsIn(dst, ws []*word, b folio.Box) []*word {
	for _, w := range ws {
		if !w.used && b.Contains(w.cx(), w.cy()) {
			dst = append(dst, w)
		}
	}
	return dst
}

// noteRe matches the opening of a note under a table.
var noteRe = regexp.MustCompile(`^(?i:sources?|notes?|n\.b\.|abbreviations?)\b|^[*†‡§¶]`)

// A title or note line opens near the region's left edge, is in one
// piece, and is long; a title runs on over lines set close under it.
const (
	titleMaxIndent   = 2   // font sizes right of the region's left edge a title line may open
	titlePieceGap    = 1.0 // font sizes: a wider gap breaks a line into cells, so it is not a title
	titleMinWords    = 6   // words a line needs to read as a sentence rather than a column head
	titleMinWidth    = 0.5 // share of the region's width a sentence-like title line must span
	titleMaxLeading  = 0.5 // font sizes between a title's line and the next line that continues it
	titleRunMaxWidth = 0.7 // share of the region's width a title's continuation stays under (wider reads as table text)
)

// trimTitles cuts a table region's title lines from its top and its note
// lines from its bottom: lines in one piece that open at the region's
// left edge and read as a caption, a sentence or a note. Column heads
// and section labels are short or sit right of the first column.
func trimTitles(lines []*line, size float64) (kept []*line, top, bottom bool) {
	left := math.Inf(1)
	for _, l := range lines {
		left = math.Min(left, l.box[0])
	}
	var right float64
	for _, l := range lines {
		right = math.Max(right, l.box[2])
	}
	width := right - left
	title := func(l *line, note bool) bool {
		if l.box[0] > left+titleMaxIndent*size || len(splitLine(l, titlePieceGap)) > 1 {
			return false
		}
		if captionRe.MatchString(l.text) || (note && noteRe.MatchString(l.text)) {
			return true
		}
		n := len(l.words)
		return n >= titleMinWords && l.box.Width() >= titleMinWidth*width && !numeric(l.text)
	}
	i, j := 0, len(lines)
	for i < j && title(lines[i], false) {
		i++
	}
	// A title runs on over its lines until the heads start.
	// (A hanging indent sets them under the title's text.)
	for i > 0 && i < j && len(splitLine(lines[i], titlePieceGap)) == 1 &&
		lines[i].box[0] <= math.Max(left+titleMaxIndent*size, lines[i-1].box.CenterX()) && lines[i].box[0] >= lines[i-1].box[0]-size &&
		lines[i].box[1]-lines[i-1].box[3] < titleMaxLeading*size && !tabularLine(lines[i]) && lines[i].box.Width() < titleRunMaxWidth*width {
		i++
	}
	for j > i && title(lines[j-1], true) {
		j--
	}
	return lines[i:j], i > 0, j < len(lines)
}

func wordBoxes(ws []*word) []folio.Box {
	out := make([]folio.Box, len(ws))
	for i, w := range ws {
		out[i] = w.Box
	}
	return out
}

func medianSize(ls []*line) float64 {
	v := make([]float64, len(ls))
	for i, l := range ls {
		v[i] = l.size
	}
	return median(v)
}
