package parse

import (
	"context"
	"image"
	"math"
	"sort"

	"github.com/folio/folio"
)

// Pictures of text on pages that have a text layer (a table, a form or a
// chart placed as an image) hold words no text layer has. When OCR is
// available the pictures that look like text are read: large enough,
// with no text of the layer over them, and mostly paper with little
// mid-tone (photographs are mostly mid-tone). Their words join the page
// with their OCR confidence, and the lines drawn in them as rulings.
const (
	// minTextImageShare is the share of the page a picture must cover to
	// be read: smaller ones are logos, icons and signatures.
	minTextImageShare = 0.03
	// minTextImageSide is the shortest side, in points, of a picture of
	// a table or a chart; narrower strips are rules and banners.
	minTextImageSide = 48.0
	// maxLayerWordsOver is the most text-layer words a picture may carry
	// and still be read: more, and its text is in the layer already.
	maxLayerWordsOver = 3
	// probeDPI is the resolution of the look test, coarse and cheap: at
	// 50 dpi a word of body text is one blob a few pixels tall.
	probeDPI = 50
	// paperLevel and pictureInk split gray levels into paper, mid-tone and
	// ink.
	paperLevel = 215
	pictureInk = 90
	// minPaperShare and maxMidShare tell a picture of text: on 20 tables
	// and charts placed as images the paper share was 0.62-0.97 and the
	// mid-tone share under 0.2; photographs have under 0.3 paper.
	minPaperShare = 0.55
	maxMidShare   = 0.3
	// pictureDPI draws pictures for OCR: tesseract's time grows with the
	// pixels, and text in a picture is seldom finer than 200 dpi shows.
	pictureDPI = 200
	// maxImageReadsPerPage bounds the OCR work one page can ask for.
	maxImageReadsPerPage = 4
)

// readImageText hands the pictures of text on page i (loaded) to OCR,
// beside the page's own text, and reports whether it handed any.
func (d *docParser) readImageText(ctx context.Context, page uint32, i int, pg *folio.Page) bool {
	if d.ocr == nil || d.ocr.o.unavailable() != nil || len(pg.Images) == 0 {
		return false
	}
	w, h := pg.Width, pg.Height
	var boxes []folio.Box
	for _, im := range pg.Images {
		b := im.Box.Intersect(folio.Box{0, 0, w, h})
		if b.Area() < minTextImageShare*w*h || b.Width() < minTextImageSide || b.Height() < minTextImageSide {
			continue
		}
		if b.Area() > scanCover*w*h {
			continue // a page-sized picture: the scan test decides
		}
		over := 0
		for _, wd := range pg.Words {
			if !wd.Hidden && b.Contains(wd.Box.CenterX(), wd.Box.CenterY()) {
				over++
			}
		}
		if over > maxLayerWordsOver {
			continue
		}
		boxes = append(boxes, b)
	}
	sort.Slice(boxes, func(a, b int) bool { return boxes[a].Area() > boxes[b].Area() })
	if len(boxes) > maxImageReadsPerPage {
		boxes = boxes[:maxImageReadsPerPage]
	}
	maxPixels := min(d.opts.OCRMaxPixels, d.opts.MemoryLimit/16)
	probe := &regionRenderer{l: d.l, doc: d.doc, scale: probeDPI / 72.0, maxPixels: maxPixels}
	full := &regionRenderer{l: d.l, doc: d.doc, scale: min(d.opts.OCRDPI, pictureDPI) / 72, maxPixels: maxPixels}
	read := false
	for _, b := range boxes {
		img := probe.region(page, b)
		if img == nil {
			continue
		}
		if probe := grayOf(img); !textLike(probe) || !tabular(wordBlobs(probe)) {
			continue
		}
		img = full.region(page, b)
		if img == nil {
			continue
		}
		g := grayOf(img)
		if !inked(g) {
			continue
		}
		if !d.ocr.submit(ctx, ocrJob{index: i, img: g, dpi: float64(g.Rect.Dx()) / b.Width() * 72,
			w: b.Width(), h: b.Height(), region: true, x0: b[0], y0: b[1]}) {
			return read
		}
		read = true
	}
	return read
}

