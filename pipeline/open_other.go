//go:build !unix

package pipeline

import "os"

func openNonBlocking(path string) (*os.File, error) { return os.Open(path) }
