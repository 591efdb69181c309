package segment

import (
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/folio/folio"
)

// word is one visible word of a page with the state segmentation keeps on
// it. It points at the parser's word instead of copying it (a long
// document has millions), and holds its own copy of the fields
// segmentation changes, which shadow the parser's: the parser's words are
// never written. A word whose box changes gets a folio.Word of its own
// (see turned).
type word struct {
	*folio.Word
	Text               string // trimmed
	Bold, Italic, Mono bool
	// used is set once a table, a figure or the furniture took the word,
	// so that no other element repeats it.
	used bool
}

// newWord returns the segmentation word of the parser's word w.
func newWord(w *folio.Word) word {
	return word{Word: w, Text: w.Text, Bold: w.Bold, Italic: w.Italic, Mono: w.Mono}
}

// turned returns a copy of w with box b.
func (w *word) turned(b folio.Box) *word {
	c, fw := *w, *w.Word
	fw.Box = b
	c.Word = &fw
	return &c
}

// Word boxes that are the font's declared extent, not its glyphs'.
const (
	// tallBox is the height of a word's box, in multiples of its font
	// size, above which the box is the ascent and descent a font declares
	// rather than its glyphs: PDFium gives 5.6 times the size for Cambria
	// in some Word output, so that consecutive lines' boxes overlap and
	// merge. Ordinary fonts' boxes are 1.1 to 1.5 times the size.
	tallBox = 1.8
	// glyphAbove and glyphBelow place the glyphs of such a word, in
	// multiples of its size, above and below its box's centre, which the
	// outsized ascent and descent leave between the baseline and the cap
	// height: the ink of that Cambria reached 0.45 above and 0.35 below
	// it, a descriptor of ascent 3 and descent 2.6 puts the cap height
	// 0.4 above and the descenders 0.5 below.
	glyphAbove = 0.55
	glyphBelow = 0.45
)

// tightenTallBoxes gives the words whose boxes are far taller than their
// font size (tallBox) the box of their glyphs, estimated from the box's
// centre and the size, so that lines never merge over them. (A math
// font's big operator, a tall glyph indeed, shrinks too; it then no
// longer spans the lines of a displayed formula.)
func tightenTallBoxes(pages []*page) {
	for _, pg := range pages {
		for _, w := range pg.words {
			if w.Size > 0 && w.h() > tallBox*w.Size {
				cy := w.cy()
				*w = *w.turned(folio.Box{w.Box[0], cy - glyphAbove*w.Size, w.Box[2], cy + glyphBelow*w.Size})
			}
		}
	}
}

func (w *word) cx() float64 { return w.Box.CenterX() }
func (w *word) cy() float64 { return w.Box.CenterY() }
func (w *word) h() float64  { return w.Box.Height() }

// size is the word's font size, or its box height when the engine gave
// none.
func (w *word) size() float64 {
	if w.Size > 0 {
		return w.Size
	}
	return math.Max(1, w.Box.Height()*0.85)
}

// page is one page being segmented.
type page struct {
	num   int
	w, h  float64
	src   *folio.Page
	words []*word
	// items is the page's content in reading order, furniture included.
	items []*item
	// furniture holds the header, footer and page number items found by
	// findFurniture, placed by segmentPage.
	furniture []*item
	// candidates holds regions weighed as tables and refused, each with
	// the belief in its refusal; they come after the page's items.
	candidates []*item
	// aside holds words set at an angle to the page's text (margin
	// stamps, turned column heads); they are read after the body.
	aside []*word
	// turn maps the page, when most of its text is turned, into the frame
	// where it reads left to right; boxes go back at output.
	turn frame

	// cache holds the lines of the words no element has taken, for the
	// detectors that each look at the whole page; key tells which words
	// they were built from.
	cache struct {
		key    uint64
		lines  []*line
		pieces map[float64][]*line
	}
}

