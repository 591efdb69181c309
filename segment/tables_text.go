package segment

import (
	"math"
	"sort"
	"strings"
	"unicode"

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
	// under the other, are one table.
	var joined []region
	for _, r := range regs {
		if k := len(joined) - 1; k >= 0 {
			p := joined[k]
			gap := r.box[1] - p.box[3]
			if gap <= 2.5*d.bodySize && gap > -0.5*r.box.Height() && overlapX(p.box, r.box) >= 0.7*math.Min(p.box.Width(), r.box.Width()) {
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
		if len(r.members) == 1 {
			continue
		}
		// The parts may still be tables on their own.
		for i, m := range r.members {
			if taken(m) {
				continue
			}
			if it := d.textTable(pg, m, r.ruledM[i]); it != nil {
				out = append(out, it)
			}
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
			if a.pos-last.pos > 400 {
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

// alignedRegions finds runs of at least three lines that break into
// several short cells at wide gaps: the shape of a table without rules.
// Prose in columns breaks into two long pieces per line and never
// qualifies.
func (d *doc) alignedRegions(pg *page) []folio.Box {
	var ws []*word
	for _, w := range pg.words {
		if !w.used {
			ws = append(ws, w)
		}
	}
	lines := buildLines(ws)
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
		for j < len(lines) {
			if tabular[j] {
				// Rows of one table sit close together.
				if j > last && lines[j].box[1]-lines[last].box[3] > 2.5*lines[j].size {
					break
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
		// its width, not a caption or a sentence.
		for k, m := r.first-1, 0; k >= 0 && m < 4; k, m = k-1, m+1 {
			l := lines[k]
			if b[1]-l.box[3] > 1.5*l.size || l.box[0] < b[0]-5 || l.box[2] > b[2]+5 || captionRe.MatchString(l.text) || endsSentence(l.text) || len(l.words) > 16 {
				break
			}
			b = b.Union(l.box)
		}
		// A header block found as a table of its own sits right on top.
		if k := len(out) - 1; k >= 0 && b[1]-out[k][3] <= 2.5*lines[r.first].size &&
			overlapX(out[k], b) >= 0.7*math.Min(out[k].Width(), b.Width()) {
			out[k] = out[k].Union(b)
			continue
		}
		out = append(out, b)
	}
	return out
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
	return n > 0 && mono*10 >= n*6 && punct*5 >= n && nums*10 < n*3
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
	seps := separators(lines, b, size)
	if len(seps) == 0 || (!ruled && len(seps) < 1) {
		return nil
	}
	xs := append([]float64{b[0] - 1}, seps...)
	xs = append(xs, b[2]+1)
	rows := mergeRows(lines, xs)
	if len(rows) < 2 {
		return nil
	}
	ys := []float64{math.Min(b[1], rows[0].box[1]) - 0.5}
	for i := 1; i < len(rows); i++ {
		ys = append(ys, (rows[i-1].box[3]+rows[i].box[1])/2)
	}
	ys = append(ys, math.Max(b[3], rows[len(rows)-1].box[3])+0.5)
	g := newGrid(xs, ys)
	for r, rw := range rows {
		for _, w := range rw.words {
			for c := 1; c < len(xs)-1; c++ {
				if w.Box[0] < xs[c]-0.5 && w.Box[2] > xs[c]+0.5 {
					g.right[r][c-1] = true
				}
			}
		}
	}
	t := g.fillDry(ws)
	if t == nil || len(t.Rows) < 2 || len(t.Rows[0]) < 2 {
		return nil
	}
	if !ruled && !tableShaped(t) {
		return nil
	}
	t = g.fill(ws, false)
	it := &item{typ: folio.TableType, layer: folio.LayerBody, page: pg.num, box: g.box().Intersect(unionBoxes(wordBoxes(ws)...)), table: t}
	if ruled {
		it.box = unionBoxes(b, it.box)
	}
	it.text = tableText(t)
	it.conf = 0.35 + 0.3*filledRatio(t)
	if ruled {
		it.conf += 0.1
	}
	return it
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
// region that few lines cross. Lines that span columns (group headers,
// notes) may cross; most may not.
func separators(lines []*line, b folio.Box, size float64) []float64 {
	x0 := math.Floor(b[0])
	n := int(math.Ceil(b[2]-x0)) + 1
	if n <= 2 || n > 5000 {
		return nil
	}
	cnt := make([]int, n)
	occupied := make([]bool, n)
	for _, l := range lines {
		seen := make([]bool, n)
		for _, w := range l.words {
			a := max(0, int(w.Box[0]-x0))
			e := min(n-1, int(math.Ceil(w.Box[2]-x0)))
			for k := a; k <= e; k++ {
				if !seen[k] {
					seen[k] = true
					cnt[k]++
				}
				occupied[k] = true
			}
		}
	}
	thr := len(lines) / 8
	first, last := -1, -1
	for k := range n {
		if occupied[k] {
			if first < 0 {
				first = k
			}
			last = k
		}
	}
	var out []float64
	minGap := int(math.Max(0.6*size, 3))
	for k := first; k <= last; {
		if cnt[k] > thr {
			k++
			continue
		}
		j := k
		best, bestK := math.MaxInt, k
		for j <= last && cnt[j] <= thr {
			if cnt[j] < best {
				best, bestK = cnt[j], j
			}
			j++
		}
		if j-k >= minGap && j <= last {
			// The middle of the emptiest stretch.
			e := bestK
			for e+1 < j && cnt[e+1] == best {
				e++
			}
			out = append(out, x0+float64(bestK+e)/2)
		}
		k = j
	}
	return out
}

// mergeRows joins lines that continue the cells of the line above (text
// wrapped inside its cells) into one row.
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
	var out []*line
	for _, l := range lines {
		if n := len(out); n > 0 {
			prev := out[n-1]
			pc, lc := cols(prev), cols(l)
			gap := l.box[1] - prev.box[3]
			// A wrapped cell: the new line starts in lower case, fills no
			// column the line above left empty, and follows closely.
			first := l.logical()[0].Text
			r := []rune(first)
			subset := true
			for c := range lc {
				if !pc[c] {
					subset = false
				}
			}
			if subset && gap < 0.5*l.size && len(r) > 0 && unicode.IsLower(r[0]) && !pc[0] == !lc[0] {
				merged := append(append([]*word(nil), prev.words...), l.words...)
				nl := newLine(merged)
				nl.box = prev.box.Union(l.box)
				out[n-1] = &line{words: merged, box: nl.box, size: nl.size, text: nl.text, wideGap: -1}
				continue
			}
		}
		out = append(out, l)
	}
	return out
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
