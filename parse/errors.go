package parse

import (
	"errors"
	"fmt"
	"strings"

	"github.com/folio/folio"
)

// docError is why a document failed inside the parser. Fatal errors leave
// the PDFium instance in an unknown state, so it is discarded.
type docError struct {
	kind  folio.Kind
	err   error
	fatal bool
	// unopened is set when PDFium refused the file for its structure,
	// which a repair may fix.
	unopened bool
}

// openError maps FPDF_GetLastError after a failed load to a failure.
func openError(code uint32) *docError {
	switch code {
	case errCodePassword:
		return &docError{kind: folio.KindEncrypted, err: errors.New("pdfium: password required or incorrect")}
	case errCodeSecurity:
		return &docError{kind: folio.KindEncrypted, err: errors.New("pdfium: unsupported security scheme")}
	case errCodeFile:
		return &docError{kind: folio.KindMalformed, err: errors.New("pdfium: file not found or could not be read")}
	case errCodeFormat:
		return &docError{kind: folio.KindMalformed, err: errors.New("pdfium: not a PDF or corrupted"), unopened: true}
	case errCodePage:
		return &docError{kind: folio.KindMalformed, err: errors.New("pdfium: page not found or content error")}
	default:
		return &docError{kind: folio.KindMalformed, err: fmt.Errorf("pdfium: cannot open document (error %d)", code), unopened: true}
	}
}

// callError classifies an error from a call into the guest: exhausted
// memory or a trap (PDFium aborted, out-of-bounds access, unreachable).
// Deadlines are handled by the caller, which sees its context end.
func callError(err error) *docError {
	kind := folio.KindCrash
	if errors.Is(err, errGuestAlloc) {
		kind = folio.KindMemory
	}
	return &docError{kind: kind, err: firstLine{err}, fatal: true}
}

// firstLine shortens an error to its first line: wazero appends a wasm
// stack trace to traps.
type firstLine struct{ err error }

func (e firstLine) Error() string {
	msg, _, _ := strings.Cut(e.err.Error(), "\n")
	return msg
}

func (e firstLine) Unwrap() error { return e.err }
