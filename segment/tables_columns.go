package segment

import (
	"cmp"
	"math"
	"slices"
)

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
