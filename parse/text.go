package parse

import (
	"math"
	"slices"
	"unicode"
	"unicode/utf16"

	"github.com/folio/folio"
)

// Text render modes that paint nothing (PDF 9.3.6): 3 invisible, 7 clip only.
const (
	renderFill      = 0
	renderInvisible = 3
	renderFillClip  = 4
	renderClip      = 7
)

// hyphenMark is the code PDFium puts in place of a hyphen that ends a line
// inside a word (its CharType kHyphen). The parser restores the hyphen; the
// segmenter joins the word halves.
const hyphenMark = 0x02

// softHyphen (U+00AD) marks where a word may be broken. Inside a line
// it is dropped from the word when it has no advance (not shown), and read
// as a hyphen when it has one (drawn: producers map the hyphen glyph to
// it); at the end of a line it shows as a hyphen and is read as one, which
// the segmenter joins like PDFium's hyphen mark. It never splits a word.
const softHyphen = 0x00AD

// minTextSize is the rendered size in points below which text cannot be
// read: sub-point text is a way to hide instructions for the models
// downstream.
const minTextSize = 1

// minGlyphBox is the extent across the line, in points, of a glyph box
// that shows text is drawn legibly whatever its font size says: Type3
// fonts scale glyphs by their own FontMatrix, which FPDFText_GetFontSize
// leaves out, so a Tf of 0.012 can draw 12-point glyphs. A sub-point
// font's loose box is at most about 1.2 pt tall, well under this.
const minGlyphBox = 2

// Letter-spacing, told from word spacing when PDFium generated the spaces.
const (
	// letterGapTolEm is how much wider than the gaps between its letters,
	// in ems, a gap may be and still be letter-spacing: per-glyph
	// positioning repeats one gap to a hundredth of an em, and a word space
	// is wider by a tenth of an em or more even in tightly set text.
	letterGapTolEm = 0.05
	// minLetterSpaced is how many alike spaced gaps make a run
	// letter-spaced when all its letters have spaces between them.
	minLetterSpaced = 3
)

// sep says whether a glyph is a separator between words.
type sep uint8

const (
	sepNone  sep = iota
	sepSpace     // a space, real or inserted by PDFium
	sepLine      // a line break, real or inserted by PDFium
)

// glyph is one character of a page's text in PDFium's order: a visible
// character with its box and style, or a separator.
type glyph struct {
	r       rune
	sep     sep
	box     folio.Box // displayed frame
	noBox   bool      // PDFium gave no extent (an empty box)
	idx     int32     // PDFium's character index (of a surrogate pair, the first)
	clipped bool      // wholly outside its text object's clip
	style   *textStyle
}

// textStyle is the font and state of one text object.
type textStyle struct {
	font   string
	size   float64
	weight int
	bold   bool
	italic bool
	mono   bool
	hidden bool // invisible or clip-only render mode, transparent, or in a layer that is off
	// invisible is render mode 3 alone (a subset of hidden): the mode
	// OCR programs write their text layer in over a scanned image.
	invisible bool
	// tiny says the font size is below minTextSize; the word is hidden
	// unless its glyph boxes show it drawn larger (see renderedSize).
	tiny  bool
	white bool    // filled in white: invisible unless drawn on a background
	angle float64 // degrees counter-clockwise in the displayed frame
	// clip bounds the object's clipping path in page space, when clipped.
	clip    [4]float64
	clipped bool
}

// classify sorts a code point into separators, characters to drop
// (controls, non-characters, NUL for unmapped glyphs) and the rest.
func classify(r rune) (s sep, drop bool) {
	switch {
	case r == '\r' || r == '\n' || r == 0x2028 || r == 0x2029 || r == 0x0B || r == 0x0C || r == 0x85:
		return sepLine, false
	case unicode.IsSpace(r):
		return sepSpace, false
	case r < 0x20 || (r >= 0x7F && r < 0xA0) || r == 0xFFFE || r == 0xFFFF || r > unicode.MaxRune ||
		(r >= 0xD800 && r < 0xE000):
		return sepNone, true
	}
	return sepNone, false
}

