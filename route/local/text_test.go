package local

import (
	"context"
	"testing"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/google/go-cmp/cmp"
)

func TestText(t *testing.T) {
	tests := []struct {
		name string
		typ  folio.ElementType
		in   string
	}{
		{"ligatures_expand", folio.Paragraph, "The ﬁrst ﬂoor, an oﬀer, eﬃcient, baﬄe, ﬅ and ﬆ."},
		{"soft_hyphen_removed", folio.Paragraph, "infor\u00ADmation re\u00AD\ncovery"},
		{"odd_spaces_become_space", folio.Paragraph, "a\u00A0b\u2009c\u202Fd\u3000e\u2003f"},
		{"white_space_collapses", folio.Heading, "  2.1 \t Results\n\n and\r\nmore  "},
		{"control_chars_stripped", folio.Paragraph, "a\x00b\x07c\x1bd\u0090e"},
		{"zero_width_removed_joiners_kept", folio.Paragraph, "zero\u200Bwidth\uFEFF word\u2060joiner می\u200Cخواهم"},
		{"typographic_quotes_kept", folio.Caption, "“Double” ‘single’ «guillemets» „low“ — dash … ellipsis"},
		{"hebrew_kept", folio.Paragraph, "שלום עולם 2024"},
		{"arabic_with_marks_kept", folio.Paragraph, "\u200Fمرحبا  بالعالم\u200F"},
		{"invalid_utf8_replaced", folio.Paragraph, "a\xffb"},
		{"empty_stays_empty", folio.Paragraph, " \u00A0\u00AD "},
		{"code_keeps_layout", folio.Code, "\n\nfunc main() {\r\n\tfmt.Println(\"ﬁne\")   \r\n    return\u00A0x\n}\n\n"},
		{"formula_collapses", folio.Formula, "E =  m c^2\n+ \\alpha"},
	}
	got := make(map[string]string, len(tests))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Text{}.Run(context.Background(), route.Task{Element: folio.Element{Type: tt.typ, Text: tt.in}})
			if err != nil {
				t.Fatal(err)
			}
			if res.USDMicros == nil || *res.USDMicros != 0 {
				t.Errorf("USDMicros = %v, want a known 0", res.USDMicros)
			}
			got[tt.name] = *res.Text
		})
	}
	checkGolden(t, "text.golden", got)
}

func TestCleanTextIdempotent(t *testing.T) {
	for _, s := range []string{"ﬁ\u00A0x  y", "a\u00ADb\u200Bc", "  שלום  ", "\x00\t\n"} {
		once := cleanText(s)
		if diff := cmp.Diff(once, cleanText(once)); diff != "" {
			t.Errorf("cleanText(%q) is not idempotent (-once +twice):\n%s", s, diff)
		}
	}
}
