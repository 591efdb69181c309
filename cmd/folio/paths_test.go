package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/folio/folio/internal/testpdf"
)

// pdfLine is one line of text on a testPDF page; Size is its font size in
// points, and a line with Gap set has a blank line before it.
type pdfLine struct {
	Size float64
	Text string
	Gap  bool
	// State is text state for this line only, such as "1 1 1 rg" (white)
	// or "3 Tr" (invisible).
	State string
}

// testPDF returns a one-page US Letter PDF showing lines in Helvetica from
// the top-left margin down, and below them, when image is set, a 64×48 RGB
// picture drawn 256×192 points large. Text is written in WinAnsi: keep it
// to ASCII.
func testPDF(image bool, lines ...pdfLine) []byte {
	var c bytes.Buffer
	y := 720.0
	for _, l := range lines {
		if l.Gap {
			y -= l.Size * 1.2
		}
		esc := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`).Replace(l.Text)
		if l.State != "" {
			fmt.Fprintf(&c, "q BT /F1 %g Tf %s 72 %g Td (%s) Tj ET Q\n", l.Size, l.State, y, esc)
		} else {
			fmt.Fprintf(&c, "BT /F1 %g Tf 72 %g Td (%s) Tj ET\n", l.Size, y, esc)
		}
		y -= l.Size * 1.3
	}
	resources := "/Font << /F1 5 0 R >>"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"", // the page, below
		"", // its content, below
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	if image {
		const w, h = 64, 48
		px := make([]byte, 0, w*h*3)
		for j := range h {
			for i := range w {
				px = append(px, byte(i*4), byte(j*5), byte(255-i*2))
			}
		}
		objs = append(objs, fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %d >>\nstream\n%s\nendstream",
			w, h, len(px), px))
		resources += " /XObject << /Im1 6 0 R >>"
		fmt.Fprintf(&c, "q 256 0 0 192 72 %g cm /Im1 Do Q\n", y-220)
	}
	objs[2] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << " + resources + " >> >>"
	objs[3] = fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", c.Len(), c.Bytes())

	return testpdf.Build(objs...)
}

// writeFile writes data to p, creating its folders.
func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// listFiles returns every file and folder under dir, relative to it, except
// those under the folders skip names (relative to dir).
func listFiles(t *testing.T, dir string, skip ...string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if slices.Contains(skip, rel) {
			return filepath.SkipDir
		}
		if rel != "." {
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestParsePathsNeverCollide parses a folder of documents with odd names,
// the same base name in several folders, a FIFO, and symbolic links out of
// the input, a loop among them: every document gets its own outputs, named
// for its path, holding its own text; the FIFO and the link out are skipped
// with a warning naming them (the link followed with --follow-symlinks);
// nothing is written outside OUT.
func TestParsePathsNeverCollide(t *testing.T) {
	base := t.TempDir()
	in, out := filepath.Join(base, "in"), filepath.Join(base, "x", "y", "out")
	names := []string{
		"report.pdf",
		"a/report.pdf",
		"b/report.pdf",
		"a/b/report.pdf",
		"b/a/report.pdf",
		"new\nline.pdf",
		"tab\there.pdf",
		"-o.pdf",
		"--force.pdf",
		"ünïcødé ✓ 書類.pdf",
		"NFD-e\u0301.pdf",
		"NFC-\u00e9.pdf",
		"a..b.pdf",
		`a\..\..\evil.pdf`,
		"%2e%2e%2fevil.pdf",
		"report.pdf.json.pdf",
		"REPORT.PDF",
		"-dir\n../inner.pdf",
		strings.Repeat("l", 200) + ".pdf",
	}
	// Each document says which file it is, so that an output can be matched
	// to its input by its text.
	marker := func(i int) string { return fmt.Sprintf("Document marker %03d", i) }
	for i, n := range names {
		writeFile(t, filepath.Join(in, filepath.FromSlash(n)), testPDF(false, pdfLine{Size: 12, Text: marker(i) + " says hello."}))
	}
	// A FIFO, named to forge a log line when its warning is printed.
	const fifo = "fifo\ntime=2026-01-01T00:00:00Z level=ERROR msg=forged.pdf"
	if err := syscall.Mkfifo(filepath.Join(in, fifo), 0o644); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(base, "outside")
	writeFile(t, filepath.Join(outside, "secret.pdf"), testPDF(false, pdfLine{Size: 12, Text: "Secret outside the input."}))
	for p, target := range map[string]string{
		"leak.pdf":  filepath.Join(outside, "secret.pdf"),
		"loop":      ".",
		"alias.pdf": "report.pdf",
	} {
		if err := os.Symlink(target, filepath.Join(in, p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	before := listFiles(t, base)

	stdout, stderr, code := runFolio(t, "parse", in, "-o", out, "--markdown", "--workers", "2")
	if code != 0 {
		t.Fatalf("parse exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if want := fmt.Sprintf("documents: %d ok, 0 failed", len(names)); !strings.Contains(stdout, want) {
		t.Errorf("summary %q, want %q", stdout, want)
	}
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "time=2026-01-01") {
			t.Errorf("a file name forged a log line: %q", line)
		}
	}
	for _, w := range []struct{ path, reason string }{
		{fifo, "not a regular file"},
		{"leak.pdf", "outside the input roots"},
		{"loop", "symbolic link loop"},
		{"alias.pdf", "same file as"},
	} {
		p := filepath.Join(in, w.path)
		if !strings.Contains(stderr, p) && !strings.Contains(stderr, strconv.Quote(p)) || !strings.Contains(stderr, w.reason) {
			t.Errorf("no warning naming %s with %q:\n%s", w.path, w.reason, stderr)
		}
	}
	for i, n := range names {
		p := filepath.Join(out, filepath.FromSlash(n)+".json")
		d := readDoc(t, p)
		if d.Source.Path != n {
			t.Errorf("%q: source.path %q, want %q", p, d.Source.Path, n)
		}
		var text strings.Builder
		for _, e := range d.Elements {
			text.WriteString(e.Text)
		}
		if !strings.Contains(text.String(), marker(i)) {
			t.Errorf("%q holds %q, want the text of %q (%s)", p, text.String(), n, marker(i))
		}
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(n)+".md")); err != nil {
			t.Errorf("markdown of %q: %v", n, err)
		}
	}
	gotJSON, _ := outputFiles(t, out)
	if len(gotJSON) != len(names) {
		t.Errorf("%d output documents for %d inputs: %v", len(gotJSON), len(names), gotJSON)
	}
	if _, err := os.Stat(filepath.Join(out, "leak.pdf.json")); err == nil {
		t.Error("the link out of the input was followed without --follow-symlinks")
	}
	// Everything new is under OUT: nothing beside it, nothing in the input.
	if diff := slices.Compare(before, listFiles(t, base, filepath.Join("x", "y", "out"))); diff != 0 {
		t.Errorf("files outside OUT changed:\nbefore %q\nafter  %q", before, listFiles(t, base, filepath.Join("x", "y", "out")))
	}

	// Asked to, the walk follows the link out; the rest is done already.
	stdout, stderr, code = runFolio(t, "parse", in, "-o", out, "--markdown", "--follow-symlinks")
	if code != 0 {
		t.Fatalf("--follow-symlinks: exit %d\nstderr: %s", code, stderr)
	}
	if want := fmt.Sprintf("documents: 1 ok, 0 failed, %d skipped", len(names)); !strings.Contains(stdout, want) {
		t.Errorf("--follow-symlinks summary %q, want %q", stdout, want)
	}
	d := readDoc(t, filepath.Join(out, "leak.pdf.json"))
	if d.Source.Path != "leak.pdf" || len(d.Elements) == 0 || !strings.Contains(d.Elements[0].Text, "Secret outside") {
		t.Errorf("leak.pdf.json = %+v, want the linked document's text", d)
	}
	if strings.Contains(stderr, "outside the input roots") {
		t.Errorf("--follow-symlinks still warns about the link out:\n%s", stderr)
	}

	// Files of the same base name named directly get distinct outputs too.
	out2 := filepath.Join(base, "out2")
	stdout, stderr, code = runFolio(t, "parse", filepath.Join(in, "a", "report.pdf"), filepath.Join(in, "b", "report.pdf"),
		filepath.Join(in, "b", "a", "report.pdf"), "-o", out2)
	if code != 0 {
		t.Fatalf("named directly: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	for rel, n := range map[string]int{"report.pdf": 1, "b/report.pdf": 2, "a/report.pdf": 4} {
		d := readDoc(t, filepath.Join(out2, filepath.FromSlash(rel)+".json"))
		if len(d.Elements) == 0 || !strings.Contains(d.Elements[0].Text, marker(n)) {
			t.Errorf("%s holds %+v, want the text of %s", rel, d.Elements, names[n])
		}
	}
	if got, _ := outputFiles(t, out2); len(got) != 3 {
		t.Errorf("named directly: outputs %v, want 3", got)
	}
}

// An output folder inside the input tree is never parsed: not on the first
// run (when it holds nothing yet), not on later ones, when it holds the
// assets' PNG files; the run says it passed it over.
func TestOutputInsideInputsIsNeverParsed(t *testing.T) {
	in := t.TempDir()
	writeFile(t, filepath.Join(in, "a.pdf"), testPDF(true, pdfLine{Size: 12, Text: "A picture below"}))
	out := filepath.Join(in, "out")
	for i := range 2 {
		stdout, stderr, code := runFolio(t, "parse", in, "-o", out, "--json")
		if code != 0 {
			t.Fatalf("run %d: exit %d: %s", i+1, code, stderr)
		}
		sum, _ := summaryOf(t, stdout)
		if want := [2]int{1 - i, i}; [2]int{sum.OK, sum.Skipped} != want {
			t.Errorf("run %d: %d ok, %d skipped; want %v: the output folder was taken as input", i+1, sum.OK, sum.Skipped, want)
		}
		if i == 1 && !strings.Contains(stderr, "never an input") {
			t.Errorf("run %d does not say it passed the output folder over:\n%s", i+1, stderr)
		}
	}
	if pngs, _ := filepath.Glob(filepath.Join(out, "a.pdf.assets", "*.png")); len(pngs) == 0 {
		t.Error("the test needs the output folder to hold PNG assets")
	}
}
