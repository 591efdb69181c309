package parse

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/folio/folio"
)

// metaTags are the document information entries read into Parsed.Meta.
var metaTags = []string{"Title", "Author", "Subject", "Keywords", "Creator", "Producer", "CreationDate", "ModDate"}

// maxMetaRunes bounds one metadata value.
const maxMetaRunes = 1000

// docParser parses one document on one bound instance.
type docParser struct {
	l    *lib
	opts *Options
	log  *slog.Logger
	doc  uint32

	warnings []string
	images   imageBudget
	// ocr reads the pages without a usable text layer; nil when OCR is
	// off.
	ocr *ocrRun
	// fail is set when a page breaks a limit, which fails the document.
	fail *docError
	// cpu starts pdfcpu on the document, once, or returns its run; nil
	// when there is none.
	cpu func() *cpuResult
	// layers is the optional content configuration, once read; hidden
	// holds the page's objects in optional content that is off, inForm
	// its text objects drawn by form XObjects.
	layers         *layers
	hidden, inForm map[uint32]bool
	// emit, when set, takes each finished page that OCR will not change,
	// instead of the Parsed: a worker sends it at once and keeps no copy.
	emit func(folio.Page)
	// picturesRead is set while the page just read has pictures of text
	// at OCR: like a scanned page, it waits for the words.
	picturesRead bool
}

// warn records a warning for the document.
func (d *docParser) warn(format string, args ...any) {
	d.warnings = append(d.warnings, fmt.Sprintf(format, args...))
}

// document copies data into guest memory, opens it, calls fn with the open
// document and closes it. A document of more than maxPages pages fails
// with KindTooLarge before fn runs.
func (l *lib) document(data []byte, maxPages int, fn docFunc) *docError {
	if len(data) == 0 {
		return &docError{kind: folio.KindMalformed, err: fmt.Errorf("empty file")}
	}
	buf := l.malloc(uint32(len(data)))
	if l.err != nil {
		return callError(fmt.Errorf("copy document into wasm memory: %w", l.err))
	}
	l.write(buf, data)
	doc := l.callPtr(fnLoadMemDocument64, uint64(buf), uint64(len(data)), 0)
	if doc == 0 {
		code := uint32(l.call(fnGetLastError))
		l.free(buf)
		if l.err != nil {
			return callError(fmt.Errorf("open document: %w", l.err))
		}
		return openError(code)
	}
	n := l.callI32(fnGetPageCount, uint64(doc))
	var perr *docError
	switch {
	case l.err != nil:
	case n > maxPages:
		perr = &docError{kind: folio.KindTooLarge, err: fmt.Errorf("%d pages, limit %d", n, maxPages)}
	default:
		perr = fn(l, doc, max(n, 0))
	}
	l.call(fnCloseDocument, uint64(doc))
	l.free(buf)
	if l.err != nil {
		return callError(l.err)
	}
	return perr
}

// parse reads the metadata and every page of the open document, which has
// n pages. Scanned pages are handed to OCR, which may make it wait until
// ctx ends.
//
// Only pages from (0-based) to to, when to is positive, are read, and the
// metadata only with the first page: a worker's share of a big document.
func (d *docParser) parse(ctx context.Context, n, from, to int) *folio.Parsed {
	l := d.l
	if to <= 0 || to > n {
		to = n
	}
	from = min(max(from, 0), to)
	p := &folio.Parsed{Pages: make([]folio.Page, 0, to-from)}
	if n == 0 {
		d.warn("document has no pages")
	}
	if from == 0 {
		p.Meta = d.meta()
	}
	for i := from; i < to && l.err == nil && d.fail == nil; i++ {
		pg := d.page(ctx, i)
		if d.emit != nil && !pg.Scanned && !d.picturesRead && d.fail == nil {
			d.emit(pg)
			continue
		}
		p.Pages = append(p.Pages, pg)
	}
	p.Warnings = d.warnings
	return p
}

