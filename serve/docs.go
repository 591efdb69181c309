package serve

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
)

// Page size in points when the output JSON cannot say (US Letter).
const (
	defaultPageWidth  = 612
	defaultPageHeight = 792
)

// maxOutputBytes bounds the output JSON the document page reads.
const maxOutputBytes = 512 << 20

// docData is the document page's data.
type docData struct {
	Doc      *lineage.DocumentView
	Rec      int64 // asked for; 0 for the current recording
	Page     int
	Color    string // type or model
	Width    float64
	Height   float64
	ImageURL string
	Boxes    []box
	Legend   []legendItem
	Panel    *panel
	Notes    []string
}

func (d docData) HasPrev() bool { return d.Page > 1 }
func (d docData) HasNext() bool { return d.Page < d.Doc.Pages }
func (d docData) Other() string { // the other colouring
	if d.Color == "model" {
		return "type"
	}
	return "model"
}

// box is one element's box on the page, in PDF points.
type box struct {
	ID         string
	N          int // reading order, from 1
	X, Y, W, H float64
	Class      string
	Label      string
	Faded      bool // furniture, refused candidates, replaced body
	Selected   bool
	Href       template.URL
}

type legendItem struct{ Class, Label string }

// panel is the selected element: its content and lineage.
type panel struct {
	El *lineage.ElementRecord
	// Text is the element's whole text from the output JSON, or the
	// ledger's first lineage.MaxText characters.
	Text      string
	Truncated bool
	Table     *folio.Table
	Image     *folio.Image
	Fragment  *lineage.FragmentRecord
	Notes     []string
	Command   string
}

func (s *Server) docPage(w http.ResponseWriter, r *http.Request) {
	if err := s.serveDoc(w, r); err != nil {
		s.fail(w, r, err)
	}
}

func (s *Server) serveDoc(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := r.PathValue("id")
	if !docIDPattern.MatchString(id) {
		return notFound("no document %q", id)
	}
	q := r.URL.Query()
	d := docData{Color: cmp.Or(q.Get("color"), "type")}
	if d.Color != "type" && d.Color != "model" {
		return badRequest("color: want type or model")
	}
	rec, err := intParam(r, "rec", 0, maxOffset)
	if err != nil {
		return err
	}
	d.Rec = int64(rec)
	if d.Page, err = intParam(r, "page", 0, 1<<20); err != nil {
		return err
	}
	el := q.Get("el")
	if el != "" && !elementIDPattern.MatchString(el) {
		return badRequest("el: not an element id")
	}

	var tr *lineage.Trace
	if el != "" {
		ts, err := s.o.DB.Trace(ctx, el)
		if err != nil {
			return err
		}
		if len(ts) != 1 || ts[0].Element == nil || ts[0].Document.ID != id {
			return notFound("element %s is not in document %s", el, id)
		}
		tr = &ts[0]
		if d.Page == 0 {
			d.Page = tr.Element.Page
		}
	}
	d.Page = max(d.Page, 1)

	if d.Doc, err = s.o.DB.DocumentView(ctx, id, d.Rec, d.Page); err != nil {
		return err
	}
	if d.Doc.Pages > 0 && d.Page > d.Doc.Pages {
		return notFound("document %s has %d pages", id, d.Doc.Pages)
	}
	out, note := s.readOutput(d.Doc)
	if note != "" {
		d.Notes = append(d.Notes, note)
	}
	d.Width, d.Height = pageSize(out, d.Page, d.Doc.Elements)
	if out == nil {
		d.Notes = append(d.Notes, "page size not known from the outputs: boxes are drawn on a US Letter page")
	}
	if s.o.Pages != nil && d.Doc.Source != "" && d.Doc.Pages > 0 {
		d.ImageURL = fmt.Sprintf("/docs/%s/pages/%d.png", id, d.Page)
	}

	d.addBoxes(el)

	if tr != nil {
		d.Panel = newPanel(tr, out, d.Doc)
	}
	s.render(w, r, "doc", d)
	return nil
}

