package lineage_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/google/go-cmp/cmp"
)

// t0 is the fixed clock of the ledgers under test.
var t0 = time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.UTC)

// openDB opens a ledger at path with a fixed clock, closed when the test
// ends.
func openDB(tb testing.TB, path string) *lineage.DB {
	tb.Helper()
	db, err := lineage.Open(context.Background(), ledgerAt(tb, path))
	if err != nil {
		tb.Fatal(err)
	}
	db.Now = func() time.Time { return t0 }
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

// newDB opens a fresh ledger in a temporary folder.
func newDB(tb testing.TB) *lineage.DB {
	tb.Helper()
	return openDB(tb, filepath.Join(tb.TempDir(), "ledger", "folio.db"))
}

// rawDB opens the ledger file with plain database/sql for checks the API
// does not offer.
func rawDB(tb testing.TB, db *lineage.DB) *sql.DB {
	tb.Helper()
	if lineage.IsPostgres(db.Path()) {
		raw, err := lineage.OpenRawPostgres(db.Path())
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { raw.Close() })
		return raw
	}
	raw, err := sql.Open("sqlite3", db.Path()+"?_busy_timeout=10000")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}

// query returns the first column of every row of q, as text.
func query(tb testing.TB, raw *sql.DB, q string, args ...any) []string {
	tb.Helper()
	rows, err := raw.Query(q, args...)
	if err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			tb.Fatal(err)
		}
		if !s.Valid {
			s.String = "NULL"
		}
		out = append(out, s.String)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// counts returns the number of rows in each ledger table.
func counts(tb testing.TB, raw *sql.DB) map[string]string {
	tb.Helper()
	m := map[string]string{}
	for _, table := range []string{"runs", "documents", "elements", "fragments", "calls"} {
		m[table] = query(tb, raw, "SELECT count(*) FROM "+table)[0]
	}
	return m
}

func TestOpen(t *testing.T) {
	sqliteOnly(t)
	path := filepath.Join(t.TempDir(), "new", "dir", "folio.db")
	want := map[string][]string{
		"PRAGMA journal_mode": {"wal"},
		"PRAGMA user_version": {fmt.Sprint(lineage.SchemaVersion())},
		"SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name": {
			"answers", "cache", "calls", "decisions", "documents", "elements", "error_classes", "fragments", "prices", "review", "run_tags", "runs",
		},
	}
	// Opening twice applies the migrations once and changes nothing the
	// second time.
	for i := range 2 {
		db := openDB(t, path)
		raw := rawDB(t, db)
		got := map[string][]string{}
		for q := range want {
			got[q] = query(t, raw, q)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("open %d: schema (-want +got):\n%s", i+1, diff)
		}
		if err := db.IntegrityCheck(context.Background()); err != nil {
			t.Errorf("open %d: %v", i+1, err)
		}
	}
	if lineage.SchemaVersion() < 1 {
		t.Errorf("SchemaVersion() = %d, want at least 1", lineage.SchemaVersion())
	}
}

func TestOpen_refusesNewerSchema(t *testing.T) {
	db := newDB(t)
	raw := rawDB(t, db)
	if _, err := raw.Exec(schemaVersionSQL(lineage.SchemaVersion() + 1)); err != nil {
		t.Fatal(err)
	}
	_, err := lineage.Open(context.Background(), db.Path())
	if err == nil || !strings.Contains(err.Error(), "upgrade folio") {
		t.Fatalf("Open of a newer ledger: err = %v, want an upgrade error", err)
	}
}

func TestOpen_rejectsNonFile(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db?mode=memory"} {
		if db, err := lineage.Open(context.Background(), path); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded, want an error", path)
		}
	}
}

// Processes that start together create a new ledger together: each opens
// it without "database is locked" and the migrations run once.
func TestOpen_concurrently(t *testing.T) {
	for range 20 {
		path := filepath.Join(t.TempDir(), "folio.db")
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				db, err := lineage.Open(context.Background(), ledgerAt(t, path))
				if err != nil {
					t.Error(err)
					return
				}
				if err := db.Close(); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		db := openDB(t, path)
		if got := query(t, rawDB(t, db), schemaVersionQuery()); got[0] != fmt.Sprint(lineage.SchemaVersion()) {
			t.Fatalf("user_version = %s, want %d", got[0], lineage.SchemaVersion())
		}
	}
}

