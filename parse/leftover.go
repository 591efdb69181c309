package parse

import (
	"context"
	"image"
	"slices"
	"sort"
	"unicode"
	"unicode/utf8"

	"github.com/folio/folio/internal/tesseract"
)

// Tesseract's sparse mode overlooks isolated characters: a table cell
// holding "4", a page number. After it ran, the ink no word covers is
// gathered into short pieces of text the size of the page's letters,
// stacked into one small image and read again as a block of lines.
const (
	// maxLeftovers bounds the pieces read again on one page.
	maxLeftovers = 400
	// leftoverPad is the space around each piece, in letter heights.
	leftoverPad = 1.0
	// leftoverSheetWidth is the least width of the sheet the pieces are
	// laid out on, in pixels.
	leftoverSheetWidth = 1600
	// maxBlobs bounds the pieces of ink inkBlobs follows: a page of
	// halftone or noise has millions, and no text to find that way.
	maxBlobs = 1 << 19
)

// blob is a connected piece of ink, in pixels.
type blob struct {
	box image.Rectangle
	ink int
}

// inkBlobs finds the 8-connected pieces of ink of img; nil when it has
// more than maxBlobs pieces of ink.
func inkBlobs(img *image.Gray) []blob { return blobsBelow(img, darkLevel) }

// blobsBelow finds the 8-connected pieces of img darker than level; nil
// when it has more than maxBlobs pieces.
func blobsBelow(img *image.Gray, level uint8) []blob {
	type seg struct{ x0, x1, id int } // ink from x0 to x1 (exclusive)
	parent := []int{}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	var boxes []image.Rectangle
	var inks []int
	w, h := img.Rect.Dx(), img.Rect.Dy()
	var prev, cur []seg
	for y := range h {
		row := img.Pix[y*img.Stride : y*img.Stride+w]
		cur = cur[:0]
		for x := 0; x < w; {
			if row[x] >= level {
				x++
				continue
			}
			x0 := x
			for x < w && row[x] < level {
				x++
			}
			if len(parent) >= maxBlobs {
				return nil
			}
			id := -1
			for _, p := range prev {
				if p.x0 <= x && p.x1 >= x0 { // touching, diagonals included
					r := find(p.id)
					if id < 0 {
						id = r
					} else if r != id {
						parent[r] = id
						boxes[id] = boxes[id].Union(boxes[r])
						inks[id] += inks[r]
					}
				}
			}
			if id < 0 {
				id = len(parent)
				parent = append(parent, id)
				boxes = append(boxes, image.Rectangle{})
				inks = append(inks, 0)
			}
			r := image.Rect(x0, y, x, y+1)
			if boxes[id].Empty() {
				boxes[id] = r
			} else {
				boxes[id] = boxes[id].Union(r)
			}
			inks[id] += x - x0
			cur = append(cur, seg{x0, x, id})
		}
		prev, cur = cur, prev
	}
	var out []blob
	for i := range parent {
		if find(i) == i {
			out = append(out, blob{box: boxes[i], ink: inks[i]})
		}
	}
	return out
}

// leftovers returns the boxes of the pieces of text on img that no word
// covers: blobs as tall as letters of size letter pixels (tesseract's line
// size), joined with their neighbours on the same line. Round dots the
// size of a bullet before a word are returned apart, as bullets.
func leftovers(img *image.Gray, words []tesseract.Word, letter float64) (pieces []image.Rectangle, bullets []tesseract.Word) {
	covered := func(b image.Rectangle) bool {
		c := image.Pt((b.Min.X+b.Max.X)/2, (b.Min.Y+b.Max.Y)/2)
		for _, w := range words {
			if c.In(w.Box.Inset(-3)) {
				return true
			}
		}
		return false
	}
	var cands []image.Rectangle
	var dots []image.Rectangle
	for _, b := range inkBlobs(img) {
		bh, bw := float64(b.box.Dy()), float64(b.box.Dx())
		if isDot(b, letter) {
			if !covered(b.box) {
				dots = append(dots, b.box)
			}
			continue
		}
		if bh < 0.4*letter || bh > 1.5*letter || bw > 2*bh || b.ink < 8 || covered(b.box) {
			continue
		}
		cands = append(cands, b.box)
	}
	// Join the pieces of one line: "12", "n/a".
	sort.Slice(cands, func(i, j int) bool { return cands[i].Min.X < cands[j].Min.X })
	used := make([]bool, len(cands))
	for i := range cands {
		if used[i] {
			continue
		}
		p := cands[i]
		used[i] = true
		for j := i + 1; j < len(cands); j++ {
			c := cands[j]
			if used[j] || float64(c.Min.X-p.Max.X) > 0.6*letter {
				continue
			}
			overlap := min(p.Max.Y, c.Max.Y) - max(p.Min.Y, c.Min.Y)
			if float64(overlap) >= 0.5*float64(min(p.Dy(), c.Dy())) && c.Min.X >= p.Min.X {
				p = p.Union(c)
				used[j] = true
			}
		}
		pieces = append(pieces, p)
		if len(pieces) >= maxLeftovers {
			break
		}
	}
	slices.SortFunc(pieces, func(a, b image.Rectangle) int {
		if a.Min.Y != b.Min.Y {
			return a.Min.Y - b.Min.Y
		}
		return a.Min.X - b.Min.X
	})
	for _, d := range dots {
		if beforeText(d, words, pieces, letter) {
			bullets = append(bullets, tesseract.Word{Text: "•", Box: d, LineBox: d, Conf: 90, XSize: letter, LastInLine: false})
		}
	}
	return pieces, bullets
}

