package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/serve"
	"github.com/spf13/cobra"
)

// renderFolio runs folio render in-process, under a root command like the
// program's, from folder dir, and returns stdout, stderr and the exit code
// run would give.
func renderFolio(t *testing.T, dir string, args ...string) ([]byte, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	s := &streams{In: strings.NewReader(""), Out: &out, Err: &errb}
	root := &cobra.Command{Use: "folio", SilenceUsage: true, SilenceErrors: true}
	root.SetOut(&out)
	root.SetErr(&errb)
	root.AddCommand(newRenderCmd(s))
	root.SetArgs(append([]string{"render"}, args...))
	t.Chdir(dir)
	err := root.ExecuteContext(context.Background())
	var ee *exitError
	switch {
	case err == nil:
		return out.Bytes(), errb.String(), exitOK
	case errors.As(err, &ee):
		return out.Bytes(), errb.String() + err.Error(), ee.code
	case isUsage(err):
		return out.Bytes(), errb.String() + err.Error(), exitUsage
	}
	return out.Bytes(), errb.String() + err.Error(), exitFailed
}

// renderFixture parses a copy of a sample PDF with the real program and
// returns the input folder, the output folder and the document's JSON.
func renderFixture(t *testing.T) (in, out string, doc outDoc) {
	t.Helper()
	in, out = t.TempDir(), t.TempDir()
	data, err := os.ReadFile("../../testdata/samples/twotables_2.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(in, "tables.pdf"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if stdout, stderr, code := runFolio(t, "parse", in, "-o", out); code != 0 {
		t.Fatalf("parse: exit %d\n%s\n%s", code, stdout, stderr)
	}
	return in, out, readDoc(t, filepath.Join(out, "tables.pdf.json"))
}

