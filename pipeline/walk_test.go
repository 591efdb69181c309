package pipeline

import (
	"net"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
)

func touch(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("%PDF-1.4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, p string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

func rels(srcs []folio.Source) []string {
	var out []string
	for _, s := range srcs {
		out = append(out, s.Rel)
	}
	sort.Strings(out)
	return out
}

// walkTree builds the tree the walk tests share, under dir:
//
//	docs/       a/b.pdf c.PDF notes.txt .hidden/x.pdf, a FIFO and a socket
//	other/      a/b.pdf
//	loose.pdf
//	outside/    secret.pdf dir/s.pdf dir/x.pdf (never an input root)
//	links/      real.pdf sub/x.pdf and links: to outside, into docs, loops,
//	            dangling, and aliases of real.pdf and sub
//	toplink     → outside/dir
func walkTree(t *testing.T, dir string) {
	t.Helper()
	for _, p := range []string{"docs/a/b.pdf", "docs/c.PDF", "docs/notes.txt", "docs/.hidden/x.pdf", "other/a/b.pdf", "loose.pdf",
		"outside/secret.pdf", "outside/dir/s.pdf", "outside/dir/x.pdf", "links/real.pdf", "links/sub/x.pdf"} {
		touch(t, filepath.Join(dir, p))
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "docs", "fifo.pdf"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", filepath.Join(dir, "docs", "sock.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	for p, target := range map[string]string{
		"links/out.pdf":      "../outside/secret.pdf",
		"links/outdir":       "../outside/dir",
		"links/in.pdf":       "../docs/c.PDF",
		"links/self":         ".",
		"links/m1":           "m2",
		"links/m2":           "m1",
		"links/dangling.pdf": "nowhere.pdf",
		"links/alias.pdf":    "real.pdf",
		"links/subalias":     "sub",
		"links/sub/back":     "..",
		"links/.hidden.pdf":  "../outside/secret.pdf",
		"links/notes.txt":    "../outside/secret.pdf",
		"toplink":            "outside/dir",
	} {
		symlink(t, target, filepath.Join(dir, p))
	}
}

func TestWalk(t *testing.T) {
	dir := t.TempDir()
	walkTree(t, dir)
	const outside = "outside the input roots"
	tests := []struct {
		name    string
		follow  bool
		inputs  []string
		want    []string
		skipped map[string]string // path → part of the reason
	}{
		{"folder mirrors its tree and skips non-regular files", false, []string{"docs"}, []string{"a/b.pdf", "c.PDF"},
			map[string]string{"docs/fifo.pdf": "named pipe", "docs/sock.pdf": "socket"}},
		{"file named directly gets its base name", false, []string{"loose.pdf"}, []string{"loose.pdf"}, nil},
		{"same relative path from two folders does not collide", false, []string{"docs", "other"}, []string{"a/b.pdf", "c.PDF", "other/a/b.pdf"},
			map[string]string{"docs/fifo.pdf": "named pipe", "docs/sock.pdf": "socket"}},
		{"same base name named directly from three folders does not collide", false, []string{"docs/a/b.pdf", "other/a/b.pdf", "links/sub/x.pdf", "outside/dir/x.pdf"},
			[]string{"a/b.pdf", "b.pdf", "dir/x.pdf", "x.pdf"}, nil},
		{"glob expands", false, []string{"*.pdf"}, []string{"loose.pdf"}, nil},
		{"same file twice is taken once, silently", false, []string{"loose.pdf", "./loose.pdf", dir + "/loose.pdf"}, []string{"loose.pdf"}, nil},
		{"fifo named directly is skipped", false, []string{"docs/fifo.pdf"}, nil, map[string]string{"docs/fifo.pdf": "named pipe"}},
		{"device named directly is skipped", false, []string{"/dev/null"}, nil, map[string]string{"/dev/null": "character device"}},
		{"links leaving the roots, loops and broken links are skipped", false, []string{"links"}, []string{"real.pdf", "sub/x.pdf"},
			map[string]string{
				"links/out.pdf":      outside,
				"links/outdir":       outside,
				"links/in.pdf":       outside,
				"links/self":         "symbolic link loop",
				"links/sub/back":     "symbolic link loop",
				"links/m1":           "broken symbolic link",
				"links/m2":           "broken symbolic link",
				"links/dangling.pdf": "broken symbolic link",
				"links/alias.pdf":    "same file as links/real.pdf",
				"links/subalias":     "same folder as links/sub",
			}},
		{"--follow-symlinks follows links outside, never loops", true, []string{"links"},
			[]string{"in.pdf", "out.pdf", "outdir/s.pdf", "outdir/x.pdf", "real.pdf", "sub/x.pdf"},
			map[string]string{
				"links/self":         "symbolic link loop",
				"links/sub/back":     "symbolic link loop",
				"links/m1":           "broken symbolic link",
				"links/m2":           "broken symbolic link",
				"links/dangling.pdf": "broken symbolic link",
				"links/alias.pdf":    "same file as links/real.pdf",
				"links/subalias":     "same folder as links/sub",
			}},
		{"a link into another root is taken once, by its plain path", false, []string{"links", "docs"},
			[]string{"a/b.pdf", "c.PDF", "real.pdf", "sub/x.pdf"},
			map[string]string{
				"docs/fifo.pdf":      "named pipe",
				"docs/sock.pdf":      "socket",
				"links/in.pdf":       "same file as docs/c.PDF",
				"links/out.pdf":      outside,
				"links/outdir":       outside,
				"links/self":         "symbolic link loop",
				"links/sub/back":     "symbolic link loop",
				"links/m1":           "broken symbolic link",
				"links/m2":           "broken symbolic link",
				"links/dangling.pdf": "broken symbolic link",
				"links/alias.pdf":    "same file as links/real.pdf",
				"links/subalias":     "same folder as links/sub",
			}},
		{"glob matches are links like any other", false, []string{"links/*.pdf"}, []string{"real.pdf"},
			map[string]string{
				"links/out.pdf":      outside,
				"links/in.pdf":       outside,
				"links/.hidden.pdf":  outside, // Go's * matches a leading dot
				"links/dangling.pdf": "broken symbolic link",
				"links/alias.pdf":    "same file as links/real.pdf",
			}},
		{"glob through a linked folder", false, []string{"links/*/x.pdf"}, []string{"x.pdf"},
			map[string]string{
				"links/outdir/x.pdf":   outside,
				"links/subalias/x.pdf": "same file as links/sub/x.pdf",
			}},
		{"a link named directly is a root and followed", false, []string{"links/out.pdf", "toplink"}, []string{"out.pdf", "s.pdf", "x.pdf"}, nil},
		{"a link to another root's file or folder is skipped for its plain path", false, []string{"links", "outside"},
			[]string{"dir/s.pdf", "dir/x.pdf", "real.pdf", "secret.pdf", "sub/x.pdf"},
			map[string]string{
				"links/out.pdf":      "same file as outside/secret.pdf",
				"links/outdir":       "same folder as outside/dir",
				"links/in.pdf":       outside,
				"links/self":         "symbolic link loop",
				"links/sub/back":     "symbolic link loop",
				"links/m1":           "broken symbolic link",
				"links/m2":           "broken symbolic link",
				"links/dangling.pdf": "broken symbolic link",
				"links/alias.pdf":    "same file as links/real.pdf",
				"links/subalias":     "same folder as links/sub",
			}},
	}
	t.Chdir(dir)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srcs, skipped, err := Walker{FollowSymlinks: tt.follow}.Walk(tt.inputs)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, rels(srcs)); diff != "" {
				t.Errorf("rels (-want +got):\n%s", diff)
			}
			got := map[string]string{}
			for _, s := range skipped {
				if _, dup := got[s.Path]; dup {
					t.Errorf("%s skipped twice", s.Path)
				}
				got[s.Path] = s.Reason
			}
			for p, reason := range got {
				if want, ok := tt.skipped[p]; !ok || !strings.Contains(reason, want) {
					t.Errorf("skipped %s: %q, want a reason with %q", p, reason, want)
				}
			}
			for p, want := range tt.skipped {
				if _, ok := got[p]; !ok {
					t.Errorf("%s not skipped, want a reason with %q", p, want)
				}
			}
		})
	}
}