// meta reads the document information dictionary.
func (d *docParser) meta() map[string]string {
	l := d.l
	m := make(map[string]string)
	for _, tag := range metaTags {
		// The tag and the value share the string buffer: copy the tag first.
		tagPtr := l.malloc(uint32(len(tag)) + 1)
		l.write(tagPtr, append([]byte(tag), 0))
		n := uint32(l.call(fnGetMetaText, uint64(d.doc), uint64(tagPtr), 0, 0))
		if n > 2 && n <= 1<<20 {
			buf := l.ensureBuf(n)
			n = uint32(l.call(fnGetMetaText, uint64(d.doc), uint64(tagPtr), uint64(buf), uint64(n)))
			if v := cleanMeta(l.utf16At(buf, n)); v != "" {
				m[tag] = v
			}
		}
		l.free(tagPtr)
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// cleanMeta trims a metadata value, drops control characters and caps its
// length.
func cleanMeta(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		if r < 0x20 || r == 0x7F || r == 0xFFFE || r == 0xFFFF {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > maxMetaRunes {
		s = string([]rune(s)[:maxMetaRunes])
	}
	return s
}

// page reads page i (0-based). A page PDFium cannot load becomes an empty
// page with an Error.
func (d *docParser) page(ctx context.Context, i int) folio.Page {
	l := d.l
	pg := folio.Page{Number: i + 1, Words: []folio.Word{}}
	page := l.callPtr(fnLoadPage, uint64(d.doc), uint64(i))
	if page == 0 {
		if l.err == nil {
			pg.Error = "pdfium could not load the page (broken page tree or page object)"
		}
		return pg
	}
	if page = d.flattenAnnots(page, i); page == 0 {
		if l.err == nil {
			pg.Error = "pdfium could not load the page again after drawing its annotations into it"
		}
		return pg
	}
	fr := l.frame(page)
	w, h := fr.size()
	pg.Width, pg.Height, pg.Rotation = round2(w), round2(h), fr.rot

	// The graphics first: they say which text objects hidden layers hold.
	g := d.walkObjects(ctx, page, fr, i+1)
	d.hidden, d.inForm = g.hidden, g.inForm
	var maybe candidates
	tp := l.callPtr(fnTextLoadPage, uint64(page))
	if tp != 0 {
		gs, over := d.readText(tp, fr)
		l.call(fnTextClosePage, uint64(tp))
		if over > 0 {
			d.fail = &docError{kind: folio.KindTooLarge,
				err: fmt.Errorf("page %d: %d characters, limit %d", i+1, over, d.opts.MaxPageGlyphs)}
			l.call(fnClosePage, uint64(page))
			return pg
		}
		words, c := buildWords(gs, w, h)
		pg.Words = append(pg.Words, words...)
		maybe = c
	} else if l.err == nil {
		d.warn("page %d: pdfium could not read the text", i+1)
	}

	if g.objects > d.opts.MaxPageObjects {
		d.fail = &docError{kind: folio.KindTooLarge,
			err: fmt.Errorf("page %d: more than %d objects", i+1, d.opts.MaxPageObjects)}
		l.call(fnClosePage, uint64(page))
		return pg
	}
	showOnBackground(pg.Words, maybe.white, g)
	d.showInked(page, pg.Words, maybe.white)
	showTextLayer(pg.Words, maybe.invisible, g.images, w, h)
	pg.Rulings, pg.Rects, pg.Marks, pg.Images = g.rulings, g.rects, g.marks, g.images
	if scanReason(pg.Words, pg.Images, g.objects, w, h) != "" || outlinedText(pg.Words, g.segments) {
		pg.Scanned = d.scanned(ctx, page, i, w, h)
	}
	d.picturesRead = !pg.Scanned && d.readImageText(ctx, page, i, &pg)
	l.call(fnClosePage, uint64(page))
	return pg
}

// scanned renders page i (loaded, w×h points displayed), which has no
// usable text layer, and hands it to OCR. It reports whether the page is
// a scan after all: false when it renders blank.
func (d *docParser) scanned(ctx context.Context, page uint32, i int, w, h float64) bool {
	if !d.ocr.ready() {
		return true
	}
	dpi := d.opts.OCRDPI
	r := &regionRenderer{l: d.l, doc: d.doc, scale: dpi / 72, maxPixels: min(d.opts.OCRMaxPixels, d.opts.MemoryLimit/16)}
	img := r.region(page, folio.Box{0, 0, w, h})
	if img == nil {
		d.warn("page %d: no text layer, and the page could not be drawn for OCR", i+1)
		return true
	}
	g := grayOf(img)
	if !inked(g) {
		return false
	}
	d.ocr.submit(ctx, ocrJob{index: i, img: g, dpi: float64(g.Rect.Dx()) / w * 72, w: w, h: h})
	return true
}

// frame reads the visible box and rotation of a loaded page.
func (l *lib) frame(page uint32) frame {
	fr := frame{x1: 612, y1: 792}
	if l.call(fnGetPageBoundingBox, uint64(page), uint64(l.scratch)) != 0 {
		left, top, right, bottom := l.rectF(l.scratch)
		if finite(left, top, right, bottom) && right > left && top > bottom {
			fr = frame{x0: left, y0: bottom, x1: right, y1: top}
		}
	}
	if r := l.callI32(fnGetRotation, uint64(page)); r >= 1 && r <= 3 {
		fr.rot = r * 90
	}
	return fr
}
