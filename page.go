package folio

// Word is a run of characters without a space, as the PDF engine found it,
// with its box, font and style. Words on a page come in content-stream order.
type Word struct {
	Text   string  `json:"text"`
	Box    Box     `json:"box"`
	Font   string  `json:"font,omitempty"`
	Size   float64 `json:"size"`             // effective font size in points
	Weight int     `json:"weight,omitempty"` // 100-900; 0 when unknown
	Bold   bool    `json:"bold,omitempty"`
	Italic bool    `json:"italic,omitempty"`
	Mono   bool    `json:"mono,omitempty"` // fixed-pitch font
	// RTL is set for words in a right-to-left script; their Text is in
	// logical (reading) order.
	RTL bool `json:"rtl,omitempty"`
	// Angle is the text direction in degrees, counter-clockwise; 0 for
	// ordinary horizontal text.
	Angle float64 `json:"angle,omitempty"`
	// SpaceAfter is set when the engine saw a space (real or generated)
	// right after the word on the same line.
	SpaceAfter bool `json:"space_after,omitempty"`
	// Hidden marks text that is not visible on the page (invisible render
	// mode, off-page, sub-point size).
	Hidden bool `json:"hidden,omitempty"`
	// Confidence is the OCR engine's belief, 0.01-1, that it read a word
	// recognised from pixels right; 0 for words of the text layer.
	Confidence float64 `json:"confidence,omitempty"`
}

// Ruling is an axis-aligned line segment drawn on the page (a stroked line,
// a rectangle's edge or a thin filled rectangle), in page coordinates.
type Ruling struct {
	X0 float64 `json:"x0"`
	Y0 float64 `json:"y0"`
	X1 float64 `json:"x1"`
	Y1 float64 `json:"y1"`
}

// Horizontal reports whether r runs left to right.
func (r Ruling) Horizontal() bool { return r.Y1-r.Y0 < r.X1-r.X0 }

// ImagePlacement is one image drawn on a page.
type ImagePlacement struct {
	Box Box `json:"box"`
	// PixelWidth and PixelHeight are the image's own size in pixels.
	PixelWidth  int `json:"pixel_width"`
	PixelHeight int `json:"pixel_height"`
	// PNG holds the decoded pixels as a PNG file when the engine extracted
	// them (large enough and within limits); nil otherwise.
	PNG []byte `json:"-"`
}

// Page is one page of a parsed document.
type Page struct {
	Number   int     `json:"page"` // 1-based
	Width    float64 `json:"width"`
	Height   float64 `json:"height"`
	Rotation int     `json:"rotation"` // 0, 90, 180 or 270
	Words    []Word  `json:"words"`
	// Rulings are the page's straight axis-aligned lines; Rects are filled
	// or stroked rectangles larger than a line (cell shading, frames).
	Rulings []Ruling `json:"rulings,omitempty"`
	Rects   []Box    `json:"rects,omitempty"`
	// Marks are small closed shapes, filled or stroked (discs, circles,
	// squares, diamonds): bullets drawn as graphics among them, as
	// browsers print list markers. A small square is also in Rects.
	Marks  []Box            `json:"marks,omitempty"`
	Images []ImagePlacement `json:"images,omitempty"`
	// Scanned marks a page without a usable text layer (no visible text,
	// garbage text, or little text over a page-sized picture): its words,
	// when it has any, were recognised from its pixels (Word.Confidence).
	Scanned bool `json:"scanned,omitempty"`
	// Error says why the page could not be read; the page is then empty.
	Error string `json:"error,omitempty"`
}

// TextLayer reports whether the page has visible text of its own: a
// scanned page has none, whatever OCR found on it.
func (p *Page) TextLayer() bool {
	if p.Scanned {
		return false
	}
	for _, w := range p.Words {
		if !w.Hidden {
			return true
		}
	}
	return false
}

// Parsed is what a parser makes of one input: its pages and metadata.
type Parsed struct {
	Pages    []Page            `json:"pages"`
	Meta     map[string]string `json:"meta,omitempty"` // Title, Author, Producer, …
	Fonts    []string          `json:"fonts,omitempty"`
	Warnings []string          `json:"warnings,omitempty"`
}
