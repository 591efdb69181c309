package openai

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
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
	tableV2 = &template{ID: "table/v2", Version: 2, Format: "folio_table", Schema: tableSchema, System: strings.TrimSpace(`
You reconstruct one table from a document page. The user message is JSON with "bbox", the table's region
[x0, y0, x1, y1] in PDF points (origin top-left), and the table as a parser extracted it, its text given once:
"table" with "rows" (the parser's grid of cell texts), "header_rows", "spans" (each cell the parser found spanning
several positions, as [row, col, row_span, col_span]), "col_x" (each column's [x0, x1]) and "row_y" (each row's
[y0, y1]). When the parser found no grid, "text" holds the table's text instead. An image of the region may
follow.
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

// tableRequest is the user message of a table: its text once, as the
// parser's grid with the geometry of its rows and columns, or as plain
// text when there is no grid with text.
type tableRequest struct {
	Type  string      `json:"type"`
	BBox  [4]float64  `json:"bbox"`
	Text  string      `json:"text,omitempty"`
	Table *tableInput `json:"table,omitempty"`
}

// input is the user message: the element as Folio knows it. Only content
// goes in; ids and lineage stay with Folio.
type input struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type tableInput struct {
	Rows       [][]string `json:"rows"`
	HeaderRows int        `json:"header_rows"`
	Spans      [][4]int   `json:"spans,omitempty"`
	ColX       [][2]int   `json:"col_x,omitempty"`
	RowY       [][2]int   `json:"row_y,omitempty"`
}

// newTableInput returns the grid of tb with its spans and the extent of
// each row and column (whole points, from the cells of one position).
func newTableInput(tb *folio.Table) *tableInput {
	in := &tableInput{Rows: tb.Rows, HeaderRows: tb.HeaderRows}
	cols := 0
	for _, r := range tb.Rows {
		cols = max(cols, len(r))
	}
	const unset = math.MaxInt
	in.ColX, in.RowY = make([][2]int, cols), make([][2]int, len(tb.Rows))
	for i := range in.ColX {
		in.ColX[i] = [2]int{unset, -unset}
	}
	for i := range in.RowY {
		in.RowY[i] = [2]int{unset, -unset}
	}
	grow := func(r *[2]int, lo, hi float64) {
		r[0], r[1] = min(r[0], int(math.Floor(lo))), max(r[1], int(math.Ceil(hi)))
	}
	for _, c := range tb.Cells {
		if c.RowSpan > 1 || c.ColSpan > 1 {
			in.Spans = append(in.Spans, [4]int{c.Row, c.Col, c.RowSpan, c.ColSpan})
		}
		if c.Box == (folio.Box{}) || c.Page > 0 && c.Page != tb.Cells[0].Page {
			continue
		}
		if c.ColSpan == 1 && c.Col >= 0 && c.Col < cols {
			grow(&in.ColX[c.Col], c.Box[0], c.Box[2])
		}
		if c.RowSpan == 1 && c.Row >= 0 && c.Row < len(tb.Rows) {
			grow(&in.RowY[c.Row], c.Box[1], c.Box[3])
		}
	}
	// Without geometry for every row and column, none is sent: a partial
	// list would misplace the ones it has.
	for _, r := range append(slices.Clone(in.ColX), in.RowY...) {
		if r[0] == unset {
			in.ColX, in.RowY = nil, nil
			break
		}
	}
	return in
}

// build chooses the template for t and renders its request. An element the
// model cannot work on is an error of class input.
func (s *Specialist) build(t route.Task) (*request, error) {
	el := &t.Element
	crop := t.Crop
	vision := s.m.Vision && len(crop) > 0
	in := input{Type: string(el.Type), Text: el.Text}
	var message any // the user message's JSON; in unless the type has its own
	req := &request{}
	var pngs [][]byte
	switch el.Type {
	case folio.TableType:
		req.tpl = tableV2
		tr := tableRequest{Type: string(el.Type), BBox: rounded(el.Box)}
		cells := 0
		if tb := el.Table; tb != nil && route.TableHasText(tb) {
			tr.Table = newTableInput(tb)
			for _, r := range tb.Rows {
				cells += len(r)
			}
			cells = max(cells, len(tb.Cells))
		} else {
			tr.Text = el.Text
		}
		message = tr
		if !route.HasText(el.Text) && (el.Table == nil || !route.TableHasText(el.Table)) && !vision {
			return nil, route.Errorf(folio.ClassInput, "table has no text and no image to read")
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
			return nil, route.Errorf(folio.ClassInput, "image has no pixels")
		}
		if !s.m.Vision {
			return nil, route.Errorf(folio.ClassInput, "model %s has no vision", s.m.Model)
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
			return nil, route.Errorf(folio.ClassInput, "%s has no text and no image to read", el.Type)
		}
		req.outGuess = textTokens(len(el.Text)) + 20
	}
	for _, png := range pngs {
		img, err := s.m.sizeImage(png, el.Box)
		if err != nil {
			return nil, route.Errorf(folio.ClassInput, "read image: %w", err)
		}
		req.images = append(req.images, img)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if message == nil {
		message = in
	}
	if err := enc.Encode(message); err != nil {
		return nil, route.Errorf(folio.ClassInput, "encode input: %w", err)
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
