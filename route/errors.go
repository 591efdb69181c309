package route

import (
	"context"
	"errors"
	"fmt"

	"github.com/folio/folio"
)

// Error is a specialist failure or a quality-check rejection with its class.
type Error struct {
	Class folio.ErrorClass
	Err   error
}

// Errorf returns an *Error of the given class wrapping a formatted message.
func Errorf(class folio.ErrorClass, format string, args ...any) error {
	return &Error{Class: class, Err: fmt.Errorf(format, args...)}
}

func (e *Error) Error() string { return string(e.Class) + ": " + e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// ErrorClass returns e's class.
func (e *Error) ErrorClass() folio.ErrorClass { return e.Class }

// Classify returns the class of err: the class of the first error in its
// chain that has an ErrorClass method, else timeout or canceled for an ended
// context, else folio.ClassError. It returns "" for a nil error.
func Classify(err error) folio.ErrorClass {
	if err == nil {
		return ""
	}
	var c interface{ ErrorClass() folio.ErrorClass }
	if errors.As(err, &c) && c.ErrorClass() != "" {
		return c.ErrorClass()
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return folio.ClassTimeout
	case errors.Is(err, context.Canceled):
		return folio.ClassCanceled
	}
	return folio.ClassError
}
