package folio

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Skipped is an input path the walk passed over, with the reason.
type Skipped struct {
	Path   string
	Reason string
}

// Walk expands inputs (files, folders searched recursively, and glob
// patterns) into sources, each with a relative path that mirrors the input
// tree: a file found under folder docs/ as docs/a/b.pdf gets Rel "a/b.pdf";
// a file named directly gets its base name. Rel values are unique: when two
// inputs would share one, the later keeps its parent folders until it is
// unique. Inside folders only files with a supported extension are taken;
// a file named directly is always taken. Non-regular files (FIFOs, devices)
// and symbolic links to them are skipped. An input that does not exist is
// an error.
func Walk(inputs []string) ([]Source, []Skipped, error) {
	var srcs []Source
	var skipped []Skipped
	seen := map[string]bool{} // absolute paths
	taken := map[string]bool{}
	add := func(p, rel string) {
		abs, err := filepath.Abs(p)
		if err != nil {
			abs = p
		}
		if seen[abs] {
			return
		}
		seen[abs] = true
		rel = uniqueRel(rel, p, taken)
		taken[rel] = true
		srcs = append(srcs, Source{Path: p, Rel: rel, Format: FormatOf(p)})
	}
	for _, in := range inputs {
		matches := []string{in}
		if _, err := os.Lstat(in); err != nil {
			if !hasGlobMeta(in) {
				return nil, nil, fmt.Errorf("input %s: %w", in, err)
			}
			m, gerr := filepath.Glob(in)
			if gerr != nil {
				return nil, nil, fmt.Errorf("input %s: %w", in, gerr)
			}
			if len(m) == 0 {
				return nil, nil, fmt.Errorf("input %s: no file matches", in)
			}
			matches = m
		}
		for _, m := range matches {
			st, err := os.Stat(m)
			if err != nil {
				skipped = append(skipped, Skipped{m, err.Error()})
				continue
			}
			switch {
			case st.IsDir():
				s, err := walkDir(m, add)
				if err != nil {
					return nil, nil, err
				}
				skipped = append(skipped, s...)
			case st.Mode().IsRegular():
				add(m, filepath.Base(m))
			default:
				skipped = append(skipped, Skipped{m, "not a regular file"})
			}
		}
	}
	return srcs, skipped, nil
}

func walkDir(root string, add func(p, rel string)) ([]Skipped, error) {
	var skipped []Skipped
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			skipped = append(skipped, Skipped{p, err.Error()})
			return nil
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if FormatOf(p) == "" || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		// Stat follows a symbolic link to see what it points at.
		st, err := os.Stat(p)
		if err != nil {
			skipped = append(skipped, Skipped{p, err.Error()})
			return nil
		}
		if !st.Mode().IsRegular() {
			skipped = append(skipped, Skipped{p, "not a regular file"})
			return nil
		}
		files = append(files, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk %s: %w", root, err)
	}
	sort.Strings(files)
	for _, p := range files {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			rel = filepath.Base(p)
		}
		add(p, filepath.ToSlash(rel))
	}
	return skipped, nil
}

// uniqueRel returns rel, or when it is taken, rel with more of p's parent
// folders in front until it is free.
func uniqueRel(rel, p string, taken map[string]bool) string {
	if !taken[rel] {
		return rel
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		abs = p
	}
	parts := strings.Split(strings.TrimPrefix(filepath.ToSlash(abs), "/"), "/")
	for k := strings.Count(rel, "/") + 2; k <= len(parts); k++ {
		if cand := path.Join(parts[len(parts)-k:]...); !taken[cand] {
			return cand
		}
	}
	for n := 2; ; n++ {
		cand := fmt.Sprintf("%s~%d", rel, n)
		if !taken[cand] {
			return cand
		}
	}
}

func hasGlobMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

// FormatOf returns the input format Folio reads for a file name ("pdf",
// or for images "png", "jpeg" and "tiff"), or "" when the extension is not
// one Folio reads.
func FormatOf(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".pdf":
		return "pdf"
	case ".png":
		return "png"
	case ".jpg", ".jpeg":
		return "jpeg"
	case ".tif", ".tiff":
		return "tiff"
	}
	return ""
}
