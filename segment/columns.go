package segment

import (
	"math"
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
}

func newCutter(size, gap float64) *cutter {
	return &cutter{size: size, gap: gap}
}

// order returns the leaves of atoms in reading order.
func (c *cutter) order(atoms []atom) []leaf {
	c.cut(atoms, 0, 0)
	return c.out
}

func (c *cutter) cut(atoms []atom, col, depth int) {
	strips := hstrips(atoms)
	for i := 0; i < len(strips); {
		// The run of strips that keeps some vertical gap open, then the
		// longest prefix of it that has a real gutter.
		var group []atom
		kmax := i
		group = append(group, strips[i]...)
		for k := i + 1; k < len(strips); k++ {
			next := append(group[:len(group):len(group)], strips[k]...)
			if len(c.gaps(next)) == 0 {
				break
			}
			group, kmax = next, k
		}
		end, gap := -1, [2]float64{}
		for k := kmax; k >= i; k-- {
			if g, ok := c.gutter(group); ok {
				end, gap = k, g
				break
			}
			group = group[:len(group)-len(strips[k])]
		}
		if end < 0 || depth > 12 {
			c.out = append(c.out, leaf{atoms: strips[i], col: col})
			i++
			continue
		}
		var left, right []atom
		for _, a := range group {
			if a.box.CenterX() < (gap[0]+gap[1])/2 {
				left = append(left, a)
			} else {
				right = append(right, a)
			}
		}
		c.cols++
		c.cut(left, c.cols, depth+1)
		c.cols++
		c.cut(right, c.cols, depth+1)
		i = end + 1
	}
}

// hstrips splits atoms into horizontal strips separated by whitespace, top
// to bottom.
func hstrips(atoms []atom) [][]atom {
	as := append([]atom(nil), atoms...)
	sort.SliceStable(as, func(i, j int) bool { return as[i].box[1] < as[j].box[1] })
	var out [][]atom
	var cur []atom
	bottom := math.Inf(-1)
	for _, a := range as {
		// Boxes of adjacent lines often overlap by a hair; a strip ends
		// only where the overlap is small against the line height.
		if len(cur) > 0 && a.box[1] > bottom-0.25*math.Min(a.box.Height(), 12) {
			out = append(out, cur)
			cur = nil
		}
		if len(cur) == 0 {
			bottom = a.box[3]
		}
		cur = append(cur, a)
		bottom = math.Max(bottom, a.box[3])
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
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
// often reach past their visible part into the gutter.
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
next:
	for _, g := range xgaps(words, c.pad) {
		for _, o := range objs {
			if o.box[2] <= g[0] || o.box[0] >= g[1] {
				continue
			}
			left := math.Max(0, math.Min(o.box[2], g[0])-o.box[0])
			right := math.Max(0, o.box[2]-math.Max(o.box[0], g[1]))
			if math.Min(left, right) > 0.3*o.box.Width() {
				continue next
			}
		}
		dup := false
		for _, a := range all {
			if a == g {
				dup = true
			}
		}
		if !dup {
			all = append(all, g)
		}
	}
	return all
}

// gutter finds the widest gap in atoms that separates two columns of
// text (or a figure and text): both sides hold several lines or an
// object, both are wide enough for prose, the left side's lines run up to
// the gap, and on lines that cross it the gap is wider than the spaces
// between words.
func (c *cutter) gutter(atoms []atom) ([2]float64, bool) {
	gaps := c.gaps(atoms)
	sort.SliceStable(gaps, func(i, j int) bool { return gaps[i][1]-gaps[i][0] > gaps[j][1]-gaps[j][0] })
	for _, g := range gaps {
		if c.validGutter(atoms, g) {
			return g, true
		}
	}
	return [2]float64{}, false
}

func (c *cutter) validGutter(atoms []atom, g [2]float64) bool {
	var left, right []atom
	lobj, robj := false, false
	lx0, rx1 := math.Inf(1), math.Inf(-1)
	mid := (g[0] + g[1]) / 2
	for _, a := range atoms {
		if a.box.CenterX() < mid {
			left = append(left, a)
			lobj = lobj || a.obj != nil
			lx0 = math.Min(lx0, a.box[0])
		} else {
			right = append(right, a)
			robj = robj || a.obj != nil
			rx1 = math.Max(rx1, a.box[2])
		}
	}
	minW := math.Max(3*c.size, 25)
	if g[0]-lx0 < minW || rx1-g[1] < minW {
		return false
	}
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

// rows clusters atoms into text rows by their vertical centres.
func rows(atoms []atom, size float64) []row {
	as := append([]atom(nil), atoms...)
	sort.SliceStable(as, func(i, j int) bool { return as[i].box.CenterY() < as[j].box.CenterY() })
	var out []row
	for _, a := range as {
		if n := len(out); n > 0 && a.box.CenterY()-(out[n-1].y0+out[n-1].y1)/2 < 0.5*size {
			r := &out[n-1]
			r.atoms = append(r.atoms, a)
			r.x0, r.x1 = math.Min(r.x0, a.box[0]), math.Max(r.x1, a.box[2])
			r.y1 = math.Max(r.y1, a.box[3])
			continue
		}
		out = append(out, row{y0: a.box[1], y1: a.box[3], x0: a.box[0], x1: a.box[2], atoms: []atom{a}})
	}
	return out
}

// rowsAcross reports, for each row with words on both sides of gap g,
// whether the gap there is clearly wider than the row's word spacing.
func rowsAcross(atoms []atom, g [2]float64, size float64) []bool {
	var out []bool
	for _, r := range rows(atoms, size) {
		as := append([]atom(nil), r.atoms...)
		sort.Slice(as, func(i, j int) bool { return as[i].box[0] < as[j].box[0] })
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