// Two handles on one file, as two folio processes would have, write
// concurrently; SQLite's busy timeout and BEGIN IMMEDIATE serialise them
// without "database is locked".
func TestConcurrentWriters(t *testing.T) {
	const (
		handles   = 2
		perHandle = 50
		workers   = 5
	)
	path := filepath.Join(t.TempDir(), "folio.db")
	ctx := context.Background()
	dbs := make([]*lineage.DB, handles)
	for i := range dbs {
		dbs[i] = openDB(t, path)
		if err := dbs[i].StartRun(ctx, folio.Run{ID: fmt.Sprintf("run_%d", i), Version: "test", Config: "cfg"}); err != nil {
			t.Fatal(err)
		}
	}

	var wg sync.WaitGroup
	errs := make(chan error, handles*perHandle*2)
	for h, db := range dbs {
		for w := range workers {
			wg.Go(func() {
				for n := w; n < perHandle; n += workers {
					sha := fmt.Sprintf("sha-%d-%d", h, n)
					doc := sampleDoc(sha, "cfg", fmt.Sprintf("h%d/%d.pdf", h, n), 20)
					if err := db.RecordDocument(ctx, fmt.Sprintf("run_%d", h), doc, []folio.Output{{Path: sha + ".json"}}); err != nil {
						errs <- err
					}
					// Readers run alongside the writers.
					if done, err := db.Done(ctx, sha, "cfg"); err != nil || !done {
						errs <- fmt.Errorf("Done(%s) = %v, %v; want true", sha, done, err)
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	got := counts(t, rawDB(t, dbs[0]))
	want := map[string]string{
		"runs":      "2",
		"documents": fmt.Sprint(handles * perHandle),
		"elements":  fmt.Sprint(handles * perHandle * 20),
		"fragments": fmt.Sprint(handles * perHandle * 20),
		"calls":     fmt.Sprint(handles * perHandle * sampleCalls(20)),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	for _, db := range dbs {
		if err := db.IntegrityCheck(ctx); err != nil {
			t.Error(err)
		}
	}
}

func TestIntegrityCheck_reportsForeignKeyViolations(t *testing.T) {
	sqliteOnly(t)
	db := newDB(t)
	raw := rawDB(t, db)
	// A connection without foreign_keys on can break the ledger; the check
	// must notice.
	if _, err := raw.Exec(`INSERT INTO fragments (rec, id, element, model, status) VALUES (1, 'fr_x', 'el_missing', 'local/text', 'ok')`); err != nil {
		t.Fatal(err)
	}
	err := db.IntegrityCheck(context.Background())
	if err == nil || !strings.Contains(err.Error(), "fragments") {
		t.Fatalf("IntegrityCheck = %v, want a fragments violation", err)
	}
}

// A ledger opened read-only answers reads, refuses writes, and creates no
// file; a missing one is fs.ErrNotExist, another schema version an error.
func TestOpenReadOnly(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "folio.db")
	if _, err := lineage.OpenReadOnly(ctx, path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("OpenReadOnly of a missing ledger: %v, want fs.ErrNotExist", err)
	}
	db := openDB(t, path)
	if err := db.StartRun(ctx, sampleRun("run_1", t0)); err != nil {
		t.Fatal(err)
	}
	doc := sampleDoc("s1", "cfg1", "a.pdf", 3)
	if err := db.RecordDocument(ctx, "run_1", doc, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadDir(dir)

	ro, err := lineage.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := ro.Finished(ctx, doc.ID); err != nil || !ok {
		t.Errorf("Finished on the read-only ledger: %v, %v", ok, err)
	}
	if err := ro.StartRun(ctx, sampleRun("run_2", t0)); !errors.Is(err, lineage.ErrReadOnly) {
		t.Errorf("StartRun on the read-only ledger: %v, want ErrReadOnly", err)
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadDir(dir)
	if len(after) != len(before) {
		t.Errorf("files before %v, after %v", before, after)
	}

	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", lineage.SchemaVersion()-1)); err != nil {
		t.Fatal(err)
	}
	if _, err := lineage.OpenReadOnly(ctx, path); err == nil || !strings.Contains(err.Error(), "schema version") {
		t.Errorf("OpenReadOnly of an older schema: %v, want a schema version error", err)
	}
}
