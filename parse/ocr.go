package parse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/folio/folio"
	"github.com/folio/folio/internal/tesseract"
)

// Scanned-page detection thresholds.
const (
	// scanCover is the share of the page that pictures must cover for a
	// page with little text to count as a scan.
	scanCover = 0.6
	// scanFewRunes is "little text": fewer good visible characters than
	// this (a stamp, a page number or a Bates number over a scan).
	scanFewRunes = 40
	// minInk is the number of dark pixels below which a rendered page is
	// blank and not worth OCR.
	minInk = 200
	// minOCRConfidence drops recognised words tesseract doubts more than
	// this (0-100): specks, rules and pictures read as letters.
	minOCRConfidence = 40
)

// ocrSizeFactor turns tesseract's line size (ascender to descender, in
// pixels) into a font size: on 13 born-digital pages rendered at 300 dpi
// and read back, the line size was 0.91 of the font size (median; 0.85 to
// 0.95 per page).
const ocrSizeFactor = 1 / 0.91

// missingHint is the warning given when scanned pages cannot be read.
const missingHint = "tesseract not found: scanned pages have no text; " + tesseract.Hint

// ocrEngine is the engine's OCR capability: the tesseract program when it
// is installed and wanted, and the bound on processes running at once.
type ocrEngine struct {
	prog *tesseract.Program // nil when OCR is off or unavailable
	off  bool               // Options.NoOCR
	why  error              // why prog is nil when OCR is wanted
	sem  chan struct{}
	log  *slog.Logger

	warnOnce sync.Once
	// broken is set when tesseract failed in a way that will not get
	// better (language data missing): later pages are not tried.
	broken atomic.Pointer[error]
}

// init looks for tesseract unless OCR is off.
func (o *ocrEngine) init(opts *Options, log *slog.Logger) {
	o.log = log
	o.sem = make(chan struct{}, opts.OCRWorkers)
	if opts.NoOCR {
		o.off = true
		return
	}
	o.prog, o.why = tesseract.Find(opts.Tesseract, opts.OCRLanguage)
}

// unavailable returns why pages cannot be read now, nil when they can
// (or OCR is off, which is no problem to report).
func (o *ocrEngine) unavailable() error {
	if o.off {
		return nil
	}
	if p := o.broken.Load(); p != nil {
		return *p
	}
	return o.why
}

// warn logs, once per engine, that scanned pages cannot be read.
func (o *ocrEngine) warn(err error) {
	o.warnOnce.Do(func() {
		if errors.Is(err, tesseract.ErrNotFound) {
			o.log.Warn(missingHint)
			return
		}
		o.log.Warn("ocr unavailable: scanned pages have no text", "err", err)
	})
}

// ocrJob is one page image to read.
type ocrJob struct {
	index int         // page index in Parsed.Pages
	img   *image.Gray // the page as displayed, white background
	dpi   float64     // pixels per inch of img
	w, h  float64     // page size in points, or the region's
	// region is set when img is one picture on a page with a text layer
	// (a table or a chart placed as an image); x0, y0 place it on the page.
	region bool
	x0, y0 float64
}

// ocrResult is what OCR found on one page.
type ocrResult struct {
	words   []folio.Word
	rulings []folio.Ruling
	err     error
	took    time.Duration
	region  bool
	order   int // the job's place among its page's regions
}

// ocrRun reads the scanned pages of one document beside its parsing:
// submit hands a page image to a tesseract process (waiting while the
// engine's processes are all busy) and wait collects the results.
type ocrRun struct {
	o       *ocrEngine
	wg      sync.WaitGroup
	mu      sync.Mutex
	results map[int][]ocrResult
	// unread counts scanned pages that could not be read because OCR is
	// unavailable; why says why.
	unread int
	why    error
}

// start begins the OCR of one document; nil when OCR is off.
func (o *ocrEngine) start() *ocrRun {
	if o.off {
		return nil
	}
	return &ocrRun{o: o, results: map[int][]ocrResult{}}
}

// ready reports whether pages can be read; when they cannot, it counts
// the page as unread.
func (r *ocrRun) ready() bool {
	if r == nil {
		return false
	}
	if err := r.o.unavailable(); err != nil {
		r.mu.Lock()
		r.unread++
		r.why = err
		r.mu.Unlock()
		return false
	}
	return true
}

