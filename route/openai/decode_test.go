package openai

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeAnswer(t *testing.T) {
	tests := []struct {
		name   string
		schema *node
		data   string
		want   string // a substring of the error; "" for success
	}{
		{"table", tableSchema, `{"rows":[["a","b"]],"header_rows":1,"cells":[{"row":0,"col":0,"row_span":1,"col_span":2,"text":"a"}]}`, ""},
		{"keys in any order, white space", tableSchema, " {\"cells\":[], \"header_rows\":0,\n\"rows\":[]} ", ""},
		{"image", imageSchema, `{"description":"d","visible_text":"","kind":"logo"}`, ""},
		{"text", textSchema, `{"text":"héllo \u00e9"}`, ""},
		{"unknown key", textSchema, `{"text":"a","id":"el_1"}`, `key "id" is not in the schema`},
		{"unknown nested key", tableSchema, `{"rows":[],"header_rows":0,"cells":[{"row":0,"col":0,"row_span":1,"col_span":1,"text":"","bbox":[]}]}`, `$.cells[0]: key "bbox"`},
		{"duplicate key", textSchema, `{"text":"a","text":"b"}`, `key "text" appears twice`},
		{"case-folded duplicate", textSchema, `{"text":"a","TEXT":"b"}`, `differ only in case`},
		{"Kelvin-sign duplicate", imageSchema, `{"description":"","visible_text":"","kind":"logo","\u212aind":"photo"}`, `differ only in case`},
		{"case variant alone", textSchema, `{"Text":"a"}`, `key "Text" is not in the schema`},
		{"missing key", imageSchema, `{"description":"d","visible_text":""}`, `key "kind" is missing`},
		{"null", textSchema, `{"text":null}`, `want a string, got null`},
		{"number for string", textSchema, `{"text":5}`, `want a string, got a number`},
		{"fraction for integer", tableSchema, `{"rows":[],"header_rows":1.5,"cells":[]}`, `not an integer`},
		{"exponent for integer", tableSchema, `{"rows":[],"header_rows":1e2,"cells":[]}`, `not an integer`},
		{"negative span", tableSchema, `{"rows":[],"header_rows":0,"cells":[{"row":0,"col":0,"row_span":0,"col_span":1,"text":""}]}`, `outside 1-`},
		{"huge integer", tableSchema, `{"rows":[],"header_rows":99999999999999999999,"cells":[]}`, `not an integer`},
		{"enum", imageSchema, `{"description":"","visible_text":"","kind":"Chart"}`, `not one of`},
		{"array for object", textSchema, `[]`, `want an object`},
		{"trailing value", textSchema, `{"text":"a"}{"text":"b"}`, `data after`},
		{"trailing garbage", textSchema, `{"text":"a"} x`, `data after`},
		{"truncated", textSchema, `{"text":"a`, `malformed JSON`},
		{"empty", textSchema, ``, `malformed JSON`},
		{"invalid UTF-8", textSchema, "{\"text\":\"\xff\"}", `not valid UTF-8`},
		{"too large", textSchema, `{"text":"` + strings.Repeat("a", maxAnswer) + `"}`, `over the`},
		{"too many rows", tableSchema, `{"rows":[` + strings.Repeat(`[],`, maxRows) + `[]],"header_rows":0,"cells":[]}`, `more than 10000 items`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dst any
			switch tt.schema {
			case tableSchema:
				dst = &tableAnswer{}
			case imageSchema:
				dst = &imageAnswer{}
			default:
				dst = &textAnswer{}
			}
			err := decodeAnswer([]byte(tt.data), tt.schema, dst)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("decodeAnswer: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("decodeAnswer error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestToTable(t *testing.T) {
	tests := []struct {
		name string
		in   tableAnswer
		rows [][]string
		want string // error substring
	}{
		{"ragged rows padded", tableAnswer{Rows: [][]string{{"a", "b"}, {"c"}}}, [][]string{{"a", "b"}, {"c", ""}}, ""},
		{"covered text moves to the spanning cell", tableAnswer{
			Rows:  [][]string{{"Total", "left over"}, {"1", "2"}},
			Cells: []cellAnswer{{Row: 0, Col: 0, RowSpan: 1, ColSpan: 2, Text: "Total"}},
		}, [][]string{{"Total left over", ""}, {"1", "2"}}, ""},
		{"cell text from the grid when empty", tableAnswer{
			Rows:  [][]string{{"A", ""}, {"", ""}},
			Cells: []cellAnswer{{Row: 0, Col: 0, RowSpan: 2, ColSpan: 2}},
		}, [][]string{{"A", ""}, {"", ""}}, ""},
		{"no rows", tableAnswer{}, nil, "no cells"},
		{"header past the end", tableAnswer{Rows: [][]string{{"a"}}, HeaderRows: 2}, nil, "header_rows"},
		{"cell outside", tableAnswer{Rows: [][]string{{"a"}}, Cells: []cellAnswer{{Row: 0, Col: 0, RowSpan: 2, ColSpan: 1}}}, nil, "outside"},
		{"overlap", tableAnswer{Rows: [][]string{{"a", "b"}}, Cells: []cellAnswer{
			{Row: 0, Col: 0, RowSpan: 1, ColSpan: 2}, {Row: 0, Col: 1, RowSpan: 1, ColSpan: 1}}}, nil, "overlap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := toTable(tt.in)
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("toTable error %v, want one containing %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("toTable: %v", err)
			}
			if diff := cmp.Diff(tt.rows, got.Rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzDecodeAnswer feeds arbitrary answers to the strict decoder under
// every schema: it must not panic, and what it accepts must be one object
// of the schema's keys that decodes the same again after a round trip, and
// a table answer must map to a table or an error without panicking.
func FuzzDecodeAnswer(f *testing.F) {
	for _, s := range []string{
		`{"rows":[["a","b"],["1","2"]],"header_rows":1,"cells":[{"row":0,"col":0,"row_span":1,"col_span":2,"text":"a"}]}`,
		`{"rows":[],"header_rows":0,"cells":[]}`,
		`{"description":"d","visible_text":"v","kind":"chart"}`,
		`{"text":"hello"}`,
		`{"text":"a","TEXT":"b"}`,
		`{"text":"a","text":"b"}`,
		`{"rows":[["a"]],"header_rows":0,"cells":[{"row":5,"col":0,"row_span":1,"col_span":1,"text":""}]}`,
		`{"text":"\ud800"}`,
		`[{"text":"a"}]`,
		`{"text":"a"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(schema *node, dst any, fresh func() any) {
			if err := decodeAnswer(data, schema, dst); err != nil {
				return
			}
			var keys map[string]json.RawMessage
			if err := json.Unmarshal(data, &keys); err != nil {
				t.Fatalf("accepted %q, which is not an object: %v", data, err)
			}
			if len(keys) != len(schema.props) {
				t.Fatalf("accepted %q with %d keys, schema has %d", data, len(keys), len(schema.props))
			}
			again, err := json.Marshal(dst)
			if err != nil {
				t.Fatal(err)
			}
			dst2 := fresh()
			if err := decodeAnswer(again, schema, dst2); err != nil {
				t.Fatalf("round trip of %q fails: %v", again, err)
			}
			if diff := cmp.Diff(dst, dst2); diff != "" {
				t.Fatalf("round trip changed the answer (-first +second):\n%s", diff)
			}
		}
		var ta tableAnswer
		check(tableSchema, &ta, func() any { return &tableAnswer{} })
		if tb, err := toTable(ta); err == nil && tb.HTML == "" {
			t.Fatalf("table without HTML from %q", data)
		}
		check(imageSchema, &imageAnswer{}, func() any { return &imageAnswer{} })
		check(textSchema, &textAnswer{}, func() any { return &textAnswer{} })
	})
}

// worstCaseTable returns the largest table answer within the size limit:
// rows of maxCols cells, and one cell spanning them all.
func worstCaseTable() (data string, rows int) {
	row := `["` + strings.Repeat(`a","`, maxCols-1) + `a"]`
	var rs []string
	for i := 0; (len(rs)+1)*(len(row)+1) < maxAnswer-200; i++ {
		rs = append(rs, strings.ReplaceAll(row, "a", string(rune('a'+i%26))))
	}
	return `{"rows":[` + strings.Join(rs, ",") + `],"header_rows":0,"cells":[{"row":0,"col":0,"row_span":` +
		strconv.Itoa(len(rs)) + `,"col_span":` + strconv.Itoa(maxCols) + `,"text":""}]}`, len(rs)
}

// TestDecodeWorstCase decodes and maps the largest table an answer within
// the size limit can hold. How fast is BenchmarkDecodeWorstCase's
// business; the time is only logged here.
func TestDecodeWorstCase(t *testing.T) {
	data, rows := worstCaseTable()
	start := time.Now()
	var a tableAnswer
	if err := decodeAnswer([]byte(data), tableSchema, &a); err != nil {
		t.Fatalf("decodeAnswer: %v", err)
	}
	tb, err := toTable(a)
	if err != nil {
		t.Fatalf("toTable: %v", err)
	}
	t.Logf("%d bytes decoded and mapped in %v", len(data), time.Since(start))
	if len(tb.Rows) != rows || len(tb.Rows[0]) != maxCols || len(tb.Cells) != 1 {
		t.Errorf("table of %d rows, %d columns, %d cells; want %d, %d, 1", len(tb.Rows), len(tb.Rows[0]), len(tb.Cells), rows, maxCols)
	}
}

// BenchmarkDecodeWorstCase decodes and maps worstCaseTable's answer, the
// slowest a model's answer can be to read.
func BenchmarkDecodeWorstCase(b *testing.B) {
	data, _ := worstCaseTable()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var a tableAnswer
		if err := decodeAnswer([]byte(data), tableSchema, &a); err != nil {
			b.Fatal(err)
		}
		if _, err := toTable(a); err != nil {
			b.Fatal(err)
		}
	}
}