// isDot reports whether a blob is a filled round dot the size of a
// bullet for letters of size letter: a disc fills π/4 of its box, a
// letter's outline far less.
func isDot(b blob, letter float64) bool {
	w, h := float64(b.box.Dx()), float64(b.box.Dy())
	return h >= 0.2*letter && h <= 0.6*letter && w >= 0.75*h && w <= 1.33*h &&
		float64(b.ink) >= 0.6*w*h
}

// beforeText reports whether text (a word or a piece) starts shortly to
// the right of dot d on its line.
func beforeText(d image.Rectangle, words []tesseract.Word, pieces []image.Rectangle, letter float64) bool {
	cy := (d.Min.Y + d.Max.Y) / 2
	ok := func(b image.Rectangle) bool {
		gap := float64(b.Min.X - d.Max.X)
		return gap > 0 && gap <= 3*letter && cy >= b.Min.Y && cy <= b.Max.Y
	}
	for _, w := range words {
		if ok(w.Box) {
			return true
		}
	}
	return slices.ContainsFunc(pieces, ok)
}

// readLeftovers lays the pieces of img out on one small sheet, in rows
// with wide gaps so that no two pieces read as one word, reads it as a
// block and returns the words found, placed back on the page.
func (o *ocrEngine) readLeftovers(ctx context.Context, img *image.Gray, pieces []image.Rectangle, letter, dpi float64) ([]tesseract.Word, error) {
	pad := int(leftoverPad*letter) + 2
	gap := 2 * pad
	width := 0
	for _, p := range pieces {
		width = max(width, p.Dx())
	}
	width = max(width, leftoverSheetWidth) + 2*pad
	// Where each piece goes on the sheet.
	slots := make([]image.Rectangle, len(pieces))
	x, y, rowH := pad, pad, 0
	for i, p := range pieces {
		if x > pad && x+p.Dx()+pad > width {
			x, y, rowH = pad, y+rowH+pad, 0
		}
		slots[i] = image.Rect(x, y, x+p.Dx(), y+p.Dy())
		x += p.Dx() + gap
		rowH = max(rowH, p.Dy())
	}
	sheet := image.NewGray(image.Rect(0, 0, width, y+rowH+pad))
	for i := range sheet.Pix {
		sheet.Pix[i] = 0xFF
	}
	for i, p := range pieces {
		for row := p.Min.Y; row < p.Max.Y; row++ {
			src := img.Pix[row*img.Stride+p.Min.X : row*img.Stride+p.Max.X]
			copy(sheet.Pix[(slots[i].Min.Y+row-p.Min.Y)*sheet.Stride+slots[i].Min.X:], src)
		}
	}
	words, err := o.prog.Recognize(ctx, pgm(sheet), int(dpi+0.5), tesseract.Block)
	if err != nil {
		return nil, err
	}
	var out []tesseract.Word
	for _, w := range words {
		c := image.Pt((w.Box.Min.X+w.Box.Max.X)/2, (w.Box.Min.Y+w.Box.Max.Y)/2)
		i := slices.IndexFunc(slots, func(s image.Rectangle) bool { return c.In(s.Inset(-2)) })
		if i < 0 {
			continue // in a gap: not from one piece
		}
		w.Box = w.Box.Add(pieces[i].Min.Sub(slots[i].Min)).Intersect(pieces[i].Inset(-2))
		if w.Box.Empty() {
			continue
		}
		w.LineBox = w.Box
		w.LastInLine = true
		out = append(out, w)
	}
	return out, nil
}

// bulletize gives the words tesseract read from a lone round dot (as
// "e", "«", "°" …) their text: a bullet.
func bulletize(img *image.Gray, words []tesseract.Word, letter float64) {
	for i, w := range words {
		if utf8.RuneCountInString(w.Text) != 1 || unicode.IsDigit([]rune(w.Text)[0]) {
			continue
		}
		bs := inkBlobs(img.SubImage(w.Box.Inset(-1)).(*image.Gray))
		if len(bs) == 1 && isDot(bs[0], letter) {
			words[i].Text = "•"
		}
	}
}
