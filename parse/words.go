package parse

import (
	"math"
	"strings"
	"unicode"

	"github.com/folio/folio"
)

// Word splitting thresholds, in units of the font size.
const (
	// splitGapEm is the gap between two characters, along the text
	// direction, above which they belong to different words even without a
	// space between them (table cells positioned apart, missing spaces).
	splitGapEm = 0.4
	// splitShiftEm is the shift across the text direction (a baseline jump)
	// above which two characters belong to different words.
	splitShiftEm = 0.5
)

// buildWords groups a page's glyphs into words: runs of characters between
// separators, split further where the next character is far along the line,
// off the baseline, turned differently or differently visible. pageW and
// pageH are the displayed page size, for marking off-page words hidden.
//
// Words filled in white are returned hidden, and their indexes in white:
// the caller shows those that lie on a background.
func buildWords(gs []glyph, pageW, pageH float64) (words []folio.Word, white []int) {
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
		words = append(words, folio.Word{
			Text:       text.String(),
			Box:        roundBox(box),
			Font:       st.font,
			Size:       round2(st.size),
			Weight:     st.weight,
			Bold:       st.bold,
			Italic:     st.italic,
			Mono:       st.mono,
			RTL:        rtl,
			Angle:      st.angle,
			SpaceAfter: spaceAfter,
			Hidden:     st.hidden || st.white || offPage || clipped,
		})
		if st.white && !st.hidden && !offPage && !clipped {
			white = append(white, len(words)-1)
		}
		cur = cur[:0]
	}
	for i := range gs {
		g := &gs[i]
		if g.sep != sepNone {
			flush(g.sep == sepSpace)
			continue
		}
		if len(cur) > 0 && splits(cur[len(cur)-1], g) {
			flush(false)
		}
		cur = append(cur, g)
	}
	flush(false)
	return words, white
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
	size := math.Max(math.Min(ps.size, gs.size), 1)
	rad := ps.angle * math.Pi / 180
	// Direction of the text and its normal in the displayed frame (y down).
	dx, dy := math.Cos(rad), -math.Sin(rad)
	nx, ny := -dy, dx
	pcx, pcy := prev.box.CenterX(), prev.box.CenterY()
	gcx, gcy := g.box.CenterX(), g.box.CenterY()
	along := math.Abs((gcx-pcx)*dx + (gcy-pcy)*dy)
	extent := func(b folio.Box) float64 { return (math.Abs(dx)*b.Width() + math.Abs(dy)*b.Height()) / 2 }
	gap := along - extent(prev.box) - extent(g.box)
	if gap > splitGapEm*size {
		return true
	}
	shift := math.Abs((gcx-pcx)*nx + (gcy-pcy)*ny)
	return shift > splitShiftEm*size
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
