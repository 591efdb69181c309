package openai

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxAnswer bounds the size of a model's answer in bytes.
const maxAnswer = 1 << 20

// tableAnswer, imageAnswer and textAnswer are the answers the schemas
// describe, field for field.
type tableAnswer struct {
	Rows       [][]string   `json:"rows"`
	HeaderRows int          `json:"header_rows"`
	Cells      []cellAnswer `json:"cells"`
}

type cellAnswer struct {
	Row     int    `json:"row"`
	Col     int    `json:"col"`
	RowSpan int    `json:"row_span"`
	ColSpan int    `json:"col_span"`
	Text    string `json:"text"`
}

type imageAnswer struct {
	Description string `json:"description"`
	VisibleText string `json:"visible_text"`
	Kind        string `json:"kind"`
}

type textAnswer struct {
	Text string `json:"text"`
}

// decodeAnswer decodes data, a model's answer, into dst after checking that
// it is exactly one JSON value of schema n: valid UTF-8 of at most
// maxAnswer bytes, no key outside the schema (case variants included), no
// key twice (nor twice after case folding, which encoding/json would
// silently merge), every key present, the right types, enums and bounds,
// and nothing after the value.
func decodeAnswer(data []byte, n *node, dst any) error {
	if len(data) > maxAnswer {
		return fmt.Errorf("answer of %d bytes is over the %d-byte limit", len(data), maxAnswer)
	}
	if !utf8.Valid(data) {
		return errors.New("answer is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := validate(dec, n, "$"); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("answer has data after its JSON value")
	}
	strict := json.NewDecoder(bytes.NewReader(data))
	strict.DisallowUnknownFields()
	if err := strict.Decode(dst); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}

// validate reads one value of schema n from dec; path names it in errors.
// The schema bounds the depth, and unknown keys fail at once rather than
// being skipped, so the walk never follows the answer deeper than n.
func validate(dec *json.Decoder, n *node, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%s: malformed JSON: %w", path, err)
	}
	switch n.typ {
	case "object":
		if tok != json.Delim('{') {
			return typeError(path, "an object", tok)
		}
		seen := make(map[string]string, len(n.props))
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return fmt.Errorf("%s: malformed JSON: %w", path, err)
			}
			key := kt.(string) // inside an object, Token returns keys as strings
			if prev, dup := seen[foldKey(key)]; dup {
				if prev == key {
					return fmt.Errorf("%s: key %q appears twice", path, key)
				}
				return fmt.Errorf("%s: keys %q and %q differ only in case", path, prev, key)
			}
			seen[foldKey(key)] = key
			i := slices.IndexFunc(n.props, func(p prop) bool { return p.name == key })
			if i < 0 {
				return fmt.Errorf("%s: key %q is not in the schema", path, key)
			}
			if err := validate(dec, n.props[i].n, path+"."+key); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return fmt.Errorf("%s: malformed JSON: %w", path, err)
		}
		for _, p := range n.props {
			if seen[foldKey(p.name)] != p.name {
				return fmt.Errorf("%s: key %q is missing", path, p.name)
			}
		}
	case "array":
		if tok != json.Delim('[') {
			return typeError(path, "an array", tok)
		}
		count := 0
		for dec.More() {
			if count++; count > n.maxItems {
				return fmt.Errorf("%s: more than %d items", path, n.maxItems)
			}
			if err := validate(dec, n.items, path+"["+strconv.Itoa(count-1)+"]"); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return fmt.Errorf("%s: malformed JSON: %w", path, err)
		}
	case "string":
		s, ok := tok.(string)
		if !ok {
			return typeError(path, "a string", tok)
		}
		if len(n.enum) > 0 && !slices.Contains(n.enum, s) {
			return fmt.Errorf("%s: %q is not one of %s", path, s, strings.Join(n.enum, ", "))
		}
	case "integer":
		num, ok := tok.(json.Number)
		if !ok {
			return typeError(path, "an integer", tok)
		}
		v, err := strconv.ParseInt(num.String(), 10, 64)
		if err != nil {
			return fmt.Errorf("%s: %s is not an integer", path, num)
		}
		if v < n.min || v > n.max {
			return fmt.Errorf("%s: %d is outside %d-%d", path, v, n.min, n.max)
		}
	default:
		return fmt.Errorf("%s: schema type %q unknown", path, n.typ)
	}
	return nil
}

func typeError(path, want string, tok json.Token) error {
	var got string
	switch v := tok.(type) {
	case json.Delim:
		got = string(v)
	case string:
		got = "a string"
	case json.Number:
		got = "a number"
	case bool:
		got = "a boolean"
	case nil:
		got = "null"
	}
	return fmt.Errorf("%s: want %s, got %s", path, want, got)
}

// foldKey maps every rune of s to the smallest rune of its case-folding
// orbit, so that two keys encoding/json would match to the same field (it
// folds case, including "ſ" with "s" and the Kelvin sign with "k") map to
// the same string.
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}
