package folio

// newDocument assembles the output document from the parse and segment
// results: ids for the document and its elements, and element links turned
// from positions into ids.
func newDocument(src Source, runID, config string, p *Parsed, els []Element) *Document {
	doc := &Document{
		Schema:   Schema,
		ID:       DocumentID(src.SHA256, config, src.Rel),
		Source:   src,
		Run:      runID,
		Config:   config,
		Meta:     p.Meta,
		Pages:    make([]PageInfo, len(p.Pages)),
		Elements: els,
		Warnings: append([]string{}, p.Warnings...),
	}
	for i, pg := range p.Pages {
		doc.Pages[i] = PageInfo{Page: pg.Number, Width: pg.Width, Height: pg.Height,
			Rotation: pg.Rotation, TextLayer: pg.TextLayer(), Error: pg.Error}
	}
	doc.Status = DocumentOK
	if lostPages(doc.Pages) != "" {
		doc.Status = DocumentPartial
	}
	for i := range els {
		els[i].ID = ElementID(doc.ID, i)
		els[i].Box = els[i].Box.Rounded()
		if els[i].Layer == "" {
			els[i].Layer = LayerBody
		}
	}
	ref := func(r int) string {
		if r <= 0 || r > len(els) {
			return ""
		}
		return els[r-1].ID
	}
	for i := range els {
		els[i].Parent = ref(els[i].ParentRef)
		els[i].Caption = ref(els[i].CaptionRef)
		if c := els[i].CaptionRef; c > 0 && c <= len(els) {
			els[c-1].CaptionOf = els[i].ID
		}
	}
	return doc
}

// applyFragments copies each fragment's output onto its element and sums
// the document's cost.
func applyFragments(doc *Document, frags []Fragment) {
	byElement := make(map[string]*Fragment, len(frags))
	for i := range frags {
		byElement[frags[i].ElementID] = &frags[i]
	}
	for i := range doc.Elements {
		el := &doc.Elements[i]
		f, ok := byElement[el.ID]
		if !ok {
			el.Status = StatusFailed
			continue
		}
		el.Fragment, el.Model, el.Status = f.ID, f.Model, f.Status
		el.Reason, el.FellBackFrom = f.Reason, f.FellBackFrom
		if f.Text != nil {
			el.Text = *f.Text
		}
		if f.Table != nil {
			el.Table = f.Table
		}
		if f.Image != nil {
			el.Image = f.Image
		}
		doc.Cost.Add(f.Calls)
		el.Crop = nil // drawn for the models only
	}
	doc.Fragments = frags
}
