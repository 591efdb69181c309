package synth_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/synth"
	"github.com/google/go-cmp/cmp"
)

func TestRecoverRemovesTempFilesAndFindsDocuments(t *testing.T) {
	w, out := newWriter(t, synth.Options{Markdown: true})
	ctx := context.Background()
	for _, rel := range []string{"a.pdf", "sub/b.pdf"} {
		if _, err := w.Write(ctx, imageDoc(t, rel, 1)); err != nil {
			t.Fatal(err)
		}
	}
	// What a kill in the middle of writes leaves, and files that are not
	// Folio's documents.
	for name, body := range map[string]string{
		".a.pdf.json.tmp-ABCDEFGHIJKL":                "{\"sche",
		"sub/.c.pdf.md.tmp-ABCDEFGHIJKL":              "# half",
		"sub/b.pdf.assets/.p1-2.png.tmp-ABCDEFGHIJKL": "\x89PNG",
		"notes.json":                 `{"hello": "world"}`,
		"broken.pdf.json":            `{"schema": "folio.document/v1", "id": `,
		"sub/b.pdf.assets/meta.json": `{"schema": "folio.document/v1", "id": "doc_x"}`,
	} {
		mustWrite(t, filepath.Join(out, filepath.FromSlash(name)), body)
	}
	removed, found, err := w.Recover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if removed != 3 {
		t.Errorf("removed %d temp files, want 3", removed)
	}
	noTemp(t, out)
	want := []folio.Found{{Rel: "a.pdf", ID: "doc_a.pdf"}, {Rel: "sub/b.pdf", ID: "doc_sub/b.pdf"}}
	if diff := cmp.Diff(want, found); diff != "" {
		t.Errorf("found (-want +got):\n%s", diff)
	}
}

func TestRemoveDeletesEveryOutputOfADocument(t *testing.T) {
	w, out := newWriter(t, synth.Options{Markdown: true})
	ctx := context.Background()
	for _, rel := range []string{"keep/k.pdf", "x/y/z.pdf"} {
		if _, err := w.Write(ctx, imageDoc(t, rel, 1, 2)); err != nil {
			t.Fatal(err)
		}
	}
	mustWrite(t, filepath.Join(out, "x", "y", "z.pdf.assets", "notes.txt"), "not Folio's")
	got, err := w.Remove(ctx, "x/y/z.pdf")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"x/y/z.pdf.json", "x/y/z.pdf.md", "x/y/z.pdf.assets/p1-1.png", "x/y/z.pdf.assets/p2-1.png"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("removed (-want +got):\n%s", diff)
	}
	wantFiles := []string{"keep/", "keep/k.pdf.assets/", "keep/k.pdf.assets/p1-1.png", "keep/k.pdf.assets/p2-1.png",
		"keep/k.pdf.json", "keep/k.pdf.md", "x/", "x/y/", "x/y/z.pdf.assets/", "x/y/z.pdf.assets/notes.txt"}
	if diff := cmp.Diff(wantFiles, files(t, out)); diff != "" {
		t.Errorf("files left (-want +got):\n%s", diff)
	}
	// Removing again is no error, and an emptied tree goes.
	if err := os.Remove(filepath.Join(out, "x", "y", "z.pdf.assets", "notes.txt")); err != nil {
		t.Fatal(err)
	}
	if got, err := w.Remove(ctx, "x/y/z.pdf"); err != nil || len(got) != 0 {
		t.Errorf("second Remove = %v, %v; want nothing, no error", got, err)
	}
	if _, err := os.Stat(filepath.Join(out, "x")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("empty folders left: %v", err)
	}
	if _, err := w.Remove(ctx, "../escape.pdf"); err == nil {
		t.Error("Remove of a path outside the output succeeded")
	}
}

func TestLockIsExclusiveAndSurvivesGC(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	func() {
		// The lock holds across garbage collections while its holder
		// keeps it (here through the cleanup).
		l, err := synth.Lock(ctx, dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Unlock() })
	}()
	for range 3 {
		runtime.GC()
	}
	_, err := synth.Lock(ctx, dir, 0)
	var le *synth.LockedError
	if !errors.As(err, &le) || !errors.Is(err, synth.ErrLocked) {
		t.Fatalf("second Lock = %v, want a *LockedError", err)
	}
	if le.PID != os.Getpid() || !strings.Contains(err.Error(), "another run holds") || le.Path != filepath.Join(dir, synth.LockFile) {
		t.Errorf("LockedError %+v (%v): want this process's pid and the lock file", le, err)
	}
}

func TestLockWaits(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	first, err := synth.Lock(ctx, dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	if _, err := synth.Lock(ctx, dir, 150*time.Millisecond); !errors.Is(err, synth.ErrLocked) || time.Since(t0) < 150*time.Millisecond {
		t.Errorf("Lock with wait = %v after %v; want ErrLocked after the wait", err, time.Since(t0))
	}
	// The wait only bounds the test: Lock returns as soon as the lock is
	// free, however late the unlock comes.
	time.AfterFunc(100*time.Millisecond, func() { first.Unlock() })
	second, err := synth.Lock(ctx, dir, 2*time.Minute)
	if err != nil {
		t.Fatalf("Lock after release: %v", err)
	}
	second.Unlock()

	held, _ := synth.Lock(ctx, dir, 0)
	defer held.Unlock()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := synth.Lock(cctx, dir, time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("Lock with a canceled context = %v, want context.Canceled", err)
	}
}
