package parse

import (
	"context"
	"strings"
)

// Optional content (PDF 32000 8.11): content marked /OC with a group that
// is off in the document's default configuration is not shown, yet
// PDFium's text extraction returns it like any other. Text hidden that way
// can carry instructions for the models downstream, so it is marked
// hidden like invisible text, and hidden graphics and images are skipped.
//
// PDFium gives an object's marks and the group's /Name, not the group's
// object, so groups are told apart by name: a name is off when every
// group with that name is. A membership dictionary (OCMD) is known only as
// one; it is off when every OCMD of the document evaluates off. PDFium
// does not expose a form XObject's own /OC entry, which is not read.

// FPDF_OBJECT_* value types of PDFium.
const objectTypeUnknown = 0

// maxMarks bounds the content marks read per object.
const maxMarks = 16

// layers is what the document's optional content configuration hides.
type layers struct {
	off     map[string]bool // group names every group of which is off
	ocmdOff bool            // every membership dictionary evaluates off
}

// layerHidden reports whether page object obj is marked as optional
// content that is off. The first marked object of a document waits for
// pdfcpu, which reads the configuration; documents without marks never do.
func (d *docParser) layerHidden(ctx context.Context, obj uint32) bool {
	l := d.l
	n := l.callI32(fnObjCountMarks, uint64(obj))
	for i := range min(n, maxMarks) {
		m := l.callPtr(fnObjGetMark, uint64(obj), uint64(i))
		if m == 0 || l.markName(m) != "OC" {
			continue
		}
		lay := d.optionalContent(ctx)
		if l.callI32(fnMarkGetParamValueType, uint64(m), uint64(l.cstr("OCGs"))) != objectTypeUnknown {
			if lay.ocmdOff {
				return true
			}
			continue
		}
		if name, ok := l.markString(m, "Name"); ok && lay.off[name] {
			return true
		}
	}
	return false
}

// optionalContent returns the document's optional content configuration,
// waiting for pdfcpu the first time.
func (d *docParser) optionalContent(ctx context.Context) *layers {
	if d.layers != nil {
		return d.layers
	}
	d.layers = &layers{}
	if d.cpu == nil {
		return d.layers
	}
	r := d.cpu()
	select {
	case <-r.done:
	case <-ctx.Done():
		return d.layers
	}
	if r.layers == nil {
		d.warn("optional content: the configuration could not be read; text in hidden layers may be included")
		return d.layers
	}
	d.layers = r.layers
	return d.layers
}

// markName returns the tag of content mark m ("OC" for optional content).
func (l *lib) markName(m uint32) string {
	buf := l.ensureBuf(64)
	out := l.scratch + 48
	if l.call(fnMarkGetName, uint64(m), uint64(buf), 64, uint64(out)) == 0 {
		return ""
	}
	n := l.u32(out)
	if n > 64 {
		return "" // longer than any tag looked for
	}
	return l.utf16At(buf, n)
}

// markString returns the text string value of key in mark m's dictionary.
func (l *lib) markString(m uint32, key string) (string, bool) {
	k := l.cstr(key)
	out := l.scratch + 48
	if k == 0 || l.call(fnMarkGetParamStringValue, uint64(m), uint64(k), 0, 0, uint64(out)) == 0 {
		return "", false
	}
	n := l.u32(out)
	if n == 0 || n > 1<<16 {
		return "", false
	}
	buf := l.ensureBuf(n)
	if l.call(fnMarkGetParamStringValue, uint64(m), uint64(k), uint64(buf), uint64(n), uint64(out)) == 0 {
		return "", false
	}
	return strings.TrimRight(l.utf16At(buf, n), "\x00"), true
}
