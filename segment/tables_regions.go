package segment

import (
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/folio/folio"
)

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
