package segment

import (
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/folio/folio"
)

// regionWideGap is shared by proseBetween, alignedRegions and tabularLine.
const regionWideGap = 1.0 // font sizes a gap between words must exceed to part two cells of a row

// Stacked rules bound a table region when they are long, about as wide as
// each other and not too far apart.
const (
	minRegionRules   = 2   // rules a region sits between: one above its text, one below
	minRegionRuleLen = 60  // points a horizontal rule must run to bound a table region
	ruleOverlapShare = 0.8 // share of the longer rule the two must overlap: rules of about the same extent
	maxRuleStackGap  = 400 // points between the rules of one region at most
)

// ruleRegions returns the boxes between stacked horizontal rules of about
// the same extent, with text between them.
func (d *doc) ruleRegions(pg *page) []folio.Box {
	tol := d.opt.RulingTolerance
	hs, _ := pageSegments(pg, tol)
	var long []seg
	for _, h := range hs {
		if h.len() >= minRegionRuleLen {
			long = append(long, h)
		}
	}
	sort.Slice(long, func(i, j int) bool { return long[i].pos < long[j].pos })
	if len(long) < minRegionRules {
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
			if ov < ruleOverlapShare*math.Max(a.len(), b.len()) {
				continue
			}
			if a.pos-last.pos > maxRuleStackGap || proseBetween(lines, last, a) {
				break
			}
			grp = append(grp, a)
			used[j] = true
		}
		if len(grp) < minRegionRules {
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

// Running text between two rules: long lines, most of the rules' width,
// not broken into cells.
const (
	minBetweenProseWords = 8   // words a line between rules needs to read as running text
	betweenProseWidth    = 0.6 // share of the rules' common width such a line spans at least
	minBetweenProseLines = 2   // such lines that make the text between rules prose
)

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
		if len(l.words) >= minBetweenProseWords && l.box.Width() >= betweenProseWidth*width && len(splitLine(l, regionWideGap)) == 1 {
			long++
		}
	}
	return long >= minBetweenProseLines
}

