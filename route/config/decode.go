package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
)

// The fields each mapping of the file may have.
var (
	fileFields     = []string{"endpoints", "models", "routes", "baseline", "budget", "decorative", "retries", "timeout", "on_unavailable"}
	endpointFields = []string{"base_url", "api_key_env", "api_version", "headers", "concurrency", "rpm", "tpm"}
	modelFields    = []string{"endpoint", "model", "input_per_mtok", "cached_input_per_mtok", "output_per_mtok", "vision", "image_tokens", "min_image_dpi", "max_output_tokens"}
	linkFields     = []string{"model", "when"}
	ruleFields     = []string{"min_cells", "max_confidence", "min_confidence", "min_area", "needs_no_text_layer", "max_ocr_confidence"}
	budgetFields   = []string{"max_usd", "on_exhausted", "period", "per_tag", "warn_at"}
	decorFields    = []string{"send", "min_area", "max_aspect", "repeated_pages"}
)

// Bounds on what anchors and aliases may expand to.
const (
	maxAliasChain = 8     // an alias of an alias of …
	maxMergeDepth = 8     // merge keys within merged mappings
	maxMerged     = 10000 // entries brought in by merge keys, in all
)

// decoder turns a YAML syntax tree into a File, collecting every problem
// with its line. It knows the file's shape; validate checks the values.
type decoder struct {
	name    string
	anchors map[string]ast.Node
	lines   map[string]int  // line of each field present, by path
	bad     map[string]bool // fields already reported
	errs    []*Error

	merged      int  // entries merge keys brought in
	mergeFailed bool // merging went too deep or too wide
}

func newDecoder(name string) *decoder {
	return &decoder{name: name, anchors: map[string]ast.Node{}, lines: map[string]int{}, bad: map[string]bool{}}
}

// errorf records a problem with field on line.
func (d *decoder) errorf(line int, field, format string, args ...any) {
	d.bad[field] = true
	d.errs = append(d.errs, &Error{File: d.name, Line: line, Field: field, Err: fmt.Errorf(format, args...)})
}

// err returns the problems recorded, in file order, joined; nil for none.
func (d *decoder) err() error {
	if len(d.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(d.errs, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Field, b.Field), cmp.Compare(a.Err.Error(), b.Err.Error()))
	})
	errs := make([]error, len(d.errs))
	for i, e := range d.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// decode parses data; it returns nil when the YAML itself is malformed.
func (d *decoder) decode(data []byte) *File {
	// Duplicate keys are reported with the other problems, by entries.
	tree, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) {
			d.errorf(tokenLine(ye.GetToken()), "", "malformed YAML: %s", ye.GetMessage())
		} else {
			d.errorf(0, "", "malformed YAML: %v", err)
		}
		return nil
	}
	var body ast.Node
	for _, doc := range tree.Docs {
		switch {
		case doc == nil || doc.Body == nil:
		case body != nil:
			d.errorf(line(doc.Body), "", "more than one YAML document")
			return nil
		default:
			body = doc.Body
		}
	}
	if body == nil {
		return &File{}
	}
	ast.Walk(anchorVisitor(d.anchors), body)
	return d.file(body)
}

// anchorVisitor collects the value of every anchor by its name.
type anchorVisitor map[string]ast.Node

func (v anchorVisitor) Visit(n ast.Node) ast.Visitor {
	if a, ok := n.(*ast.AnchorNode); ok && a.Name != nil {
		v[tokenValue(a.Name)] = a.Value
	}
	return v
}

