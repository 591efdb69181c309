package main

import (
	"io"
	"os"

	"golang.org/x/term"
)

// streams are the command's standard streams; tests swap in buffers.
type streams struct {
	In  io.Reader
	Out io.Writer // data
	Err io.Writer // diagnostics
	// ErrTTY reports whether Err is a terminal that can show a progress
	// bar, which only changes decoration, never meaning.
	ErrTTY bool
	// OutTTY reports whether Out is a terminal.
	OutTTY bool
}

func newStreams() *streams {
	return &streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		ErrTTY: canDraw(os.Stderr) && os.Getenv("TERM") != "dumb", OutTTY: term.IsTerminal(int(os.Stdout.Fd()))}
}

// canDraw reports whether f is a terminal (not merely a character device
// such as /dev/null) with a known width to draw on.
func canDraw(f *os.File) bool {
	fd := int(f.Fd())
	if !term.IsTerminal(fd) {
		return false
	}
	w, _, err := term.GetSize(fd)
	return err == nil && w > 0
}
