package folio

import (
	"errors"
	"fmt"
)

// Kind classifies why a document failed. The values are stable: they appear
// in logs, the ledger and exit summaries.
type Kind string

// The failure kinds.
const (
	KindTimeout   Kind = "timeout"
	KindTooLarge  Kind = "too_large"
	KindMemory    Kind = "memory"
	KindMalformed Kind = "malformed"
	KindEncrypted Kind = "encrypted"
	KindCrash     Kind = "crash"
	KindIO        Kind = "io"
	KindInternal  Kind = "internal"
	KindConfig    Kind = "config"
	KindCanceled  Kind = "canceled"
	// KindDeferred: the document was not done this run and not failed
	// either (budget exhausted with on_exhausted fail, endpoint
	// unavailable); the next run picks it up.
	KindDeferred Kind = "deferred"
)

// ErrBudgetExhausted is returned (wrapped) by a Router when the run's model
// budget is spent and the policy says to stop rather than degrade.
var ErrBudgetExhausted = errors.New("model budget exhausted")

// ErrUnavailable is returned (wrapped) by a Router when an element got no
// accepted output because a model endpoint was down (server errors and
// rate limits past their retries, an open circuit breaker) and the policy
// says to defer the document rather than keep a degraded result. Unlike an
// exhausted budget it concerns one document: the run goes on, and the
// endpoint may be back for the next.
var ErrUnavailable = errors.New("model endpoint unavailable")

// ErrLedgerUnavailable is returned (wrapped) by a Ledger whose server
// stopped answering: the document's outputs may be written but are not
// recorded, so it is deferred, no further document is started, and the
// next run does them.
var ErrLedgerUnavailable = errors.New("ledger unavailable")

// Error is Folio's error type: the operation that failed, on which document
// and page, and why.
type Error struct {
	Op   string // "parse", "open", "write", …
	Doc  string // input path, relative to its root
	Page int    // 1-based; 0 when not page-specific
	Kind Kind
	Err  error
}

func (e *Error) Error() string {
	s := e.Op
	if e.Doc != "" {
		s += " " + e.Doc
	}
	if e.Page > 0 {
		s += fmt.Sprintf(" page %d", e.Page)
	}
	if e.Kind != "" {
		s += " (" + string(e.Kind) + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorKind returns the Kind of the first *Error in err's chain, or
// KindInternal when there is none.
func ErrorKind(err error) Kind {
	var fe *Error
	for errors.As(err, &fe) {
		if fe.Kind != "" {
			return fe.Kind
		}
		err = fe.Err
	}
	return KindInternal
}

// Errorf returns an *Error of the given kind wrapping a formatted message.
func Errorf(kind Kind, op, format string, args ...any) error {
	return &Error{Op: op, Kind: kind, Err: fmt.Errorf(format, args...)}
}
