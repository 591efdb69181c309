package folio

// Schema is the identifier written in every output document.
const Schema = "folio.document/v1"

// Source describes one input file.
type Source struct {
	// Path is the file's location on disk; Rel is its path relative to the
	// input root it was found under, with forward slashes, which decides
	// where its outputs go.
	Path   string `json:"-"`
	Rel    string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
	Format string `json:"format"`
	Pages  int    `json:"pages"`
}

// PageInfo is a page's summary in the output document.
type PageInfo struct {
	Page      int     `json:"page"`
	Width     float64 `json:"width"`
	Height    float64 `json:"height"`
	Rotation  int     `json:"rotation"`
	TextLayer bool    `json:"text_layer"`
	// Error says why the page could not be read; the page is then empty
	// and the document partial.
	Error string `json:"error,omitempty"`
}

// Document statuses: a partial document lost some pages (each PageInfo
// with an Error says why) and has the elements of the others.
const (
	DocumentOK      = "ok"
	DocumentPartial = "partial"
)

// Document is the output for one input: the folio.document/v1 JSON.
type Document struct {
	Schema string `json:"schema"`
	ID     string `json:"id"`
	Source Source `json:"source"`
	Run    string `json:"run"`
	Config string `json:"config"`
	// Status is DocumentOK or DocumentPartial.
	Status   string            `json:"status"`
	Meta     map[string]string `json:"meta,omitempty"`
	Pages    []PageInfo        `json:"pages"`
	Elements []Element         `json:"elements"`
	// Candidates are regions the segmenter weighed as tables and refused
	// (LayerCandidate), each with the belief in its refusal; their text is
	// in Elements. A model's table answer moves one into Elements.
	Candidates []Element `json:"candidates,omitempty"`
	Cost       Cost      `json:"cost"`
	Warnings   []string  `json:"warnings"`

	// Fragments are recorded in the ledger, not in the JSON.
	Fragments []Fragment `json:"-"`
}
