package config

import (
	"math"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// entry is one key of a mapping and its value.
type entry struct {
	key  string
	line int
	val  ast.Node
}

// value follows anchors and aliases from n to the node holding the value,
// nil for a null or missing one. It reports tags, which are not supported.
func (d *decoder) value(n ast.Node, field string) ast.Node {
	for range maxAliasChain {
		switch v := n.(type) {
		case nil, *ast.NullNode:
			return nil
		case *ast.AnchorNode:
			n = v.Value
		case *ast.AliasNode:
			name := tokenValue(v.Value)
			target, ok := d.anchors[name]
			if !ok {
				d.errorf(line(v), field, "unknown alias *%s", name)
				return nil
			}
			n = target
		case *ast.TagNode:
			d.errorf(line(v), field, "YAML tags such as %s are not supported", tokenValue(v))
			return nil
		default:
			return n
		}
	}
	d.errorf(line(n), field, "aliases nested too deeply")
	return nil
}

// fields returns the entries of the mapping at n, merge keys expanded, and
// records the line of each. It reports a value that is not a mapping.
func (d *decoder) fields(n ast.Node, path string) []entry {
	v := d.value(n, path)
	if v == nil {
		return nil
	}
	if !isMapping(v) {
		d.errorf(line(v), path, "must be a mapping, not %s", describe(v))
		return nil
	}
	es := d.entries(v, path, 0)
	for _, e := range es {
		d.lines[join(path, e.key)] = e.line
	}
	return es
}

// entries lists the keys of a mapping: its own, in order, then those merge
// keys bring in that it does not set itself.
func (d *decoder) entries(m ast.Node, path string, depth int) []entry {
	var values []*ast.MappingValueNode
	switch m := m.(type) {
	case *ast.MappingNode:
		values = m.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{m}
	}
	var own, merged []entry
	seen := map[string]int{} // line of each key
	for _, mv := range values {
		if mv == nil || mv.Key == nil {
			continue
		}
		if mv.Key.IsMergeKey() {
			merged = append(merged, d.merge(mv.Value, path, depth)...)
			continue
		}
		key, ok := keyString(mv.Key)
		ln := line(mv.Key)
		switch {
		case !ok:
			d.errorf(ln, path, "a key must be a string, not %s", describe(mv.Key))
		case seen[key] > 0:
			d.errorf(ln, join(path, key), "duplicate key, first on line %d", seen[key])
		default:
			seen[key] = max(ln, 1)
			own = append(own, entry{key: key, line: ln, val: mv.Value})
		}
	}
	for _, e := range merged {
		if seen[e.key] == 0 {
			seen[e.key] = max(e.line, 1)
			own = append(own, e)
		}
	}
	return own
}

// merge returns the entries a merge key's value brings in: those of a
// mapping, or of a list of mappings, earlier ones first. Once merging has
// gone too deep or too wide it reports that once and merges nothing more.
func (d *decoder) merge(n ast.Node, path string, depth int) []entry {
	if d.mergeFailed {
		return nil
	}
	if depth >= maxMergeDepth {
		d.mergeFailed = true
		d.errorf(line(n), path, "merge keys nested too deeply")
		return nil
	}
	v := d.value(n, path)
	maps := []ast.Node{v}
	if seq, ok := v.(*ast.SequenceNode); ok {
		maps = maps[:0]
		for _, item := range seq.Values {
			maps = append(maps, d.value(item, path))
		}
	}
	var out []entry
	for _, m := range maps {
		if !isMapping(m) {
			d.errorf(line(n), path, "a merge key (<<) needs a mapping or a list of mappings")
			return nil
		}
		es := d.entries(m, path, depth+1)
		if d.merged += len(es) + 1; d.merged > maxMerged && !d.mergeFailed {
			d.mergeFailed = true
			d.errorf(d.at(path), path, "merge keys expand to more than %d keys", maxMerged)
		}
		if d.mergeFailed {
			return nil
		}
		out = append(out, es...)
	}
	return out
}

// str decodes a string; a number stands for its text.
func (d *decoder) str(n ast.Node, field string) string {
	switch v := d.value(n, field).(type) {
	case nil:
		return ""
	case *ast.StringNode:
		return v.Value
	case *ast.LiteralNode:
		if v.Value != nil {
			return v.Value.Value
		}
		return ""
	case *ast.IntegerNode, *ast.FloatNode:
		return tokenValue(v)
	default:
		d.errorf(line(v), field, "must be a string, not %s", describe(v))
		return ""
	}
}

// integer decodes an integer; ok is false when it is missing or invalid.
func (d *decoder) integer(n ast.Node, field string) (i int, ok bool) {
	switch v := d.value(n, field).(type) {
	case nil:
		return 0, false
	case *ast.IntegerNode:
		switch x := v.Value.(type) {
		case int64:
			if int64(int(x)) == x {
				return int(x), true
			}
		case uint64:
			if x <= math.MaxInt {
				return int(x), true
			}
		}
		d.errorf(line(v), field, "%s is out of range", tokenValue(v))
	default:
		d.errorf(line(v), field, "must be an integer, not %s", describe(v))
	}
	return 0, false
}

// number decodes a number, nil when it is missing or invalid.
func (d *decoder) number(n ast.Node, field string) *float64 {
	var f float64
	switch v := d.value(n, field).(type) {
	case nil:
		return nil
	case *ast.IntegerNode:
		switch x := v.Value.(type) {
		case int64:
			f = float64(x)
		case uint64:
			f = float64(x)
		}
	case *ast.FloatNode:
		f = v.Value
	case *ast.InfinityNode:
		f = v.Value
	case *ast.NanNode:
		f = math.NaN()
	default:
		d.errorf(line(v), field, "must be a number, not %s", describe(v))
		return nil
	}
	return &f
}

// boolean decodes true or false; missing is false.
func (d *decoder) boolean(n ast.Node, field string) bool {
	switch v := d.value(n, field).(type) {
	case nil:
		return false
	case *ast.BoolNode:
		return v.Value
	default:
		d.errorf(line(v), field, "must be true or false, not %s", describe(v))
		return false
	}
}

// duration decodes a duration with a unit, such as "120s" or "2m".
func (d *decoder) duration(n ast.Node, field string) time.Duration {
	switch v := d.value(n, field).(type) {
	case nil:
		return 0
	case *ast.StringNode:
		t, err := time.ParseDuration(v.Value)
		if err != nil {
			d.errorf(line(v), field, "%q is not a duration such as 120s or 2m", v.Value)
		}
		return t
	case *ast.IntegerNode, *ast.FloatNode:
		d.errorf(line(v), field, "%s needs a unit, such as %ss", tokenValue(v), tokenValue(v))
	default:
		d.errorf(line(v), field, "must be a duration such as 120s, not %s", describe(v))
	}
	return 0
}

// keyString returns a scalar key's text.
func keyString(k ast.MapKeyNode) (string, bool) {
	switch k := k.(type) {
	case *ast.StringNode:
		return k.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.NullNode:
		return tokenValue(k), true
	}
	return "", false
}

func isMapping(n ast.Node) bool {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return true
	}
	return false
}

// line returns the 1-based line n starts on, 0 when unknown.
func line(n ast.Node) int {
	if n == nil {
		return 0
	}
	return tokenLine(n.GetToken())
}

func tokenLine(tk *token.Token) int {
	if tk == nil || tk.Position == nil {
		return 0
	}
	return tk.Position.Line
}

// tokenValue returns the text of n's token.
func tokenValue(n ast.Node) string {
	if n == nil {
		return ""
	}
	if tk := n.GetToken(); tk != nil {
		return tk.Value
	}
	return ""
}