// readText reads the characters of a loaded text page. It returns how
// many the page has when that is more than MaxPageGlyphs, and then reads
// none.
func (d *docParser) readText(tp uint32, fr frame) ([]glyph, int) {
	l := d.l
	n := l.callI32(fnTextCountChars, uint64(tp))
	if n > d.opts.MaxPageGlyphs {
		return nil, n
	}
	if n <= 0 {
		return nil, 0
	}
	gs := make([]glyph, 0, n)
	styles := make(map[uint32]*textStyle)
	var (
		style   *textStyle
		prev    [4]float64 // user-space loose box of the previous character
		newWord = true
	)
	box := l.scratch
	runes := d.pageUnicode(tp, n)
	for i := 0; i < n && l.err == nil; i++ {
		idx := uint64(i)
		r := runes[i]
		if r == hyphenMark {
			r = '-'
		}
		// PDFium gives a character outside the BMP as a UTF-16 surrogate
		// pair: two character indexes with the same box. They are one
		// character, read at the first index.
		pair := false
		if utf16.IsSurrogate(r) && i+1 < n {
			if c := utf16.DecodeRune(r, runes[i+1]); c != unicode.ReplacementChar {
				r, pair = c, true
			}
		}
		s, drop := classify(r)
		if drop {
			continue
		}
		if pair {
			i++
		}
		if s != sepNone {
			gs = append(gs, glyph{r: r, sep: s, idx: int32(idx), noBox: true})
			newWord = true
			continue
		}
		l.call(fnTextGetLooseCharBox, uint64(tp), idx, uint64(box))
		left, top, right, bottom := l.rectF(box)
		// A character's style is its text object's. Asking for the object
		// costs a call, so ask at the start of a word and where the line
		// box changes (size, baseline or direction); within a word on one
		// line the object rarely changes without that.
		sameLine := (top == prev[1] && bottom == prev[3]) || (left == prev[0] && right == prev[2])
		if style == nil || newWord || !sameLine {
			obj := l.callPtr(fnTextGetTextObject, uint64(tp), idx)
			st, ok := styles[obj]
			if !ok {
				st = d.textStyle(tp, idx, obj, fr)
				styles[obj] = st
			}
			style = st
		}
		prev = [4]float64{left, top, right, bottom}
		newWord = false
		if !finite(left, top, right, bottom) {
			continue
		}
		gs = append(gs, glyph{r: r, box: fr.box(left, bottom, right, top), noBox: left == right && top == bottom,
			idx: int32(idx), clipped: style.clipped && outside(style.clip, left, top, right, bottom), style: style})
	}
	return d.dropGeneratedSpaces(tp, gs), 0
}

// dropGeneratedSpaces removes spaces PDFium inserted (FPDFText_IsGenerated)
// inside words. PDFium inserts one where kerning or a glyph's own position
// leaves more than about a tenth of an em, which splits words set with
// per-glyph positioning or loose kerning ("hel lo"); but tightly set text
// has word gaps that narrow too ("2020 has"). A generated space narrower
// than a word gap (see wordGap) is dropped when it is no wider than the
// gaps between the letters around it: the letters of its run (the glyphs
// between the real separators) touching without a space, or, where PDFium
// put a space between every two of them, its other spaces, all alike
// (letter-spacing). Spaces in the content stay. Only the spaces that look
// wrong are asked about, one call each.
func (d *docParser) dropGeneratedSpaces(tp uint32, gs []glyph) []glyph {
	// cand marks the generated spaces narrower than a word gap.
	var cand map[int]bool
	for i := 1; i+1 < len(gs); i++ {
		prev, next := &gs[i-1], &gs[i+1]
		if gs[i].sep == sepSpace && prev.sep == sepNone && next.sep == sepNone && !splits(prev, next) &&
			d.l.call(fnTextIsGenerated, uint64(tp), uint64(gs[i].idx)) == 1 {
			if cand == nil {
				cand = make(map[int]bool)
			}
			cand[i] = true
		}
	}
	if cand == nil {
		return gs
	}
	drop := make(map[int]bool, len(cand))
	for start := 0; start < len(gs); {
		// A run: glyphs joined directly or by candidate spaces.
		end := start
		for end < len(gs) && (gs[end].sep == sepNone || cand[end]) {
			end++
		}
		var inner, spaced []float64
		var spaces []int
		for k := start; k+1 < end; k++ {
			if gs[k].sep != sepNone {
				continue
			}
			if gs[k+1].sep == sepNone {
				if gap, _, _ := offsets(&gs[k], &gs[k+1]); !baselineShift(&gs[k], &gs[k+1]) {
					inner = append(inner, gap)
				}
			} else if k+2 < end {
				gap, _, _ := offsets(&gs[k], &gs[k+2])
				spaced, spaces = append(spaced, gap), append(spaces, k+1)
			}
		}
		for j, i := range spaces {
			tol := letterGapTolEm * math.Max(gs[i-1].style.size, 1)
			if len(inner) > 0 {
				drop[i] = spaced[j] <= median(inner)+tol
			} else {
				drop[i] = len(spaced) >= minLetterSpaced && slices.Max(spaced)-slices.Min(spaced) <= tol
			}
		}
		start = max(end, start+1)
	}
	out := gs[:0]
	for i := range gs {
		if !drop[i] {
			out = append(out, gs[i])
		}
	}
	return out
}

