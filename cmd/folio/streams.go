package main

import (
	"io"
	"os"
)

// streams are the command's standard streams; tests swap in buffers.
type streams struct {
	In  io.Reader
	Out io.Writer // data
	Err io.Writer // diagnostics
	// ErrTTY reports whether Err is a terminal, which only changes
	// decoration, never meaning.
	ErrTTY bool
}

func newStreams() *streams {
	return &streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, ErrTTY: isTerminal(os.Stderr)}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