// addBoxes draws the page's elements, el selected, and their legend.
func (d *docData) addBoxes(el string) {
	seen := map[string]bool{}
	for _, e := range d.Doc.Elements {
		b := box{
			ID: e.ID, N: e.Ord + 1, X: e.Box[0], Y: e.Box[1], W: e.Box.Width(), H: e.Box.Height(),
			Faded: e.Layer != folio.LayerBody, Selected: e.ID == el,
			Href: query("page", d.Page, "color", d.Color, "rec", d.Rec, "el", e.ID),
		}
		label := string(e.Type)
		if d.Color == "model" {
			b.Class, label = modelClass(e.Model), cmp.Or(e.Model, "(none)")
		} else {
			b.Class = "t-" + string(e.Type)
		}
		b.Label = fmt.Sprintf("%d %s %s", b.N, e.Type, e.Model)
		if !seen[label] {
			seen[label] = true
			d.Legend = append(d.Legend, legendItem{b.Class, label})
		}
		d.Boxes = append(d.Boxes, b)
	}
	slices.SortFunc(d.Legend, func(a, b legendItem) int { return strings.Compare(a.Label, b.Label) })
}

func newPanel(tr *lineage.Trace, out *folio.Document, v *lineage.DocumentView) *panel {
	p := &panel{El: tr.Element, Text: tr.Element.Text, Fragment: tr.Fragment,
		Command: "folio trace -o OUT " + tr.Element.ID}
	p.Truncated = len([]rune(p.Text)) >= lineage.MaxText
	if e := findElement(out, tr.Element.ID); e != nil {
		p.Text, p.Truncated, p.Table, p.Image = e.Text, false, e.Table, e.Image
	}
	if !v.Current {
		p.Notes = append(p.Notes, "this recording is superseded: the lineage shown is the current recording's")
	}
	return p
}

func findElement(doc *folio.Document, id string) *folio.Element {
	if doc == nil {
		return nil
	}
	for _, els := range [][]folio.Element{doc.Elements, doc.Candidates} {
		for i := range els {
			if els[i].ID == id {
				return &els[i]
			}
		}
	}
	return nil
}

// readOutput reads the output JSON of v's recording when it is current and
// its outputs are live, through the root on the output folder: the path
// comes from the ledger and cannot leave it. A missing or changed output
// gives nil and a note saying so.
func (s *Server) readOutput(v *lineage.DocumentView) (*folio.Document, string) {
	if !v.Current || !v.Pruned.IsZero() || v.Status == "failed" {
		return nil, ""
	}
	rel := ""
	for _, o := range v.Outputs {
		if strings.HasSuffix(o, ".json") {
			rel = o
		}
	}
	if rel == "" {
		return nil, "no output JSON recorded"
	}
	f, err := s.root.Open(filepath.FromSlash(rel))
	if err != nil {
		return nil, "output " + rel + " cannot be read: " + errText(err)
	}
	defer f.Close()
	h := sha256.New()
	var doc folio.Document
	err = json.NewDecoder(io.TeeReader(io.LimitReader(f, maxOutputBytes), h)).Decode(&doc)
	if err != nil {
		return nil, "output " + rel + " is not a document: " + errText(err)
	}
	if doc.ID != v.ID {
		return nil, "output " + rel + " is now another document's"
	}
	io.Copy(h, io.LimitReader(f, maxOutputBytes)) // what the decoder left, to hash the whole file
	if want := v.OutputSHA256[rel]; want != "" && hex.EncodeToString(h.Sum(nil)) != want {
		return &doc, "output " + rel + " was changed since it was recorded"
	}
	return &doc, ""
}

// errText is an error's message without the absolute paths it may name.
func errText(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

// pageSize is page's size in points from the output's pages, else US
// Letter grown to hold every box.
func pageSize(out *folio.Document, page int, els []*lineage.ElementRecord) (float64, float64) {
	if out != nil {
		for _, p := range out.Pages {
			if p.Page == page && p.Width > 0 && p.Height > 0 {
				return p.Width, p.Height
			}
		}
	}
	w, h := float64(defaultPageWidth), float64(defaultPageHeight)
	for _, e := range els {
		w, h = max(w, e.Box[2]), max(h, e.Box[3])
	}
	return w, h
}

// pageFile reads "N.png", the file part of a page image's path.
func pageFile(s string) (int, bool) {
	num, ok := strings.CutSuffix(s, ".png")
	if !ok || num == "" || len(num) > 6 || num[0] == '0' || strings.Trim(num, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(num)
	return n, err == nil && n > 0
}