func (d *decoder) file(body ast.Node) *File {
	f := &File{}
	v := d.value(body, "")
	if v != nil && !isMapping(v) {
		d.errorf(line(v), "", "the file must be a mapping with keys such as endpoints, models and routes, not %s", describe(v))
		return f
	}
	for _, e := range d.fields(v, "") {
		switch e.key {
		case "endpoints":
			f.Endpoints = decodeMap(d, e.val, e.key, d.endpoint)
		case "models":
			f.Models = decodeMap(d, e.val, e.key, d.model)
		case "routes":
			f.Routes = d.routes(e.val, e.key)
		case "baseline":
			f.Baseline = d.str(e.val, e.key)
		case "budget":
			f.Budget = d.budget(e.val, e.key)
		case "decorative":
			f.Decorative = d.decorative(e.val, e.key)
		case "retries":
			if n, ok := d.integer(e.val, e.key); ok {
				f.Retries = &n
			}
		case "timeout":
			f.Timeout = d.duration(e.val, e.key)
		case "on_unavailable":
			f.OnUnavailable = d.str(e.val, e.key)
		default:
			d.unknown(e, "", fileFields)
		}
	}
	return f
}

func (d *decoder) endpoint(n ast.Node, path string) Endpoint {
	var ep Endpoint
	for _, e := range d.fields(n, path) {
		p := join(path, e.key)
		switch e.key {
		case "base_url":
			ep.BaseURL = d.str(e.val, p)
		case "api_key_env":
			ep.APIKeyEnv = d.str(e.val, p)
		case "api_version":
			ep.APIVersion = d.str(e.val, p)
		case "headers":
			ep.Headers = decodeMap(d, e.val, p, d.str)
		case "concurrency":
			ep.Concurrency, _ = d.integer(e.val, p)
		case "rpm":
			ep.RPM, _ = d.integer(e.val, p)
		case "tpm":
			ep.TPM, _ = d.integer(e.val, p)
		case "api_key", "key", "token":
			d.errorf(e.line, p, "unknown field: never write a key in the file; put it in an environment variable and name that in api_key_env")
		default:
			d.unknown(e, path, endpointFields)
		}
	}
	return ep
}

func (d *decoder) model(n ast.Node, path string) Model {
	var m Model
	for _, e := range d.fields(n, path) {
		p := join(path, e.key)
		switch e.key {
		case "endpoint":
			m.Endpoint = d.str(e.val, p)
		case "model":
			m.Model = d.str(e.val, p)
		case "input_per_mtok":
			m.InputPerMTok = d.number(e.val, p)
		case "cached_input_per_mtok":
			m.CachedInputPerMTok = d.number(e.val, p)
		case "output_per_mtok":
			m.OutputPerMTok = d.number(e.val, p)
		case "vision":
			m.Vision = d.boolean(e.val, p)
		case "image_tokens":
			m.ImageTokens = d.str(e.val, p)
		case "min_image_dpi":
			d.numberInto(&m.MinImageDPI, e.val, p)
		case "max_output_tokens":
			m.MaxOutputTokens, _ = d.integer(e.val, p)
		default:
			d.unknown(e, path, modelFields)
		}
	}
	return m
}

func (d *decoder) routes(n ast.Node, path string) map[folio.ElementType][]route.Link {
	es := d.fields(n, path)
	if len(es) == 0 {
		return nil
	}
	routes := make(map[folio.ElementType][]route.Link, len(es))
	for _, e := range es {
		routes[folio.ElementType(e.key)] = d.chain(e.val, join(path, e.key))
	}
	return routes
}

// chain decodes a list of links; validate reports an empty one.
func (d *decoder) chain(n ast.Node, path string) []route.Link {
	v := d.value(n, path)
	if v == nil {
		return nil
	}
	seq, ok := v.(*ast.SequenceNode)
	if !ok {
		d.errorf(line(v), path, "must be a list of links such as [local/table, small], not %s", describe(v))
		return nil
	}
	links := make([]route.Link, 0, len(seq.Values))
	for i, item := range seq.Values {
		p := fmt.Sprintf("%s[%d]", path, i)
		d.lines[p] = line(item)
		links = append(links, d.link(item, p))
	}
	return links
}