// freeLines returns the lines of the page's words that no element has
// taken yet. The lines are shared: callers must not change them.
func (pg *page) freeLines() []*line {
	key := uint64(14695981039346656037)
	for i, w := range pg.words {
		if !w.used {
			key = (key ^ uint64(i+1)) * 1099511628211
		}
	}
	if pg.cache.lines != nil && pg.cache.key == key {
		return pg.cache.lines
	}
	ws := make([]*word, 0, len(pg.words))
	for _, w := range pg.words {
		if !w.used {
			ws = append(ws, w)
		}
	}
	pg.cache.key = key
	pg.cache.lines = buildLines(ws)
	if pg.cache.lines == nil {
		pg.cache.lines = []*line{}
	}
	pg.cache.pieces = nil
	return pg.cache.lines
}

// freePieces returns the free lines cut at gaps wider than gap times the
// font size (see splitLine), shared like freeLines.
func (pg *page) freePieces(gap float64) []*line {
	lines := pg.freeLines()
	if ps, ok := pg.cache.pieces[gap]; ok {
		return ps
	}
	var ps []*line
	for _, l := range lines {
		ps = append(ps, splitLine(l, gap)...)
	}
	if pg.cache.pieces == nil {
		pg.cache.pieces = map[float64][]*line{}
	}
	pg.cache.pieces[gap] = ps
	return ps
}

// item is an element under construction.
type item struct {
	typ    folio.ElementType
	layer  string
	page   int
	box    folio.Box
	lines  []*line // text lines, in reading order
	text   string
	level  int
	marker string
	table  *folio.Table
	image  *folio.Image
	conf   float64
	// tev is the evidence a table was found on, for its confidence.
	tev *tableEvidence
	// regions lists every page and box of an element that spans pages
	// (a table continued on the next page), in its pages' frames.
	regions []folio.PageBox

	// size, bold and mono describe the dominant style of the lines.
	size       float64
	bold, mono bool
	italic     bool

	// flow numbers the column flow of the page the item came from, so
	// that classification can tell neighbours in one column apart.
	flow int
	// figure is set on text that labels the inside of a figure.
	figure    bool
	parent    *item
	caption   *item
	captionOf *item
}

// doc is a document being segmented.
type doc struct {
	opt   Options
	pages []*page
	// bodySize is the most common font size, weighted by characters.
	bodySize float64
	bodyBold bool
	// bodyFont is the most common font name, weighted by characters.
	bodyFont string
}

func newDoc(p *folio.Parsed, opt Options) *doc {
	d := &doc{opt: opt}
	styles := map[string]nameStyle{}
	for i := range p.Pages {
		src := &p.Pages[i]
		turn := frame{angle: dominantAngle(src), w: src.Width, h: src.Height}
		if turn.angle != 0 {
			src = rotatePage(src, turn)
		}
		pg := &page{num: src.Number, w: src.Width, h: src.Height, src: src, turn: turn}
		if !finite(pg.w) || !finite(pg.h) || pg.w < 0 || pg.h < 0 {
			pg.w, pg.h = 0, 0
		}
		if pg.num == 0 {
			pg.num = i + 1
		}
		// One allocation for the page's words; it never grows, so the
		// pointers into it stay valid.
		slab := make([]word, 0, len(src.Words))
		for j := range src.Words {
			w := newWord(&src.Words[j])
			if w.Hidden {
				continue
			}
			w.Text = strings.TrimSpace(w.Text)
			if w.Text == "" || !finiteBox(w.Box) || w.Box.Width() < 0 || w.Box.Height() < 0 || !finite(w.Size) || !finite(w.Angle) {
				continue
			}
			slab = append(slab, w)
			nw := &slab[len(slab)-1]
			if quarter(w.Angle) != 0 {
				pg.aside = append(pg.aside, nw)
				continue
			}
			fontStyle(nw, styles)
			pg.words = append(pg.words, nw)
		}
		d.pages = append(d.pages, pg)
	}
	tightenTallBoxes(d.pages)
	if mono := monoFonts(d.pages); len(mono) > 0 {
		for _, pg := range d.pages {
			for _, w := range pg.words {
				if mono[w.Font] {
					w.Mono = true
				}
			}
		}
	}
	d.bodySize, d.bodyFont, d.bodyBold = bodyStyle(d.pages)
	return d
}

