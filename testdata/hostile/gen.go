//go:build ignore

// Command gen writes Folio's hostile test documents: PDFs built to hang,
// exhaust or crash a parser. Run it with
//
//	go run testdata/hostile/gen.go -o DIR [-fifo]
//
// Every file is small on disk; what it claims or expands to is not.
package main

import (
	"bytes"
	"compress/zlib"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/folio/folio/internal/testpdf"
)

func main() {
	out := flag.String("o", "testdata/hostile", "output folder")
	fifo := flag.Bool("fifo", false, "also make a FIFO named x.pdf (a reader that opens it blocks)")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	files := map[string][]byte{
		"bomb-nested-flate.pdf":   bombNestedFlate(),
		"xref-prev-cycle.pdf":     prevCycle(),
		"kids-cycle.pdf":          kidsCycle(),
		"kids-parent-loop.pdf":    kidsParentLoop(),
		"one-page-lost.pdf":       onePageLost(),
		"deep-arrays.pdf":         deepArrays(),
		"huge-length.pdf":         hugeLength(),
		"truncated.pdf":           truncated(),
		"huge-image.pdf":          hugeImage(),
		"zero-pages.pdf":          zeroPages(),
		"form-self-reference.pdf": formCycle(),
		"many-glyphs.pdf":         manyGlyphs(),
		"not-a-pdf.pdf":           []byte("<html>this is not a PDF</html>\n"),
		"empty.pdf":               nil,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(*out, name), data, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	if *fifo {
		p := filepath.Join(*out, "x.pdf")
		_ = os.Remove(p)
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

func stream(dict string, data []byte) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

// onePage is a catalog, a page tree and one page drawing content object 4,
// with resources res.
func onePage(content string, res string, more ...string) []string {
	return append([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << " + res + " >> >>",
		content,
	}, more...)
}

func deflate(data []byte) []byte {
	var b bytes.Buffer
	w, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// bombNestedFlate is a content stream compressed three times over: about
// 10 KB on disk, 1 GiB once decoded.
func bombNestedFlate() []byte {
	var b bytes.Buffer
	w, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for range 1024 {
		w.Write(chunk)
	}
	w.Close()
	data := deflate(deflate(b.Bytes()))
	return testpdf.Build(onePage(stream("/Filter [/FlateDecode /FlateDecode /FlateDecode]", data), "")...)
}

// prevCycle has two xref sections whose /Prev point at each other.
func prevCycle() []byte {
	base := testpdf.Build(onePage(stream("", []byte("BT /F1 12 Tf 72 720 Td (cycle) Tj ET")), "")...)
	var b bytes.Buffer
	b.Write(base)
	second := b.Len()
	fmt.Fprintf(&b, "xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 5 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", second, second)
	return b.Bytes()
}

// kidsCycle is a page tree whose node lists itself among its kids.
func kidsCycle() []byte {
	return testpdf.Build(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
		"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 1000000 >>",
	)
}

// kidsParentLoop is a page tree whose only kid is a node that lists the
// root, its own parent, as its kid.
func kidsParentLoop() []byte {
	return testpdf.Build(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
	)
}

// onePageLost has two pages: the first reads, the second is a node that
// lists itself as its kid.
func onePageLost() []byte {
	return testpdf.Build(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 6 0 R >> >> >>",
		stream("", []byte("BT /F1 24 Tf 72 700 Td (The first page reads.) Tj ET")),
		"<< /Type /Pages /Parent 2 0 R /Kids [5 0 R] /Count 1 >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	)
}

// deepArrays nests arrays 200000 deep in the page's content and in an
// object.
func deepArrays() []byte {
	deep := strings.Repeat("[", 200000) + strings.Repeat("]", 200000)
	return testpdf.Build(onePage(stream("", []byte(deep+" pop")), "", deep)...)
}

// hugeLength claims a stream of a terabyte.
func hugeLength() []byte {
	objs := onePage("<< /Length 999999999999 >>\nstream\nBT /F1 12 Tf 72 720 Td (short) Tj ET\nendstream", "")
	return testpdf.Build(objs...)
}

// truncated is a valid one-page PDF cut off halfway.
func truncated() []byte {
	full := testpdf.Build(onePage(stream("", []byte("BT /F1 12 Tf 72 720 Td (this file was cut off) Tj ET")),
		"/Font << /F1 5 0 R >>", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")...)
	return full[:len(full)/2]
}

// hugeImage draws an image that claims 100000×100000 pixels but carries a
// few bytes.
func hugeImage() []byte {
	img := stream("/Type /XObject /Subtype /Image /Width 100000 /Height 100000 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode",
		deflate(bytes.Repeat([]byte{0x80}, 4096)))
	return testpdf.Build(onePage(stream("", []byte("q 500 0 0 500 50 100 cm /Im1 Do Q")), "/XObject << /Im1 5 0 R >>", img)...)
}

// zeroPages has a page tree with no pages.
func zeroPages() []byte {
	return testpdf.Build("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>")
}

// formCycle draws a form XObject that draws itself.
func formCycle() []byte {
	form := stream("/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /XObject << /Fm1 5 0 R >> >>", []byte("/Fm1 Do"))
	return testpdf.Build(onePage(stream("", []byte("/Fm1 Do")), "/XObject << /Fm1 5 0 R >>", form)...)
}

// manyGlyphs shows 400000 glyphs on one page.
func manyGlyphs() []byte {
	var c bytes.Buffer
	c.WriteString("BT /F1 1 Tf\n")
	for i := range 4000 {
		fmt.Fprintf(&c, "1 0 0 1 %d %d Tm (%s) Tj\n", i%600, i%780, strings.Repeat("x", 100))
	}
	c.WriteString("ET")
	return testpdf.Build(onePage(stream("/Filter /FlateDecode", deflate(c.Bytes())), "/Font << /F1 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")...)
}
