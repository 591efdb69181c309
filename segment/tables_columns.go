package segment

import (
	"cmp"
	"math"
	"slices"
)

// A column gap is at least a word space wide (one space in fixed pitch),
// or narrower between figures; an eighth of the voting lines may cross it.
const (
	sepGapSize         = 0.6  // font sizes: a word space, the least width of a column gap
	sepGapPts          = 3    // points: the least column gap however small the type
	monoSepGapSize     = 0.45 // font sizes: one fixed-pitch space, which may part columns
	monoSepGapPts      = 2.5  // points: the least fixed-pitch column gap however small the type
	monoMajorityFactor = 2    // fixed-pitch lines times this must exceed all lines: more than half
	voterMinWords      = 2    // words a line needs to vote on columns
	voterMinPieces     = 2    // pieces a line must break into at wide gaps to vote
	voterMinSize       = 1    // points: floor for a line's size when scaling the gap by it (no division by zero)
	sepCrossDivisor    = 8    // one voter in this many may cross a strip: spanning group heads
	narrowSepSize      = 0.25 // font sizes: the least strip between columns of figures
	narrowSepPts       = 1.5  // points: the least strip between columns of figures however small the type
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
	minGap := math.Max(sepGapSize*size, sepGapPts)
	if mono*monoMajorityFactor > len(lines) {
		minGap = math.Max(monoSepGapSize*size, monoSepGapPts)
	}
	var voters []*line
	for _, l := range lines {
		if len(l.words) < voterMinWords || len(splitLine(l, minGap/math.Max(l.size, voterMinSize))) < voterMinPieces {
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
	thr := n / sepCrossDivisor
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
		if a > lo && b < hi && (b-a >= minGap || (b-a >= math.Max(narrowSepSize*size, narrowSepPts) && numbersFlank(voters, a, b))) {
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

// A typed-out rule or leader is a run of at least a few characters.
const glyphRunMinLen = 5 // bytes of dots, dashes or underscores a word needs to count as drawing: "..", "--" or "..." stay text

// glyphRun reports whether a word is a rule or a leader typed out in
// characters ("-----", "......"): drawing, not text.
func glyphRun(s string) bool { return len(s) >= glyphRunMinLen && isLeader(s) }

// Figures flank a narrow strip when enough lines have close neighbours
// on both sides of it and most of those neighbours are numbers.
const (
	flankReachTol  = 0.5 // points a flanking word may reach into the strip
	flankGapFactor = 3   // strip widths (plus flankGapPts) the two neighbours may stand apart and still flank it
	flankGapPts    = 2   // points added to flankGapFactor strip widths, for very narrow strips
	flankMinLines  = 5   // lines with neighbours on both sides needed to judge
	flankNumsNum   = 8   // numerator: eight in ten of those lines must have numbers on both sides
	flankNumsDen   = 10  // denominator of that eight-in-ten share
)

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
			if w.Box[2] <= a+flankReachTol && (left == nil || w.Box[2] > left.Box[2]) {
				left = w
			}
			if w.Box[0] >= b-flankReachTol && (right == nil || w.Box[0] < right.Box[0]) {
				right = w
			}
		}
		if left == nil || right == nil || right.Box[0]-left.Box[2] > flankGapFactor*(b-a)+flankGapPts {
			continue
		}
		both++
		if numeric(left.Text) && numeric(right.Text) {
			nums++
		}
	}
	return both >= flankMinLines && nums*flankNumsDen >= both*flankNumsNum
}
