package tesseract

import (
	"encoding/xml"
	"errors"
	"image"
	"io"
	"strconv"
	"strings"
)

// maxWords bounds the words read from one hOCR document.
const maxWords = 200_000

// Word is one word tesseract read, in pixels of the image it was given
// (origin top-left).
type Word struct {
	Text string
	Box  image.Rectangle
	// Conf is tesseract's confidence in the word, 0-100.
	Conf float64
	// Block, Par and Line number the word's text block, paragraph and line
	// within the page, from 1, in tesseract's reading order.
	Block, Par, Line int
	// LineBox is the box of the word's line.
	LineBox image.Rectangle
	// XSize is the line's text size in pixels as tesseract estimates it
	// (ascender to descender height, whether or not the line has
	// ascenders or descenders); 0 when not given.
	XSize float64
	// LastInLine is set on the last word of a line.
	LastInLine bool
}

// ParseHOCR reads tesseract's hOCR output: the ocrx_word spans with their
// bbox and x_wconf, inside line spans (ocr_line, ocr_header, ocr_caption,
// ocr_textfloat) with their bbox and x_size. Words without a box or text
// are left out. It reads at most 200,000 words.
func ParseHOCR(r io.Reader) ([]Word, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	var (
		words      []Word
		depth      int
		block, par int
		line       int
		lineBox    image.Rectangle
		xsize      float64
		lineDepth  = -1 // depth of the open line span, -1 for none
		word       *Word
		wordDepth  = -1
		text       strings.Builder
		lineStart  int // index in words of the open line's first word
	)
	closeLine := func() {
		if n := len(words); n > lineStart {
			words[n-1].LastInLine = true
		}
		lineDepth = -1
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return words, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			class, title := attrs(t)
			switch {
			case class == "ocr_carea":
				block++
			case class == "ocr_par":
				par++
			case isLine(class):
				if lineDepth >= 0 {
					closeLine()
				}
				line++
				lineDepth, lineStart = depth, len(words)
				lineBox, _ = bbox(title)
				xsize = titleFloat(title, "x_size")
			case class == "ocrx_word" && word == nil:
				b, ok := bbox(title)
				if !ok {
					break
				}
				word = &Word{Box: b, Conf: titleFloat(title, "x_wconf"), Block: block, Par: par}
				if lineDepth >= 0 {
					word.Line, word.LineBox, word.XSize = line, lineBox, xsize
				}
				wordDepth = depth
				text.Reset()
			}
		case xml.EndElement:
			if word != nil && depth == wordDepth {
				word.Text = strings.TrimSpace(text.String())
				if word.Text != "" && !word.Box.Empty() {
					if len(words) >= maxWords {
						return words, errors.New("too many words")
					}
					words = append(words, *word)
				}
				word, wordDepth = nil, -1
			}
			if depth == lineDepth {
				closeLine()
			}
			depth--
		case xml.CharData:
			if word != nil && text.Len() < 4096 {
				text.Write(t)
			}
		}
	}
	if lineDepth >= 0 {
		closeLine()
	}
	return words, nil
}

// isLine reports whether an hOCR class is one of the line classes.
func isLine(class string) bool {
	switch class {
	case "ocr_line", "ocr_header", "ocr_caption", "ocr_textfloat":
		return true
	}
	return false
}

// attrs returns an element's class and title attributes.
func attrs(t xml.StartElement) (class, title string) {
	for _, a := range t.Attr {
		switch a.Name.Local {
		case "class":
			class = a.Value
		case "title":
			title = a.Value
		}
	}
	return class, title
}

// titleProp returns the values of one property of an hOCR title
// ("bbox 1 2 3 4; x_wconf 96"), nil when it is absent.
func titleProp(title, name string) []string {
	for prop := range strings.SplitSeq(title, ";") {
		f := strings.Fields(prop)
		if len(f) > 0 && f[0] == name {
			return f[1:]
		}
	}
	return nil
}

// titleFloat returns a property's first value as a number, 0 when it is
// absent or not a finite number.
func titleFloat(title, name string) float64 {
	v := titleProp(title, name)
	if len(v) == 0 {
		return 0
	}
	f, err := strconv.ParseFloat(v[0], 64)
	if err != nil || f != f || f > 1e9 || f < -1e9 {
		return 0
	}
	return f
}

// bbox returns the title's bbox property.
func bbox(title string) (image.Rectangle, bool) {
	v := titleProp(title, "bbox")
	if len(v) != 4 {
		return image.Rectangle{}, false
	}
	var n [4]int
	for i, s := range v {
		x, err := strconv.Atoi(s)
		if err != nil || x < 0 || x > 1<<24 {
			return image.Rectangle{}, false
		}
		n[i] = x
	}
	r := image.Rect(n[0], n[1], n[2], n[3])
	return r, !r.Empty()
}
