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

func TestPageElements(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	if err := db.StartRun(ctx, sampleRun("run_1", t0)); err != nil {
		t.Fatal(err)
	}
	// sampleDoc puts ten elements a page; the second recording has more.
	if err := db.RecordDocument(ctx, "run_1", sampleDoc("s1", "cfg1", "a.pdf", 12), nil); err != nil {
		t.Fatal(err)
	}
	doc := sampleDoc("s1", "cfg1", "a.pdf", 25)
	if err := db.RecordDocument(ctx, "run_1", doc, nil); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ page, first, n int }{{1, 0, 10}, {2, 10, 10}, {3, 20, 5}, {4, 0, 0}} {
		els, err := db.PageElements(ctx, doc.ID, tt.page)
		if err != nil {
			t.Fatal(err)
		}
		if len(els) != tt.n {
			t.Fatalf("page %d: %d elements, want %d", tt.page, len(els), tt.n)
		}
		for i, e := range els {
			want := doc.Elements[tt.first+i]
			if e.ID != want.ID || e.Ord != tt.first+i || e.Page != tt.page || e.Box != want.Box || e.Type != want.Type || e.Layer != want.Layer || e.Model != want.Model {
				t.Errorf("page %d element %d = %+v, want %+v at ord %d", tt.page, i, e, want, tt.first+i)
			}
		}
	}
	if _, err := db.PageElements(ctx, "doc_unknown", 1); !errors.Is(err, lineage.ErrNotFound) {
		t.Errorf("PageElements of an unknown id: %v, want ErrNotFound", err)
	}
}
