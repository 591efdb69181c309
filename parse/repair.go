package parse

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

const (
	// repairTimeout bounds one qpdf run: rebuilding the cross-reference
	// table of a file within MaxBytes takes well under a second.
	repairTimeout = 20 * time.Second
	// repairMemo is how many repairs are remembered: a document is opened
	// more than once (page count, parse, crops), and the broken bytes are
	// the same each time.
	repairMemo = 8
)

// repairer rebuilds, with the qpdf program, files PDFium cannot open as
// written: no header, a cross-reference table that is missing or points
// at the wrong offsets. Peers (pdftotext, mutool, pdf.js) read such files
// by scanning them for objects; qpdf does the same and writes a clean
// file.
type repairer struct {
	prog string // qpdf's path; empty when it is not installed
	log  *slog.Logger

	mu   sync.Mutex
	memo map[[sha256.Size]byte][]byte // repaired bytes, nil when qpdf failed
}

func (r *repairer) init(opts *Options, log *slog.Logger) {
	r.log = log
	name := opts.QPDF
	if name == "" {
		name = "qpdf"
	}
	if name == "-" {
		return
	}
	if path, err := exec.LookPath(name); err == nil {
		r.prog = path
	}
}

// repair returns data rebuilt by qpdf, or nil when qpdf is not installed,
// fails, or writes more than maxBytes.
func (r *repairer) repair(ctx context.Context, data []byte, maxBytes int64) []byte {
	if r.prog == "" || len(data) == 0 {
		return nil
	}
	key := sha256.Sum256(data)
	r.mu.Lock()
	fixed, seen := r.memo[key]
	r.mu.Unlock()
	if seen {
		return fixed
	}
	fixed, err := r.run(ctx, data, maxBytes)
	if err != nil {
		if ctx.Err() != nil {
			return nil // not remembered: the next try may have time
		}
		r.log.Debug("qpdf could not repair the file", "err", err)
	}
	r.mu.Lock()
	if len(r.memo) >= repairMemo {
		clear(r.memo)
	}
	if r.memo == nil {
		r.memo = make(map[[sha256.Size]byte][]byte)
	}
	r.memo[key] = fixed
	r.mu.Unlock()
	return fixed
}

// run writes data to a private temporary file (qpdf reads only seekable
// files) and has qpdf write the repair to its stdout.
func (r *repairer) run(ctx context.Context, data []byte, maxBytes int64) ([]byte, error) {
	f, err := os.CreateTemp("", "folio-repair-*.pdf")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, repairTimeout)
	defer cancel()
	// "--" ends the options: the file name cannot be read as one.
	cmd := exec.CommandContext(ctx, r.prog, "--no-warn", "--", f.Name(), "-")
	cmd.Env = []string{} // nothing of this process's environment (API keys) is passed on
	cmd.SysProcAttr = childAttr()
	out, stderr := &cappedBuffer{max: maxBytes}, &cappedBuffer{max: 4096}
	cmd.Stdout, cmd.Stderr = out, stderr
	cmd.WaitDelay = 2 * time.Second
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case out.over:
		return nil, fmt.Errorf("qpdf wrote more than %d bytes", maxBytes)
	case errors.As(err, &exit) && exit.ExitCode() == 3:
		// Exit status 3: succeeded with warnings, which a repair has.
	case err != nil:
		msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		return nil, fmt.Errorf("qpdf: %w: %s", err, msg)
	}
	if !bytes.HasPrefix(out.Bytes(), []byte("%PDF-")) {
		return nil, errors.New("qpdf wrote no PDF")
	}
	return out.Bytes(), nil
}

// cappedBuffer keeps at most max bytes and notes that more came.
type cappedBuffer struct {
	bytes.Buffer
	max  int64
	over bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - int64(b.Len()); int64(len(p)) > room {
		b.over = true
		b.Buffer.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// repairWarning is the document's warning when it was read from qpdf's
// repair.
const repairWarning = "repaired by qpdf before parsing: PDFium could not open the file as written"

// repairable reports whether PDFium refused to open a file for its
// structure, which qpdf may rebuild.
func repairable(perr *docError) bool {
	return perr != nil && perr.unopened
}
