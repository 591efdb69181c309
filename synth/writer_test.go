package synth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/folio/folio"
	"github.com/folio/folio/synth"
	"github.com/google/go-cmp/cmp"
)

func ptr[T any](v T) *T { return &v }

// fullDoc is a small document with every element type.
func fullDoc(t testing.TB) *folio.Document {
	body := func(e folio.Element) folio.Element {
		if e.Layer == "" {
			e.Layer = folio.LayerBody
		}
		if e.Page == 0 {
			e.Page = 1
		}
		if e.Status == "" {
			e.Status = folio.StatusOK
		}
		if e.Model == "" {
			e.Model = "local/text"
		}
		return e
	}
	return &folio.Document{
		Schema: folio.Schema,
		ID:     "doc_0123456789abcdef0123",
		Source: folio.Source{Path: "/in/reports/Q1 résumé (final).pdf", Rel: "reports/Q1 résumé (final).pdf",
			SHA256: strings.Repeat("ab", 32), Bytes: 12345, Format: "pdf", Pages: 2},
		Run:    "run_0123456789abcdef0123",
		Config: strings.Repeat("cd", 32),
		Meta:   map[string]string{"Title": "Quarterly report", "Author": "Folio <test>", "Producer": "hand"},
		Pages: []folio.PageInfo{
			{Page: 1, Width: 612, Height: 792, TextLayer: true},
			{Page: 2, Width: 792, Height: 612, Rotation: 90},
		},
		Elements: []folio.Element{
			body(folio.Element{ID: "el_header", Type: folio.Header, Text: "ACME Corp — confidential", Layer: folio.LayerFurniture, Box: folio.Box{72, 20, 540, 30}}),
			body(folio.Element{ID: "el_title", Type: folio.Title, Text: "Quarterly *report* #", Box: folio.Box{72.123456, 60.005, 540.1, 90.999}, Confidence: 0.97}),
			body(folio.Element{ID: "el_h1", Type: folio.Heading, Level: 1, Text: "1. Results & outlook", Parent: "el_title", Box: folio.Box{72, 96, 540, 118}, Confidence: 0.9}),
			body(folio.Element{ID: "el_p1", Type: folio.Paragraph, Parent: "el_h1", Confidence: 0.88,
				Text: "Revenue grew 12% in Q1 [unaudited]; see <table 1> & the notes: snake_case, _emphasis_, *stars*, `tick`, ~tilde~, back\\slash, AT&T and &amp;."}),
			body(folio.Element{ID: "el_p2", Type: folio.Paragraph, Parent: "el_h1", Text: "- not a list, # not a heading\nand 2024. not a number"}),
			body(folio.Element{ID: "el_p3", Type: folio.Paragraph, Text: "שלום עולם: right-to-left text stays in logical order."}),
			body(folio.Element{ID: "el_l1", Type: folio.ListItem, Level: 1, Marker: "•", Text: "First point"}),
			body(folio.Element{ID: "el_l2", Type: folio.ListItem, Level: 2, Marker: "–", Text: "Nested point"}),
			body(folio.Element{ID: "el_l3", Type: folio.ListItem, Level: 1, Marker: "•", Text: "- dash-led point"}),
			body(folio.Element{ID: "el_h2", Type: folio.Heading, Level: 2, Text: "1.1 Steps", Parent: "el_h1"}),
			body(folio.Element{ID: "el_o1", Type: folio.ListItem, Level: 1, Marker: "1.", Text: "Collect"}),
			body(folio.Element{ID: "el_o2", Type: folio.ListItem, Level: 2, Marker: "a)", Text: "from every region"}),
			body(folio.Element{ID: "el_o3", Type: folio.ListItem, Level: 1, Marker: "10.", Text: "Publish"}),
			body(folio.Element{ID: "el_cap1", Type: folio.Caption, Text: "Table 1: Sales | by region", CaptionOf: "el_tab", Page: 2}),
			body(folio.Element{ID: "el_tab", Type: folio.TableType, Page: 2, Caption: "el_cap1", Model: "local/table",
				Box:     folio.Box{72, 100, 540, 300},
				Regions: []folio.PageBox{{Page: 2, Box: folio.Box{72, 100, 540, 200.4444}}, {Page: 2, Box: folio.Box{72, 210, 540, 300}}},
				Text:    "Region Sales Q1 Q2 North 1 2",
				Table: &folio.Table{
					Rows:       [][]string{{"Region", "Sales", ""}, {"", "Q1", "Q2|H1"}, {"North", "1", "2"}, {"South", "-3", ""}},
					HeaderRows: 2,
					Cells: []folio.Cell{
						{Row: 0, Col: 0, RowSpan: 2, ColSpan: 1, Text: "Region", Header: true, Box: folio.Box{72, 100, 200, 140.126}},
						{Row: 0, Col: 1, RowSpan: 1, ColSpan: 2, Text: "Sales", Header: true},
					},
					HTML:  "<table><thead><tr><th rowspan=\"2\">Region</th><th colspan=\"2\">Sales</th></tr><tr><th>Q1</th><th>Q2|H1</th></tr></thead><tbody><tr><td>North</td><td>1</td><td>2</td></tr><tr><td>South</td><td>-3</td><td></td></tr></tbody></table>",
					Ruled: true,
				}}),
			body(folio.Element{ID: "el_img", Type: folio.ImageType, Page: 2, Caption: "el_cap2", Model: "local/image",
				Image: &folio.Image{Width: 4, Height: 3, Description: "A [bar] chart", OCRText: "Q1 Q2", PNG: pngOf(t, 4, 3, 100)}}),
			body(folio.Element{ID: "el_cap2", Type: folio.Caption, Page: 2, Text: "Figure 1: Sales_by_region", CaptionOf: "el_img"}),
			body(folio.Element{ID: "el_img2", Type: folio.ImageType, Page: 2, Status: folio.StatusDegraded,
				Image: &folio.Image{Width: 10, Height: 10, Description: "a logo without pixels"}}),
			body(folio.Element{ID: "el_code", Type: folio.Code, Page: 2, Text: "func main() {\n\tfmt.Println(\"```\")\n}"}),
			body(folio.Element{ID: "el_f", Type: folio.Formula, Page: 2, Text: "E = mc^2"}),
			body(folio.Element{ID: "el_fn", Type: folio.Footnote, Page: 2, Text: "1 Source: internal data."}),
			body(folio.Element{ID: "el_pn", Type: folio.PageNumber, Page: 2, Text: "2", Layer: folio.LayerFurniture}),
			body(folio.Element{ID: "el_footer", Type: folio.Footer, Page: 2, Text: "Footer text", Layer: folio.LayerFurniture}),
		},
		Cost:     folio.Cost{Spend: folio.Spend{USDMicros: 0, Calls: 0}},
		Warnings: []string{"page 2: rotated"},
		Fragments: []folio.Fragment{{ID: "fr_x", ElementID: "el_title", Model: "local/text", Status: "ok",
			Calls: []folio.Call{{Attempt: 1, Model: "local/text", USDMicros: ptr(int64(0)), Status: "ok"}}}},
	}
}

