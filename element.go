package folio

// ElementType names what an element is.
type ElementType string

// The element types of folio.document/v1.
const (
	Title      ElementType = "title"
	Heading    ElementType = "heading"
	Paragraph  ElementType = "paragraph"
	ListItem   ElementType = "list_item"
	TableType  ElementType = "table"
	ImageType  ElementType = "image"
	Caption    ElementType = "caption"
	Formula    ElementType = "formula"
	Code       ElementType = "code"
	Footnote   ElementType = "footnote"
	Header     ElementType = "header"
	Footer     ElementType = "footer"
	PageNumber ElementType = "page_number"
)

// Layers: body content, page furniture (headers, footers, page numbers),
// refused candidates, or what a promoted candidate replaced.
const (
	LayerBody      = "body"
	LayerFurniture = "furniture"
	// LayerCandidate holds regions the segmenter weighed as an element of
	// their type and refused: their content stays in the body elements
	// they cover, and Confidence is the belief in the refusal. Routing
	// treats a candidate like its type except that a local link keeps the
	// refusal; a model's table makes it body in place of what it covers.
	LayerCandidate = "candidate"
	// LayerReplaced holds body elements a promoted candidate covers: kept
	// with their lineage, left out of the Markdown.
	LayerReplaced = "replaced"
)

// Element statuses: ok; review (the last answer failed a check: a person
// should look, the element keeps its best result); degraded (a model was
// wanted but not reached: budget, endpoint down; the element keeps its
// best free result); failed (nothing to keep).
const (
	StatusOK       = "ok"
	StatusDegraded = "degraded"
	StatusFailed   = "failed"
	StatusReview   = "review"
)

// ModelSegment is the Model of an element whose content is the segmenter's
// own: no specialist's output was kept.
const ModelSegment = "local/segment"

// PageBox is one region an element covers, for elements spanning several
// boxes or pages (a table continued on the next page).
type PageBox struct {
	Page int `json:"page"`
	Box  Box `json:"bbox"`
}

// Element is one piece of a document's content in reading order. Segment
// fills the content fields; the orchestrator sets ID and the routing fields.
type Element struct {
	ID    string      `json:"id"`
	Type  ElementType `json:"type"`
	Level int         `json:"level,omitempty"` // heading level, list nesting (1-based)
	Page  int         `json:"page"`
	Box   Box         `json:"bbox"`
	// Regions lists every page and box the element covers when it spans
	// more than one; empty otherwise.
	Regions []PageBox `json:"regions,omitempty"`
	Text    string    `json:"text"`
	Layer   string    `json:"layer"`
	Parent  string    `json:"parent,omitempty"`
	// Caption is the id of this table's or image's caption; CaptionOf is the
	// id of the table or image a caption describes.
	Caption   string `json:"caption,omitempty"`
	CaptionOf string `json:"caption_of,omitempty"`
	Marker    string `json:"marker,omitempty"` // list marker ("•", "2.", "a)")
	Table     *Table `json:"table,omitempty"`
	Image     *Image `json:"image,omitempty"`
	// Confidence is the segmenter's belief, 0-1, that the element's type and
	// structure are right; routing escalates low values.
	Confidence float64 `json:"confidence"`
	Fragment   string  `json:"fragment,omitempty"`
	Model      string  `json:"model,omitempty"`
	Status     string  `json:"status,omitempty"`
	// Reason and FellBackFrom say why Status is review or degraded (see
	// Fragment).
	Reason       string `json:"reason,omitempty"`
	FellBackFrom string `json:"fell_back_from,omitempty"`
	// HiddenWords counts the words of invisible text inside the element's
	// box (white on white, invisible or transparent, sub-point): they are
	// left out of its text and never sent to a model.
	HiddenWords int `json:"hidden_words,omitempty"`
	// OCRConfidence is the mean confidence (0.01-1) of the words inside the
	// element that OCR recognised; 0 when none were. Routing can send
	// poorly read elements to a vision model (max_ocr_confidence).
	OCRConfidence float64 `json:"ocr_confidence,omitempty"`

	// ParentRef and CaptionRef link elements by position before ids exist
	// (segment's output): 1-based index into the document's element slice,
	// 0 for none. The orchestrator turns them into Parent and Caption.
	ParentRef  int `json:"-"`
	CaptionRef int `json:"-"`
}

// Table is a table's structure.
type Table struct {
	// Rows is the dense grid: a spanning cell's text at its top-left
	// position, the positions it covers empty.
	Rows       [][]string `json:"rows"`
	HeaderRows int        `json:"header_rows"`
	Cells      []Cell     `json:"cells,omitempty"`
	HTML       string     `json:"html,omitempty"`
	Ruled      bool       `json:"ruled"` // structure came from vector rulings
	// Contents marks a table of contents: entries and their page numbers,
	// a table in the JSON (as layout models label it) and lines of text in
	// Markdown.
	Contents bool `json:"contents,omitempty"`
}

// Cell is one table cell.
type Cell struct {
	Row     int    `json:"row"`
	Col     int    `json:"col"`
	RowSpan int    `json:"row_span"`
	ColSpan int    `json:"col_span"`
	Text    string `json:"text"`
	Box     Box    `json:"bbox"`
	// Page is the page Box is on, set on every cell of a table that runs
	// over several pages (see Element.Regions); 0 means the element's page.
	Page   int  `json:"page,omitempty"`
	Header bool `json:"header,omitempty"`
}

// Image is an image element's content.
type Image struct {
	File        string `json:"file,omitempty"` // relative to the JSON file's folder
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	Description string `json:"description,omitempty"`
	OCRText     string `json:"ocr_text,omitempty"`
	// Kind is what a vision model saw: chart, photo, diagram, logo or other.
	Kind string `json:"kind,omitempty"`
	// PNG holds the pixels until synth writes them as File.
	PNG []byte `json:"-"`
}
