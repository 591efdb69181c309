// Package tesseract runs the tesseract OCR program (Debian tesseract-ocr)
// on one image at a time and reads its hOCR output into words with pixel
// boxes and confidences. It is Folio's only caller of the program: the
// parser uses it for scanned pages and image inputs, the local/ocr
// specialist for figures.
//
// The program runs without a shell, with the image on stdin and hOCR on
// stdout, one OpenMP thread (callers bound the number of processes), and
// under the caller's context: when ctx ends the process is killed.
package tesseract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// DefaultLanguage is the tesseract language used when none is given.
const DefaultLanguage = "eng"

// maxOutput bounds the hOCR read from one run: a dense 300 dpi page makes
// well under a megabyte.
const maxOutput = 64 << 20

// Hint is the advice given when the program is missing.
const Hint = "install tesseract-ocr (make deps)"

// ErrNotFound is returned by Find when the tesseract program is not
// installed.
var ErrNotFound = errors.New("tesseract not found")

// ErrLanguage is returned by Recognize when tesseract lacks the data of
// the language asked for.
var ErrLanguage = errors.New("tesseract language data missing")

// Program is an installed tesseract.
type Program struct {
	// Path is the program's absolute path.
	Path string
	// Language is the tesseract language (or "eng+deu" list) to read.
	Language string
}

// Find looks up the tesseract program: path when it is not empty (a file
// name is searched in PATH), else "tesseract" in PATH. It fails with
// ErrNotFound when there is none. lang "" means DefaultLanguage.
func Find(path, lang string) (*Program, error) {
	if path == "" {
		path = "tesseract"
	}
	abs, err := exec.LookPath(path)
	if err != nil {
		return nil, fmt.Errorf("%w (%s): %s", ErrNotFound, path, Hint)
	}
	if lang == "" {
		lang = DefaultLanguage
	}
	if !validLanguage(lang) {
		return nil, fmt.Errorf("tesseract language %q: want names like eng or eng+deu", lang)
	}
	return &Program{Path: abs, Language: lang}, nil
}

// validLanguage reports whether lang is a plus-separated list of
// tesseract language names, so that it cannot be taken for an option.
func validLanguage(lang string) bool {
	for name := range strings.SplitSeq(lang, "+") {
		if name == "" || len(name) > 40 {
			return false
		}
		for _, r := range name {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
				return false
			}
		}
	}
	return true
}

// Layout is how tesseract finds the text in an image (its page
// segmentation mode).
type Layout int

const (
	// Sparse finds every piece of text without deciding the layout (mode
	// 11), which Folio's segmenter does from the word boxes. On
	// born-digital pages rendered at 300 dpi it read table cells far
	// better than the automatic layout of mode 3 (word F1 0.99 against
	// 0.70 on a ruled table), and prose as well; it overlooks isolated
	// single characters.
	Sparse Layout = iota
	// Block reads the image as one block of lines (mode 6).
	Block
)

// psm returns the layout's --psm value.
func (l Layout) psm() string {
	if l == Block {
		return "6"
	}
	return "11"
}

// programEnv keeps of env what tesseract needs: where it is and its data,
// locale and temporary folder.
func programEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		for _, k := range []string{"PATH=", "HOME=", "TMPDIR=", "LANG=", "LC_ALL=", "LC_CTYPE=", "TESSDATA_PREFIX="} {
			if strings.HasPrefix(kv, k) {
				out = append(out, kv)
				break
			}
		}
	}
	return out
}

// Recognize runs tesseract on one encoded image (PNG, JPEG, TIFF or
// PNM) read from img, finding text as layout says, and returns its words
// in tesseract's order. dpi is the image's
// resolution, 0 when unknown (tesseract then guesses it from the text).
// The process is killed when ctx ends. A failure carries the last lines
// tesseract wrote to stderr; missing language data is ErrLanguage.
func (p *Program) Recognize(ctx context.Context, img io.Reader, dpi int, layout Layout) ([]Word, error) {
	args := []string{"stdin", "stdout", "-l", p.Language, "--psm", layout.psm()}
	if dpi > 0 {
		args = append(args, "--dpi", strconv.Itoa(dpi))
	}
	args = append(args, "hocr")
	cmd := exec.CommandContext(ctx, p.Path, args...)
	// One thread: tesseract's OpenMP threads spin and cost more than they
	// save when several pages run side by side. Nothing else of this
	// process's environment (API keys, say) is passed on.
	cmd.Env = append(programEnv(os.Environ()), "OMP_THREAD_LIMIT=1")
	cmd.SysProcAttr = childAttr()
	cmd.Stdin = img
	var stdout limitedBuffer
	stdout.max = maxOutput
	var stderr tailBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A killed process's pipes close at once; do not wait for stdin's
	// copy beyond that.
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	msg := stderr.String()
	if strings.Contains(msg, "Failed loading language") || strings.Contains(msg, "couldn't load any languages") {
		return nil, fmt.Errorf("%w: %s (install tesseract-ocr-%s)", ErrLanguage, p.Language, strings.Split(p.Language, "+")[0])
	}
	if err != nil {
		if msg != "" {
			return nil, fmt.Errorf("tesseract: %w: %s", err, msg)
		}
		return nil, fmt.Errorf("tesseract: %w", err)
	}
	if stdout.over {
		return nil, fmt.Errorf("tesseract: more than %d MiB of output", maxOutput>>20)
	}
	words, err := ParseHOCR(bytes.NewReader(stdout.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("tesseract: read hocr: %w", err)
	}
	return words, nil
}

// limitedBuffer keeps the first max bytes written to it and discards the
// rest, noting that it did.
type limitedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); len(p) > room {
		b.over = true
		b.Buffer.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// tailBuffer keeps the meaningful end of a program's stderr: its last
// few lines, without tesseract's resolution chatter.
type tailBuffer struct{ b []byte }

const maxTail = 4096

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 2*maxTail {
		t.b = append(t.b[:0], t.b[len(t.b)-maxTail:]...)
	}
	return len(p), nil
}

// String returns the kept lines joined by "; ", without the lines that
// report normal progress.
func (t *tailBuffer) String() string {
	var keep []string
	for line := range strings.SplitSeq(string(t.b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "Estimating resolution") || strings.HasPrefix(line, "Warning: Invalid resolution") ||
			strings.HasPrefix(line, "Detected ") {
			continue
		}
		keep = append(keep, line)
	}
	if len(keep) > 5 {
		keep = keep[len(keep)-5:]
	}
	s := strings.Join(keep, "; ")
	if len(s) > 500 {
		s = s[len(s)-500:]
	}
	return s
}
