package segment

import (
	"strings"
	"unicode"

	"github.com/folio/folio"
)

// A table placed as a picture on a page with a text layer reaches here as
// an image with the words OCR read in it (and the lines it found drawn as
// rulings). When those words make a table that fills most of the
// picture, the table replaces the picture.
const (
	// minRasterWords is the fewest recognised words that can make a table.
	minRasterWords = 8
	// minRasterCover is the share of the picture a table read from it
	// must cover: less is a chart with a grid or a photo with a caption.
	minRasterCover = 0.5
	// minRasterFilled is the share of cells a table read from a picture
	// fills: charts and screenshots read as grids leave most empty.
	minRasterFilled = 0.55
	// minMarkers is the fewest single symbols that make a column of keys.
	minMarkers = 3
)

// rasterTables returns the tables read from pictures of tables among
// figures, and the figures left.
func (d *doc) rasterTables(pg *page, figures []*item) (tables, left []*item) {
	if pg.src.Scanned {
		return nil, figures
	}
	for i, f := range figures {
		if recognisedIn(pg, f.box) < minRasterWords {
			left = append(left, f)
			continue
		}
		others := append(append([]*item(nil), figures[:i]...), figures[i+1:]...)
		var found *item
		for _, t := range d.findRuledTables(pg, others) {
			if found == nil && covers(t.box, f.box) {
				found = t
				continue
			}
			release(pg, t.box)
		}
		if found == nil {
			if t := d.textTable(pg, f.box, false); t != nil {
				if covers(t.box, f.box) {
					found = t
				} else {
					release(pg, t.box)
				}
			}
		}
		if found != nil && (filledRatio(found.table) < minRasterFilled || markerColumn(found.table)) {
			release(pg, found.box)
			found = nil
		}
		if found == nil {
			attachRecognised(pg, f)
			left = append(left, f)
			continue
		}
		found.tev.ocr = true
		tables = append(tables, found)
	}
	return tables, left
}

// markerColumn reports whether a column of t holds nothing but single
// symbols (at least minMarkers of them): the keys of a chart's legend or
// a list's bullets as OCR reads them ("@", "o", "•"), not table cells.
func markerColumn(t *folio.Table) bool {
	if len(t.Rows) == 0 {
		return false
	}
	for c := range t.Rows[0] {
		n := 0
		for _, row := range t.Rows {
			if c >= len(row) || row[c] == "" {
				continue
			}
			r := []rune(row[c])
			if len(r) != 1 || unicode.IsDigit(r[0]) {
				n = -1
				break
			}
			n++
		}
		if n >= minMarkers {
			return true
		}
	}
	return false
}

// attachRecognised gives the words OCR read inside figure f to the figure
// as its text: a chart's or a screenshot's words are no body text.
func attachRecognised(pg *page, f *item) {
	var ws []*word
	for _, w := range pg.words {
		if !w.used && w.Confidence > 0 && f.box.Contains(w.cx(), w.cy()) {
			ws = append(ws, w)
			w.used = true
		}
	}
	if len(ws) == 0 || f.image == nil {
		return
	}
	var lines []string
	for _, l := range buildLines(ws) {
		lines = append(lines, l.text)
	}
	f.image.OCRText = strings.Join(lines, "\n")
}

// recognisedIn counts the unused words read by OCR inside b.
func recognisedIn(pg *page, b folio.Box) int {
	n := 0
	for _, w := range pg.words {
		if !w.used && w.Confidence > 0 && b.Contains(w.cx(), w.cy()) {
			n++
		}
	}
	return n
}

// covers reports whether table box t fills most of picture box f.
func covers(t, f folio.Box) bool {
	return f.Area() > 0 && t.Intersect(f).Area() >= minRasterCover*f.Area()
}

// release gives the words inside b back to the page.
func release(pg *page, b folio.Box) {
	for _, w := range pg.words {
		if b.Contains(w.cx(), w.cy()) {
			w.used = false
		}
	}
	for _, w := range pg.aside {
		if b.Contains(w.cx(), w.cy()) {
			w.used = false
		}
	}
}
