package segment

import (
	"math"
	"slices"
	"sort"

	"github.com/folio/folio"
)

// atom is a unit of page content that reading order moves as a whole: a
// word, or a table or figure found before the text was laid out.
type atom struct {
	box folio.Box
	w   *word
	obj *item
}

// leaf is a run of atoms that reads top to bottom, with the column it sits
// in: leaves of one column follow each other, and a block never continues
// from one column into another.
type leaf struct {
	atoms []atom
	col   int
}

// cutter orders a page by recursive XY-cut: horizontal strips split by
// whitespace, runs of strips that share a vertical gutter read column by
// column, and elements that cross the gutter (titles, wide figures)
// interrupt the columns.
type cutter struct {
	size float64 // the page's usual font size
	gap  float64 // narrowest gutter, in multiples of the font size
	cols int
	out  []leaf
	// ext holds padded extents and gaps for the gutter search, used as a
	// stack: each cut appends past its caller's and drops its own on
	// return. It is indexed by spans because appends move it.
	ext [][2]float64
}

func newCutter(size, gap float64) *cutter {
	return &cutter{size: size, gap: gap}
}

// order returns the leaves of atoms in reading order. It reorders atoms.
func (c *cutter) order(atoms []atom) []leaf {
	c.cut(atoms, 0, 0)
	return c.out
}

// span is a range of cutter.ext.
type span struct{ lo, hi int }

// strips is a cut's atoms in horizontal strips, with what the gutter
// search needs of each strip.
type strips struct {
	as   []atom
	ends []int // strip k is as[ends[k]:ends[k+1]]
	objs []atom
	nobj []int // objects in the strips before k
	// all and words are each strip's padded extents (see xgaps), merged
	// into a sorted union, of all atoms and of words only; nil when some
	// extent is not an ordinary interval, where a union would not give
	// xgaps's result.
	all, words []span
}

func (st *strips) strip(k int) []atom { return st.as[st.ends[k]:st.ends[k+1]:st.ends[k+1]] }

// run is the candidate gutters of a run of strips and, when exact, the
// unions they come from.
type run struct{ all, words, gaps span }

func (c *cutter) cut(atoms []atom, col, depth int) {
	base := len(c.ext)
	defer func() { c.ext = c.ext[:base] }()
	st := c.strips(atoms)
	n := len(st.ends) - 1
	// A run of strips grows one strip at a time; keeping its unions makes
	// each step a merge of short lists instead of a sort of all its atoms.
	runs := make([]run, 0, n)
	top := len(c.ext)
	for i := 0; i < n; {
		end, gap := -1, [2]float64{}
		if depth <= 12 {
			// The run of strips that keeps some vertical gap open, then
			// the longest prefix of it that has a real gutter.
			c.ext = c.ext[:top]
			runs = append(runs[:0], c.grow(st, nil, i, i))
			for k := i + 1; k < n; k++ {
				r := c.grow(st, &runs[len(runs)-1], i, k)
				if r.gaps.lo == r.gaps.hi {
					break
				}
				runs = append(runs, r)
			}
			for k := i + len(runs) - 1; k >= i; k-- {
				gaps := runs[k-i].gaps
				if g, ok := c.gutter(st.as[st.ends[i]:st.ends[k+1]], c.ext[gaps.lo:gaps.hi]); ok {
					end, gap = k, g
					break
				}
			}
		}
		if end < 0 {
			c.out = append(c.out, leaf{atoms: st.strip(i), col: col})
			i++
			continue
		}
		left, right := splitX(st.as[st.ends[i]:st.ends[end+1]], (gap[0]+gap[1])/2)
		c.cols++
		c.cut(left, c.cols, depth+1)
		c.cols++
		c.cut(right, c.cols, depth+1)
		i = end + 1
	}
}

