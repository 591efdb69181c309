package segment

import (
	"math"
	"regexp"
	"strings"

	"github.com/folio/folio"
)

// pageNumberRe matches the usual ways of printing a page number.
var pageNumberRe = regexp.MustCompile(`(?i)^(` +
	`\d{1,4}|` +
	`[-–—]\s*\d{1,4}\s*[-–—]|` +
	`(page|p\.|pg\.?|seite|página|pagina|pag\.)\s*\d{1,4}(\s*(of|/|von|de|sur)\s*\d{1,4})?|` +
	`\d{1,4}\s*(of|/)\s*\d{1,4}|` +
	`[ivxlc]{1,7}|` +
	`\d{1,3}[-–]\d{1,4})$`)

// romanRe guards the roman numeral branch of pageNumberRe: "civil" or
// "mix" are words.
var romanRe = regexp.MustCompile(`(?i)^(x{0,3})(ix|iv|v?i{0,3})$|^(l?x{0,3})(ix|iv|v?i{0,3})$|^c{0,3}l?x{0,3}(ix|iv|v?i{0,3})$`)

func isPageNumber(s string) bool {
	s = strings.TrimSpace(s)
	if !pageNumberRe.MatchString(s) {
		return false
	}
	if isRomanOnly(s) {
		// Front matter is numbered in lower case; a capital "X" or "I"
		// alone is a mark in a table or a pronoun.
		return s == strings.ToLower(s) && romanRe.MatchString(s)
	}
	return true
}

func isRomanOnly(s string) bool {
	for _, r := range strings.ToLower(s) {
		if !strings.ContainsRune("ivxlc", r) {
			return false
		}
	}
	return s != ""
}

// fcand is a line segment in a page's top or bottom band that may be
// furniture.
type fcand struct {
	pg  *page
	ln  *line
	top bool
	key string
	iso bool // nothing else within a line's height above or below
	// ruled is set when a lone drawn vertical line crosses the line: a
	// bar between a page number and a running title, or a table's rule.
	// Such a line is furniture only when repeated.
	ruled bool
	conf  float64
	found bool
}

var digitsRe = regexp.MustCompile(`\d+`)

// furnitureKey is what a running line keeps from page to page: its words
// in lower case with numbers as "#", less a page number at either end
// (mirrored pages put it on the outer edge: "15 Title", "Title 16").
func furnitureKey(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	s = digitsRe.ReplaceAllString(s, "#")
	f := strings.Fields(s)
	for i, w := range f {
		if isRomanOnly(w) && romanRe.MatchString(w) {
			f[i] = "#"
		}
	}
	for len(f) > 1 && f[0] == "#" {
		f = f[1:]
	}
	for len(f) > 1 && f[len(f)-1] == "#" {
		f = f[:len(f)-1]
	}
	return strings.Join(f, " ")
}