// submit reads a page image in a new goroutine, under ctx, once a
// tesseract slot is free. It returns false when ctx ended first.
func (r *ocrRun) submit(ctx context.Context, j ocrJob) bool {
	select {
	case r.o.sem <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	r.wg.Go(func() {
		defer func() { <-r.o.sem }()
		res := r.o.read(ctx, j)
		r.mu.Lock()
		r.results[j.index] = append(r.results[j.index], res)
		r.mu.Unlock()
	})
	return true
}

// wait waits for the pages submitted.
func (r *ocrRun) wait() {
	if r != nil {
		r.wg.Wait()
	}
}

// merge puts the words and rulings found into the pages and adds the
// document's OCR warnings. It fails with ctx's error when ctx ended before
// every page was read.
func (r *ocrRun) merge(ctx context.Context, p *folio.Parsed) error {
	if r == nil {
		return nil
	}
	if r.unread > 0 {
		r.o.warn(r.why)
		msg := r.why.Error()
		if errors.Is(r.why, tesseract.ErrNotFound) {
			msg = missingHint
		}
		p.Warnings = append(p.Warnings, fmt.Sprintf("%d scanned page(s) without text: %s", r.unread, msg))
	}
	idx := make([]int, 0, len(r.results))
	for i := range r.results {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	for _, i := range idx {
		// Regions in the order they were placed on the page.
		rs := r.results[i]
		slices.SortStableFunc(rs, func(a, b ocrResult) int { return a.order - b.order })
		for _, res := range rs {
			if res.err != nil {
				if err := ctx.Err(); err != nil {
					return err
				}
				p.Warnings = append(p.Warnings, fmt.Sprintf("page %d: ocr: %v", i+1, res.err))
				continue
			}
			// Pages may be some of the document's (a worker's share, or the
			// scanned ones alone).
			if k := pageIndex(p, i+1); k >= 0 {
				pg := &p.Pages[k]
				if res.region {
					pg.Words = addRegionWords(pg.Words, res.words)
				} else {
					pg.Words = mergeOCRWords(pg.Words, res.words)
				}
				pg.Rulings = append(pg.Rulings, res.rulings...)
				r.o.log.Debug("ocr page", "page", pg.Number, "region", res.region, "words", len(res.words), "rulings", len(res.rulings), "took", res.took)
			}
		}
	}
	return nil
}

// pageIndex returns the index in p.Pages, which is in page order, of the
// page numbered n, or -1.
func pageIndex(p *folio.Parsed, n int) int {
	k, ok := slices.BinarySearchFunc(p.Pages, n, func(pg folio.Page, n int) int { return pg.Number - n })
	if !ok {
		return -1
	}
	return k
}

// read finds the lines of a page image, paints them out and reads the
// rest with tesseract.
func (o *ocrEngine) read(ctx context.Context, j ocrJob) ocrResult {
	start := time.Now()
	sx, sy := j.w/float64(j.img.Rect.Dx()), j.h/float64(j.img.Rect.Dy())
	lines := findLines(j.img, j.dpi)
	var res ocrResult
	for _, l := range lines {
		res.rulings = append(res.rulings, l.ruling(sx, sy))
	}
	words, err := o.prog.Recognize(ctx, pgm(j.img), int(math.Round(j.dpi)), tesseract.Sparse)
	if err == nil {
		letter := letterSize(words, j.dpi)
		bulletize(j.img, words, letter)
		pieces, bullets := leftovers(j.img, words, letter)
		words = append(words, bullets...)
		// A picture's second pass costs as much as its first for a few
		// words: its table was read in the first.
		if len(pieces) > 0 && !j.region {
			var more []tesseract.Word
			more, err = o.readLeftovers(ctx, j.img, pieces, letter, j.dpi)
			words = append(words, more...)
		}
	}
	if err != nil {
		if errors.Is(err, tesseract.ErrLanguage) {
			o.broken.CompareAndSwap(nil, &err)
		}
		res.err = err
		return res
	}
	res.words = ocrWords(words, inkStyles(j.img, words), sx, sy)
	if j.region {
		res.region, res.order = true, int(j.y0*1e4+j.x0)
		for k := range res.words {
			b := &res.words[k].Box
			*b = roundBox(folio.Box{b[0] + j.x0, b[1] + j.y0, b[2] + j.x0, b[3] + j.y0})
		}
		for k := range res.rulings {
			rl := &res.rulings[k]
			rl.X0, rl.X1, rl.Y0, rl.Y1 = round2(rl.X0+j.x0), round2(rl.X1+j.x0), round2(rl.Y0+j.y0), round2(rl.Y1+j.y0)
		}
	}
	res.took = time.Since(start)
	return res
}

// letterSize returns the most common line size of words, weighted by
// characters, in pixels; a 10-point font's at dpi when there are none.
func letterSize(words []tesseract.Word, dpi float64) float64 {
	n := map[int]int{}
	for _, w := range words {
		if w.XSize > 0 && w.Conf >= minOCRConfidence {
			n[int(w.XSize)] += len(w.Text)
		}
	}
	best, size := 0, 0
	for s, c := range n {
		if c > best || c == best && s < size {
			best, size = c, s
		}
	}
	if size == 0 {
		return 10 * 0.91 * dpi / 72
	}
	return float64(size)
}

// pgm returns img as a binary PGM file (P5), which tesseract reads from
// stdin without the cost of compressing it.
func pgm(img *image.Gray) io.Reader {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	header := fmt.Appendf(nil, "P5\n%d %d\n255\n", w, h)
	if img.Stride == w {
		return io.MultiReader(bytes.NewReader(header), bytes.NewReader(img.Pix[:w*h]))
	}
	pix := make([]byte, 0, w*h)
	for y := range h {
		pix = append(pix, img.Pix[y*img.Stride:y*img.Stride+w]...)
	}
	return io.MultiReader(bytes.NewReader(header), bytes.NewReader(pix))
}

// ocrWords turns tesseract's words, in pixels, into page words in points
// (sx and sy points per pixel). Words tesseract doubts most are dropped.
// A word's size is its line's: tesseract's line size, with the lines near
// the page's most common size set to exactly that size, so that body text
// reads as one size and headings stand out. Bold and italic come from the
// ink (looks): strokes much thicker than the page's usual for the size,
// letters that stand straighter sheared back by 12°.
func ocrWords(tw []tesseract.Word, looks []inkStyle, sx, sy float64) []folio.Word {
	sizes := make([]float64, len(tw))
	weight := map[float64]int{}
	for i, w := range tw {
		size := w.XSize
		if size <= 0 {
			size = float64(w.LineBox.Dy())
		}
		if size <= 0 {
			size = float64(w.Box.Dy())
		}
		sizes[i] = math.Round(size*sy*ocrSizeFactor*2) / 2 // to half a point
		weight[sizes[i]] += len(w.Text)
	}
	body, best := 0.0, 0
	for s, n := range weight {
		if n > best || n == best && s < body {
			body, best = s, n
		}
	}
	// Bold: strokes much thicker, for the size, than the page's usual.
	var rel []float64
	relOf := make([]float64, len(tw))
	for i, w := range tw {
		if px := sizes[i] / sy; looks != nil && looks[i].stroke > 0 && px > 0 {
			relOf[i] = looks[i].stroke / px
			if w.Conf >= minOCRConfidence && len(w.Text) >= 3 {
				rel = append(rel, relOf[i])
			}
		}
	}
	slices.Sort(rel)
	usual := 0.0
	if len(rel) >= 5 {
		usual = rel[len(rel)/2]
	}
	out := make([]folio.Word, 0, len(tw))
	for i, w := range tw {
		if w.Conf < minOCRConfidence {
			continue
		}
		size := sizes[i]
		if math.Abs(size-body) <= 0.12*body {
			size = body
		}
		b := w.Box
		out = append(out, folio.Word{
			Text:       w.Text,
			Box:        roundBox(folio.Box{float64(b.Min.X) * sx, float64(b.Min.Y) * sy, float64(b.Max.X) * sx, float64(b.Max.Y) * sy}),
			Size:       size,
			SpaceAfter: !w.LastInLine,
			Bold:       usual > 0 && relOf[i] > boldStroke*usual,
			Italic:     looks != nil && looks[i].slant > italicGain && letters(w.Text) >= 2,
			Confidence: math.Max(0.01, math.Round(w.Conf)/100),
		})
	}
	return out
}

// mergeOCRWords returns a scanned page's words: its hidden words, its
// visible words unless they are mostly garbage, and the recognised words
// that do not repeat a visible word kept.
func mergeOCRWords(words, ocr []folio.Word) []folio.Word {
	good, total := textQuality(words)
	keepVisible := total > 0 && 2*good > total
	out := make([]folio.Word, 0, len(words)+len(ocr))
	var kept []folio.Box
	for _, w := range words {
		if w.Hidden || keepVisible {
			out = append(out, w)
			if !w.Hidden {
				kept = append(kept, w.Box)
			}
		}
	}
	for _, w := range ocr {
		dup := false
		for _, b := range kept {
			if b.Intersect(w.Box).Area() > 0.5*w.Box.Area() {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, w)
		}
	}
	return out
}

// outlinedSegments is the number of drawn path segments above which a
// page with little text is taken for lettering drawn as outlines (an
// infographic or a poster exported with its text converted to curves):
// a glyph outline takes 20-60 segments, so a page of outlined text has
// many thousands, and charts and diagrams far fewer.
const outlinedSegments = 20_000

// outlinedText reports whether a page with little visible text draws a
// great many path segments: its text is likely outlines, to be read from
// its pixels as a scan's.
func outlinedText(words []folio.Word, segments int) bool {
	good, _ := textQuality(words)
	return good < scanFewRunes && segments >= outlinedSegments
}

// scanReason says why a page has no usable text layer, "" when it has
// one: no visible text at all, visible text that is mostly garbage, or
// little text over pictures covering most of the page. A page without
// any object is blank, not scanned.
func scanReason(words []folio.Word, images []folio.ImagePlacement, objects int, w, h float64) string {
	if objects == 0 {
		return ""
	}
	good, total := textQuality(words)
	switch {
	case total == 0:
		return "no visible text"
	case 2*good <= total:
		return "garbage text"
	case good < scanFewRunes && imageCover(images, w, h) >= scanCover:
		return "little text over a picture"
	}
	return ""
}

// showTextLayer shows the invisible words (indexes into words, in render
// mode 3 and otherwise visible) that lie on the picture of a scan: a page
// whose images cover scanCover of it. That is the text layer an OCR program
// wrote over the scan for searching and copying, and it is the page's
// text; reading the page again would only lose what the layer's producer
// got right. Invisible text elsewhere stays hidden.
func showTextLayer(words []folio.Word, invisible []int, images []folio.ImagePlacement, w, h float64) {
	if len(invisible) == 0 || imageCover(images, w, h) < scanCover {
		return
	}
	for _, i := range invisible {
		b := &words[i].Box
		x, y := b.CenterX(), b.CenterY()
		if slices.ContainsFunc(images, func(im folio.ImagePlacement) bool {
			return x >= im.Box[0] && x <= im.Box[2] && y >= im.Box[1] && y <= im.Box[3]
		}) {
			words[i].Hidden = false
		}
	}
}

// textQuality counts the characters of the visible words and those that
// look like text: letters, digits, punctuation and symbols, not the
// replacement character or private-use code points that unmapped glyphs
// become.
func textQuality(words []folio.Word) (good, total int) {
	for _, w := range words {
		if w.Hidden {
			continue
		}
		for _, r := range w.Text {
			total++
			switch {
			case r == unicode.ReplacementChar, unicode.Is(unicode.Co, r), unicode.IsControl(r):
			case unicode.IsLetter(r), unicode.IsDigit(r), unicode.IsPunct(r), unicode.IsSymbol(r), unicode.IsMark(r):
				good++
			}
		}
	}
	return good, total
}

// imageCover returns the share of the page that images cover, counting
// overlaps once only roughly (the sum of areas, capped at 1).
func imageCover(images []folio.ImagePlacement, w, h float64) float64 {
	if w <= 0 || h <= 0 {
		return 0
	}
	var area float64
	for _, im := range images {
		area += im.Box.Intersect(folio.Box{0, 0, w, h}).Area()
	}
	return math.Min(1, area/(w*h))
}

// grayOf returns img as a gray image, converting colour by luminance.
func grayOf(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok && g.Rect.Min == (image.Point{}) {
		return g
	}
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	if rgba, ok := img.(*image.RGBA); ok {
		for y := range b.Dy() {
			src := rgba.Pix[(y)*rgba.Stride : y*rgba.Stride+4*b.Dx()]
			dst := g.Pix[y*g.Stride : y*g.Stride+b.Dx()]
			for x := range dst {
				r, gr, bl := uint32(src[4*x]), uint32(src[4*x+1]), uint32(src[4*x+2])
				dst[x] = uint8((299*r + 587*gr + 114*bl + 500) / 1000)
			}
		}
		return g
	}
	for y := range b.Dy() {
		for x := range b.Dx() {
			r, gr, bl, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			// Transparent pixels are on white paper.
			lum := (299*r + 587*gr + 114*bl) / 1000
			lum += 0xFFFF - a
			g.Pix[y*g.Stride+x] = uint8(min(lum, 0xFFFF) >> 8)
		}
	}
	return g
}

// boldStroke is how much thicker than the page's usual strokes (for
// the size) a word's must be to count as bold.
const boldStroke = 1.3

// inkStyle is what the pixels of a word say about its type style.
type inkStyle struct {
	stroke float64 // stroke width in pixels; 0 without ink
	slant  float64 // see slant
}

// inkStyles measures the words' strokes and slant.
func inkStyles(img *image.Gray, words []tesseract.Word) []inkStyle {
	out := make([]inkStyle, len(words))
	for i, w := range words {
		out[i] = inkStyle{stroke: stroke(img, w.Box), slant: slant(img, w.Box)}
	}
	return out
}

// stroke estimates the stroke width of the ink in box in pixels: twice
// its area over the length of its outline, which is the width of a long
// thin stroke. 0 when the box has no ink.
func stroke(img *image.Gray, box image.Rectangle) float64 {
	{
		b := box.Intersect(img.Rect)
		ink, edges := 0, 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := img.Pix[y*img.Stride:]
			for x := b.Min.X; x < b.Max.X; x++ {
				if row[x] >= darkLevel {
					continue
				}
				ink++
				// Count the sides that border paper (or the box's edge).
				if x == b.Min.X || row[x-1] >= darkLevel {
					edges++
				}
				if x == b.Max.X-1 || row[x+1] >= darkLevel {
					edges++
				}
				if y == b.Min.Y || img.Pix[(y-1)*img.Stride+x] >= darkLevel {
					edges++
				}
				if y == b.Max.Y-1 || img.Pix[(y+1)*img.Stride+x] >= darkLevel {
					edges++
				}
			}
		}
		if edges == 0 {
			return 0
		}
		return 2 * float64(ink) / float64(edges)
	}
}

// letters counts the letters of s.
func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// italicShear is the slant of italic letters (tan 12°), and italicGain
// how much sharper a word's column profile must get when it is sheared
// back by it for the word to count as italic.
const (
	italicShear = 0.21
	italicGain  = 1.12
)

// slant returns how much sharper the column profile of the ink in box
// gets when sheared back by italicShear: the sum of squared column
// counts sheared over the sum unsheared. Upright stems give the sharpest
// profile unsheared; italic ones sheared. 0 when the box has no ink.
func slant(img *image.Gray, box image.Rectangle) float64 {
	b := box.Intersect(img.Rect)
	if b.Empty() {
		return 0
	}
	shift := int(italicShear*float64(b.Dy())) + 1
	plain := make([]int, b.Dx())
	sheared := make([]int, b.Dx()+shift)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := img.Pix[y*img.Stride:]
		// Letters lean right going up: move each row left by its height.
		d := int(italicShear * float64(b.Max.Y-1-y))
		for x := b.Min.X; x < b.Max.X; x++ {
			if row[x] < darkLevel {
				plain[x-b.Min.X]++
				sheared[x-b.Min.X-d+shift-1]++
			}
		}
	}
	var p, q float64
	for _, c := range plain {
		p += float64(c * c)
	}
	for _, c := range sheared {
		q += float64(c * c)
	}
	if p == 0 {
		return 0
	}
	return q / p
}

// inked reports whether a gray image has at least minInk dark pixels.
func inked(g *image.Gray) bool {
	n := 0
	for y := range g.Rect.Dy() {
		for _, p := range g.Pix[y*g.Stride : y*g.Stride+g.Rect.Dx()] {
			if p < darkLevel {
				if n++; n >= minInk {
					return true
				}
			}
		}
	}
	return false
}
