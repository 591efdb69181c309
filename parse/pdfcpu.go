package parse

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/folio/folio"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// pdfcpuConfigOnce keeps pdfcpu away from its config directory: it would
// otherwise create and read one under the user's config dir.
var pdfcpuConfigOnce sync.Once

// maxFonts bounds the font inventory of one document.
const maxFonts = 1000

// cpuResult is what pdfcpu makes of a document: validation findings, the
// font inventory and the document information. It is filled by its own
// goroutine; done is closed when it is ready.
type cpuResult struct {
	done     chan struct{}
	fonts    []string
	meta     map[string]string
	warnings []string
	// layers is the optional content configuration; nil when pdfcpu
	// could not read the document.
	layers *layers
}

// startPDFCPU reads and validates data with pdfcpu (relaxed mode) in a new
// goroutine. pdfcpu cannot be interrupted; a run that outlives the
// document's deadline is abandoned and ends on its own.
func startPDFCPU(ctx context.Context, data []byte) *cpuResult {
	r := &cpuResult{done: make(chan struct{})}
	go func() {
		defer close(r.done)
		defer func() {
			if p := recover(); p != nil {
				r.fonts, r.meta = nil, nil
				r.warnings = append(r.warnings, fmt.Sprintf("pdfcpu: panic: %v", p))
			}
		}()
		if ctx.Err() != nil {
			return
		}
		r.run(data)
	}()
	return r
}

// run reads data and collects fonts and metadata.
func (r *cpuResult) run(data []byte) {
	pdfcpuConfigOnce.Do(api.DisableConfigDir)
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.Cmd = model.LISTINFO
	ctx, err := api.ReadContext(bytes.NewReader(data), conf)
	if err != nil {
		r.warnings = append(r.warnings, "pdfcpu: "+oneLine(err.Error()))
		return
	}
	if ctx.XRefTable == nil {
		return
	}
	r.layers = readLayers(ctx.XRefTable)
	// Validation fills in the document information; a failure stops it
	// but leaves what it read.
	if err := api.ValidateContext(ctx); err != nil {
		r.warnings = append(r.warnings, "pdfcpu: "+oneLine(err.Error()))
	}
	x := ctx.XRefTable
	r.meta = make(map[string]string)
	for tag, v := range map[string]string{
		"Title": x.Title, "Author": x.Author, "Subject": x.Subject, "Keywords": x.Keywords,
		"Creator": x.Creator, "Producer": x.Producer, "CreationDate": x.CreationDate, "ModDate": x.ModDate,
	} {
		if v = cleanMeta(v); v != "" {
			r.meta[tag] = v
		}
	}
	r.fonts = fontInventory(x)
}

// fontInventory returns the sorted unique base font names of the font
// dictionaries in x, without subset prefixes.
func fontInventory(x *model.XRefTable) []string {
	seen := make(map[string]bool)
	for _, e := range x.Table {
		if e == nil || e.Free || e.Object == nil {
			continue
		}
		d, ok := e.Object.(types.Dict)
		if !ok {
			continue
		}
		if t := d.Type(); t == nil || *t != "Font" {
			continue
		}
		base := d.NameEntry("BaseFont")
		if base == nil {
			continue
		}
		if name := fontName(*base); name != "" {
			seen[name] = true
		}
		if len(seen) >= maxFonts {
			break
		}
	}
	fonts := make([]string, 0, len(seen))
	for name := range seen {
		fonts = append(fonts, name)
	}
	slices.Sort(fonts)
	return fonts
}

// merge waits for pdfcpu until ctx ends and adds its findings to p:
// fonts, metadata PDFium did not find, and warnings.
func (r *cpuResult) merge(ctx context.Context, p *folio.Parsed) {
	select {
	case <-r.done:
	case <-ctx.Done():
		p.Warnings = append(p.Warnings, "pdfcpu: did not finish before the deadline")
		return
	}
	if len(r.fonts) > 0 {
		p.Fonts = r.fonts
	}
	for tag, v := range r.meta {
		if _, ok := p.Meta[tag]; ok {
			continue
		}
		if p.Meta == nil {
			p.Meta = make(map[string]string)
		}
		p.Meta[tag] = v
	}
	p.Warnings = append(p.Warnings, r.warnings...)
}

