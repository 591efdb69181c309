package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// copiesResult is what `benchtool copies` prints.
type copiesResult struct {
	Copies int   `json:"copies"`
	Files  int   `json:"files"`
	Pages  int   `json:"pages"` // the pages of the copies together
	Bytes  int64 `json:"bytes"`
}

// runCopies builds the input tree of a long run: DIR/copy01/REL,
// DIR/copy02/REL, … for each REL given, enough copies for -pages pages at
// -mix-pages pages per copy. Each copy is ROOT/REL with a PDF comment line
// naming the copy appended after its end: other bytes under another path,
// so that folio parses every copy (neither its skipping, which keys on
// content and path, nor its walk, which takes a file once by real path,
// passes over one), while PDF readers ignore what follows the last %%EOF.
func runCopies(args []string) (*copiesResult, error) {
	fs := newFlags("copies", "-- REL...")
	dir := fs.String("dir", "", "folder to create (required; must not exist)")
	root := fs.String("root", "", "folder the relative paths are in (required)")
	pages := fs.Int("pages", 10000, "pages wanted at least")
	mixPages := fs.Int("mix-pages", 0, "pages of one copy of the files")
	from := fs.String("from", "", "`benchtool time` result of a folio parse --json of the files, for -mix-pages")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *from != "" {
		b, err := os.ReadFile(*from)
		if err != nil {
			return nil, err
		}
		var t timeResult
		if err := json.Unmarshal(b, &t); err != nil {
			return nil, fmt.Errorf("%s: %w", *from, err)
		}
		sum := parseSummary(t.Last)
		if sum == nil {
			return nil, fmt.Errorf("%s: no folio summary", *from)
		}
		*mixPages = sum.Pages
	}
	if *dir == "" || *root == "" || *mixPages < 1 || *pages < 1 || fs.NArg() == 0 {
		fs.Usage()
		return nil, fmt.Errorf("copies: need -dir, -root, -mix-pages ≥ 1 (or -from), -pages ≥ 1 and files")
	}
	if err := os.Mkdir(*dir, 0o755); err != nil {
		return nil, err
	}
	n := (*pages + *mixPages - 1) / *mixPages
	res := &copiesResult{Copies: n, Pages: n * *mixPages}
	for _, rel := range fs.Args() {
		data, err := os.ReadFile(filepath.Join(*root, rel))
		if err != nil {
			return nil, err
		}
		for c := 1; c <= n; c++ {
			name := fmt.Sprintf("copy%02d", c)
			dst := filepath.Join(*dir, name, rel)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return nil, err
			}
			salted := append(slices.Clip(data), fmt.Sprintf("\n%%folio-bench %s\n", name)...)
			if err := os.WriteFile(dst, salted, 0o644); err != nil {
				return nil, err
			}
			res.Files++
		}
		res.Bytes += int64(n * len(data))
	}
	return res, nil
}