func TestRender(t *testing.T) {
	in, out, doc := renderFixture(t)
	onPage1 := map[string]string{} // id → type
	for _, e := range doc.Elements {
		if e.Page == 1 {
			onPage1[e.ID] = e.Type
		}
	}
	if len(onPage1) == 0 {
		t.Fatal("no element on page 1 of the sample")
	}
	cwd := t.TempDir()

	// The same page, named three ways.
	for _, name := range []string{doc.ID, "tables.pdf", filepath.Join(out, "tables.pdf.json")} {
		t.Run(filepath.Base(name), func(t *testing.T) {
			stdout, stderr, code := renderFolio(t, cwd, "-o", out, name, "--page", "1", "--json", "--out", "p1.png")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var got renderedPage
			if err := json.Unmarshal(stdout, &got); err != nil {
				t.Fatalf("--json: %v\n%s", err, stdout)
			}
			img := readPNG(t, filepath.Join(cwd, "p1.png"))
			if got.File != "p1.png" || got.Page != 1 || got.Width != img.Bounds().Dx() || got.Height != img.Bounds().Dy() {
				t.Errorf("--json says %s page %d %d×%d; the image is %v", got.File, got.Page, got.Width, got.Height, img.Bounds())
			}
			// A letter or A4 page at 100 dpi.
			if w := got.Width; w < 800 || w > 900 {
				t.Errorf("page 1 is %d pixels wide at 100 dpi, want a letter or A4 page's 827-850", w)
			}
			seen := map[string]bool{}
			for _, e := range got.Elements {
				seen[e.ID] = true
				if e.Layer != "body" && e.Layer != "furniture" && e.Layer != "candidate" && e.Layer != "replaced" {
					t.Errorf("element %s: layer %q", e.ID, e.Layer)
				}
				if typ, ok := onPage1[e.ID]; e.Layer != "candidate" && (!ok || typ != string(e.Type)) {
					t.Errorf("element %s (%s) drawn on page 1; the output has it as %q there", e.ID, e.Type, typ)
				}
			}
			for id := range onPage1 {
				if !seen[id] {
					t.Errorf("element %s of page 1 not drawn", id)
				}
			}
			// Every type drawn in the body has its colour somewhere on the
			// page, at a box edge.
			for _, e := range got.Elements {
				if e.Layer != "body" {
					continue
				}
				if e.Color != serve.Palette("type", string(e.Type)) {
					t.Errorf("element %s: colour %s, want its type's %s", e.ID, e.Color, serve.Palette("type", string(e.Type)))
				}
				if !hasColour(img, e.Color, e.Box, got.Width, 100) {
					t.Errorf("element %s (%s): no %s pixel on its box's edge", e.ID, e.Type, e.Color)
				}
			}
		})
	}

	t.Run("default name, by model, to stdout", func(t *testing.T) {
		if _, stderr, code := renderFolio(t, cwd, "-o", out, "tables.pdf", "--page", "1", "--color", "model"); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		readPNG(t, filepath.Join(cwd, "tables-p1.png"))
		stdout, stderr, code := renderFolio(t, cwd, "--db", filepath.Join(out, "folio.db"), doc.ID, "--page", "1", "--out", "-", "--dpi", "50")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		img, err := png.Decode(bytes.NewReader(stdout))
		if err != nil {
			t.Fatalf("stdout is not a PNG: %v", err)
		}
		if w := img.Bounds().Dx(); w < 400 || w > 450 {
			t.Errorf("at 50 dpi the page is %d pixels wide, want about 425", w)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			args []string
			code int
			msg  string
		}{
			{"unknown document", []string{"-o", out, "doc_nothere", "--page", "1"}, exitFailed, "no document doc_nothere"},
			{"no page", []string{"-o", out, doc.ID}, exitUsage, "--page"},
			{"page past the end", []string{"-o", out, doc.ID, "--page", "99"}, exitUsage, "has 1 page"},
			{"bad colouring", []string{"-o", out, doc.ID, "--page", "1", "--color", "layer"}, exitUsage, "--color"},
			{"bad dpi", []string{"-o", out, doc.ID, "--page", "1", "--dpi", "5000"}, exitUsage, "--dpi"},
			{"two things on stdout", []string{"-o", out, doc.ID, "--page", "1", "--out", "-", "--json"}, exitUsage, "standard output"},
			{"no ledger", []string{"-o", t.TempDir(), doc.ID, "--page", "1"}, exitConfig, "ledger"},
			{"another file as source", []string{"-o", out, doc.ID, "--page", "1", "--source", "../../testdata/samples/amt_handbook_sample.pdf"}, exitFailed, "source changed since it was parsed"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				args := tt.args
				if tt.name == "another file as source" {
					abs, _ := filepath.Abs(args[len(args)-1])
					args = append(args[:len(args)-1:len(args)-1], abs)
				}
				_, stderr, code := renderFolio(t, cwd, args...)
				if code != tt.code || !strings.Contains(stderr, tt.msg) {
					t.Errorf("exit %d, %q; want exit %d with %q", code, stderr, tt.code, tt.msg)
				}
			})
		}
	})

	// Changed or moved since it was parsed: refused, until --source names
	// the same bytes.
	t.Run("source changed", func(t *testing.T) {
		src := filepath.Join(in, "tables.pdf")
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(src, append(bytes.Clone(data), "\n%%more\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
		_, stderr, code := renderFolio(t, cwd, "-o", out, doc.ID, "--page", "1")
		if code != exitFailed || !strings.Contains(stderr, "source changed since it was parsed") {
			t.Errorf("changed source: exit %d, %q; want exit 1, source changed", code, stderr)
		}
		if err := os.Remove(src); err != nil {
			t.Fatal(err)
		}
		_, stderr, code = renderFolio(t, cwd, "-o", out, doc.ID, "--page", "1")
		if code != exitFailed || !strings.Contains(stderr, "--source") {
			t.Errorf("moved source: exit %d, %q; want exit 1 and a hint at --source", code, stderr)
		}
		moved := filepath.Join(t.TempDir(), "moved.pdf")
		if err := os.WriteFile(moved, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, stderr, code = renderFolio(t, cwd, "-o", out, doc.ID, "--page", "1", "--source", moved, "--out", "moved.png"); code != 0 {
			t.Errorf("--source of the same bytes: exit %d, %s", code, stderr)
		}
	})
}

func readPNG(t *testing.T, name string) image.Image {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return img
}

// hasColour reports whether a pixel of colour hex ("#rrggbb") lies on the
// outline of box (points) in img, drawn at dpi.
func hasColour(img image.Image, hex string, box [4]float64, width int, dpi float64) bool {
	s := dpi / 72
	x0, y0, x1, y1 := int(box[0]*s+0.5), int(box[1]*s+0.5), int(box[2]*s+0.5), int(box[3]*s+0.5)
	match := func(x, y int) bool {
		r, g, b, _ := img.At(x, y).RGBA()
		got := []byte{byte(r >> 8), byte(g >> 8), byte(b >> 8)}
		const digits = "0123456789abcdef"
		h := []byte{'#', 0, 0, 0, 0, 0, 0}
		for i, v := range got {
			h[1+2*i], h[2+2*i] = digits[v>>4], digits[v&15]
		}
		return string(h) == hex
	}
	for x := x0; x < x1 && x < width; x++ {
		for _, y := range []int{y0, y0 + 1, y1 - 1, y1 - 2} {
			if match(x, y) {
				return true
			}
		}
	}
	for y := y0; y < y1; y++ {
		for _, x := range []int{x0, x0 + 1, x1 - 1, x1 - 2} {
			if match(x, y) {
				return true
			}
		}
	}
	return false
}
