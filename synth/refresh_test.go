package synth_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/folio/folio"
	"github.com/folio/folio/synth"
)

// Refresh writes the Markdown a Write with Markdown would have written,
// from the JSON alone; leaves it when it is as recorded; rewrites it when it
// changed; and removes it when Markdown is no longer asked for.
func TestRefreshMarkdown(t *testing.T) {
	ctx := context.Background()
	// What a run with --markdown writes.
	withMD, mdDir := newWriter(t, synth.Options{Markdown: true})
	want, err := withMD.Write(ctx, fullDoc(t))
	if err != nil {
		t.Fatal(err)
	}
	wantMD, err := os.ReadFile(filepath.Join(mdDir, "reports", "Q1 résumé (final).pdf.md"))
	if err != nil {
		t.Fatal(err)
	}

	// A run without it, then one with it that only refreshes.
	plain, dir := newWriter(t, synth.Options{})
	outs, err := plain.Write(ctx, fullDoc(t))
	if err != nil {
		t.Fatal(err)
	}
	w, err := synth.New(dir, synth.Options{Markdown: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	md := filepath.Join(dir, "reports", "Q1 résumé (final).pdf.md")
	for i, tt := range []struct {
		name    string
		spoil   func()
		changed bool
	}{
		{"missing is written", func() {}, true},
		{"as recorded is left", func() {}, false},
		{"changed is rewritten", func() { mustWrite(t, md, "edited") }, true},
		{"deleted is rewritten", func() { os.Remove(md) }, true},
	} {
		tt.spoil()
		got, changed, err := w.Refresh(ctx, "reports/Q1 résumé (final).pdf", outs)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if changed != tt.changed {
			t.Errorf("%s: changed %v, want %v", tt.name, changed, tt.changed)
		}
		b, err := os.ReadFile(md)
		if err != nil || !bytes.Equal(b, wantMD) {
			t.Errorf("%s (%d): Markdown differs from what Write writes (%v)", tt.name, i, err)
		}
		if !sameOutputs(got, want) {
			t.Errorf("%s: outputs %v, want %v", tt.name, got, want)
		}
		outs = got
	}

	// Markdown no longer asked for: removed and dropped from the outputs.
	got, changed, err := plain.Refresh(ctx, "reports/Q1 résumé (final).pdf", outs)
	if err != nil || !changed {
		t.Fatalf("Refresh without Markdown: changed %v, %v", changed, err)
	}
	if _, err := os.Stat(md); !os.IsNotExist(err) {
		t.Errorf("Markdown still there: %v", err)
	}
	for _, o := range got {
		if o.Path == "reports/Q1 résumé (final).pdf.md" {
			t.Errorf("outputs still list the Markdown: %v", got)
		}
	}
	if len(got) != len(outs)-1 {
		t.Errorf("outputs %v, want %v without the Markdown", got, outs)
	}
}

func sameOutputs(a, b []folio.Output) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// With Keep, Markdown no longer asked for stays, unchanged, and so do the
// outputs.
func TestRefreshKeeps(t *testing.T) {
	ctx := context.Background()
	withMD, dir := newWriter(t, synth.Options{Markdown: true})
	outs, err := withMD.Write(ctx, fullDoc(t))
	if err != nil {
		t.Fatal(err)
	}
	keep, err := synth.New(dir, synth.Options{Keep: true})
	if err != nil {
		t.Fatal(err)
	}
	defer keep.Close()
	got, changed, err := keep.Refresh(ctx, "reports/Q1 résumé (final).pdf", outs)
	if err != nil || changed || !sameOutputs(got, outs) {
		t.Errorf("Refresh with Keep: changed %v, %v, outputs %v", changed, err, got)
	}
	if _, err := os.Stat(filepath.Join(dir, "reports", "Q1 résumé (final).pdf.md")); err != nil {
		t.Errorf("kept Markdown: %v", err)
	}
}