// strips sorts atoms into strips (see hstrips) and merges each strip's
// padded extents.
func (c *cutter) strips(atoms []atom) *strips {
	st := &strips{as: atoms, ends: hstrips(atoms)}
	n := len(st.ends) - 1
	st.nobj = make([]int, n+1)
	for k := range n {
		for _, a := range st.strip(k) {
			if a.obj != nil {
				st.objs = append(st.objs, a)
			}
		}
		st.nobj[k+1] = len(st.objs)
	}
	ext := make([][2]float64, len(atoms))
	for i, a := range atoms {
		p := c.pad(a)
		ext[i] = [2]float64{a.box[0] - p, a.box[2] + p}
		if !(ext[i][0] <= ext[i][1]) {
			return st
		}
	}
	st.all, st.words = make([]span, n), make([]span, n)
	byStart := func(a, b [2]float64) int { return cmpFloat(a[0], b[0]) }
	var words [][2]float64
	for k := range n {
		all := ext[st.ends[k]:st.ends[k+1]]
		words = words[:0]
		for i, a := range st.strip(k) {
			if a.obj == nil {
				words = append(words, all[i])
			}
		}
		slices.SortFunc(all, byStart)
		slices.SortFunc(words, byStart)
		lo := len(c.ext)
		c.ext = union(c.ext, all, nil)
		st.all[k] = span{lo, len(c.ext)}
		c.ext = union(c.ext, words, nil)
		st.words[k] = span{st.all[k].hi, len(c.ext)}
	}
	return st
}

// grow returns the candidate gutters of strips i to k, given those of
// strips i to k-1 in prev (nil when k == i).
func (c *cutter) grow(st *strips, prev *run, i, k int) run {
	if st.all == nil {
		lo := len(c.ext)
		c.ext = append(c.ext, c.gaps(st.as[st.ends[i]:st.ends[k+1]])...)
		return run{gaps: span{lo, len(c.ext)}}
	}
	r := run{all: st.all[k], words: st.words[k]}
	if prev != nil {
		lo := len(c.ext)
		c.ext = union(c.ext, c.ext[prev.all.lo:prev.all.hi], c.ext[r.all.lo:r.all.hi])
		r.all = span{lo, len(c.ext)}
		c.ext = union(c.ext, c.ext[prev.words.lo:prev.words.hi], c.ext[r.words.lo:r.words.hi])
		r.words = span{r.all.hi, len(c.ext)}
	}
	lo := len(c.ext)
	c.ext = unionGaps(c.ext, c.ext[r.all.lo:r.all.hi])
	if objs := st.objs[st.nobj[i]:st.nobj[k+1]]; len(objs) > 0 && r.words.lo < r.words.hi {
		c.ext = wordGaps(c.ext, lo, c.ext[r.words.lo:r.words.hi], objs)
	}
	r.gaps = span{lo, len(c.ext)}
	return r
}

// union appends to dst the union of the extents in a and b, each sorted
// by start, as a sorted list of disjoint extents; extents that touch
// merge, as in xgaps. For ordinary intervals the union does not depend
// on the order extents are merged in, so its gaps are those of xgaps.
func union(dst, a, b [][2]float64) [][2]float64 {
	lo := len(dst)
	for len(a) > 0 || len(b) > 0 {
		var v [2]float64
		if len(b) == 0 || (len(a) > 0 && a[0][0] <= b[0][0]) {
			v, a = a[0], a[1:]
		} else {
			v, b = b[0], b[1:]
		}
		if n := len(dst); n > lo && v[0] <= dst[n-1][1] {
			dst[n-1][1] = math.Max(dst[n-1][1], v[1])
			continue
		}
		dst = append(dst, v)
	}
	return dst
}

// unionGaps appends to dst the gaps between the extents of a union, left
// to right.
func unionGaps(dst, u [][2]float64) [][2]float64 {
	for i := 1; i < len(u); i++ {
		dst = append(dst, [2]float64{u[i-1][1], u[i][0]})
	}
	return dst
}

// hstrips sorts atoms top to bottom and splits them into horizontal
// strips separated by whitespace: strip k is atoms[ends[k]:ends[k+1]].
func hstrips(atoms []atom) (ends []int) {
	slices.SortStableFunc(atoms, func(a, b atom) int { return cmpFloat(a.box[1], b.box[1]) })
	ends = append(ends, 0)
	bottom := math.Inf(-1)
	for i, a := range atoms {
		// Boxes of adjacent lines often overlap by a hair; a strip ends
		// only where the overlap is small against the line height.
		if i > ends[len(ends)-1] && a.box[1] > bottom-0.25*math.Min(a.box.Height(), 12) {
			ends = append(ends, i)
		}
		if i == ends[len(ends)-1] {
			bottom = a.box[3]
		}
		bottom = math.Max(bottom, a.box[3])
	}
	if len(atoms) > 0 {
		ends = append(ends, len(atoms))
	}
	return ends
}