// link decodes a link: a name, or a mapping {model: name, when: {…}}.
func (d *decoder) link(n ast.Node, path string) route.Link {
	v := d.value(n, path)
	if !isMapping(v) {
		return route.Link{Specialist: d.str(v, path)}
	}
	var l route.Link
	for _, e := range d.fields(v, path) {
		p := join(path, e.key)
		switch e.key {
		case "model":
			l.Specialist = d.str(e.val, p)
		case "when":
			l.When = d.rule(e.val, p)
		default:
			d.unknown(e, path, linkFields)
		}
	}
	return l
}

func (d *decoder) rule(n ast.Node, path string) route.Rule {
	var r route.Rule
	for _, e := range d.fields(n, path) {
		p := join(path, e.key)
		switch e.key {
		case "min_cells":
			r.MinCells, _ = d.integer(e.val, p)
		case "max_confidence":
			d.numberInto(&r.MaxConfidence, e.val, p)
		case "min_confidence":
			d.numberInto(&r.MinConfidence, e.val, p)
		case "min_area":
			d.numberInto(&r.MinArea, e.val, p)
		case "needs_no_text_layer":
			r.NeedsNoTextLayer = d.boolean(e.val, p)
		case "max_ocr_confidence":
			d.numberInto(&r.MaxOCRConfidence, e.val, p)
		default:
			d.unknown(e, path, ruleFields)
		}
	}
	return r
}

// numberInto stores the number at n in dst, when n holds one.
func (d *decoder) numberInto(dst *float64, n ast.Node, path string) {
	if x := d.number(n, path); x != nil {
		*dst = *x
	}
}

func (d *decoder) budget(n ast.Node, path string) Budget {
	var b Budget
	for _, e := range d.fields(n, path) {
		p := join(path, e.key)
		switch e.key {
		case "max_usd":
			b.MaxUSD = d.number(e.val, p)
		case "on_exhausted":
			b.OnExhausted = d.str(e.val, p)
		case "period":
			b.Period = d.str(e.val, p)
		case "per_tag":
			b.PerTag = decodeMap(d, e.val, p, func(n ast.Node, p string) float64 {
				var x float64
				d.numberInto(&x, n, p)
				return x
			})
		case "warn_at":
			d.numberInto(&b.WarnAt, e.val, p)
		default:
			d.unknown(e, path, budgetFields)
		}
	}
	return b
}

func (d *decoder) decorative(n ast.Node, path string) route.Decorative {
	var r route.Decorative
	for _, e := range d.fields(n, path) {
		p := join(path, e.key)
		switch e.key {
		case "send":
			r.Send = d.boolean(e.val, p)
		case "min_area":
			d.numberInto(&r.MinArea, e.val, p)
		case "max_aspect":
			d.numberInto(&r.MaxAspect, e.val, p)
		case "repeated_pages":
			r.RepeatedPages, _ = d.integer(e.val, p)
		default:
			d.unknown(e, path, decorFields)
		}
	}
	return r
}

// decodeMap decodes a mapping of names to values decoded by one; nil when
// the mapping is empty.
func decodeMap[T any](d *decoder, n ast.Node, path string, one func(ast.Node, string) T) map[string]T {
	es := d.fields(n, path)
	if len(es) == 0 {
		return nil
	}
	m := make(map[string]T, len(es))
	for _, e := range es {
		m[e.key] = one(e.val, join(path, e.key))
	}
	return m
}

func (d *decoder) unknown(e entry, path string, known []string) {
	d.errorf(e.line, join(path, e.key), "unknown field%s", oneOf(e.key, known))
}

// join appends key to the dotted field path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// describe names the kind of a YAML value for messages: "a list".
func describe(n ast.Node) string {
	switch n.Type() {
	case ast.StringType, ast.LiteralType:
		return "a string"
	case ast.IntegerType:
		return "an integer"
	case ast.FloatType, ast.InfinityType, ast.NanType:
		return "a number"
	case ast.BoolType:
		return "true or false"
	case ast.MappingType, ast.MappingValueType:
		return "a mapping"
	case ast.SequenceType:
		return "a list"
	}
	return "a " + n.Type().String()
}