// findFurniture marks running headers, footers and page numbers. A line
// in the top or bottom band is furniture when its text (digits aside)
// comes back near the same height on other pages, when it is a page
// number standing alone, or when it sits where other pages have their
// furniture.
func (d *doc) findFurniture() {
	band := d.opt.FurnitureBand
	var cands []*fcand
	for _, pg := range d.pages {
		var top, bot []*word
		for _, w := range pg.words {
			switch {
			case w.Box[1] <= band*pg.h && w.Box[3] <= 1.5*band*pg.h:
				top = append(top, w)
			case w.Box[3] >= (1-band)*pg.h && w.Box[1] >= (1-1.5*band)*pg.h:
				bot = append(bot, w)
			}
		}
		for i, ws := range [][]*word{top, bot} {
			for _, l := range buildLines(ws) {
				iso := isolated(pg, l)
				// A line crossed by a drawn vertical line is a table's
				// row, whatever band it sits in, unless it stands apart
				// and the line meets no other: a bar beside a page number.
				crossed, grid := crossedByRule(pg, l.box)
				if crossed && (grid || !iso) {
					continue
				}
				ruled := crossed
				for _, s := range splitLine(l, 2.5) {
					cands = append(cands, &fcand{pg: pg, ln: s, top: i == 0, key: furnitureKey(s.text), iso: iso, ruled: ruled})
				}
			}
		}
	}
	multi := len(d.pages) > 1
	for _, c := range cands {
		if c.iso && !c.ruled && isPageNumber(c.ln.text) {
			c.found, c.conf = true, 0.9
			continue
		}
		// A caption repeated over a table continued on the next page is
		// body text, not a running head.
		if !multi || captionRe.MatchString(c.ln.text) {
			continue
		}
		n := 0
		for _, o := range cands {
			if o.pg != c.pg && o.top == c.top && o.key == c.key && math.Abs(o.ln.box.CenterY()-c.ln.box.CenterY()) <= 6 {
				n++
			}
		}
		if n > 0 {
			c.found = true
			c.conf = math.Min(0.95, 0.7+0.1*float64(n))
		}
	}
	// A running title shares its line with the page number.
	for _, c := range cands {
		if c.found || !c.iso || c.ruled || len(c.ln.words) > 20 {
			continue
		}
		for _, o := range cands {
			if o.found && o.pg == c.pg && o.top == c.top && isPageNumber(o.ln.text) &&
				overlapY(o.ln.box, c.ln.box) > 0.5*math.Min(o.ln.box.Height(), c.ln.box.Height()) {
				c.found, c.conf = true, 0.7
				break
			}
		}
	}
	// Furniture whose wording changes (chapter titles in footers) still
	// sits where the other pages keep theirs.
	for _, c := range cands {
		if c.found || !c.iso || c.ruled || !multi {
			continue
		}
		n := 0
		seen := map[*page]bool{}
		for _, o := range cands {
			if o.found && o.pg != c.pg && !seen[o.pg] && o.top == c.top && math.Abs(o.ln.box.CenterY()-c.ln.box.CenterY()) <= 3 {
				seen[o.pg] = true
				n++
			}
		}
		if n >= 2 {
			c.found, c.conf = true, 0.6
		}
	}
	for _, c := range cands {
		if !c.found {
			continue
		}
		typ := folio.Footer
		if c.top {
			typ = folio.Header
		}
		if isPageNumber(c.ln.text) {
			typ = folio.PageNumber
		}
		for _, w := range c.ln.words {
			w.used = true
		}
		c.pg.furniture = append(c.pg.furniture, &item{
			typ: typ, layer: folio.LayerFurniture, page: c.pg.num, box: c.ln.box,
			lines: []*line{c.ln}, text: c.ln.text, conf: c.conf, size: c.ln.size,
		})
	}
}

// crossedByRule reports whether a vertical ruling runs through box b's
// height within its width, and whether the line is ruled as a table's
// row is: crossed by more than one, or by one that meets a horizontal
// ruling. A lone bar is a separator beside a page number.
func crossedByRule(pg *page, b folio.Box) (crossed, grid bool) {
	const tol = 2 // points between rule ends that meet
	cy := b.CenterY()
	var bar folio.Ruling
	n := 0
	for _, r := range pg.src.Rulings {
		x0, x1 := math.Min(r.X0, r.X1), math.Max(r.X0, r.X1)
		y0, y1 := math.Min(r.Y0, r.Y1), math.Max(r.Y0, r.Y1)
		if x1-x0 > 2 || y1-y0 < b.Height() {
			continue
		}
		if x0 > b[0] && x0 < b[2] && y0 <= cy && y1 >= cy {
			bar = folio.Ruling{X0: x0, Y0: y0, X1: x1, Y1: y1}
			if n++; n > 1 {
				return true, true
			}
		}
	}
	if n == 0 {
		return false, false
	}
	for _, h := range pg.src.Rulings {
		hx0, hx1 := math.Min(h.X0, h.X1), math.Max(h.X0, h.X1)
		if math.Abs(h.Y1-h.Y0) <= 2 && hx1-hx0 > 2 && bar.X0 >= hx0-tol && bar.X0 <= hx1+tol && h.Y0 >= bar.Y0-tol && h.Y0 <= bar.Y1+tol {
			return true, true
		}
	}
	return true, false
}

// isolated reports whether no word outside line l comes within about a
// line's height of it vertically: running heads stand apart from the body.
func isolated(pg *page, l *line) bool {
	in := make(map[*word]bool, len(l.words))
	for _, w := range l.words {
		in[w] = true
	}
	lim := 1.0 * l.size
	for _, w := range pg.words {
		if in[w] {
			continue
		}
		gap := math.Max(w.Box[1]-l.box[3], l.box[1]-w.Box[3])
		if gap < lim && overlapY(w.Box, l.box) < 0.5*math.Min(w.h(), l.box.Height()) {
			return false
		}
	}
	return true
}