func TestWriteGolden(t *testing.T) {
	w, out := newWriter(t, synth.Options{Markdown: true})
	doc := fullDoc(t)
	pix := doc.Elements[15].Image.PNG
	got, err := w.Write(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	rel := "reports/Q1 résumé (final).pdf"
	want := []string{rel + ".assets/p2-1.png", rel + ".md", rel + ".json"}
	var paths []string
	for _, o := range got {
		paths = append(paths, o.Path)
		data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(o.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != o.SHA256 {
			t.Errorf("%s: returned sha256 %s, the file's is %x", o.Path, o.SHA256, sum)
		}
	}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("written paths (-want +got):\n%s", diff)
	}
	js, err := os.ReadFile(filepath.Join(out, rel+".json"))
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "full.json.golden", js)
	md, err := os.ReadFile(filepath.Join(out, rel+".md"))
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "full.md.golden", md)

	asset, err := os.ReadFile(filepath.Join(out, rel+".assets", "p2-1.png"))
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(asset, pix) {
		t.Error("asset bytes differ from the image's PNG")
	}
	if got, want := doc.Elements[15].Image.File, "Q1 résumé (final).pdf.assets/p2-1.png"; got != want {
		t.Errorf("Image.File on the document = %q, want %q", got, want)
	}
	if got := doc.Elements[17].Image.File; got != "" {
		t.Errorf("Image.File of an image without pixels = %q, want none", got)
	}
	if doc.Elements[1].Box != (folio.Box{72.123456, 60.005, 540.1, 90.999}) {
		t.Error("Write changed the document's boxes")
	}

	var back folio.Document
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatalf("written JSON does not decode: %v", err)
	}
	if back.Schema != folio.Schema || len(back.Elements) != len(doc.Elements) {
		t.Errorf("decoded document: schema %q, %d elements; want %q, %d", back.Schema, len(back.Elements), folio.Schema, len(doc.Elements))
	}
	noTemp(t, out)
}

