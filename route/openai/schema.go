package openai

import (
	"encoding/json"
	"sort"
)

// node is one level of an answer schema: the subset of JSON Schema that
// OpenAI's strict structured outputs accept and Folio's answers need. The
// same node is sent as the response_format schema and used to validate the
// answer, so the two cannot drift apart.
type node struct {
	typ   string // "object", "array", "string" or "integer"
	props []prop // object: every property, all required
	items *node  // array: the element schema
	enum  []string
	// min and max bound an integer; maxItems bounds an array. They are
	// checked locally and not sent, since not every OpenAI-compatible
	// server accepts them in strict mode.
	min, max int64
	maxItems int
}

type prop struct {
	name string
	n    *node
}

func object(props ...prop) *node { return &node{typ: "object", props: props} }
func array(items *node, maxItems int) *node {
	return &node{typ: "array", items: items, maxItems: maxItems}
}
func str(enum ...string) *node   { return &node{typ: "string", enum: enum} }
func integer(lo, hi int64) *node { return &node{typ: "integer", min: lo, max: hi} }

// Limits of an answer, far above any real table but small enough that an
// answer within the size cap cannot build a huge structure.
const (
	maxRows  = 10000
	maxCols  = 1000
	maxCells = 100000
)

// The answer schemas, one per kind of task.
var (
	tableSchema = object(
		prop{"rows", array(array(str(), maxCols), maxRows)},
		prop{"header_rows", integer(0, maxRows)},
		prop{"cells", array(object(
			prop{"row", integer(0, maxRows-1)},
			prop{"col", integer(0, maxCols-1)},
			prop{"row_span", integer(1, maxRows)},
			prop{"col_span", integer(1, maxCols)},
			prop{"text", str()},
		), maxCells)},
	)
	imageSchema = object(
		prop{"description", str()},
		prop{"visible_text", str()},
		prop{"kind", str("chart", "photo", "diagram", "logo", "other")},
	)
	textSchema = object(prop{"text", str()})
)

// JSON returns n as a JSON Schema value for a strict response_format: every
// object lists all its properties as required and allows no others.
func (n *node) JSON() map[string]any {
	out := map[string]any{"type": n.typ}
	switch n.typ {
	case "object":
		props := make(map[string]any, len(n.props))
		req := make([]string, 0, len(n.props))
		for _, p := range n.props {
			props[p.name] = p.n.JSON()
			req = append(req, p.name)
		}
		sort.Strings(req)
		out["properties"] = props
		out["required"] = req
		out["additionalProperties"] = false
	case "array":
		out["items"] = n.items.JSON()
	case "string":
		if len(n.enum) > 0 {
			out["enum"] = n.enum
		}
	}
	return out
}

// canonical returns n's JSON Schema as bytes; encoding/json sorts map keys,
// so the bytes are the same on every call.
func (n *node) canonical() []byte {
	b, err := json.Marshal(n.JSON())
	if err != nil {
		panic("openai: schema does not marshal: " + err.Error()) // static data
	}
	return b
}