// Runs of tabular lines, the section labels that join them, and the header
// lines above them.
const (
	maxRowGapSizes       = 2.5 // font sizes between rows of one run at most: a wider gap parts tables
	maxRunSkip           = 1   // non-tabular lines in a row a run of rows may step over
	minAlignedRunRows    = 2   // tabular lines a run needs to be kept
	runJoinOverlap       = 0.7 // share of the narrower run the two runs must overlap to be joined
	maxRunJoinGap        = 5   // font sizes between two runs joined as one table at most
	maxRunJoinLines      = 4   // line steps from the last row of one run to the first of the next at most: three lines between
	maxSectionLabelWords = 6   // words in a section label between joined runs at most
	labelEdgeSlack       = 5   // points a section label may reach past the runs' sides
	minAlignedLines      = 3   // lines a region of aligned rows needs: fewer are no table
	maxAlignedHeadLines  = 4   // header lines looked for above the first aligned row
	maxHeadGapSizes      = 1.5 // font sizes above a header line: a wider gap is a blank line
	maxHeadRowGapSizes   = 0.8 // font sizes above a second or later header line, or a tabular one, at most
	headEdgeSlack        = 5   // points a header line may reach past the region's sides
	maxAlignedHeadWords  = 16  // words in a header line at most: longer lines are text
	maxRunOnGapSizes     = 0.4 // font sizes between a caption and its run-on lines, and between those, at most
	maxHeadBlockGap      = 0.8 // font sizes between a header block found as a table and the table below
	headBlockOverlap     = 0.7 // share of the narrower of the two the header block and table overlap
)

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
			if j > last && (gap > maxRowGapSizes*lines[j].size || blankGap(gap, gaps, lines[j].size)) {
				break
			}
			if tabular[j] {
				if j > last {
					gaps = append(gaps, gap)
				}
				n++
				last = j
			} else if j-last > maxRunSkip {
				break
			}
			j++
		}
		if n >= minAlignedRunRows {
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
			ok := overlapX(a, b) >= runJoinOverlap*math.Min(a.Width(), b.Width()) && b[1]-a[3] <= maxRunJoinGap*lines[r.first].size && r.first-p.last <= maxRunJoinLines
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
				if len(splitLine(lines[m], regionWideGap)) > 1 || len(lines[m].words) > maxSectionLabelWords || lines[m].box[0] < math.Min(a[0], b[0])-labelEdgeSlack || lines[m].box[2] > math.Max(a[2], b[2])+labelEdgeSlack {
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
		if r.last-r.first+1 < minAlignedLines {
			continue
		}
		b := spanBox(lines, r.first, r.last)
		// Header lines above the first aligned row: close above it, within
		// its width, not a sentence. A caption ends the head, and the
		// lines it runs on over are no head either.
		var heads []int
		top := b[1]
		for k, m := r.first-1, 0; k >= 0 && m < maxAlignedHeadLines; k, m = k-1, m+1 {
			l := lines[k]
			gap := top - l.box[3]
			// Across a blank line, a row of another table.
			if gap > maxHeadGapSizes*l.size || (gap > maxHeadRowGapSizes*l.size && (m > 0 || tabular[k])) {
				break
			}
			caption := captionRe.MatchString(l.text)
			if !caption && (l.box[0] < b[0]-headEdgeSlack || l.box[2] > b[2]+headEdgeSlack || endsSentence(l.text) || len(l.words) > maxAlignedHeadWords) {
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
					if lines[heads[i]].box[1]-above.box[3] > maxRunOnGapSizes*l.size || tabular[heads[i]] {
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
		if k := len(out) - 1; k >= 0 && b[1]-out[k][3] <= maxHeadBlockGap*lines[r.first].size &&
			overlapX(out[k], b) >= headBlockOverlap*math.Min(out[k].Width(), b.Width()) {
			out[k] = out[k].Union(b)
			continue
		}
		out = append(out, b)
	}
	return out
}

// A column of prose beside a table.
const (
	prosePieceGap   = 1.5 // font sizes of gap that part a line into pieces, prose apart from the text beside it
	proseEdgeMargin = 2   // points inside the prose column's edge where pieces begin to be taken off
)

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
		split[i] = splitLine(l, prosePieceGap)
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
		xr = x - proseEdgeMargin
	}
	if x, ok := proseEdge(left, true); ok {
		xl = x + proseEdgeMargin
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

// The edge of a column of prose pieces.
const (
	minProseColPieces  = 3   // prose pieces of about one width that make a column
	proseWideShare     = 0.8 // share of the widest piece a piece must span to be about as wide
	minProseWideTenths = 6   // tenths of the pieces that must be about as wide as the widest: most
	proseEdgeOutliers  = 4   // one in this many wide pieces may lie past the edge, on the table's side
)

// proseEdge returns the inner edge of a column of prose pieces (the left
// edge of a column right of a table, the right edge of one left of it):
// three or more pieces, most about as wide as the widest.
func proseEdge(ps []*line, leftCol bool) (float64, bool) {
	if len(ps) < minProseColPieces {
		return 0, false
	}
	wide := 0.0
	for _, p := range ps {
		wide = math.Max(wide, p.box.Width())
	}
	var edges []float64
	for _, p := range ps {
		if p.box.Width() >= proseWideShare*wide {
			if leftCol {
				edges = append(edges, p.box[2])
			} else {
				edges = append(edges, p.box[0])
			}
		}
	}
	if len(edges)*10 < len(ps)*minProseWideTenths || len(edges) < minProseColPieces {
		return 0, false
	}
	// The column's edge: most of its lines reach it, indented ones not.
	sort.Float64s(edges)
	if leftCol {
		return edges[len(edges)*(proseEdgeOutliers-1)/proseEdgeOutliers], true
	}
	return edges[len(edges)/proseEdgeOutliers], true
}

// A piece of running text.
const (
	minProsePieceWords = 4  // words a piece needs to be prose at all
	manyProseWords     = 8  // words that make a piece prose outright
	manyProseLetters   = 35 // letters that make a piece of fewer words prose
)

// isProse reports whether a piece of a line is running text: many words
// or many letters, not a number.
func isProse(p *line) bool {
	if numeric(p.text) || len(p.words) < minProsePieceWords {
		return false
	}
	letters := 0
	for _, r := range p.text {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return len(p.words) >= manyProseWords || letters >= manyProseLetters
}

// A blank line between rows.
const (
	minBlankGapRows = 2   // gaps between rows needed before the usual gap is known
	blankGapSizes   = 0.8 // font sizes a blank line is wider than: most of a line
	blankGapFactor  = 3   // times the usual gap a blank line is wider than
	minUsualRowGap  = 0.5 // points the usual gap is taken as at least, so rows that touch do not make every gap blank
)

// blankGap reports whether gap, after rows spaced by gaps, is a blank
// line: wider than most of a line and than thrice the usual gap.
func blankGap(gap float64, gaps []float64, size float64) bool {
	if len(gaps) < minBlankGapRows {
		return false
	}
	med := median(append([]float64(nil), gaps...))
	return gap > blankGapSizes*size && gap > blankGapFactor*math.Max(med, minUsualRowGap)
}

func spanBox(lines []*line, first, last int) folio.Box {
	var b folio.Box
	for k := first; k <= last; k++ {
		b = b.Union(lines[k].box)
	}
	return b
}

// A line that splits into cells.
const (
	maxTabularCellWords      = 8 // words in a cell at most: more are running text
	minTabularPieces         = 3 // pieces at wide gaps that make a line tabular by themselves
	maxShortTabularCellWords = 4 // words in a short cell at most
	minShortCellThirds       = 2 // thirds of the pieces that must be short cells
	maxTabularValueWords     = 3 // words in the number-like second piece of a two-piece line at most
)

// tabularLine reports whether a line splits into cells: three or more
// pieces at wide gaps, or two where the second is a short number-like
// value.
func tabularLine(l *line) bool {
	parts := splitLine(l, regionWideGap)
	for _, p := range parts {
		// A cell of running text is prose beside something else.
		if len(p.words) > maxTabularCellWords {
			return false
		}
	}
	if len(parts) >= minTabularPieces {
		short := 0
		for _, p := range parts {
			if len(p.words) <= maxShortTabularCellWords {
				short++
			}
		}
		return short*3 >= len(parts)*minShortCellThirds
	}
	if len(parts) == 2 {
		return len(parts[1].words) <= maxTabularValueWords && numeric(parts[1].text)
	}
	return false
}

// Program code: shares of the words, in tenths unless said.
const (
	minMonoTenths  = 6 // tenths of the words in a fixed-pitch font at least: mostly fixed-pitch
	codePunctEvery = 5 // one word in this many with code punctuation at least
	allMonoTenths  = 9 // tenths of the words in a fixed-pitch font that make code without punctuation
	maxNumTenths   = 3 // tenths of the words that are numbers, below: more numbers read as a table, not code
)

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
	return n > 0 && mono*10 >= n*minMonoTenths && (punct*codePunctEvery >= n || mono*10 >= n*allMonoTenths) && nums*10 < n*maxNumTenths
}
