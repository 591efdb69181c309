package folio

import (
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"testing"

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

func rels(srcs []Source) []string {
	var out []string
	for _, s := range srcs {
		out = append(out, s.Rel)
	}
	sort.Strings(out)
	return out
}

func TestWalk(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"docs/a/b.pdf", "docs/c.PDF", "docs/notes.txt", "docs/.hidden/x.pdf", "other/a/b.pdf", "loose.pdf"} {
		touch(t, filepath.Join(dir, p))
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "docs", "fifo.pdf"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		inputs      []string
		want        []string
		wantSkipped int
	}{
		{"folder mirrors its tree and skips non-regular files", []string{"docs"}, []string{"a/b.pdf", "c.PDF"}, 1},
		{"file named directly gets its base name", []string{"loose.pdf"}, []string{"loose.pdf"}, 0},
		{"same relative path from two folders does not collide", []string{"docs", "other"}, []string{"a/b.pdf", "c.PDF", "other/a/b.pdf"}, 1},
		{"glob expands", []string{"*.pdf"}, []string{"loose.pdf"}, 0},
		{"same file twice is taken once", []string{"loose.pdf", "./loose.pdf"}, []string{"loose.pdf"}, 0},
		{"fifo named directly is skipped", []string{"docs/fifo.pdf"}, nil, 1},
	}
	t.Chdir(dir)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srcs, skipped, err := Walk(tt.inputs)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, rels(srcs)); diff != "" {
				t.Errorf("rels (-want +got):\n%s", diff)
			}
			if len(skipped) != tt.wantSkipped {
				t.Errorf("skipped = %v, want %d", skipped, tt.wantSkipped)
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
