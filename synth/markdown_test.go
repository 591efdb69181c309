package synth

import (
	"strings"
	"testing"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
)

func TestEscapeText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Plain words, 12% and 3.5", "Plain words, 12% and 3.5"},
		{"emphasis", "*a* **b** _c_", `\*a\* \*\*b\*\* \_c\_`},
		{"intraword_underscore_kept", "snake_case_name", "snake_case_name"},
		{"underscore_at_word_edge", "_x and y_", `\_x and y\_`},
		{"code_and_links", "`x` [a](b) ![i](j)", "\\`x\\` \\[a\\](b) !\\[i\\](j)"},
		{"html", "<b>bold</b> a > b", `\<b>bold\</b> a > b`},
		{"entities", "AT&T &amp; &#169; &#x2603; & x;", `AT&T \&amp; \&#169; \&#x2603; & x;`},
		{"strikethrough", "~~gone~~", `\~\~gone\~\~`},
		{"backslash", `C:\dir`, `C:\\dir`},
		{"heading_marker", "# not a heading", `\# not a heading`},
		{"quote_marker", "> not a quote", `\> not a quote`},
		{"bullet_markers", "- no", `\- no`},
		{"plus_marker", "+ no", `\+ no`},
		{"ordered_marker", "2024. A year", `2024\. A year`},
		{"ordered_paren", "3) third", `3\) third`},
		{"number_not_marker", "3.14 is pi", "3.14 is pi"},
		{"rtl_untouched", "שלום עולם", "שלום עולם"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := escapeText(tt.in); got != tt.want {
				t.Errorf("escapeText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHeadingText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"C#", "C#"},
		{"Issue #", `Issue \#`},
		{"Issue ##", `Issue \##`},
		{"#", `\#`},
		{"Plain", "Plain"},
	}
	for _, tt := range tests {
		if got := headingText(tt.in); got != tt.want {
			t.Errorf("headingText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMarkdownBlocks(t *testing.T) {
	li := func(level int, marker, text string) folio.Element {
		return folio.Element{Type: folio.ListItem, Level: level, Marker: marker, Text: text}
	}
	tests := []struct {
		name string
		els  []folio.Element
		want string
	}{
		{
			name: "heading_levels",
			els: []folio.Element{
				{Type: folio.Title, Text: "T"},
				{Type: folio.Heading, Level: 0, Text: "h0"},
				{Type: folio.Heading, Level: 1, Text: "h1"},
				{Type: folio.Heading, Level: 4, Text: "h4"},
				{Type: folio.Heading, Level: 9, Text: "h9"},
			},
			want: "# T\n\n## h0\n\n## h1\n\n##### h4\n\n###### h9\n",
		},
		{
			name: "nested_lists",
			els: []folio.Element{
				li(1, "•", "a"), li(2, "◦", "b"), li(3, "▪", "c"), li(1, "", "d"),
				li(3, "-", "skipped level"),
			},
			want: "- a\n  - b\n    - c\n- d\n    - skipped level\n",
		},
		{
			name: "ordered_lists_nest_under_their_content",
			els:  []folio.Element{li(1, "9.", "nine"), li(2, "10)", "ten"), li(3, "(iv)", "four"), li(1, "10.", "ten")},
			want: "9. nine\n   10) ten\n       - (iv) four\n10. ten\n",
		},
		{
			name: "wild_level_capped",
			els:  []folio.Element{li(1000, "•", "deep")},
			want: strings.Repeat(" ", 14) + "- deep\n",
		},
		{
			name: "paragraph_ends_a_list",
			els:  []folio.Element{li(1, "•", "a"), {Type: folio.Paragraph, Text: "p"}, li(2, "•", "b")},
			want: "- a\n\np\n\n  - b\n",
		},
		{
			name: "table_with_first_row_as_header",
			els: []folio.Element{{Type: folio.TableType, Table: &folio.Table{
				Rows: [][]string{{"a|b", "c"}, {"1", "*2*"}, {"3"}},
			}}},
			want: "| a\\|b | c |\n| --- | --- |\n| 1 | \\*2\\* |\n| 3 |  |\n",
		},
		{
			name: "table_header_rows_joined",
			els: []folio.Element{{Type: folio.TableType, Table: &folio.Table{
				Rows: [][]string{{"Sales", ""}, {"Q1", "Q2"}, {"1", "2"}}, HeaderRows: 2,
			}}},
			want: "| Sales Q1 | Q2 |\n| --- | --- |\n| 1 | 2 |\n",
		},
		{
			name: "spanned_table_as_its_html",
			els: []folio.Element{{Type: folio.TableType, Table: &folio.Table{
				Rows: [][]string{{"TEDS", ""}, {"simple", "all"}, {"1", "2"}}, HeaderRows: 2,
				Cells: []folio.Cell{{Row: 0, Col: 0, RowSpan: 1, ColSpan: 2, Text: "TEDS"}},
				HTML:  `<table><thead><tr><th colspan="2">TEDS</th></tr><tr><th>simple</th><th>all</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>`,
			}}},
			want: `<table><thead><tr><th colspan="2">TEDS</th></tr><tr><th>simple</th><th>all</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>` + "\n",
		},
		{
			name: "contents_table_as_lines",
			els: []folio.Element{{Type: folio.TableType, Table: &folio.Table{
				Rows: [][]string{{"Introduction", "7"}, {"1. Changing Practices", "12"}, {"Notes", ""}}, Contents: true,
			}}},
			want: "Introduction 7\n\n1\\. Changing Practices 12\n\nNotes\n",
		},
		{
			name: "table_without_grid_falls_back_to_text",
			els:  []folio.Element{{Type: folio.TableType, Text: "a b", Table: &folio.Table{}}},
			want: "a b\n",
		},
		{
			name: "image_link_escaped",
			els:  []folio.Element{{Type: folio.ImageType, Image: &folio.Image{File: "my doc (1)#?.pdf.assets/p1-1.png", Description: "x]y"}}},
			want: "![x\\]y](my%20doc%20%281%29%23%3F.pdf.assets/p1-1.png)\n",
		},
		{
			name: "image_without_file_or_description_omitted",
			els:  []folio.Element{{Type: folio.ImageType, Image: &folio.Image{Width: 1, Height: 1}}, {Type: folio.Paragraph, Text: "p"}},
			want: "p\n",
		},
		{
			name: "code_fence_outgrows_content",
			els:  []folio.Element{{Type: folio.Code, Text: "a ```` b\n"}},
			want: "`````\na ```` b\n`````\n",
		},
		{
			name: "furniture_and_empty_omitted",
			els: []folio.Element{
				{Type: folio.Header, Text: "h"}, {Type: folio.Paragraph, Text: "body"},
				{Type: folio.Paragraph, Text: "furniture by layer", Layer: folio.LayerFurniture},
				{Type: folio.Footer, Text: "f"}, {Type: folio.PageNumber, Text: "1"}, {Type: folio.Paragraph, Text: " \n "},
			},
			want: "body\n",
		},
		{
			name: "nothing",
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(markdown(folio.Document{Elements: tt.els}))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("markdown (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIsAssetName(t *testing.T) {
	for name, want := range map[string]bool{
		"p1-1.png": true, "p12-340.png": true, "p0-1.png": true,
		"p-1.png": false, "p1-.png": false, "p1-1.PNG": false, "p1-1.png.tmp": false,
		".p1-1.png.tmp-abc": false, "x1-1.png": false, "p1_1.png": false, "notes.txt": false,
	} {
		if got := isAssetName(name); got != want {
			t.Errorf("isAssetName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestTempName(t *testing.T) {
	long := ""
	for range 100 {
		long += "é"
	}
	long += ".pdf.json" // 209 bytes
	tests := []struct{ name, want string }{
		{"a/b.pdf.json", "a/.b.pdf.json.tmp-XYZ"},
		{"top.json", ".top.json.tmp-XYZ"},
		{"d/" + long, "d/." + long[:200] + ".tmp-XYZ"},
		{"d/x" + long, "d/.x" + long[:198] + ".tmp-XYZ"}, // cut on a character boundary
	}
	for _, tt := range tests {
		if got := tempName(tt.name, "XYZ"); got != tt.want {
			t.Errorf("tempName(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