func TestWriteEmptyDocument(t *testing.T) {
	w, out := newWriter(t, synth.Options{Markdown: true})
	doc := &folio.Document{ID: "doc_e", Source: folio.Source{Rel: "empty.pdf"}}
	if _, err := w.Write(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile(filepath.Join(out, "empty.pdf.json"))
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "empty.json.golden", js)
	if diff := cmp.Diff([]string{"empty.pdf.json", "empty.pdf.md"}, files(t, out)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}

func TestWriteFailureLeavesNoNewJSON(t *testing.T) {
	tests := []struct {
		name  string
		rel   string
		setup func(t *testing.T, out string)
		ctx   func() context.Context
	}{
		{
			name: "file_where_asset_dir_must_be",
			rel:  "x.pdf",
			setup: func(t *testing.T, out string) {
				mustWrite(t, filepath.Join(out, "x.pdf.assets"), "not a directory")
			},
		},
		{
			name: "second_asset_blocked_midway",
			rel:  "x.pdf",
			setup: func(t *testing.T, out string) {
				mustWrite(t, filepath.Join(out, "x.pdf.assets", "p1-2.png", "keep"), "a directory in the way")
			},
		},
		{
			name: "file_where_json_dir_must_be",
			rel:  "a/b/x.pdf",
			setup: func(t *testing.T, out string) {
				mustWrite(t, filepath.Join(out, "a", "b"), "not a directory")
			},
		},
		{
			name: "directory_where_json_must_be",
			rel:  "x.pdf",
			setup: func(t *testing.T, out string) {
				mustWrite(t, filepath.Join(out, "x.pdf.json", "keep"), "a directory in the way")
			},
		},
		{
			name:  "context_canceled",
			rel:   "x.pdf",
			setup: func(*testing.T, string) {},
			ctx: func() context.Context {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, out := newWriter(t, synth.Options{Markdown: true})
			tt.setup(t, out)
			ctx := context.Background()
			if tt.ctx != nil {
				ctx = tt.ctx()
			}
			paths, err := w.Write(ctx, imageDoc(t, tt.rel, 1, 1, 1))
			if err == nil {
				t.Fatalf("Write() = %v, want an error", paths)
			}
			noTemp(t, out)
			for _, f := range files(t, out) {
				if strings.HasSuffix(f, ".json") {
					t.Errorf("new JSON %s after a failed write", f)
				}
			}
			if tt.ctx != nil {
				if got := files(t, out); len(got) != 0 {
					t.Errorf("canceled write left %v", got)
				}
			}
		})
	}
}

func TestWriteFailureKeepsOldJSON(t *testing.T) {
	w, out := newWriter(t, synth.Options{})
	doc := imageDoc(t, "x.pdf", 1)
	if _, err := w.Write(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(filepath.Join(out, "x.pdf.json"))
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(out, "x.pdf.assets", "p1-2.png", "keep"), "a directory in the way")
	doc2 := imageDoc(t, "x.pdf", 1, 1)
	doc2.Warnings = []string{"second version"}
	if _, err := w.Write(context.Background(), doc2); err == nil {
		t.Fatal("Write() succeeded, want an error")
	}
	now, err := os.ReadFile(filepath.Join(out, "x.pdf.json"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(old), string(now)); diff != "" {
		t.Errorf("failed write changed the old JSON (-old +now):\n%s", diff)
	}
	if doc2.Elements[2].Image.File != "" {
		t.Errorf("failed write set Image.File = %q", doc2.Elements[2].Image.File)
	}
	noTemp(t, out)
}

func TestWriteRejectsEscapes(t *testing.T) {
	for _, rel := range []string{
		"", "../x.pdf", "a/../../x.pdf", "a/../x.pdf", "..", "/etc/x.pdf", "//x.pdf",
		"a//x.pdf", "./x.pdf", "a/./x.pdf", "a/", "x\x00.pdf",
	} {
		t.Run(strings.ReplaceAll(rel, "/", "|"), func(t *testing.T) {
			w, out := newWriter(t, synth.Options{Markdown: true})
			_, err := w.Write(context.Background(), imageDoc(t, rel, 1))
			if err == nil || !strings.Contains(err.Error(), "source path") {
				t.Errorf("Write(%q) = %v, want a source path error", rel, err)
			}
			if got := files(t, out); len(got) != 0 {
				t.Errorf("files written: %v", got)
			}
		})
	}
}

func TestWriteStaysInsideThroughSymlinks(t *testing.T) {
	tests := []struct {
		name   string
		target func(out, outside string) string
	}{
		{"absolute_symlink", func(_, outside string) string { return outside }},
		{"relative_symlink_out", func(out, outside string) string {
			rel, err := filepath.Rel(out, outside)
			if err != nil {
				t.Fatal(err)
			}
			return rel
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outside := t.TempDir()
			w, out := newWriter(t, synth.Options{Markdown: true})
			target := tt.target(out, outside)
			if err := os.Symlink(target, filepath.Join(out, "link")); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(filepath.Join(out, "link")); err != nil || !fi.IsDir() {
				t.Fatalf("symlink %s does not lead to a directory: %v", target, err)
			}
			if _, err := w.Write(context.Background(), imageDoc(t, "link/x.pdf", 1)); err == nil {
				t.Error("Write through a symlink out of the output directory succeeded")
			}
			if got := files(t, outside); len(got) != 0 {
				t.Errorf("files written outside the output directory: %v", got)
			}
		})
	}
}

func TestWriteSameBaseNamesDoNotCollide(t *testing.T) {
	w, out := newWriter(t, synth.Options{Markdown: true})
	a, b := imageDoc(t, "a/x.pdf", 1), imageDoc(t, "b/x.pdf", 1)
	for _, d := range []*folio.Document{a, b} {
		if _, err := w.Write(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"a/", "a/x.pdf.assets/", "a/x.pdf.assets/p1-1.png", "a/x.pdf.json", "a/x.pdf.md",
		"b/", "b/x.pdf.assets/", "b/x.pdf.assets/p1-1.png", "b/x.pdf.json", "b/x.pdf.md",
	}
	if diff := cmp.Diff(want, files(t, out)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	for _, d := range []*folio.Document{a, b} {
		got, err := os.ReadFile(filepath.Join(out, d.Source.Rel+".assets", "p1-1.png"))
		if err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(got, d.Elements[1].Image.PNG) {
			t.Errorf("%s: asset holds another document's image", d.Source.Rel)
		}
		if d.Elements[1].Image.File != "x.pdf.assets/p1-1.png" {
			t.Errorf("%s: Image.File = %q", d.Source.Rel, d.Elements[1].Image.File)
		}
	}
}

func TestWriteOddNames(t *testing.T) {
	rels := []string{
		"with space/and space.pdf",
		"ünïcödé/日本語の文書.pdf",
		"quotes/'single' \"double\".pdf",
		"odd/#hash%percent[brackets]{braces}&amp;.pdf",
		"odd/-leading-dash.pdf",
		"odd/.hidden.pdf",
		"odd/back\\slash.pdf",
		"deep/a/b/c/d/e/f/g/x.pdf",
		strings.Repeat("l", 240) + ".pdf",
	}
	w, out := newWriter(t, synth.Options{Markdown: true})
	for _, rel := range rels {
		images := []int{1}
		if len(rel) > 200 {
			images = nil // <name>.assets would pass the 255-byte limit
		}
		paths, err := w.Write(context.Background(), imageDoc(t, rel, images...))
		if err != nil {
			t.Errorf("Write(%q): %v", rel, err)
			continue
		}
		for _, p := range paths {
			if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(p.Path))); err != nil {
				t.Errorf("Write(%q) returned %q: %v", rel, p, err)
			}
		}
	}
	noTemp(t, out)
}

func TestWriteRemovesStaleAssets(t *testing.T) {
	w, out := newWriter(t, synth.Options{})
	write := func(pages ...int) {
		t.Helper()
		if _, err := w.Write(context.Background(), imageDoc(t, "r/x.pdf", pages...)); err != nil {
			t.Fatal(err)
		}
	}
	write(1, 1, 2)
	mustWrite(t, filepath.Join(out, "r", "y.pdf.assets", "p1-9.png"), "another document's asset")
	write(1)
	want := []string{"r/", "r/x.pdf.assets/", "r/x.pdf.assets/p1-1.png", "r/x.pdf.json",
		"r/y.pdf.assets/", "r/y.pdf.assets/p1-9.png"}
	if diff := cmp.Diff(want, files(t, out)); diff != "" {
		t.Errorf("after rewrite with one image (-want +got):\n%s", diff)
	}

	mustWrite(t, filepath.Join(out, "r", "x.pdf.assets", "notes.txt"), "not Folio's")
	write()
	want = []string{"r/", "r/x.pdf.assets/", "r/x.pdf.assets/notes.txt", "r/x.pdf.json",
		"r/y.pdf.assets/", "r/y.pdf.assets/p1-9.png"}
	if diff := cmp.Diff(want, files(t, out)); diff != "" {
		t.Errorf("after rewrite without images, foreign file kept (-want +got):\n%s", diff)
	}

	if err := os.Remove(filepath.Join(out, "r", "x.pdf.assets", "notes.txt")); err != nil {
		t.Fatal(err)
	}
	write(2)
	write()
	want = []string{"r/", "r/x.pdf.json", "r/y.pdf.assets/", "r/y.pdf.assets/p1-9.png"}
	if diff := cmp.Diff(want, files(t, out)); diff != "" {
		t.Errorf("after rewrite without images (-want +got):\n%s", diff)
	}
}

func TestWriteConcurrentDocuments(t *testing.T) {
	w, out := newWriter(t, synth.Options{Markdown: true})
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = w.Write(context.Background(), imageDoc(t, filepath.ToSlash(filepath.Join("c", string(rune('a'+i%4)), string(rune('a'+i))+".pdf")), 1, 2))
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if n := len(files(t, out)); n != 1+4+16*5 {
		t.Errorf("%d files and directories, want %d", n, 1+4+16*5)
	}
	noTemp(t, out)
}

func TestNewCreatesOutputDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	w, err := synth.New(dir, synth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Errorf("output directory not created: %v", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	mustWrite(t, file, "x")
	if _, err := synth.New(file, synth.Options{}); err == nil {
		t.Error("New on a regular file succeeded")
	}
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkWriteJSON(b *testing.B) {
	out := b.TempDir()
	w, err := synth.New(out, synth.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	doc := &folio.Document{Schema: folio.Schema, ID: "doc_bench", Source: folio.Source{Rel: "bench/doc.pdf", Pages: 50}}
	for i := range 500 {
		el := folio.Element{
			ID: "el_" + strings.Repeat("0", 16) + string(rune('a'+i%26)), Page: i/10 + 1, Layer: folio.LayerBody,
			Box: folio.Box{72.1234, float64(i), 540, float64(i) + 12.5}, Confidence: 0.9,
			Fragment: "fr_x", Model: "local/text", Status: folio.StatusOK,
		}
		switch i % 10 {
		case 0:
			el.Type, el.Level, el.Text = folio.Heading, 2, "Section heading with some words"
		case 5:
			el.Type = folio.TableType
			el.Table = &folio.Table{Rows: [][]string{{"Region", "Q1", "Q2"}, {"North", "12.5", "13"}, {"South", "9", "10.25"}}, HeaderRows: 1,
				HTML: "<table><thead><tr><th>Region</th><th>Q1</th><th>Q2</th></tr></thead><tbody><tr><td>North</td><td>12.5</td><td>13</td></tr></tbody></table>"}
		default:
			el.Type = folio.Paragraph
			el.Text = strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 6)
		}
		doc.Elements = append(doc.Elements, el)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.Write(ctx, doc); err != nil {
			b.Fatal(err)
		}
	}
}
