package parse

// PDFium's text extraction reads the page's content stream only: the text
// of annotations (form field values, list and combo box items, FreeText
// comments, stamps) lives in their appearance streams and is left out,
// where pdftotext and mutool give it. A page with such annotations is
// flattened before it is read (FPDFPage_Flatten draws each annotation's
// normal appearance into the page's content, as a form XObject), then
// loaded again; its text then comes out as ordinary words with boxes.
// The document is the parser's own copy in wasm memory: the file is not
// changed, and Render, which opens the file afresh, draws the page without
// annotations as before.
//
// Only annotations that show text are flattened: the others (links,
// highlights, shapes, notes) are marked hidden first, so that their
// rectangles do not become page graphics. Annotations a viewer does not
// show (flags Hidden or NoView, PDF 32000 12.5.3) stay out, like
// FPDFPage_Flatten's own rule for Hidden and Invisible.

// PDFium's annotation subtypes (FPDF_ANNOT_*) that carry text.
const (
	annotFreeText  = 3
	annotStamp     = 13
	annotWidget    = 20
	annotWatermark = 24
)

// Annotation flags (PDF 32000 table 165).
const (
	annotFlagHidden = 1 << 1
	annotFlagNoView = 1 << 5
)

// flattenForDisplay is FPDFPage_Flatten's FLAT_NORMALDISPLAY: the
// appearances a viewer shows, not those for printing.
const flattenForDisplay = 0

// flattenSuccess is FPDFPage_Flatten's FLATTEN_SUCCESS.
const flattenSuccess = 1

// maxAnnots bounds the annotations looked at on one page; a page with
// more keeps its annotations out of its text.
const maxAnnots = 10_000

// showsText reports whether annotations of subtype sub draw text.
func showsText(sub int) bool {
	return sub == annotFreeText || sub == annotStamp || sub == annotWidget || sub == annotWatermark
}

// flattenAnnots draws the text-bearing, shown annotations of loaded page i
// into its content. It returns the page to read: page itself when there
// was nothing to flatten, else page i loaded again (page is closed), or 0
// when that fails.
func (d *docParser) flattenAnnots(page uint32, i int) uint32 {
	l := d.l
	n := l.callI32(fnGetAnnotCount, uint64(page))
	if n <= 0 || n > maxAnnots {
		return page
	}
	type annot struct {
		h     uint32
		flags uint32
		text  bool
	}
	annots := make([]annot, 0, n)
	texts, noAP := 0, 0
	for k := range n {
		h := l.callPtr(fnGetAnnot, uint64(page), uint64(k))
		if h == 0 {
			continue
		}
		a := annot{h: h, flags: uint32(l.call(fnAnnotGetFlags, uint64(h)))}
		a.text = showsText(l.callI32(fnAnnotGetSubtype, uint64(h))) && a.flags&(annotFlagHidden|annotFlagNoView) == 0
		if a.text {
			texts++
			if l.call(fnAnnotHasKey, uint64(h), uint64(l.cstr("AP"))) == 0 {
				noAP++
			}
		}
		annots = append(annots, a)
	}
	if noAP > 0 {
		d.makeAppearances(page)
	}
	if texts > 0 {
		for _, a := range annots {
			if !a.text && a.flags&annotFlagHidden == 0 {
				l.call(fnAnnotSetFlags, uint64(a.h), uint64(a.flags|annotFlagHidden))
			}
		}
	}
	for _, a := range annots {
		l.call(fnCloseAnnot, uint64(a.h))
	}
	if texts == 0 || l.callI32(fnFlatten, uint64(page), flattenForDisplay) != flattenSuccess {
		return page
	}
	// The loaded page keeps its parsed content; the flattened content is
	// read by loading the page again.
	l.call(fnClosePage, uint64(page))
	return l.callPtr(fnLoadPage, uint64(d.doc), uint64(i))
}

// renderAnnots is FPDF_ANNOT: draw the page's annotations.
const renderAnnots = 0x01

// makeAppearances has PDFium make the appearance streams of a loaded
// page's form fields that have none, as it does when it draws a page with
// its annotations (only in a document whose form says NeedAppearances),
// by drawing the page into a one-pixel bitmap.
func (d *docParser) makeAppearances(page uint32) {
	l := d.l
	bm := l.callPtr(fnBitmapCreate, 1, 1, 0)
	if bm == 0 {
		return
	}
	mat, clip := l.scratch, l.scratch+24
	l.writeF32(mat, 1e-3, 0, 0, 1e-3, 0, 0)
	l.writeF32(clip, 0, 0, 1, 1)
	l.call(fnRenderPageBitmapWithMatrix, uint64(bm), uint64(page), uint64(mat), uint64(clip), renderAnnots)
	l.call(fnBitmapDestroy, uint64(bm))
}
