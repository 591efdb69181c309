package synth_test

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/folio/folio"
	"github.com/folio/folio/synth"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got), rerun with -update if intended:\n%s", path, diff)
	}
}

// pngOf returns a w×h PNG filled with shade.
func pngOf(t testing.TB, w, h int, shade uint8) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = shade
	}
	img.Set(0, 0, color.Gray{Y: 255 - shade})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// newWriter returns a Writer on a fresh output directory.
func newWriter(t testing.TB, opts synth.Options) (*synth.Writer, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	w, err := synth.New(out, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w, out
}

// files lists every file and directory under dir, relative, slash-separated
// and sorted; directories end in "/".
func files(t *testing.T, dir string) []string {
	t.Helper()
	var got []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			rel += "/"
		}
		got = append(got, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	return got
}

// noTemp fails when a temp file is left under dir.
func noTemp(t *testing.T, dir string) {
	t.Helper()
	for _, f := range files(t, dir) {
		if strings.Contains(f, ".tmp-") {
			t.Errorf("temp file left behind: %s", f)
		}
	}
}

// imageDoc returns a document at rel with one image per entry of pages.
func imageDoc(t testing.TB, rel string, pages ...int) *folio.Document {
	doc := &folio.Document{
		Schema: folio.Schema, ID: "doc_" + rel,
		Source: folio.Source{Rel: rel, Format: "pdf", Pages: 3},
		Pages:  []folio.PageInfo{{Page: 1, Width: 612, Height: 792, TextLayer: true}},
		Elements: []folio.Element{
			{ID: "el_t", Type: folio.Title, Page: 1, Text: "Doc " + rel, Layer: folio.LayerBody},
		},
	}
	for i, p := range pages {
		doc.Elements = append(doc.Elements, folio.Element{
			ID: "el_i" + string(rune('a'+i)), Type: folio.ImageType, Page: p, Layer: folio.LayerBody,
			Image: &folio.Image{Width: 4, Height: 3, PNG: pngOf(t, 4, 3, uint8(10*i+len(rel)))},
		})
	}
	return doc
}
