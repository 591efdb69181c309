//go:build !unix

package synth

import (
	"errors"
	"os"
)

var errWouldBlock = errors.New("would block")

// tryLock is not implemented off Unix: Folio's run lock needs flock.
func tryLock(*os.File) error { return errors.ErrUnsupported }

func unlock(*os.File) error { return nil }