// median returns the median of xs (not empty); xs is sorted in place.
func median(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// textStyle reads the font and render state of the text object of char
// idx. PDFium computes these per text object, so one read serves all the
// object's characters.
func (d *docParser) textStyle(tp uint32, idx uint64, obj uint32, fr frame) *textStyle {
	l := d.l
	st := &textStyle{
		size:   f64Result(l.call(fnTextGetFontSize, uint64(tp), idx)),
		weight: l.callI32(fnTextGetFontWeight, uint64(tp), idx),
	}
	if st.weight < 0 {
		st.weight = 0
	}
	// FPDFText_GetFontSize is the size set by Tf; text and graphics
	// matrices scale it, often from a Tf size of 1.
	p := l.scratch
	// A negative size (Tf -12) draws the glyphs turned half round, as
	// legible as with 12: the rendered size is the absolute value.
	flipped := st.size < 0
	st.size = math.Abs(st.size)
	if l.call(fnTextGetMatrix, uint64(tp), idx, uint64(p)) != 0 {
		c, d := l.f32(p+8), l.f32(p+12)
		st.size *= math.Hypot(c, d)
	}
	if !finite(st.size) {
		st.size = 0
	}
	flagsPtr := l.scratch + 16
	buf := l.ensureBuf(256)
	n := uint32(l.call(fnTextGetFontInfo, uint64(tp), idx, uint64(buf), 256, uint64(flagsPtr)))
	if n > 256 && n < 1<<16 {
		buf = l.ensureBuf(n)
		n = uint32(l.call(fnTextGetFontInfo, uint64(tp), idx, uint64(buf), uint64(n), uint64(flagsPtr)))
	}
	flags := uint32(0)
	if n > 1 && n < 1<<16 {
		name := l.read(buf, n-1) // drop the NUL
		flags = l.u32(flagsPtr)
		st.font = fontName(string(name))
	}
	st.bold, st.italic, st.mono = fontStyle(st.font, st.weight, flags)
	if obj != 0 {
		mode := l.callI32(fnTextObjGetRenderMode, uint64(obj))
		st.hidden = mode == renderInvisible || mode == renderClip
		st.invisible = mode == renderInvisible
		if !st.hidden && (mode == renderFill || mode == renderFillClip) {
			p := l.scratch + 32
			if l.call(fnObjGetFillColor, uint64(obj), uint64(p), uint64(p+4), uint64(p+8), uint64(p+12)) != 0 {
				st.hidden = l.u32(p+12) == 0
				st.white = l.u32(p) >= 250 && l.u32(p+4) >= 250 && l.u32(p+8) >= 250
			}
		}
	}
	st.tiny = st.size < minTextSize
	if d.hidden[obj] {
		st.hidden, st.invisible = true, false
	}
	if obj != 0 && (!st.hidden || st.invisible) && !d.inForm[obj] {
		st.clip, st.clipped = l.clipBounds(obj)
	}
	rad := f32Result(l.call(fnTextGetCharAngle, uint64(tp), idx))
	if finite(rad) && rad >= 0 {
		// PDFium measures atan2(c, a) of the text matrix: clockwise.
		deg := -rad * 180 / math.Pi
		if flipped {
			deg += 180 // the negative size turns the text matrix half round
		}
		st.angle = math.Round(fr.angle(deg)*100) / 100
		if st.angle >= 359.995 {
			st.angle = 0
		}
	}
	return st
}
