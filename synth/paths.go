package synth

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// checkRel reports why rel cannot name an output: it must be a relative,
// slash-separated path without empty, "." or ".." components and without
// NUL bytes. os.Root enforces the same boundary again on every access; this
// check turns the common mistakes into clear errors.
func checkRel(rel string) error {
	switch {
	case rel == "":
		return errors.New("empty source path")
	case strings.IndexByte(rel, 0) >= 0:
		return fmt.Errorf("source path %q contains a NUL byte", rel)
	case strings.HasPrefix(rel, "/"):
		return fmt.Errorf("source path %q is absolute", rel)
	}
	for c := range strings.SplitSeq(rel, "/") {
		switch c {
		case "":
			return fmt.Errorf("source path %q has an empty component", rel)
		case ".", "..":
			return fmt.Errorf("source path %q has a %q component", rel, c)
		}
	}
	return nil
}

// assetName returns the file name of the n-th image (1-based) on a page.
func assetName(page, n int) string { return fmt.Sprintf("p%d-%d.png", page, n) }

// isAssetName reports whether name has the form assetName gives, so that
// stale-asset removal never touches a file Folio did not name.
func isAssetName(name string) bool {
	rest, ok := strings.CutPrefix(name, "p")
	if !ok {
		return false
	}
	rest, ok = strings.CutSuffix(rest, ".png")
	if !ok {
		return false
	}
	page, n, ok := strings.Cut(rest, "-")
	return ok && digits(page) && digits(n)
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// tempName returns a temp file name beside name: ".<base>.tmp-<suffix>",
// with base shortened (on a character boundary) to keep within the usual
// 255-byte limit on file names.
func tempName(name, suffix string) string {
	dir, base := path.Split(name)
	const maxBase = 200
	if len(base) > maxBase {
		cut := maxBase
		for cut > 0 && !utf8.RuneStart(base[cut]) {
			cut--
		}
		base = base[:cut]
	}
	return dir + "." + base + ".tmp-" + suffix
}