// xgaps returns the empty intervals between the horizontal extents of
// atoms, left to right. Each atom claims pad(a) of margin on both sides:
// a gutter must be wider than the space its neighbours' font sizes ask.
func xgaps(atoms []atom, pad func(atom) float64) [][2]float64 {
	iv := make([][2]float64, len(atoms))
	for i, a := range atoms {
		p := pad(a)
		iv[i] = [2]float64{a.box[0] - p, a.box[2] + p}
	}
	sort.Slice(iv, func(i, j int) bool { return iv[i][0] < iv[j][0] })
	var out [][2]float64
	if len(iv) == 0 {
		return nil
	}
	right := iv[0][1]
	for _, v := range iv[1:] {
		if v[0] > right {
			out = append(out, [2]float64{right, v[0]})
		}
		right = math.Max(right, v[1])
	}
	return out
}

// pad is half the gutter an atom needs beside it.
func (c *cutter) pad(a atom) float64 {
	if a.w != nil {
		return 0.5 * c.gap * math.Max(a.w.size(), 0.8*c.size)
	}
	return 0.5 * c.gap * c.size
}

// gaps returns the candidate gutters of atoms: gaps between all boxes,
// and gaps between words that figures cross only slightly. Picture boxes
// often reach past their visible part into the gutter. Cut takes the
// same gaps from unions of strips; gaps serves where it cannot.
func (c *cutter) gaps(atoms []atom) [][2]float64 {
	all := xgaps(atoms, c.pad)
	var words, objs []atom
	for _, a := range atoms {
		if a.obj != nil {
			objs = append(objs, a)
		} else {
			words = append(words, a)
		}
	}
	if len(objs) == 0 || len(words) == 0 {
		return all
	}
	for _, g := range xgaps(words, c.pad) {
		if !crossed(g, objs) && !slices.Contains(all, g) {
			all = append(all, g)
		}
	}
	return all
}

// wordGaps appends to dst, which holds the gaps of all atoms from lo on,
// the gaps between the union u of the words' extents that no object in
// objs crosses by much, as gaps does.
func wordGaps(dst [][2]float64, lo int, u [][2]float64, objs []atom) [][2]float64 {
	for i := 1; i < len(u); i++ {
		g := [2]float64{u[i-1][1], u[i][0]}
		if !crossed(g, objs) && !slices.Contains(dst[lo:], g) {
			dst = append(dst, g)
		}
	}
	return dst
}

// crossed reports whether an object reaches well into both sides of gap
// g.
func crossed(g [2]float64, objs []atom) bool {
	for _, o := range objs {
		if o.box[2] <= g[0] || o.box[0] >= g[1] {
			continue
		}
		left := math.Max(0, math.Min(o.box[2], g[0])-o.box[0])
		right := math.Max(0, o.box[2]-math.Max(o.box[0], g[1]))
		if math.Min(left, right) > 0.3*o.box.Width() {
			return true
		}
	}
	return false
}

// gutter finds the widest of gaps, the candidate gutters of atoms, that
// separates two columns of text (or a figure and text): both sides hold
// several lines or an object, both are wide enough for prose, the left
// side's lines run up to the gap, and on lines that cross it the gap is
// wider than the spaces between words. It reorders gaps.
func (c *cutter) gutter(atoms []atom, gaps [][2]float64) ([2]float64, bool) {
	slices.SortStableFunc(gaps, func(a, b [2]float64) int {
		return cmpFloat(b[1]-b[0], a[1]-a[0])
	})
	for _, g := range gaps {
		if c.validGutter(atoms, g) {
			return g, true
		}
	}
	return [2]float64{}, false
}

