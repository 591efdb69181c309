//go:build unix

package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A file swapped for a FIFO after the walk is refused, not read forever.
func TestReadInputRefusesFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "swapped.pdf")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := readInput(path, 1<<20)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, errNotRegular) {
			t.Fatalf("err %v, want errNotRegular", err)
		}
	case <-time.After(time.Minute): // a hang guard: readInput returns at once
		// Unblock the reader so the test process can end.
		if f, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		t.Fatal("readInput blocked on a FIFO")
	}
}
