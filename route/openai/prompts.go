package openai

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
)

// template is a versioned prompt: the system message, the answer schema and
// the response_format name. Changing a template's wording or schema means a
// new version, so cached answers of the old one are not reused.
type template struct {
	ID      string // "table/v1": the name recorded on the call
	Version int
	Format  string // the response_format json_schema name
	Schema  *node
	System  string
}

var (
	tableV1 = &template{ID: "table/v1", Version: 1, Format: "folio_table", Schema: tableSchema, System: strings.TrimSpace(`
You reconstruct one table from a document page. The user message is JSON with the table as a parser extracted it:
"text" (all its text), "table" with "rows" (the parser's grid), "header_rows" and "cells" (each cell's row, col,
spans, text and bbox [x0, y0, x1, y1] in PDF points, origin top-left), and "bbox", the table's region. An image of
that region may follow.
Answer with the table's true structure:
- rows: the dense grid, one array of strings per row, every row as long as the widest; a cell spanning several rows
  or columns is written once, at its top-left position, and the positions it covers are empty strings.
- header_rows: how many rows at the top are column headers (0 when none).
- cells: only the cells that span more than one row or column: 0-based row and col of the top-left position,
  row_span and col_span (at least 1), and the cell's text. An empty list when no cell spans.
Copy text exactly as printed. Do not translate, correct, reformat numbers, or add anything that is not in the
table. Empty cells are empty strings.`)}

	imageV1 = &template{ID: "image/v1", Version: 1, Format: "folio_image", Schema: imageSchema, System: strings.TrimSpace(`
You describe one image from a document page. The user message is JSON with the element's "type" and, in "text",
any labels printed over or near the image (possibly empty); the image follows.
Answer with:
- description: one to three sentences saying what the image shows, for a reader who cannot see it.
- visible_text: all text legible in the image, in reading order, one line per printed line, exactly as printed;
  an empty string when there is none. Do not guess at text you cannot read.
- kind: "chart", "photo", "diagram", "logo" or "other".`)}

	textV1 = &template{ID: "text/v1", Version: 1, Format: "folio_text", Schema: textSchema, System: strings.TrimSpace(`
You clean up one text element extracted from a document page. The user message is JSON with the element's
"type" (paragraph, heading, list_item, caption, footnote, …) and its extracted "text".
Answer with text: the same text with extraction damage repaired: words broken by a line-end hyphen joined, line
breaks inside a sentence replaced by spaces, broken ligatures and spacing fixed. Do not rephrase, translate,
summarise, correct spelling, or change any number. Answer with the element's text only.`)}

	transcribeV1 = &template{ID: "transcribe/v1", Version: 1, Format: "folio_text", Schema: textSchema, System: strings.TrimSpace(`
You transcribe one text element of a scanned document page from its image. The user message is JSON with the
element's "type" (paragraph, heading, list_item, caption, footnote, …) and, in "text", what an earlier pass
read there, which may be wrong or empty; the image follows.
Answer with text: the text exactly as printed in the image, in reading order, the lines of one paragraph joined
by spaces. Do not translate, correct or add anything. An empty string when nothing is legible.`)}
)

// request is what one task sends: a template, the user message's JSON
// input, the images after it, and a guess at the answer's tokens.
type request struct {
	tpl      *template
	input    []byte
	images   []sentImage
	outGuess int64
}

// input is the user message: the element as Folio knows it. Only content
// goes in; ids and lineage stay with Folio.
type input struct {
	Type  string      `json:"type"`
	Text  string      `json:"text"`
	BBox  *[4]float64 `json:"bbox,omitempty"`
	Table *tableInput `json:"table,omitempty"`
}

type tableInput struct {
	Rows       [][]string  `json:"rows"`
	HeaderRows int         `json:"header_rows"`
	Cells      []cellInput `json:"cells,omitempty"`
}

type cellInput struct {
	Row     int        `json:"row"`
	Col     int        `json:"col"`
	RowSpan int        `json:"row_span"`
	ColSpan int        `json:"col_span"`
	Text    string     `json:"text"`
	BBox    [4]float64 `json:"bbox"`
}

// build chooses the template for t and renders its request. An element the
// model cannot work on is an error of class input.
func (s *Specialist) build(t route.Task) (*request, error) {
	el := &t.Element
	crop := t.Crop
	if crop == nil {
		crop = el.Crop
	}
	vision := s.m.Vision && len(crop) > 0
	in := input{Type: string(el.Type), Text: el.Text}
	req := &request{}
	var pngs [][]byte
	switch el.Type {
	case folio.TableType:
		req.tpl = tableV1
		b := rounded(el.Box)
		in.BBox = &b
		cells := 0
		if tb := el.Table; tb != nil {
			in.Table = &tableInput{Rows: tb.Rows, HeaderRows: tb.HeaderRows}
			for _, c := range tb.Cells {
				in.Table.Cells = append(in.Table.Cells, cellInput{Row: c.Row, Col: c.Col,
					RowSpan: c.RowSpan, ColSpan: c.ColSpan, Text: c.Text, BBox: rounded(c.Box)})
			}
			for _, r := range tb.Rows {
				cells += len(r)
			}
			cells = max(cells, len(tb.Cells))
		}
		if !route.HasText(el.Text) && (el.Table == nil || !route.TableHasText(el.Table)) && !vision {
			return nil, route.Errorf(route.ClassInput, "table has no text and no image to read")
		}
		if vision {
			pngs = [][]byte{crop}
		}
		// About six tokens per grid position: two of JSON punctuation and
		// four of text, or the table's text when that is longer.
		req.outGuess = 50 + 2*int64(cells) + max(4*int64(cells), textTokens(len(el.Text)))
	case folio.ImageType:
		req.tpl = imageV1
		if el.Image == nil || len(el.Image.PNG) == 0 {
			return nil, route.Errorf(route.ClassInput, "image has no pixels")
		}
		if !s.m.Vision {
			return nil, route.Errorf(route.ClassInput, "model %s has no vision", s.m.Model)
		}
		pngs = [][]byte{el.Image.PNG}
		req.outGuess = 200
	default:
		switch {
		case t.Page.TextLayer && route.HasText(el.Text):
			req.tpl = textV1
		case vision:
			req.tpl = transcribeV1
			pngs = [][]byte{crop}
		case route.HasText(el.Text):
			req.tpl = textV1
		default:
			return nil, route.Errorf(route.ClassInput, "%s has no text and no image to read", el.Type)
		}
		req.outGuess = textTokens(len(el.Text)) + 20
	}
	for _, png := range pngs {
		img, err := s.m.sizeImage(png, el.Box)
		if err != nil {
			return nil, route.Errorf(route.ClassInput, "read image: %w", err)
		}
		req.images = append(req.images, img)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(in); err != nil {
		return nil, route.Errorf(route.ClassInput, "encode input: %w", err)
	}
	req.input = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	req.outGuess = min(req.outGuess, int64(s.m.MaxOutputTokens))
	return req, nil
}

// rounded returns b with one decimal, enough for a model to place text.
func rounded(b folio.Box) [4]float64 {
	for i := range b {
		b[i] = math.Round(b[i]*10) / 10
		if math.IsNaN(b[i]) || math.IsInf(b[i], 0) {
			b[i] = 0
		}
	}
	return b
}
