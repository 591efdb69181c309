package lineage_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/lineage"
	"github.com/google/go-cmp/cmp"
)

// schema3Ledger writes a ledger as Folio wrote it under schema 3 (the
// migrations of that time, then rows as its RecordDocument and
// RecordFailure stored them): a run, a finished document with a heading, a
// table that escalated to a model and its caption, a cache hit, a review
// row, and a failed document.
func schema3Ledger(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "folio.db")
	raw, err := sql.Open("sqlite3", path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	stmts := []string{}
	for _, name := range []string{"0001_init.sql", "0002_outputs_pruned.sql", "0003_call_images.sql"} {
		b, err := os.ReadFile(filepath.Join("migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		stmts = append(stmts, string(b))
	}
	stmts = append(stmts, "PRAGMA user_version = 3",
		`INSERT INTO runs (id, started, finished, version, config, args, ok, failed, calls, usd_micros)
		 VALUES ('run_1', '2026-03-04T05:06:07.000000000Z', '2026-03-04T05:07:07.000000000Z', '0.1.0', 'cfg1', '[]', 1, 1, 3, 1500)`,
		`INSERT INTO run_tags (run, key, value) VALUES ('run_1', 'team', 'finance')`,
		`INSERT INTO documents (id, sha256, path, bytes, format, pages, config, run, status, outputs,
			usd_micros, saved_usd_micros, baseline_usd_micros, input_tokens, output_tokens, calls, cache_hits, finished_at)
		 VALUES ('doc_a', 'sa', 'a.pdf', 1000, 'pdf', 1, 'cfg1', 'run_1', 'ok', '[{"path":"a.pdf.json","sha256":"x"}]',
			1500, 300, 90000, 1700, 250, 3, 1, '2026-03-04T05:06:30.000000000Z')`,
		`INSERT INTO documents (id, sha256, path, bytes, format, pages, config, run, status, error_kind, error, finished_at)
		 VALUES ('fail_b', 'sb', 'b.pdf', 10, 'pdf', 0, 'cfg1', 'run_1', 'failed', 'malformed', 'no xref', '2026-03-04T05:06:40.000000000Z')`,
		`INSERT INTO elements (id, document, ord, type, level, page, x0, y0, x1, y1, layer, parent, caption, text, confidence, fragment, model, status) VALUES
			('el_h', 'doc_a', 0, 'heading', 1, 1, 72, 72, 540, 90, 'body', NULL, NULL, 'Results', 0.9, 'fr_h', 'local/text', 'ok'),
			('el_t', 'doc_a', 1, 'table', 0, 1, 72, 100, 540, 300, 'body', 'el_h', 'el_c', 'a | b', 0.8, 'fr_t', 'openai/gpt-4.1-mini', 'ok'),
			('el_c', 'doc_a', 2, 'caption', 0, 1, 72, 310, 540, 320, 'body', 'el_h', NULL, 'Table 1', 0.9, 'fr_c', 'openai/gpt-4.1-mini', 'ok')`,
		`INSERT INTO fragments (id, element, model, status) VALUES
			('fr_h', 'el_h', 'local/text', 'ok'), ('fr_t', 'el_t', 'openai/gpt-4.1-mini', 'ok'), ('fr_c', 'el_c', 'openai/gpt-4.1-mini', 'ok')`,
		`INSERT INTO calls (id, fragment, attempt, model, usd_micros, status, created) VALUES
			(7, 'fr_h', 1, 'local/text', 0, 'ok', '2026-03-04T05:06:30.000000000Z')`,
		`INSERT INTO calls (id, fragment, attempt, rule, model, endpoint, input_tokens, cached_tokens, output_tokens,
			usd_micros, saved_usd_micros, latency_us, cache_hit, status, error_class, error, retries, prompt, prompt_version,
			request_hash, created, image_width, image_height, image_detail, estimated_image_tokens) VALUES
			(8, 'fr_t', 1, 'table-unruled', 'openai/gpt-4.1-mini', 'https://api.example.com/v1', 900, 100, 150,
				1000, NULL, 850000, 0, 'failed', 'transient', '500', 1, 'table', 3, 'rh1', '2026-03-04T05:06:30.000000000Z', 0, 0, '', 0),
			(9, 'fr_t', 2, 'table-unruled', 'openai/gpt-4.1-mini', 'https://api.example.com/v1', 800, 0, 100,
				500, NULL, 700000, 0, 'ok', '', '', 0, 'table', 3, 'rh2', '2026-03-04T05:06:30.000000000Z', 640, 480, 'low', 85),
			(10, 'fr_c', 1, 'caption', 'openai/gpt-4.1-mini', 'https://api.example.com/v1', 0, 0, 0,
				0, 300, 0, 1, 'ok', '', '', 0, 'caption', 1, 'rh3', '2026-03-04T05:06:30.000000000Z', 0, 0, '', 0)`,
		`INSERT INTO review (element, reason, created) VALUES ('el_t', 'low confidence', '2026-03-04T05:06:30.000000000Z')`,
	)
	for _, s := range stmts {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%.60s…: %v", s, err)
		}
	}
	return path
}

// A schema 3 ledger migrates in place without losing or changing a row, and
// what it recorded reads as before.
func TestOpen_migratesSchema3(t *testing.T) {
	sqliteOnly(t)
	path := schema3Ledger(t)
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// Every column of every call, and the rows of every other table, as
	// text: the migration must keep them all.
	snapshot := func() map[string][]string {
		m := map[string][]string{
			"calls": query(t, raw, `SELECT id || '|' || attempt || '|' || rule || '|' || model || '|' || endpoint || '|' ||
				input_tokens || '|' || cached_tokens || '|' || output_tokens || '|' || COALESCE(usd_micros, 'NULL') || '|' ||
				COALESCE(saved_usd_micros, 'NULL') || '|' || latency_us || '|' || cache_hit || '|' || status || '|' ||
				error_class || '|' || error || '|' || retries || '|' || prompt || '|' || prompt_version || '|' ||
				request_hash || '|' || created || '|' || image_width || '|' || image_height || '|' || image_detail || '|' ||
				estimated_image_tokens || '|' || fragment FROM calls ORDER BY id`),
			"documents": query(t, raw, `SELECT id || '|' || path || '|' || status || '|' || outputs || '|' || usd_micros || '|' ||
				COALESCE(baseline_usd_micros, 'NULL') || '|' || COALESCE(error_kind, '') || '|' || finished_at FROM documents ORDER BY id`),
			"elements": query(t, raw, `SELECT id || '|' || ord || '|' || type || '|' || COALESCE(parent, '') || '|' ||
				COALESCE(caption, '') || '|' || text || '|' || COALESCE(model, '') FROM elements ORDER BY id`),
			"fragments": query(t, raw, `SELECT id || '|' || element || '|' || model || '|' || status FROM fragments ORDER BY id`),
			"review":    query(t, raw, `SELECT element || '|' || reason FROM review`),
			"runs":      query(t, raw, `SELECT id || '|' || usd_micros || '|' || calls FROM runs`),
			"run_tags":  query(t, raw, `SELECT run || '|' || key || '|' || value FROM run_tags`),
		}
		return m
	}
	before := snapshot()

	ctx := context.Background()
	db := openDB(t, path)
	if diff := cmp.Diff(before, snapshot()); diff != "" {
		t.Errorf("rows after migration (-before +after):\n%s", diff)
	}
	if got := query(t, raw, "PRAGMA user_version"); got[0] != fmt.Sprint(lineage.SchemaVersion()) {
		t.Errorf("user_version = %s, want %d", got[0], lineage.SchemaVersion())
	}
	// Each document is its own current recording, and its children belong
	// to it.
	got := query(t, raw, `
		SELECT d.id || ' ' || (d.superseded IS NULL) || ' ' ||
			(SELECT count(*) FROM elements e WHERE e.rec = d.rec) || ' ' ||
			(SELECT count(*) FROM calls c WHERE c.rec = d.rec)
		FROM documents d ORDER BY d.id`)
	if diff := cmp.Diff([]string{"doc_a 1 3 4", "fail_b 1 0 0"}, got); diff != "" {
		t.Errorf("recordings (-want +got):\n%s", diff)
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}

	ts, err := db.Trace(ctx, "el_t")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ts[0].Fragment.Calls); n != 2 || ts[0].Element.Caption != "el_c" || ts[0].Document.Run != "run_1" {
		t.Errorf("trace of the table after migration: %d calls, caption %q, run %q", n, ts[0].Element.Caption, ts[0].Document.Run)
	}
	rep, err := db.Cost(ctx, "tag", lineage.Spent)
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Total; r.Calls != 3 || r.USDMicros != 1500 || r.SavedUSDMicros != 300 || r.CacheHits != 1 {
		t.Errorf("cost after migration: %+v, want 3 calls, $0.0015, $0.0003 saved, 1 hit", r)
	}

	// The migrated ledger takes new recordings of the same document as
	// any other: superseding, never deleting.
	if err := db.StartRun(ctx, sampleRun("run_2", t0)); err != nil {
		t.Fatal(err)
	}
	doc := sampleDoc("sa", "cfg1", "a.pdf", 4)
	doc.ID = "doc_a"
	if err := db.RecordDocument(ctx, "run_2", doc, nil); err != nil {
		t.Fatal(err)
	}
	if got := query(t, raw, "SELECT count(*) FROM calls"); got[0] != fmt.Sprint(4+sampleCalls(4)) {
		t.Errorf("calls after recording doc_a again: %s, want %d", got[0], 4+sampleCalls(4))
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}

// A migration that fails part way leaves the ledger as it was: schema 3,
// every row in place.
func TestOpen_failedMigrationChangesNothing(t *testing.T) {
	sqliteOnly(t)
	path := schema3Ledger(t)
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// A call whose fragment is gone (written with foreign keys off) cannot
	// be carried over; the migration must refuse rather than drop it.
	if _, err := raw.Exec(`PRAGMA foreign_keys = OFF`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO fragments (id, element, model, status) VALUES ('fr_orphan', 'el_gone', 'local/text', 'ok')`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO calls (id, fragment, attempt, model, status, created) VALUES (99, 'fr_orphan', 1, 'openai/x', 'ok', 'now')`); err != nil {
		t.Fatal(err)
	}
	db, err := lineage.Open(context.Background(), path)
	if err == nil {
		db.Close()
		t.Fatal("Open migrated a ledger with an orphan call; want an error")
	}
	if !strings.Contains(err.Error(), "every_row_carried_over") || !strings.Contains(err.Error(), path) {
		t.Errorf("Open: %v; want the ledger's path and the failed check", err)
	}
	if got := query(t, raw, "PRAGMA user_version"); got[0] != "3" {
		t.Errorf("user_version after a failed migration = %s, want 3", got[0])
	}
	if got := query(t, raw, "SELECT count(*) FROM calls"); got[0] != "5" {
		t.Errorf("calls after a failed migration = %s, want 5", got[0])
	}
}
