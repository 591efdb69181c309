// Package segment turns parsed pages into document elements in reading
// order: titles, headings, paragraphs, list items, tables, images, captions,
// code, footnotes and page furniture. It is pure: no I/O, deterministic, and
// it never looks at pixels, only at words, rulings and image placements.
package segment

import (
	"github.com/folio/folio"
)

// Options tunes the segmenter. Every zero field takes its default.
type Options struct {
	// ColumnGap is the narrowest vertical strip of whitespace, in multiples
	// of the font size, that can separate two text columns.
	ColumnGap float64
	// ParagraphGap is the extra vertical space between two lines, in
	// multiples of the font size, beyond the usual line spacing, that
	// starts a new block.
	ParagraphGap float64
	// FurnitureBand is the fraction of the page height, at the top and at
	// the bottom, searched for running headers, footers and page numbers.
	FurnitureBand float64
	// MinImage is the smallest width and height, in points, of an image
	// that becomes an element; smaller ones are decoration.
	MinImage float64
	// RulingTolerance is the distance, in points, within which ruling ends
	// meet and parallel rulings are the same line.
	RulingTolerance float64
	// NoUnruledTables turns off table detection from text alignment alone.
	NoUnruledTables bool
}

// Defaults for Options.
const (
	DefaultColumnGap       = 0.6
	DefaultParagraphGap    = 0.45
	DefaultFurnitureBand   = 0.12
	DefaultMinImage        = 20
	DefaultRulingTolerance = 2
)

func (o Options) withDefaults() Options {
	if o.ColumnGap <= 0 {
		o.ColumnGap = DefaultColumnGap
	}
	if o.ParagraphGap <= 0 {
		o.ParagraphGap = DefaultParagraphGap
	}
	if o.FurnitureBand <= 0 {
		o.FurnitureBand = DefaultFurnitureBand
	}
	if o.MinImage <= 0 {
		o.MinImage = DefaultMinImage
	}
	if o.RulingTolerance <= 0 {
		o.RulingTolerance = DefaultRulingTolerance
	}
	return o
}

// Segmenter turns parsed pages into elements. It holds only options, so
// one value may serve many goroutines.
type Segmenter struct {
	opt Options
}

var _ folio.Segmenter = (*Segmenter)(nil)

// New returns a Segmenter with opts, zero fields set to their defaults.
func New(opts Options) *Segmenter {
	return &Segmenter{opt: opts.withDefaults()}
}

// Segment returns the elements of p in reading order, page by page, with
// page furniture in the furniture layer. Links between elements are set
// through ParentRef and CaptionRef; ids are left empty.
func (s *Segmenter) Segment(p *folio.Parsed) []folio.Element {
	if p == nil || len(p.Pages) == 0 {
		return nil
	}
	d := newDoc(p, s.opt)
	d.findFurniture()
	for _, pg := range d.pages {
		d.segmentPage(pg)
	}
	d.classify()
	return d.elements()
}
