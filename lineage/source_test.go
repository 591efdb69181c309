package lineage_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/folio/folio/lineage"
)

func TestSource(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	if err := db.StartRun(ctx, sampleRun("run_1", t0)); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(t.TempDir(), "in", "a.pdf")
	old := sampleDoc("s1", "cfg1", "a.pdf", 2)
	old.Source.Path = "relative/a.pdf"
	if err := db.RecordDocument(ctx, "run_1", old, nil); err != nil {
		t.Fatal(err)
	}
	doc := sampleDoc("s1", "cfg1", "a.pdf", 2)
	doc.Source.Path = abs
	if err := db.RecordDocument(ctx, "run_1", doc, nil); err != nil {
		t.Fatal(err)
	}
	noPath := sampleDoc("s2", "cfg1", "b.pdf", 2)
	if err := db.RecordDocument(ctx, "run_1", noPath, nil); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		id, path, sha string
	}{
		{doc.ID, abs, "s1"}, // the current recording, not the first
		{noPath.ID, "", "s2"},
	} {
		path, sha, err := db.Source(ctx, tt.id)
		if err != nil || path != tt.path || sha != tt.sha {
			t.Errorf("Source(%s) = %q, %q, %v; want %q, %q", tt.id, path, sha, err, tt.path, tt.sha)
		}
	}
	if _, _, err := db.Source(ctx, "doc_unknown"); !errors.Is(err, lineage.ErrNotFound) {
		t.Errorf("Source of an unknown id: %v, want ErrNotFound", err)
	}
}
