package local

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/google/go-cmp/cmp"
)

// FuzzCleanText checks that cleaned text is valid UTF-8 without control
// characters or stray spaces, and that cleaning it again changes nothing.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"ﬁ\u00A0x  y", "infor\u00AD\nmation", "a\x00b\xff", "\u200Fשלום\u200F", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := cleanText(s)
		if !utf8.ValidString(got) {
			t.Fatalf("cleanText(%q) = %q: invalid UTF-8", s, got)
		}
		if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") {
			t.Fatalf("cleanText(%q) = %q: stray spaces", s, got)
		}
		if i := strings.IndexFunc(got, func(r rune) bool { return unicode.IsControl(r) || r == '\u00AD' }); i >= 0 {
			t.Fatalf("cleanText(%q) = %q: control character at %d", s, got, i)
		}
		if again := cleanText(got); again != got {
			t.Fatalf("cleanText not idempotent: %q → %q → %q", s, got, again)
		}
		code := cleanCode(s)
		if !utf8.ValidString(code) || cleanCode(code) != code {
			t.Fatalf("cleanCode(%q) = %q: invalid or not idempotent", s, code)
		}
	})
}

// FuzzTable checks that any grid and cells either fail with class input or
// normalise into a table that passes route.Check's structure check, and
// that normalising again changes nothing.
func FuzzTable(f *testing.F) {
	f.Add("a|b\nc", []byte{0, 0, 2, 1}, 1)
	f.Add("", []byte{}, 0)
	f.Add("x|y|z\n1|2|3\n4", []byte{0, 1, 1, 2, 1, 0, 2, 1, 255, 0, 1, 1}, 5)
	f.Add("Region|Sales|\n|Q1|Q2", []byte{0, 0, 2, 1, 0, 1, 1, 2}, 1)
	f.Fuzz(func(t *testing.T, grid string, spans []byte, header int) {
		in := &folio.Table{HeaderRows: header}
		if grid != "" {
			for line := range strings.SplitSeq(grid, "\n") {
				in.Rows = append(in.Rows, strings.Split(line, "|"))
			}
		}
		for i := 0; i+4 <= len(spans) && i < 4*64; i += 4 {
			in.Cells = append(in.Cells, folio.Cell{
				Row: int(int8(spans[i])), Col: int(int8(spans[i+1])),
				RowSpan: int(int8(spans[i+2])), ColSpan: int(int8(spans[i+3])),
				Text: strconv.Itoa(i),
			})
		}
		ctx := context.Background()
		task := route.Task{Element: folio.Element{Type: folio.TableType, Table: in}}
		res, err := Table{}.Run(ctx, task)
		if err != nil {
			if route.Classify(err) != folio.ClassInput {
				t.Fatalf("error %v has class %q, want input", err, route.Classify(err))
			}
			return
		}
		if err := route.Check(task, res); err != nil && route.Classify(err) != folio.ClassEmpty {
			t.Fatalf("normalised table fails the check: %v\n%+v", err, res.Table)
		}
		again, err := Table{}.Run(ctx, route.Task{Element: folio.Element{Type: folio.TableType, Table: res.Table}})
		if err != nil {
			t.Fatalf("normalising a normalised table: %v", err)
		}
		if diff := cmp.Diff(res.Table, again.Table); diff != "" {
			t.Fatalf("normalisation not idempotent (-once +twice):\n%s", diff)
		}
	})
}