func (c *cutter) validGutter(atoms []atom, g [2]float64) bool {
	lobj, robj := false, false
	lx0, rx1 := math.Inf(1), math.Inf(-1)
	mid := (g[0] + g[1]) / 2
	for _, a := range atoms {
		if a.box.CenterX() < mid {
			lobj = lobj || a.obj != nil
			lx0 = math.Min(lx0, a.box[0])
		} else {
			robj = robj || a.obj != nil
			rx1 = math.Max(rx1, a.box[2])
		}
	}
	minW := math.Max(3*c.size, 25)
	if g[0]-lx0 < minW || rx1-g[1] < minW {
		return false
	}
	left, right := splitX(atoms, mid)
	lrows, rrows := rows(left, c.size), rows(right, c.size)
	if (len(lrows) < 2 && !lobj) || (len(rrows) < 2 && !robj) {
		return false
	}
	if lobj || robj {
		return true
	}
	// Columns of prose are wide; narrow ones are a table's or a form's.
	minW = math.Max(6*c.size, 50)
	if g[0]-lx0 < minW || rx1-g[1] < minW {
		return false
	}
	// Code lines up its tokens with spaces, not columns.
	if monoShare(left) > 0.5 && monoShare(right) > 0.5 {
		return false
	}
	// Prose columns fill their width: most left lines end near the gap.
	// A column of labels or terms does not.
	near := 0
	tol := math.Max(0.2*(g[0]-lx0), 3*c.size)
	for _, r := range lrows {
		if r.x1 >= g[0]-tol {
			near++
		}
	}
	if near*2 < len(lrows) {
		return false
	}
	// A river of word spaces in justified text lines up by chance; a
	// gutter is wider than the spaces of the lines it cuts.
	cross, wide := 0, 0
	for _, r := range rowsAcross(atoms, g, c.size) {
		cross++
		if r {
			wide++
		}
	}
	return cross == 0 || wide*10 >= cross*7
}

// splitX parts atoms, keeping their order, into those left of x and the
// rest, in one new array.
func splitX(atoms []atom, x float64) (left, right []atom) {
	n := 0
	for _, a := range atoms {
		if a.box.CenterX() < x {
			n++
		}
	}
	buf := make([]atom, len(atoms))
	left, right = buf[:0:n], buf[n:n]
	for _, a := range atoms {
		if a.box.CenterX() < x {
			left = append(left, a)
		} else {
			right = append(right, a)
		}
	}
	return left, right
}

// monoShare is the share of words set in a monospaced font.
func monoShare(atoms []atom) float64 {
	n, m := 0, 0
	for _, a := range atoms {
		if a.w != nil {
			n++
			if a.w.Mono {
				m++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(m) / float64(n)
}

// row is a cluster of atoms at one height.
type row struct {
	y0, y1, x0, x1 float64
	atoms          []atom
}

// rows clusters atoms into text rows by their vertical centres. It
// sorts atoms, and the rows share them.
func rows(atoms []atom, size float64) []row {
	slices.SortStableFunc(atoms, func(a, b atom) int { return cmpFloat(a.box.CenterY(), b.box.CenterY()) })
	var out []row
	for i, a := range atoms {
		if n := len(out); n > 0 && a.box.CenterY()-(out[n-1].y0+out[n-1].y1)/2 < 0.5*size {
			r := &out[n-1]
			r.atoms = r.atoms[:len(r.atoms)+1]
			r.x0, r.x1 = math.Min(r.x0, a.box[0]), math.Max(r.x1, a.box[2])
			r.y1 = math.Max(r.y1, a.box[3])
			continue
		}
		out = append(out, row{y0: a.box[1], y1: a.box[3], x0: a.box[0], x1: a.box[2], atoms: atoms[i : i+1]})
	}
	return out
}

// rowsAcross reports, for each row with words on both sides of gap g,
// whether the gap there is clearly wider than the row's word spacing.
func rowsAcross(atoms []atom, g [2]float64, size float64) []bool {
	var out []bool
	for _, r := range rows(append([]atom(nil), atoms...), size) {
		as := r.atoms
		slices.SortFunc(as, func(a, b atom) int { return cmpFloat(a.box[0], b.box[0]) })
		var sp []float64
		gapHere := -1.0
		for i := 1; i < len(as); i++ {
			d := as[i].box[0] - as[i-1].box[2]
			if as[i-1].box[2] <= g[0]+0.01 && as[i].box[0] >= g[1]-0.01 {
				gapHere = d
				continue
			}
			if d > 0 {
				sp = append(sp, d)
			}
		}
		if gapHere < 0 {
			continue
		}
		space := math.Max(median(sp), 0.25*size)
		out = append(out, gapHere > 1.6*space)
	}
	return out
}