// oneLine flattens a multi-line message and caps its length.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// readLayers reads which optional content groups the default
// configuration turns off (/OCProperties /D: /BaseState, /ON, /OFF), by
// name, and whether every membership dictionary evaluates off.
func readLayers(x *model.XRefTable) *layers {
	lay := &layers{off: map[string]bool{}}
	cat, err := x.Catalog()
	if err != nil {
		return lay
	}
	props, _ := x.DereferenceDict(cat["OCProperties"])
	if props == nil {
		return lay
	}
	conf, _ := x.DereferenceDict(props["D"])
	on, off := refs(x, conf["ON"]), refs(x, conf["OFF"])
	baseOff := conf.NameEntry("BaseState") != nil && *conf.NameEntry("BaseState") == "OFF"
	isOff := func(obj int) bool {
		if _, listed := on[obj]; baseOff {
			return !listed
		}
		_, listed := off[obj]
		return listed
	}
	groups := refs(x, props["OCGs"])
	for obj, r := range off {
		groups[obj] = r
	}
	seen := map[string]bool{}
	for obj, r := range groups {
		d, _ := x.DereferenceDict(r)
		if d == nil {
			continue
		}
		name, err := x.DereferenceStringOrHexLiteral(d["Name"], model.V10, nil)
		if err != nil {
			continue
		}
		// A name is off when every group of that name is.
		lay.off[name] = isOff(obj) && (lay.off[name] || !seen[name])
		seen[name] = true
	}
	// Membership dictionaries: PDFium does not say which one marks an
	// object, so they count as off only when all of them are.
	n, nOff := 0, 0
	for _, e := range x.Table {
		if e == nil || e.Free {
			continue
		}
		if d, ok := e.Object.(types.Dict); ok && d.Type() != nil && *d.Type() == "OCMD" {
			n++
			if ocmdOff(x, d, isOff) {
				nOff++
			}
		}
	}
	lay.ocmdOff = n > 0 && nOff == n
	return lay
}

// refs returns the indirect references in array o (or in the array it
// refers to) by object number.
func refs(x *model.XRefTable, o types.Object) map[int]types.IndirectRef {
	set := map[int]types.IndirectRef{}
	arr, _ := x.DereferenceArray(o)
	for _, e := range arr {
		if r, ok := e.(types.IndirectRef); ok {
			set[r.ObjectNumber.Value()] = r
		}
	}
	return set
}

// ocmdOff evaluates a membership dictionary's /P policy (AnyOn by default)
// over its /OCGs, one group or an array of them; one with a visibility
// expression (/VE) counts as on.
func ocmdOff(x *model.XRefTable, d types.Dict, isOff func(int) bool) bool {
	if d["VE"] != nil {
		return false
	}
	groups := refs(x, d["OCGs"])
	if r, ok := d["OCGs"].(types.IndirectRef); ok && len(groups) == 0 {
		groups[r.ObjectNumber.Value()] = r
	}
	if len(groups) == 0 {
		return false
	}
	anyOff, allOff := false, true
	for obj := range groups {
		anyOff = anyOff || isOff(obj)
		allOff = allOff && isOff(obj)
	}
	policy := "AnyOn"
	if p := d.NameEntry("P"); p != nil {
		policy = *p
	}
	switch policy {
	case "AllOn": // visible only when all are on
		return anyOff
	case "AnyOff": // visible when any is off
		return !anyOff
	case "AllOff": // visible only when all are off
		return !allOff
	default: // AnyOn: visible when any is on
		return allOff
	}
}