// textLike reports whether a picture's gray levels are those of print on
// paper: mostly paper, little mid-tone.
func textLike(g *image.Gray) bool {
	n := len(g.Pix)
	if n == 0 {
		return false
	}
	paper, mid := 0, 0
	for _, v := range g.Pix {
		switch {
		case v >= paperLevel:
			paper++
		case v > pictureInk:
			mid++
		}
	}
	return float64(paper) >= minPaperShare*float64(n) && float64(mid) <= maxMidShare*float64(n)
}

// addRegionWords adds the words read from a picture to a page's words,
// leaving out those a visible word of the layer already covers.
func addRegionWords(words, ocr []folio.Word) []folio.Word {
	for _, o := range ocr {
		dup := false
		for _, w := range words {
			if !w.Hidden && w.Box.Intersect(o.Box).Area() > 0.5*o.Box.Area() {
				dup = true
				break
			}
		}
		if !dup {
			words = append(words, o)
		}
	}
	return words
}

// Word blobs at the probe's resolution: pieces of print (anything off
// paper) as tall as a letter of 4 to 22 points and not much longer than a
// line of words.
const (
	minBlobPx    = 3
	maxBlobPx    = 15
	maxBlobRatio = 40
)

// wordBlobs returns the boxes of the pieces of print of g shaped like
// words.
func wordBlobs(g *image.Gray) []image.Rectangle {
	var out []image.Rectangle
	for _, b := range blobsBelow(g, paperLevel) {
		if h := b.box.Dy(); h >= minBlobPx && h <= maxBlobPx && b.box.Dx() <= maxBlobRatio*h {
			out = append(out, b.box)
		}
	}
	return out
}

// A picture of a table holds rows of several word blobs whose left or
// right edges, or centres, line up down the rows in two columns or more.
const (
	minTabularRows = 4   // rows of two blobs or more
	minColumnRows  = 3   // rows an aligned edge must run through
	alignPx        = 2   // pixels the edges of one column may differ by
	columnShare    = 0.7 // share of the rows of several blobs a column runs through
	multiRowShare  = 0.8 // share of the rows that hold several blobs
)

// tabular reports whether word blobs are laid out as a table.
func tabular(blobs []image.Rectangle) bool {
	sort.Slice(blobs, func(i, j int) bool { return blobs[i].Min.Y < blobs[j].Min.Y })
	var rows [][]image.Rectangle
	for _, b := range blobs {
		cy := (b.Min.Y + b.Max.Y) / 2
		if k := len(rows) - 1; k >= 0 {
			last := rows[k][0]
			if cy >= last.Min.Y && cy <= last.Max.Y {
				rows[k] = append(rows[k], b)
				continue
			}
		}
		rows = append(rows, []image.Rectangle{b})
	}
	multi := 0
	// Cells are set flush left, flush right or centred.
	edges := [3]map[int]int{{}, {}, {}}
	for _, r := range rows {
		if len(r) < 2 {
			continue
		}
		multi++
		seen := [3]map[int]bool{{}, {}, {}}
		for _, b := range r {
			seen[0][b.Min.X/alignPx] = true
			seen[1][b.Max.X/alignPx] = true
			seen[2][(b.Min.X+b.Max.X)/2/alignPx] = true
		}
		for k := range seen {
			for x := range seen[k] {
				edges[k][x]++
			}
		}
	}
	// Nearly every row of a table holds several cells; most text rows of
	// a chart, a map or a screenshot hold one label.
	if multi < minTabularRows || float64(multi) < multiRowShare*float64(len(rows)) {
		return false
	}
	// A column's edge runs through most rows; labels scattered over a
	// chart or a map line up by chance in a few.
	need := max(minColumnRows, int(math.Ceil(columnShare*float64(multi))))
	cols := func(m map[int]int) int {
		xs := make([]int, 0, len(m))
		for x := range m {
			xs = append(xs, x)
		}
		sort.Ints(xs)
		// Neighbouring bins are one edge.
		n, run := 0, 0
		for i, x := range xs {
			if i > 0 && x > xs[i-1]+1 {
				run = 0
			}
			if run < need && run+m[x] >= need {
				n++
			}
			run += m[x]
		}
		return n
	}
	return max(cols(edges[0]), cols(edges[1]), cols(edges[2])) >= 2
}
