package parse

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/folio/folio"
)

// brokenPDF is a one-page PDF as some writers leave it: a comment where
// the %PDF header belongs, and no cross-reference table.
func brokenPDF() []byte {
	pdf := pagePDF("/Font << /F1 5 0 R >>", "BT /F1 12 Tf 72 700 Td (Rebuilt from its objects) Tj ET",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	pdf = append([]byte("%\xe2\xe3\xcf\xd3\n"), bytes.TrimPrefix(pdf, []byte("%PDF-1.4\n"))...)
	return append(pdf[:bytes.Index(pdf, []byte("xref"))], pdf[bytes.Index(pdf, []byte("trailer")):]...)
}

// A file PDFium cannot open as written is rebuilt by qpdf and read, with a
// warning saying so; with repair off, or qpdf unable to find a PDF in it,
// it fails as malformed.
func TestRepairWithQPDF(t *testing.T) {
	if _, err := exec.LookPath("qpdf"); err != nil {
		t.Skipf("repair test skipped: qpdf is not installed (make deps): %v", err)
	}
	for _, tc := range []struct {
		name, qpdf string
		data       []byte
		ok         bool
	}{
		{"repaired", "", brokenPDF(), true},
		{"repair off", "-", brokenPDF(), false},
		{"nothing to repair", "", []byte("this is not a PDF at all, only words"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEngine(t, Options{QPDF: tc.qpdf})
			p, err := parse(t, e, "broken.pdf", tc.data)
			if !tc.ok {
				var fe *folio.Error
				if !errors.As(err, &fe) || fe.Kind != folio.KindMalformed {
					t.Fatalf("err = %v, want a malformed failure", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Pages) != 1 || !strings.Contains(text(p.Pages[0]), "Rebuilt from its objects") {
				t.Errorf("pages %d, text %q: want the page's words", len(p.Pages), text(p.Pages[0]))
			}
			if !strings.Contains(strings.Join(p.Warnings, "\n"), "repaired by qpdf") {
				t.Errorf("warnings %q: want the repair named", p.Warnings)
			}
		})
	}
}
