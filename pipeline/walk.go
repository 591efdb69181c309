package pipeline

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/folio/folio"
)

// Skipped is an input path the walk passed over, with the reason.
type Skipped struct {
	Path   string
	Reason string
}

// Walker expands inputs into sources. Its zero value is the walk Walk does.
type Walker struct {
	// FollowSymlinks follows symbolic links whose target lies outside every
	// input root; without it they are skipped with a warning.
	FollowSymlinks bool
	// Exclude holds folders never walked, such as the run's output folder:
	// they are skipped with a warning.
	Exclude []string
}

// OutputMarkers are the files that make a folder a Folio output folder (a
// ledger, a run's lock): the walk never takes such a folder as input, so a
// run never parses its own outputs (the PNGs of its assets).
var OutputMarkers = []string{"folio.db", ".folio.lock"}

// Walk expands inputs with the zero Walker: symbolic links that leave the
// input roots are skipped.
func Walk(inputs []string) ([]folio.Source, []Skipped, error) { return Walker{}.Walk(inputs) }

// Walk expands inputs (files, folders searched recursively, and glob
// patterns) into sources, each with a relative path that mirrors the input
// tree: a file found under folder docs/ as docs/a/b.pdf gets Rel "a/b.pdf";
// a file named directly gets its base name. Rel values are unique: when two
// inputs would share one, the later keeps its parent folders until it is
// unique. Inside folders only files with a supported extension are taken,
// and names starting with "." are passed over; a file named directly is
// always taken. An input that does not exist is an error.
//
// The input roots are the files and folders named on the command line and,
// for a glob pattern, the folder its first wildcard is in. A symbolic link
// met inside them (a glob's match included) whose target lies outside every
// root is skipped with a warning unless FollowSymlinks is set; an input
// named directly is always followed, since it is a root. Links within the
// roots are followed. Each file and folder is taken once, by its real path:
// a link to a file or folder that is also reached without a link is
// skipped ("same file as …"), so the output sits where the link-free path
// puts it, and a link back to a folder it is in is skipped as a loop.
// Non-regular files (FIFOs, sockets, devices) and broken links are skipped
// with a warning; nothing is ever opened, so none of them can block.
func (w Walker) Walk(inputs []string) ([]folio.Source, []Skipped, error) {
	type match struct {
		path     string
		root     string // the real path of the root it was found under
		rootPath string // that root as given
		glob     bool
	}
	s := &walkState{
		follow:  w.FollowSymlinks,
		exclude: map[string]bool{},
		dirs:    map[string]string{},
		files:   map[string]string{},
		taken:   map[string]bool{},
	}
	for _, p := range w.Exclude {
		if r, err := realPath(p); err == nil {
			s.exclude[r] = true
		} else {
			s.exclude[abs(p)] = true
		}
	}
	var matches []match
	for _, in := range inputs {
		if _, err := os.Lstat(in); err == nil || !hasGlobMeta(in) {
			if err != nil {
				return nil, nil, fmt.Errorf("input %s: %w", in, err)
			}
			real, err := realPath(in)
			if err != nil {
				s.skip(in, "broken symbolic link: %v", unwrapPath(err))
				continue
			}
			s.roots = append(s.roots, real)
			matches = append(matches, match{path: in, root: real, rootPath: in})
			continue
		}
		m, err := filepath.Glob(in)
		if err != nil {
			return nil, nil, fmt.Errorf("input %s: %w", in, err)
		}
		if len(m) == 0 {
			return nil, nil, fmt.Errorf("input %s: no file matches", in)
		}
		dir := globRoot(in)
		real, err := realPath(dir)
		if err != nil {
			return nil, nil, fmt.Errorf("input %s: %w", in, err)
		}
		s.roots = append(s.roots, real)
		for _, p := range m {
			matches = append(matches, match{path: p, root: real, rootPath: dir, glob: true})
		}
	}

	// First every path without a link in it, so that a file reached both
	// ways is taken by its plain path; then the links, breadth first.
	for _, m := range matches {
		real := m.root
		if m.glob {
			rel, err := filepath.Rel(m.rootPath, m.path)
			if err != nil {
				return nil, nil, fmt.Errorf("input %s: %w", m.path, err)
			}
			real = filepath.Join(m.root, rel)
			if r, err := realPath(m.path); err != nil || r != real {
				// A link, or a path through one: checked against the
				// roots with the other links.
				s.links = append(s.links, link{path: m.path, fileRel: filepath.Base(m.path), parent: filepath.Dir(real)})
				continue
			}
		}
		st, err := os.Stat(m.path)
		if err != nil {
			s.skip(m.path, "%v", unwrapPath(err))
			continue
		}
		switch {
		case st.IsDir():
			if err := s.walkDir(m.path, "", real, true); err != nil {
				return nil, nil, err
			}
		case st.Mode().IsRegular():
			s.add(m.path, filepath.Base(m.path), real)
		default:
			s.skip(m.path, "%s", notRegular(st.Mode()))
		}
	}
	for i := 0; i < len(s.links); i++ { // s.links grows as linked folders are walked
		s.followLink(s.links[i])
	}
	return s.srcs, s.skipped, nil
}

