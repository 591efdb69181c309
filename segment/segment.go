// Package segment turns parsed pages into document elements in reading
// order: titles, headings, paragraphs, list items, tables, images, captions,
// code, footnotes and page furniture. It is pure: no I/O, deterministic, and
// it never looks at pixels, only at words, rulings, small drawn shapes (marks)
// and image placements.
//
// A page is laid out in this order: furniture (running heads, footers and
// page numbers, found across the document), pictures and vector figures
// (a cluster of drawn lines beside a "Figure" caption or holding a chart
// axis, widened over its labels), tables, then reading order over what is
// left (recursive XY-cut), blocks and types. A list item's bullet is a
// glyph or a small shape drawn just left of its first line, as browsers
// print HTML lists. Tables come from three kinds of evidence, strongest
// first:
//
//   - a network of drawn lines (tables_ruled.go): borders give rows and
//     columns, a missing border a spanning cell; rows or columns left to
//     white space inside a ruled cell are split by the text; rules a
//     producer drew in a way the engine does not report are bridged;
//     shading inside cells marks no border; a grid inside one cell of
//     another is a nested table and goes first;
//   - horizontal rules with the columns in white space (booktabs), and
//   - alignment alone: runs of lines that break into short pieces at the
//     same gaps (tables_text.go). Columns are the strips that the lines
//     with several pieces leave empty; titles and notes are cut off the
//     region, wrapped cells and off-baseline cells joined into their row,
//     multi-line column heads into one cell, and a column of prose set
//     beside a table is kept out of it.
//
// A table that ends a page and one that opens the next with the same
// columns (its head repeated or left out) become one element listing both
// pages in Regions (tables_pages.go). Every element carries a confidence;
// for tables it is built from the kind of evidence and lowered by what goes
// with wrong structures (tables_conf.go). The eval harness (eval_test.go,
// -eval-truth) measures what it predicts against the corpus truth.
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
// page furniture in the furniture layer, each with the invisible words it
// withheld and the OCR confidence of its words. Links between elements
// are set through ParentRef and CaptionRef; ids are left empty.
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
	d.mergeContinued()
	d.scoreTables()
	els := d.elements()
	wordStats(p, els)
	return els
}