// bodyStyle finds the most common font size (to half a point), font name
// and weight, each weighted by characters.
func bodyStyle(pages []*page) (size float64, font string, bold bool) {
	sizes := map[float64]int{}
	fonts := map[string]int{}
	var nbold, n int
	for _, pg := range pages {
		for _, w := range pg.words {
			c := len([]rune(w.Text))
			sizes[math.Round(w.size()*2)/2] += c
			fonts[w.Font] += c
			n += c
			if w.Bold {
				nbold += c
			}
		}
	}
	size = 10
	best := -1
	for s, c := range sizes {
		if c > best || (c == best && s < size) {
			size, best = s, c
		}
	}
	best = -1
	for f, c := range fonts {
		if c > best || (c == best && f < font) {
			font, best = f, c
		}
	}
	return size, font, n > 0 && nbold*2 > n
}

// elements flattens the pages' items into the output slice and turns item
// links into 1-based positions.
func (d *doc) elements() []folio.Element {
	var all []*item
	for _, pg := range d.pages {
		items := slices.Concat(pg.items, pg.candidates)
		if pg.turn.angle != 0 {
			for _, it := range items {
				it.box = pg.turn.unbox(it.box)
				if it.table != nil {
					for i := range it.table.Cells {
						it.table.Cells[i].Box = pg.turn.unbox(it.table.Cells[i].Box).Rounded()
					}
				}
			}
		}
		all = append(all, items...)
	}
	pos := make(map[*item]int, len(all))
	for i, it := range all {
		pos[it] = i + 1
	}
	out := make([]folio.Element, 0, len(all))
	for _, it := range all {
		e := folio.Element{
			Type:       it.typ,
			Level:      it.level,
			Page:       it.page,
			Box:        it.box.Rounded(),
			Text:       it.text,
			Layer:      it.layer,
			Marker:     it.marker,
			Table:      it.table,
			Image:      it.image,
			Confidence: math.Round(clamp(it.conf, 0, 1)*100) / 100,
		}
		for _, r := range it.regions {
			if pg := d.page(r.Page); pg != nil && pg.turn.angle != 0 {
				r.Box = pg.turn.unbox(r.Box)
			}
			r.Box = r.Box.Rounded()
			e.Regions = append(e.Regions, r)
		}
		if it.parent != nil {
			e.ParentRef = pos[it.parent]
		}
		if it.caption != nil {
			e.CaptionRef = pos[it.caption]
		}
		if it.captionOf != nil {
			e.ParentRef = pos[it.captionOf]
		}
		out = append(out, e)
	}
	return out
}

// page returns the page numbered n, or nil.
func (d *doc) page(n int) *page {
	for _, pg := range d.pages {
		if pg.num == n {
			return pg
		}
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func finiteBox(b folio.Box) bool {
	return finite(b[0]) && finite(b[1]) && finite(b[2]) && finite(b[3])
}

func clamp(v, lo, hi float64) float64 {
	return math.Max(lo, math.Min(hi, v))
}

// cmpFloat compares x and y for the slices sorts. It is negative exactly
// when x < y, NaN included, so that those sorts order as sort.Slice and
// sort.SliceStable did with that test (the algorithms are the same).
func cmpFloat(x, y float64) int {
	if x < y {
		return -1
	}
	if y < x {
		return 1
	}
	return 0
}

// unionBoxes returns the box around all boxes.
func unionBoxes(bs ...folio.Box) folio.Box {
	var u folio.Box
	for _, b := range bs {
		u = u.Union(b)
	}
	return u
}

// overlapX is the length of the horizontal overlap of a and b, negative
// for the gap between them.
func overlapX(a, b folio.Box) float64 {
	return math.Min(a[2], b[2]) - math.Max(a[0], b[0])
}

// overlapY is the length of the vertical overlap of a and b, negative for
// the gap between them.
func overlapY(a, b folio.Box) float64 {
	return math.Min(a[3], b[3]) - math.Max(a[1], b[1])
}

// median returns the median of v (which it sorts), or 0 when empty.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	sort.Float64s(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
