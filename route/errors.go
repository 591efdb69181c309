package route

import (
	"context"
	"errors"
	"fmt"

	"github.com/folio/folio"
)

// Error classes recorded on failed or rejected calls. Model providers add
// their own (rate_limit, transient, auth, refusal, budget, …).
const (
	// ClassCrash: the specialist panicked.
	ClassCrash = string(folio.KindCrash)
	// ClassCanceled and ClassTimeout: the context ended during the attempt.
	ClassCanceled = string(folio.KindCanceled)
	ClassTimeout  = string(folio.KindTimeout)
	// ClassInput: the element gives the specialist nothing it can work on
	// (no table, no pixels, undecodable pixels).
	ClassInput = "input"
	// ClassEmpty: the output is empty although the input is not.
	ClassEmpty = "empty"
	// ClassSchema: the output is not valid for the element's type.
	ClassSchema = "schema"
	// ClassError: an error that says nothing about its class.
	ClassError = "error"
)

// Error is a specialist failure or a quality-check rejection with its class.
type Error struct {
	Class string
	Err   error
}

// Errorf returns an *Error of the given class wrapping a formatted message.
func Errorf(class, format string, args ...any) error {
	return &Error{Class: class, Err: fmt.Errorf(format, args...)}
}

func (e *Error) Error() string { return e.Class + ": " + e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// ErrorClass returns e's class.
func (e *Error) ErrorClass() string { return e.Class }

// Classify returns the class of err: the class of the first error in its
// chain that has an ErrorClass method, else timeout or canceled for an ended
// context, else ClassError. It returns "" for a nil error.
func Classify(err error) string {
	if err == nil {
		return ""
	}
	var c interface{ ErrorClass() string }
	if errors.As(err, &c) && c.ErrorClass() != "" {
		return c.ErrorClass()
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return ClassTimeout
	case errors.Is(err, context.Canceled):
		return ClassCanceled
	}
	return ClassError
}
