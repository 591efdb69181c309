//go:build unix

package pipeline

import (
	"os"
	"syscall"
)

// openNonBlocking opens path for reading without blocking when it has
// become a FIFO since it was listed: the caller checks it is a regular
// file before reading.
func openNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
