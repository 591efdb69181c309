package synth_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/folio/folio"
	"github.com/folio/folio/synth"
)

// Rewrite reads the JSON back, applies the change and writes JSON and
// Markdown again; an unchanged document comes back byte for byte, assets
// stay, and undo puts the files back.
func TestRewrite(t *testing.T) {
	w, dir := newWriter(t, synth.Options{Markdown: true})
	ctx := context.Background()
	doc := imageDoc(t, "sub/a.pdf", 1)
	doc.Elements = append(doc.Elements, folio.Element{ID: "el_p", Type: folio.Paragraph, Page: 1, Text: "Helo wrld", Layer: folio.LayerBody})
	outs, err := w.Write(ctx, doc)
	if err != nil {
		t.Fatal(err)
	}
	jsonPath, mdPath := filepath.Join(dir, "sub/a.pdf.json"), filepath.Join(dir, "sub/a.pdf.md")
	js0, _ := os.ReadFile(jsonPath)
	md0, _ := os.ReadFile(mdPath)

	same, _, err := w.Rewrite(ctx, "sub/a.pdf", outs, func(*folio.Document) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if js, _ := os.ReadFile(jsonPath); !bytes.Equal(js, js0) || !sameOutputs(same, outs) {
		t.Fatalf("a no-op rewrite changed the JSON or the outputs:\n%s\n%v\n%v", js, same, outs)
	}

	now, undo, err := w.Rewrite(ctx, "sub/a.pdf", outs, func(d *folio.Document) error {
		d.Elements[len(d.Elements)-1].Text = "Hello world"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(mdPath)
	if !bytes.Contains(md, []byte("Hello world")) || bytes.Equal(md, md0) {
		t.Errorf("Markdown not rewritten:\n%s", md)
	}
	if len(now) != len(outs) || now[len(now)-1].SHA256 == outs[len(outs)-1].SHA256 {
		t.Errorf("outputs after the rewrite: %v (before %v)", now, outs)
	}
	for _, o := range outs[:len(outs)-2] { // the assets are kept
		if _, err := os.Stat(filepath.Join(dir, o.Path)); err != nil {
			t.Errorf("asset %s: %v", o.Path, err)
		}
	}
	if err := undo(); err != nil {
		t.Fatal(err)
	}
	js, _ := os.ReadFile(jsonPath)
	md, _ = os.ReadFile(mdPath)
	if !bytes.Equal(js, js0) || !bytes.Equal(md, md0) {
		t.Error("undo did not put the files back")
	}

	// A change that fails writes nothing.
	boom := errors.New("boom")
	if _, _, err := w.Rewrite(ctx, "sub/a.pdf", outs, func(*folio.Document) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("failed change: %v", err)
	}
	if js, _ := os.ReadFile(jsonPath); !bytes.Equal(js, js0) {
		t.Error("a failed change wrote the JSON")
	}
	noTemp(t, dir)
}
