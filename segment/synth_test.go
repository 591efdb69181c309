package segment

import (
	"strings"

	"github.com/folio/folio"
)

// pageBuilder lays out synthetic words the way a PDF engine reports them:
// characters of a few widths, a quarter-size space, boxes as
// tall as the size.
type pageBuilder struct {
	p folio.Page
}

func newPage(n int) *pageBuilder {
	return &pageBuilder{p: folio.Page{Number: n, Width: 612, Height: 792}}
}

type style struct {
	bold, mono, rtl bool
}

// textW is the width of t: proportional, so that the synthetic font is
// not taken for a monospaced one.
func textW(t string, size float64) float64 {
	w := 0.0
	for _, r := range t {
		switch {
		case strings.ContainsRune("iljtf.,;:'!|r", r):
			w += 0.3
		case strings.ContainsRune("mwMW", r):
			w += 0.8
		case r >= 'A' && r <= 'Z':
			w += 0.65
		default:
			w += 0.5
		}
	}
	return w * size
}

// text writes s as words from (x, y), y the top of the line, and returns
// the x after the last word.
func (b *pageBuilder) text(x, y, size float64, s string, st ...style) float64 {
	var sty style
	if len(st) > 0 {
		sty = st[0]
	}
	for _, t := range strings.Fields(s) {
		w := textW(t, size)
		b.p.Words = append(b.p.Words, folio.Word{
			Text: t, Box: folio.Box{x, y, x + w, y + size}, Size: size,
			Bold: sty.bold, Mono: sty.mono, RTL: sty.rtl, SpaceAfter: true, Font: "Body",
		})
		x += w + 0.25*size
	}
	return x
}

// para wraps s into lines at most width wide from (x, y) with the given
// line pitch and returns the y below the last line.
func (b *pageBuilder) para(x, y, width, size, pitch float64, s string, st ...style) float64 {
	var line []string
	used := 0.0
	flush := func() {
		if len(line) > 0 {
			b.text(x, y, size, strings.Join(line, " "), st...)
			y += pitch
		}
		line, used = nil, 0
	}
	for _, t := range strings.Fields(s) {
		w := textW(t, size)
		if used > 0 && used+0.25*size+w > width {
			flush()
		}
		if used > 0 {
			used += 0.25 * size
		}
		line = append(line, t)
		used += w
	}
	flush()
	return y
}

func (b *pageBuilder) rule(x0, y0, x1, y1 float64) {
	b.p.Rulings = append(b.p.Rulings, folio.Ruling{X0: x0, Y0: y0, X1: x1, Y1: y1})
}

func (b *pageBuilder) image(box folio.Box) {
	b.p.Images = append(b.p.Images, folio.ImagePlacement{Box: box, PixelWidth: 100, PixelHeight: 80})
}

func parsed(pages ...*pageBuilder) *folio.Parsed {
	p := &folio.Parsed{}
	for _, b := range pages {
		p.Pages = append(p.Pages, b.p)
	}
	return p
}

const lorem = "Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua Ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat"

// texts returns the body elements as "type: text" strings.
func texts(els []folio.Element) []string {
	var out []string
	for _, e := range els {
		out = append(out, string(e.Type)+": "+e.Text)
	}
	return out
}