// TestWalkDefaultIsSafe checks that Walk, the zero Walker, does not follow
// a link out of the roots.
func TestWalkDefaultIsSafe(t *testing.T) {
	dir := t.TempDir()
	touch(t, filepath.Join(dir, "secret", "key.pdf"))
	symlink(t, filepath.Join(dir, "secret", "key.pdf"), filepath.Join(dir, "inbox", "invoice.pdf"))
	srcs, skipped, err := Walk([]string{filepath.Join(dir, "inbox")})
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 0 || len(skipped) != 1 || !strings.Contains(skipped[0].Reason, "--follow-symlinks") {
		t.Errorf("Walk = %v, skipped %v; want nothing taken and one skip naming --follow-symlinks", srcs, skipped)
	}
}

// TestWalkOddNames checks that names with odd characters pass through the
// walk unchanged, each to its own Rel, and never to a path with a ".."
// component.
func TestWalkOddNames(t *testing.T) {
	names := []string{
		"new\nline.pdf",
		"tab\there.pdf",
		"ünïcødé ✓ 書類.pdf",
		"NFD-e\u0301.pdf",
		"NFC-\u00e9.pdf",
		"-o.pdf",
		"--force.pdf",
		"a..b.pdf",
		`a\..\..\evil.pdf`,
		"%2e%2e%2fevil.pdf",
		" leading space.pdf",
		"trailing space .pdf",
		"x.pdf.json.pdf",
		"UPPER.PDF",
		"upper.pdf",
		strings.Repeat("l", 251) + ".pdf",
	}
	tests := []struct {
		name   string
		inputs func(dir string) []string
		prefix string // of every Rel
	}{
		{"in a folder", func(dir string) []string { return []string{dir} }, ""},
		{"in a subfolder with an odd name", func(dir string) []string { return []string{dir} }, "-sub\n..x/"},
		{"named directly", func(dir string) []string {
			var in []string
			for _, n := range names {
				in = append(in, filepath.Join(dir, n))
			}
			return in
		}, ""},
		{"by a glob", func(dir string) []string { return []string{filepath.Join(dir, "*")} }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var want []string
			for _, n := range names {
				touch(t, filepath.Join(dir, filepath.FromSlash(tt.prefix), n))
				want = append(want, tt.prefix+n)
			}
			// Hidden files, including ones that look like "..", are passed over.
			touch(t, filepath.Join(dir, "..pdf"))
			touch(t, filepath.Join(dir, "...pdf"))
			srcs, skipped, err := Walk(tt.inputs(dir))
			if err != nil {
				t.Fatal(err)
			}
			switch tt.name {
			case "named directly":
				want = names
			case "by a glob":
				// A glob's matches are named like files, hidden or not.
				want = append(want, "..pdf", "...pdf")
			}
			sort.Strings(want)
			if diff := cmp.Diff(want, rels(srcs)); diff != "" {
				t.Errorf("rels (-want +got):\n%s", diff)
			}
			if len(skipped) != 0 {
				t.Errorf("skipped %v, want none", skipped)
			}
			for _, s := range srcs {
				for c := range strings.SplitSeq(s.Rel, "/") {
					if c == ".." || c == "." || c == "" {
						t.Errorf("Rel %q has a %q component", s.Rel, c)
					}
				}
				if filepath.Base(s.Path) != path.Base(s.Rel) {
					t.Errorf("Path %q and Rel %q name different files", s.Path, s.Rel)
				}
			}
		})
	}
}

