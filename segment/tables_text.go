package segment

import (
	"cmp"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/folio/folio"
)

// findTextTables finds tables whose columns are drawn by whitespace: the
// regions between horizontal rules that no vertical rule crosses
// (booktabs style), and runs of lines that split into aligned cells.
// Columns come from the vertical whitespace that most rows share.
func (d *doc) findTextTables(pg *page, ruled, figures []*item) []*item {
	var out []*item
	taken := func(b folio.Box) bool {
		for _, o := range append(append(append([]*item(nil), ruled...), figures...), out...) {
			if o.box.Intersect(b).Area() > 0.2*b.Area() {
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
			if (p.ruled || r.ruled) && gap <= 2.5*d.bodySize && overlapX(p.box, r.box) >= 0.7*math.Min(p.box.Width(), r.box.Width()) {
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

// ruleRegions returns the boxes between stacked horizontal rules of about
// the same extent, with text between them.
func (d *doc) ruleRegions(pg *page) []folio.Box {
	tol := d.opt.RulingTolerance
	hs, _ := pageSegments(pg, tol)
	var long []seg
	for _, h := range hs {
		if h.len() >= 60 {
			long = append(long, h)
		}
	}
	sort.Slice(long, func(i, j int) bool { return long[i].pos < long[j].pos })
	if len(long) < 2 {
		return nil
	}
	lines := pg.freeLines()
	used := make([]bool, len(long))
	var out []folio.Box
	for i := range long {
		if used[i] {
			continue
		}
		grp := []seg{long[i]}
		used[i] = true
		for j := i + 1; j < len(long); j++ {
			if used[j] {
				continue
			}
			last := grp[len(grp)-1]
			a, b := long[j], long[i]
			ov := math.Min(a.b, b.b) - math.Max(a.a, b.a)
			if ov < 0.8*math.Max(a.len(), b.len()) {
				continue
			}
			if a.pos-last.pos > 400 || proseBetween(lines, last, a) {
				break
			}
			grp = append(grp, a)
			used[j] = true
		}
		if len(grp) < 2 {
			continue
		}
		x0, x1 := grp[0].a, grp[0].b
		for _, g := range grp {
			x0, x1 = math.Min(x0, g.a), math.Max(x1, g.b)
		}
		out = append(out, folio.Box{x0, grp[0].pos, x1, grp[len(grp)-1].pos})
	}
	return out
}

// proseBetween reports whether the text between two stacked rules reads
// as running text or a caption, which no table holds between its rules:
// the rules belong to two tables, or frame a text box.
func proseBetween(lines []*line, top, bottom seg) bool {
	x0, x1 := math.Max(top.a, bottom.a), math.Min(top.b, bottom.b)
	width := x1 - x0
	long := 0
	for _, l := range lines {
		if l.box.CenterY() <= top.pos || l.box.CenterY() >= bottom.pos || l.box[2] < x0 || l.box[0] > x1 {
			continue
		}
		if captionRe.MatchString(l.text) {
			return true
		}
		if len(l.words) >= 8 && l.box.Width() >= 0.6*width && len(splitLine(l, 1.0)) == 1 {
			long++
		}
	}
	return long >= 2
}

// alignedRegions finds runs of at least three lines that break into
// several short cells at wide gaps: the shape of a table without rules.
// Prose in columns breaks into two long pieces per line and never
// qualifies.
func (d *doc) alignedRegions(pg *page) []folio.Box {
	lines := besideProse(pg.freeLines())
	tabular := make([]bool, len(lines))
	for i, l := range lines {
		tabular[i] = tabularLine(l)
	}
	type run struct{ first, last int }
	var runs []run
	for i := 0; i < len(lines); {
		if !tabular[i] {
			i++
			continue
		}
		j, n := i, 0
		last := i
		var gaps []float64
		for j < len(lines) {
			gap := lines[j].box[1] - lines[last].box[3]
			// Rows of one table sit close together; a blank line after
			// evenly spaced rows ends the table.
			if j > last && (gap > 2.5*lines[j].size || blankGap(gap, gaps, lines[j].size)) {
				break
			}
			if tabular[j] {
				if j > last {
					gaps = append(gaps, gap)
				}
				n++
				last = j
			} else if j-last > 1 {
				break
			}
			j++
		}
		if n >= 2 {
			runs = append(runs, run{i, last})
		}
		i = last + 1
	}
	// Section labels ("Sex", "Race") split a table into runs; join runs
	// of the same width when only short single-piece lines part them.
	var merged []run
	for _, r := range runs {
		if k := len(merged) - 1; k >= 0 {
			p := merged[k]
			a, b := spanBox(lines, p.first, p.last), spanBox(lines, r.first, r.last)
			ok := overlapX(a, b) >= 0.7*math.Min(a.Width(), b.Width()) && b[1]-a[3] <= 5*lines[r.first].size && r.first-p.last <= 4
			var gaps []float64
			for m := p.first + 1; m <= p.last; m++ {
				gaps = append(gaps, lines[m].box[1]-lines[m-1].box[3])
			}
			for m := p.last + 1; ok && m <= r.first; m++ {
				if blankGap(lines[m].box[1]-lines[m-1].box[3], gaps, lines[m].size) {
					ok = false
				}
			}
			for m := p.last + 1; ok && m < r.first; m++ {
				if len(splitLine(lines[m], 1.0)) > 1 || len(lines[m].words) > 6 || lines[m].box[0] < math.Min(a[0], b[0])-5 || lines[m].box[2] > math.Max(a[2], b[2])+5 {
					ok = false
				}
			}
			if ok {
				merged[k].last = r.last
				continue
			}
		}
		merged = append(merged, r)
	}
	var out []folio.Box
	for _, r := range merged {
		if r.last-r.first+1 < 3 {
			continue
		}
		b := spanBox(lines, r.first, r.last)
		// Header lines above the first aligned row: close above it, within
		// its width, not a sentence. A caption ends the head, and the
		// lines it runs on over are no head either.
		var heads []int
		top := b[1]
		for k, m := r.first-1, 0; k >= 0 && m < 4; k, m = k-1, m+1 {
			l := lines[k]
			gap := top - l.box[3]
			// Across a blank line, a row of another table.
			if gap > 1.5*l.size || (gap > 0.8*l.size && (m > 0 || tabular[k])) {
				break
			}
			caption := captionRe.MatchString(l.text)
			if !caption && (l.box[0] < b[0]-5 || l.box[2] > b[2]+5 || endsSentence(l.text) || len(l.words) > 16) {
				break
			}
			if caption {
				// The caption's run-on lines follow it closely, down to
				// the first wider gap.
				cut := len(heads)
				for i := len(heads) - 1; i >= 0; i-- {
					above := l
					if i < len(heads)-1 {
						above = lines[heads[i+1]]
					}
					if lines[heads[i]].box[1]-above.box[3] > 0.4*l.size || tabular[heads[i]] {
						break
					}
					cut = i
				}
				heads = heads[:cut]
				break
			}
			heads = append(heads, k)
			top = l.box[1]
		}
		for _, k := range heads {
			b = b.Union(lines[k].box)
		}
		// A header block found as a table of its own sits right on top.
		if k := len(out) - 1; k >= 0 && b[1]-out[k][3] <= 0.8*lines[r.first].size &&
			overlapX(out[k], b) >= 0.7*math.Min(out[k].Width(), b.Width()) {
			out[k] = out[k].Union(b)
			continue
		}
		out = append(out, b)
	}
	return out
}

// besideProse takes a column of running text off the lines of a page,
// where a table set beside the column shares its baselines: once three
// or more lines hold prose of about one width beside other text, every
// piece of text on the prose's side of its edge goes, short lines of the
// prose included. Long labels in a table's first column vary in width
// and stay; pages without such a column come back unchanged.
func besideProse(lines []*line) []*line {
	var right, left []*line // prose pieces right, left of other text
	split := make([][]*line, len(lines))
	for i, l := range lines {
		split[i] = splitLine(l, 1.5)
	}
	for _, parts := range split {
		if len(parts) < 2 {
			continue
		}
		for i, p := range parts {
			if !isProse(p) {
				continue
			}
			if i > 0 && !isProse(parts[i-1]) {
				right = append(right, p)
			}
			if i+1 < len(parts) && !isProse(parts[i+1]) {
				left = append(left, p)
			}
		}
	}
	xr, xl := math.Inf(1), math.Inf(-1)
	if x, ok := proseEdge(right, false); ok {
		xr = x - 2
	}
	if x, ok := proseEdge(left, true); ok {
		xl = x + 2
	}
	if math.IsInf(xr, 1) && math.IsInf(xl, -1) {
		return lines
	}
	out := make([]*line, 0, len(lines))
	for i, l := range lines {
		parts := split[i]
		var keep []*word
		dropped := false
		for _, p := range parts {
			if p.box[0] >= xr || p.box[2] <= xl {
				dropped = true
				continue
			}
			keep = append(keep, p.words...)
		}
		switch {
		case !dropped:
			out = append(out, l)
		case len(keep) > 0:
			out = append(out, newLine(keep))
		}
	}
	return out
}

// proseEdge returns the inner edge of a column of prose pieces (the left
// edge of a column right of a table, the right edge of one left of it):
// three or more pieces, most about as wide as the widest.
func proseEdge(ps []*line, leftCol bool) (float64, bool) {
	if len(ps) < 3 {
		return 0, false
	}
	wide := 0.0
	for _, p := range ps {
		wide = math.Max(wide, p.box.Width())
	}
	var edges []float64
	for _, p := range ps {
		if p.box.Width() >= 0.8*wide {
			if leftCol {
				edges = append(edges, p.box[2])
			} else {
				edges = append(edges, p.box[0])
			}
		}
	}
	if len(edges)*10 < len(ps)*6 || len(edges) < 3 {
		return 0, false
	}
	// The column's edge: most of its lines reach it, indented ones not.
	sort.Float64s(edges)
	if leftCol {
		return edges[len(edges)*3/4], true
	}
	return edges[len(edges)/4], true
}

// isProse reports whether a piece of a line is running text: many words
// or many letters, not a number.
func isProse(p *line) bool {
	if numeric(p.text) || len(p.words) < 4 {
		return false
	}
	letters := 0
	for _, r := range p.text {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return len(p.words) >= 8 || letters >= 35
}

// blankGap reports whether gap, after rows spaced by gaps, is a blank
// line: wider than most of a line and than thrice the usual gap.
func blankGap(gap float64, gaps []float64, size float64) bool {
	if len(gaps) < 2 {
		return false
	}
	med := median(append([]float64(nil), gaps...))
	return gap > 0.8*size && gap > 3*math.Max(med, 0.5)
}

func spanBox(lines []*line, first, last int) folio.Box {
	var b folio.Box
	for k := first; k <= last; k++ {
		b = b.Union(lines[k].box)
	}
	return b
}

// tabularLine reports whether a line splits into cells: three or more
// pieces at wide gaps, or two where the second is a short number-like
// value.
func tabularLine(l *line) bool {
	parts := splitLine(l, 1.0)
	for _, p := range parts {
		// A cell of running text is prose beside something else.
		if len(p.words) > 8 {
			return false
		}
	}
	if len(parts) >= 3 {
		short := 0
		for _, p := range parts {
			if len(p.words) <= 4 {
				short++
			}
		}
		return short*3 >= len(parts)*2
	}
	if len(parts) == 2 {
		return len(parts[1].words) <= 3 && numeric(parts[1].text)
	}
	return false
}

// codeLike reports whether words read as program code: mostly in a
// fixed-pitch font, with code punctuation and few numbers. A framed
// listing is not a table; a table set in Courier is.
func codeLike(ws []*word) bool {
	var mono, punct, nums int
	for _, w := range ws {
		if w.Mono {
			mono++
		}
		if strings.ContainsAny(w.Text, "{}();=<>[]") {
			punct++
		}
		if numeric(w.Text) {
			nums++
		}
	}
	n := len(ws)
	return n > 0 && mono*10 >= n*6 && (punct*5 >= n || mono*10 >= n*9) && nums*10 < n*3
}

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

// textTable builds a table from the words in region b, columns from
// shared whitespace, rows from lines. ruled regions (between rules) may
// have two columns; others need structure that prose cannot have.
func (d *doc) textTable(pg *page, b folio.Box, ruled bool) *item {
	var ws []*word
	for _, w := range pg.words {
		if !w.used && b.Contains(w.cx(), w.cy()) {
			ws = append(ws, w)
		}
	}
	lines := buildLines(ws)
	if len(lines) < 2 || codeLike(ws) {
		return nil
	}
	size := medianSize(lines)
	lines, cutTop, cutBottom := trimTitles(lines, size)
	if len(lines) < 2 {
		return nil
	}
	ws = ws[:0]
	for _, l := range lines {
		ws = append(ws, l.words...)
	}
	seps := separators(lines, size)
	if len(seps) == 0 || (!ruled && len(seps) < 1) {
		return nil
	}
	xs := append([]float64{b[0] - 1}, seps...)
	xs = append(xs, b[2]+1)
	rows := mergeHeads(mergeRows(lines, xs), xs)
	if len(rows) < 2 {
		return nil
	}
	ys := []float64{rows[0].box[1] - 0.5}
	for i := 1; i < len(rows); i++ {
		ys = append(ys, (rows[i-1].box[3]+rows[i].box[1])/2)
	}
	ys = append(ys, rows[len(rows)-1].box[3]+0.5)
	g := newGrid(xs, ys)
	for r, rw := range rows {
		for i, w := range rw.words {
			for c := 1; c < len(xs)-1; c++ {
				if w.Box[0] < xs[c]-0.5 && w.Box[2] > xs[c]+0.5 {
					g.right[r][c-1] = true
				}
			}
			// A phrase whose words fall on both sides of a border spans
			// the columns between.
			if i > 0 && overlapY(rw.words[i-1].Box, w.Box) > 0.5*w.h() && spaced(rw.words[i-1], w) {
				for c := colOf(rw.words[i-1], xs); c < colOf(w, xs); c++ {
					g.right[r][c] = true
				}
			}
		}
	}
	t, undo := g.fillTrial(ws, false)
	if t == nil || len(t.Rows) < 2 || len(t.Rows[0]) < 2 || (!ruled && !tableShaped(t)) || listLike(t) {
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

// noteRe matches the opening of a note under a table.
var noteRe = regexp.MustCompile(`^(?i:sources?|notes?|n\.b\.|abbreviations?)\b|^[*†‡§¶]`)

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
		if l.box[0] > left+2*size || len(splitLine(l, 1.0)) > 1 {
			return false
		}
		if captionRe.MatchString(l.text) || (note && noteRe.MatchString(l.text)) {
			return true
		}
		n := len(l.words)
		return n >= 6 && l.box.Width() >= 0.5*width && !numeric(l.text)
	}
	i, j := 0, len(lines)
	for i < j && title(lines[i], false) {
		i++
	}
	// A title runs on over its lines until the heads start.
	// (A hanging indent sets them under the title's text.)
	for i > 0 && i < j && len(splitLine(lines[i], 1.0)) == 1 &&
		lines[i].box[0] <= math.Max(left+2*size, lines[i-1].box.CenterX()) && lines[i].box[0] >= lines[i-1].box[0]-size &&
		lines[i].box[1]-lines[i-1].box[3] < 0.5*size && !tabularLine(lines[i]) && lines[i].box.Width() < 0.7*width {
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

// separators returns x positions between columns: vertical strips of the
// region that few lines cross, at least a word space wide. Only lines
// that break into pieces at wide gaps vote: a line in one piece is a
// title, a section label or wrapped text, which may span columns. Of the
// voters, an eighth may cross a strip (spanning group heads).
func separators(lines []*line, size float64) []float64 {
	type ev struct {
		x float64
		d int
	}
	var evs []ev
	n := 0
	lo, hi := math.Inf(1), math.Inf(-1)
	mono := 0
	for _, l := range lines {
		if l.mono {
			mono++
		}
	}
	// A fixed-pitch table may part its columns by one space.
	minGap := math.Max(0.6*size, 3)
	if mono*2 > len(lines) {
		minGap = math.Max(0.45*size, 2.5)
	}
	var voters []*line
	for _, l := range lines {
		if len(l.words) < 2 || len(splitLine(l, minGap/math.Max(l.size, 1))) < 2 {
			continue
		}
		voters = append(voters, l)
		n++
		for i, w := range l.words {
			x0 := w.Box[0]
			// A leader ("0.99 .......") belongs to the label before it.
			if i > 0 && glyphRun(w.Text) {
				x0 = math.Min(x0, l.words[i-1].Box[2])
			}
			evs = append(evs, ev{x0, 1}, ev{w.Box[2], -1})
			lo, hi = math.Min(lo, x0), math.Max(hi, w.Box[2])
		}
	}
	if n == 0 {
		return nil
	}
	// Ends sort before starts at one x: words that touch leave no gap.
	slices.SortFunc(evs, func(a, b ev) int {
		if a.x != b.x {
			return cmpFloat(a.x, b.x)
		}
		return cmp.Compare(a.d, b.d)
	})
	thr := n / 8
	// Pieces of constant count between events, left to right.
	type piece struct {
		a, b float64
		cnt  int
	}
	var ps []piece
	cnt := 0
	for i, e := range evs {
		cnt += e.d
		if i+1 < len(evs) && evs[i+1].x > e.x {
			ps = append(ps, piece{e.x, evs[i+1].x, cnt})
		}
	}
	var out []float64
	for i := 0; i < len(ps); {
		if ps[i].cnt > thr {
			i++
			continue
		}
		j := i
		for j < len(ps) && ps[j].cnt <= thr {
			j++
		}
		a, b := ps[i].a, ps[j-1].b
		if a > lo && b < hi && (b-a >= minGap || (b-a >= math.Max(0.25*size, 1.5) && numbersFlank(voters, a, b))) {
			// The widest run at the stretch's lowest count holds the
			// separator.
			low := math.MaxInt
			for k := i; k < j; k++ {
				low = min(low, ps[k].cnt)
			}
			var ra, rb float64
			for k := i; k < j; {
				if ps[k].cnt != low {
					k++
					continue
				}
				m := k
				for m < j && ps[m].cnt == low {
					m++
				}
				if ps[m-1].b-ps[k].a > rb-ra {
					ra, rb = ps[k].a, ps[m-1].b
				}
				k = m
			}
			out = append(out, (ra+rb)/2)
		}
		i = j
	}
	return out
}

// hasNumber reports whether a line holds a word that is a number.
func hasNumber(l *line) bool {
	for _, w := range l.words {
		if numeric(w.Text) {
			return true
		}
	}
	return false
}

// glyphRun reports whether a word is a rule or a leader typed out in
// characters ("-----", "......"): drawing, not text.
func glyphRun(s string) bool { return len(s) >= 5 && isLeader(s) }

// numbersFlank reports whether a narrow strip [a, b] parts figures from
// figures: in most lines with words on both sides, the words that end
// before it and start after it are numbers. Dense tables of figures
// leave less than a word space between columns; words of text never
// line up so.
func numbersFlank(lines []*line, a, b float64) bool {
	both, nums := 0, 0
	for _, l := range lines {
		var left, right *word
		for _, w := range l.words {
			if w.Box[2] <= a+0.5 && (left == nil || w.Box[2] > left.Box[2]) {
				left = w
			}
			if w.Box[0] >= b-0.5 && (right == nil || w.Box[0] < right.Box[0]) {
				right = w
			}
		}
		if left == nil || right == nil || right.Box[0]-left.Box[2] > 3*(b-a)+2 {
			continue
		}
		both++
		if numeric(left.Text) && numeric(right.Text) {
			nums++
		}
	}
	return both >= 5 && nums*10 >= both*8
}

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
			case subset && gap < 0.5*l.size && unicode.IsLower(r) && !pc[0] == !lc[0] && (len(lc) < len(pc) || !hasNumber(l)):
				// (A row of figures opening in lower case, "total", is
				// a row of its own.)
				merge = true
			case disjoint && gap < 0:
				// Cells set off-baseline overlap the row's other cells;
				// heads stacked over each other do not.
				merge = true
			case len(lc) == 1 && lc[0] && pc[0] && !numeric(l.text) && gap < 0.5*l.size && gap < 0.5*med:
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
			if w.Box[0] < xs[k]-0.5 && w.Box[2] > xs[k]+0.5 {
				span = true
			}
		}
		if i > 0 && c != prevCol && overlapY(l.words[i-1].Box, w.Box) > 0.5*w.h() && spaced(l.words[i-1], w) {
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

// spaced reports whether b follows a on its line at an ordinary word
// space: one phrase, even when a column border runs between the words.
func spaced(a, b *word) bool {
	gap := b.Box[0] - a.Box[2]
	return gap < 0.35*math.Max(a.size(), b.size()) && math.Abs(a.size()-b.size()) < 1
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
		stacked := !span && b.box[1]-a.box[3] < 0.6*math.Min(a.size, b.size)
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
