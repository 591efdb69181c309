package parse

import (
	"math"
	"strings"
	"unicode"

	"github.com/folio/folio"
)

// Word splitting thresholds.
const (
	// wordGapEm is, in units of the font size, the gap between two
	// characters along the text direction above which they belong to
	// different words even without a space between them (table cells
	// positioned apart, missing spaces). A word space is 0.25-0.33 em in
	// text fonts and about 0.23 em in condensed ones; kerning and
	// letter-spacing inside words stay under about 0.15 em.
	wordGapEm = 0.2
	// wordGapAdvance is the same gap in units of the two characters' mean
	// advance (their loose boxes' width along the line): wide glyphs (capitals,
	// CJK, a size PDFium understates) are set with wider gaps inside words,
	// and a space is still at least about 0.3 of a glyph's advance.
	wordGapAdvance = 0.3
	// leaderGapEm bounds, in ems, the gap between the repeated marks of a
	// leader (". . . ."), which stay one word: leaders space their dots
	// under an em apart; placeholders ("-") in table columns lie several
	// ems apart.
	leaderGapEm = 1.0
	// splitShiftEm is the shift across the text direction (a baseline jump)
	// above which two characters belong to different words.
	splitShiftEm = 0.5
)

// buildWords groups a page's glyphs into words: runs of characters between
// separators, split further where the next character is far along the line,
// off the baseline, turned differently or differently visible. pageW and
// pageH are the displayed page size, for marking off-page words hidden.
//
// Words filled in white and words in the invisible render mode are
// returned hidden, and their indexes in the second result: the caller
// shows the white ones that lie on a background and the invisible ones that
// are the text layer of a scan.
func buildWords(gs []glyph, pageW, pageH float64) (words []folio.Word, c candidates) {
	var (
		cur  []*glyph
		text strings.Builder
	)
	flush := func(spaceAfter bool) {
		if len(cur) == 0 {
			return
		}
		st := cur[0].style
		var box folio.Box
		// A word the clip cuts through is partly seen: it stays.
		boxed, rtl, clipped := false, false, true
		for _, g := range cur {
			clipped = clipped && g.clipped
			switch {
			case g.noBox:
			case !boxed:
				box, boxed = g.box, true
			default:
				box = unionBox(box, g.box)
			}
			rtl = rtl || isRTL(g.r)
		}
		if !boxed {
			box = cur[0].box
		}
		if rtl {
			unreverseLigatures(cur)
		}
		text.Reset()
		for _, g := range cur {
			text.WriteRune(g.r)
		}
		offPage := box[2] < 0 || box[3] < 0 || box[0] > pageW || box[1] > pageH
		size, tiny := st.size, false
		if st.tiny {
			size = renderedSize(cur, box, st.angle)
			tiny = size < minGlyphBox
			if tiny {
				size = st.size
			}
		}
		hidden := st.hidden || st.white || offPage || clipped || tiny
		words = append(words, folio.Word{
			Text:       text.String(),
			Box:        roundBox(box),
			Font:       st.font,
			Size:       round2(size),
			Weight:     st.weight,
			Bold:       st.bold,
			Italic:     st.italic,
			Mono:       st.mono,
			RTL:        rtl,
			Angle:      st.angle,
			SpaceAfter: spaceAfter,
			Hidden:     hidden,
		})
		otherwise := !offPage && !clipped && !tiny
		switch {
		case st.white && !st.hidden && otherwise:
			c.white = append(c.white, len(words)-1)
		case st.invisible && otherwise:
			c.invisible = append(c.invisible, len(words)-1)
		}
		cur = cur[:0]
	}
	// last is the glyph before the next one on the line: the last of cur,
	// or a soft hyphen left out, whose advance bridges the gap it leaves.
	var last *glyph
	for i := range gs {
		g := &gs[i]
		if g.sep != sepNone {
			flush(g.sep == sepSpace)
			continue
		}
		if len(cur) > 0 && splits(last, g) {
			flush(false)
		}
		last = g
		if g.r == softHyphen {
			if !lineEnd(gs, i) && !drawnHyphen(g) {
				continue // a possible break not taken: not shown
			}
			// Ending a line, or drawn with an advance: a hyphen the reader
			// sees (producers map the hyphen glyph to U+00AD: "1-12").
			g.r = '-'
		}
		cur = append(cur, g)
	}
	flush(false)
	return words, c
}

// candidates are the indexes of words buildWords hid that may be shown
// after all, depending on what lies under them.
type candidates struct {
	white     []int // filled in white
	invisible []int // in render mode 3
}

// lineEnd reports whether glyph i is the last of its line: the text ends,
// a line break follows, or the next character starts a new line.
func lineEnd(gs []glyph, i int) bool {
	for j := i + 1; j < len(gs); j++ {
		switch n := &gs[j]; {
		case n.sep == sepLine:
			return true
		case n.sep == sepSpace:
			continue
		case n.r == softHyphen:
			return false
		default:
			return baselineShift(&gs[i], n)
		}
	}
	return true
}

// renderedSize estimates the size text of a tiny font size is drawn at
// from its glyphs cur and their union box: the box's extent across the
// line, or the mean advance of the glyphs when that is larger (glyphs
// with empty boxes). angle is the text's direction in degrees.
func renderedSize(cur []*glyph, box folio.Box, angle float64) float64 {
	rad := angle * math.Pi / 180
	dx, dy := math.Abs(math.Cos(rad)), math.Abs(math.Sin(rad))
	across := dy*box.Width() + dx*box.Height()
	along := dx*box.Width() + dy*box.Height()
	// Glyphs without boxes still sit at their origins; their spread is
	// the advance.
	var pts folio.Box
	for k, g := range cur {
		if k == 0 {
			pts = g.box
		}
		pts = unionBox(pts, g.box)
	}
	along = math.Max(along, dx*pts.Width()+dy*pts.Height())
	return math.Max(across, along/float64(len(cur)))
}

