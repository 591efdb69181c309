//go:build !unix

package folio

import "os"

func openNonBlocking(path string) (*os.File, error) { return os.Open(path) }