// TestWalkSameBaseNames checks that files sharing a base name, or a whole
// relative path, in different folders always get different Rels.
func TestWalkSameBaseNames(t *testing.T) {
	dir := t.TempDir()
	files := []string{"in1/r.pdf", "in1/a/r.pdf", "in2/r.pdf", "in2/a/r.pdf", "in3/in2/r.pdf", "deep/x/in2/r.pdf"}
	for _, f := range files {
		touch(t, filepath.Join(dir, f))
	}
	t.Chdir(dir)
	tests := []struct {
		name   string
		inputs []string
		want   []string
	}{
		{"folders with the same tree", []string{"in1", "in2"}, []string{"a/r.pdf", "in2/a/r.pdf", "in2/r.pdf", "r.pdf"}},
		{"named directly", []string{"in1/r.pdf", "in2/r.pdf", "in3/in2/r.pdf", "deep/x/in2/r.pdf"},
			[]string{"in2/r.pdf", "in3/in2/r.pdf", "r.pdf", "x/in2/r.pdf"}},
		{"a folder whose tree holds another's unique name", []string{"in1", "in2", "in3"},
			[]string{"a/r.pdf", "in2/a/r.pdf", "in2/r.pdf", "in3/in2/r.pdf", "r.pdf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srcs, _, err := Walk(tt.inputs)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, rels(srcs)); diff != "" {
				t.Errorf("rels (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWalkMissingInput(t *testing.T) {
	if _, _, err := Walk([]string{filepath.Join(t.TempDir(), "nope")}); err == nil {
		t.Fatal("Walk of a missing input: want error")
	}
	if _, _, err := Walk([]string{filepath.Join(t.TempDir(), "*.pdf")}); err == nil {
		t.Fatal("Walk of a glob matching nothing: want error")
	}
}

// The walk never takes the output folder, nor any folder holding a Folio
// ledger or lock, as input (a run must not parse its own assets), and says
// so; a file named inside the output folder is passed over too.
func TestWalkNeverTakesOutputFolders(t *testing.T) {
	in := t.TempDir()
	touch(t, filepath.Join(in, "a.pdf"))
	touch(t, filepath.Join(in, "out", "a.pdf.assets", "p1-1.png")) // OUT, not yet with a ledger
	touch(t, filepath.Join(in, "old", "folio.db"))                 // another run's OUT
	touch(t, filepath.Join(in, "old", "b.pdf.assets", "p1-1.png"))
	touch(t, filepath.Join(in, "busy", ".folio.lock")) // a run's OUT, starting
	touch(t, filepath.Join(in, "busy", "c.png"))
	touch(t, filepath.Join(in, "sub", "d.pdf"))
	srcs, skipped, err := Walker{Exclude: []string{filepath.Join(in, "out")}}.Walk(
		[]string{in, filepath.Join(in, "out", "a.pdf.assets", "p1-1.png")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a.pdf", "sub/d.pdf"}, rels(srcs)); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	why := map[string]string{}
	for _, s := range skipped {
		rel, _ := filepath.Rel(in, s.Path)
		why[filepath.ToSlash(rel)] = s.Reason
	}
	want := map[string]string{
		"out":                       "the output folder: never an input",
		"old":                       "holds folio.db: a Folio output folder, never an input",
		"busy":                      "holds .folio.lock: a Folio output folder, never an input",
		"out/a.pdf.assets/p1-1.png": "inside the output folder: never an input",
	}
	if diff := cmp.Diff(want, why); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}