// unreverseLigatures puts the characters of Arabic lam-alef ligatures
// back in logical order. Such a glyph stands for two characters, which get
// the glyph's box; depending on the producer's ToUnicode map and PDFium's
// bidi reordering they come out as lam, alef (right) or alef, lam (wrong:
// "اإلنتاجية" for "الإنتاجية"). Lam always comes first.
func unreverseLigatures(gs []*glyph) {
	for i := 0; i+1 < len(gs); i++ {
		a, b := gs[i], gs[i+1]
		if a.box == b.box && isAlef(a.r) && b.r == 0x0644 {
			gs[i], gs[i+1] = b, a
			i++
		}
	}
}

// isAlef reports whether r is Arabic alef or alef with madda or hamza.
func isAlef(r rune) bool { return r == 0x0627 || r == 0x0622 || r == 0x0623 || r == 0x0625 }

// splits reports whether g starts a new word after prev although no
// separator lies between them.
func splits(prev, g *glyph) bool {
	ps, gs := prev.style, g.style
	if ps.hidden != gs.hidden || math.Abs(angleDiff(ps.angle, gs.angle)) > 1 {
		return true
	}
	if prev.noBox || g.noBox || unicode.Is(unicode.Mn, prev.r) || unicode.Is(unicode.Mn, g.r) {
		return false // no geometry, or a combining mark above or below its letter
	}
	gap, shift, adv := offsets(prev, g)
	size := math.Max(math.Min(ps.size, gs.size), 1)
	if prev.r == g.r && unicode.IsPunct(g.r) && gap <= leaderGapEm*size {
		// A leader: one punctuation mark repeated, spaced out (". . . .").
		return shift > splitShiftEm*size
	}
	return gap > wordGap(size, adv) || shift > splitShiftEm*size
}

// minHyphenEm is the advance, in ems, above which a soft hyphen inside a
// line is drawn: a hyphen glyph is 0.25-0.35 em wide.
const minHyphenEm = 0.1

// drawnHyphen reports whether soft hyphen g has a visible advance.
func drawnHyphen(g *glyph) bool {
	if g.noBox || g.style == nil {
		return false
	}
	rad := g.style.angle * math.Pi / 180
	along := math.Abs(math.Cos(rad))*g.box.Width() + math.Abs(math.Sin(rad))*g.box.Height()
	return along > minHyphenEm*math.Max(g.style.size, 1)
}

// wordGap is the gap along the line above which two characters of font
// size size and mean advance adv (points) belong to different words: a
// share of the em, or of the advance where the glyphs are wide.
func wordGap(size, adv float64) float64 {
	return math.Max(wordGapEm*size, wordGapAdvance*adv)
}

// offsets returns the gap between the boxes of prev and g along prev's
// text direction, the shift of g's centre across it, and the glyphs' mean
// extent along it (their advance).
func offsets(prev, g *glyph) (gap, shift, adv float64) {
	rad := prev.style.angle * math.Pi / 180
	// Direction of the text and its normal in the displayed frame (y down).
	dx, dy := math.Cos(rad), -math.Sin(rad)
	nx, ny := -dy, dx
	pcx, pcy := prev.box.CenterX(), prev.box.CenterY()
	gcx, gcy := g.box.CenterX(), g.box.CenterY()
	along := math.Abs((gcx-pcx)*dx + (gcy-pcy)*dy)
	extent := func(b folio.Box) float64 { return (math.Abs(dx)*b.Width() + math.Abs(dy)*b.Height()) / 2 }
	adv = extent(prev.box) + extent(g.box) // half of each: their mean
	gap = along - adv
	shift = math.Abs((gcx-pcx)*nx + (gcy-pcy)*ny)
	return gap, shift, adv
}

// baselineShift reports whether g lies off prev's line: its centre is
// shifted across the text direction by more than splitShiftEm.
func baselineShift(prev, g *glyph) bool {
	if prev.noBox || g.noBox || prev.style == nil || g.style == nil {
		return false
	}
	_, shift, _ := offsets(prev, g)
	return shift > splitShiftEm*math.Max(math.Min(prev.style.size, g.style.size), 1)
}

// angleDiff returns a-b folded into (-180, 180].
func angleDiff(a, b float64) float64 {
	d := math.Mod(a-b, 360)
	if d > 180 {
		d -= 360
	} else if d <= -180 {
		d += 360
	}
	return d
}

// isRTL reports whether r belongs to a right-to-left script (Hebrew,
// Arabic, Syriac, Thaana, N'Ko, Samaritan, Mandaic and their presentation
// forms).
func isRTL(r rune) bool {
	return (r >= 0x0590 && r <= 0x08FF) || (r >= 0xFB1D && r <= 0xFDFF) ||
		(r >= 0xFE70 && r <= 0xFEFF) || (r >= 0x10800 && r <= 0x10FFF) || (r >= 0x1E800 && r <= 0x1EFFF)
}

// unionBox returns the smallest box holding a and b; unlike folio.Box.Union
// it treats no box as empty.
func unionBox(a, b folio.Box) folio.Box {
	return folio.Box{math.Min(a[0], b[0]), math.Min(a[1], b[1]), math.Max(a[2], b[2]), math.Max(a[3], b[3])}
}

// round2 rounds to two decimals, the precision of Folio's outputs.
func round2(v float64) float64 { return math.Round(v*100) / 100 }

// roundBox rounds a box to two decimals.
func roundBox(b folio.Box) folio.Box { return b.Rounded() }