// walkState is one walk in progress. Paths called real are absolute with
// every symbolic link resolved.
type walkState struct {
	follow  bool
	exclude map[string]bool   // real paths of folders never walked
	roots   []string          // real paths of the input roots
	dirs    map[string]string // real path → the path a folder was walked as
	files   map[string]string // real path → the path a file was taken as
	taken   map[string]bool   // Rel values given out
	links   []link            // symbolic links met, to resolve after the plain paths
	srcs    []folio.Source
	skipped []Skipped
}

// link is a symbolic link met by the walk, or a glob match whose path goes
// through one.
type link struct {
	path    string
	fileRel string // the Rel it gets when it leads to a file
	dirRel  string // the Rel prefix of what it contains when it leads to a folder
	parent  string // real path of the folder it sits in
}

func (s *walkState) skip(p, format string, args ...any) {
	s.skipped = append(s.skipped, Skipped{p, fmt.Sprintf(format, args...)})
}

// walkDir takes the documents under dir, which is walked as rel (a prefix of
// its files' Rel) and whose real path is real. An unreadable root is an
// error; an unreadable folder below it is skipped.
func (s *walkState) walkDir(dir, rel, real string, root bool) error {
	if _, ok := s.dirs[real]; ok {
		return nil
	}
	s.dirs[real] = dir
	if why := s.notInput(real); why != "" {
		s.skip(dir, "%s", why)
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil && root {
		return fmt.Errorf("walk %s: %w", dir, err)
	}
	if err != nil {
		s.skip(dir, "%v", unwrapPath(err))
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		p, r, pr := filepath.Join(dir, name), path.Join(rel, name), filepath.Join(real, name)
		switch t := e.Type(); {
		case t.IsDir():
			if err := s.walkDir(p, r, pr, false); err != nil {
				return err
			}
		case t&fs.ModeSymlink != 0:
			s.links = append(s.links, link{path: p, fileRel: r, dirRel: r, parent: real})
		case folio.FormatOf(name) == "":
		case t.IsRegular():
			s.add(p, r, pr)
		default:
			s.skip(p, "%s", notRegular(t))
		}
	}
	return nil
}

// notInput says why the folder at real path is never an input: it is
// excluded, or holds a Folio ledger or lock. "" when it is an input.
func (s *walkState) notInput(real string) string {
	if s.exclude[real] {
		return "the output folder: never an input"
	}
	for _, m := range OutputMarkers {
		if _, err := os.Lstat(filepath.Join(real, m)); err == nil {
			return fmt.Sprintf("holds %s: a Folio output folder, never an input", m)
		}
	}
	return ""
}

// followLink resolves l and takes what it leads to, unless it leaves the
// roots (and links outside are not followed), loops, or leads somewhere
// already taken.
func (s *walkState) followLink(l link) {
	real, err := realPath(l.path)
	if err != nil {
		s.skip(l.path, "broken symbolic link: %v", unwrapPath(err))
		return
	}
	st, err := os.Stat(real)
	if err != nil {
		s.skip(l.path, "%v", unwrapPath(err))
		return
	}
	if !st.IsDir() && folio.FormatOf(l.path) == "" {
		return // not a document, like any other file of its name
	}
	if !s.follow && !s.inRoots(real) {
		s.skip(l.path, "symbolic link to %s, outside the input roots (--follow-symlinks follows it)", real)
		return
	}
	switch {
	case st.IsDir():
		prev, walked := s.dirs[real]
		switch {
		case walked && within(l.parent, real):
			s.skip(l.path, "symbolic link loop: leads back to %s", prev)
		case walked:
			s.skip(l.path, "same folder as %s", prev)
		default:
			// Not a root: an unreadable folder is skipped, not fatal.
			_ = s.walkDir(l.path, l.dirRel, real, false)
		}
	case st.Mode().IsRegular():
		s.add(l.path, l.fileRel, real)
	default:
		s.skip(l.path, "%s", notRegular(st.Mode()))
	}
}

// add takes the file p, whose real path is real, as rel (made unique).
func (s *walkState) add(p, rel, real string) {
	if prev, ok := s.files[real]; ok {
		if abs(prev) != abs(p) {
			s.skip(p, "same file as %s", prev)
		}
		return
	}
	s.files[real] = p
	for ex := range s.exclude {
		if within(real, ex) {
			s.skip(p, "inside the output folder: never an input")
			return
		}
	}
	rel = uniqueRel(rel, p, s.taken)
	s.taken[rel] = true
	s.srcs = append(s.srcs, folio.Source{Path: p, Rel: rel, Format: folio.FormatOf(p)})
}

// inRoots reports whether the real path p is one of the input roots or
// inside one.
func (s *walkState) inRoots(p string) bool {
	for _, r := range s.roots {
		if within(p, r) {
			return true
		}
	}
	return false
}

// within reports whether the clean absolute path p is root or below it.
func within(p, root string) bool {
	if p == root || root == string(filepath.Separator) {
		return true
	}
	return strings.HasPrefix(p, root+string(filepath.Separator))
}

// realPath returns p absolute with every symbolic link resolved.
func realPath(p string) (string, error) {
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	return filepath.Abs(r)
}

func abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// unwrapPath drops the operation and path of a *fs.PathError: the skipped
// path is reported beside the reason already.
func unwrapPath(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// notRegular names the kind of a file that is not regular, for a warning.
func notRegular(m fs.FileMode) string {
	kind := "irregular file"
	switch {
	case m&fs.ModeNamedPipe != 0:
		kind = "named pipe"
	case m&fs.ModeSocket != 0:
		kind = "socket"
	case m&fs.ModeCharDevice != 0:
		kind = "character device"
	case m&fs.ModeDevice != 0:
		kind = "device"
	case m.IsDir():
		kind = "folder"
	}
	return "not a regular file (" + kind + ")"
}

// globRoot returns the folder of pattern's first wildcard: the part of it
// without glob characters.
func globRoot(pattern string) string {
	dir := filepath.Dir(pattern)
	for hasGlobMeta(dir) {
		dir = filepath.Dir(dir)
	}
	return dir
}

// uniqueRel returns rel, or when it is taken, rel with more of p's parent
// folders in front until it is free.
func uniqueRel(rel, p string, taken map[string]bool) string {
	if !taken[rel] {
		return rel
	}
	parts := strings.Split(strings.TrimPrefix(filepath.ToSlash(abs(p)), "/"), "/")
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
