package lineage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/folio/folio/lineage"
	"github.com/google/go-cmp/cmp"
)

func TestCache(t *testing.T) {
	big := bytes.Repeat([]byte{0xab}, lineage.MaxCacheValue)
	type put struct {
		key   string
		value []byte
	}
	tests := []struct {
		name    string
		puts    []put
		get     string
		want    []byte
		wantHit bool
	}{
		{name: "miss on an empty cache", get: "k1"},
		{name: "miss on another key", puts: []put{{"k1", []byte("a")}}, get: "k2"},
		{name: "round trip", puts: []put{{"k1", []byte(`{"cells":[]}`)}}, get: "k1", want: []byte(`{"cells":[]}`), wantHit: true},
		{name: "binary value", puts: []put{{"k1", []byte{0, 1, 0xff, 0}}}, get: "k1", want: []byte{0, 1, 0xff, 0}, wantHit: true},
		{name: "empty value is a hit", puts: []put{{"k1", nil}}, get: "k1", want: []byte{}, wantHit: true},
		{name: "overwrite keeps the newest", puts: []put{{"k1", []byte("old")}, {"k1", []byte("new")}}, get: "k1", want: []byte("new"), wantHit: true},
		{name: "value at the size limit", puts: []put{{"k1", big}}, get: "k1", want: big, wantHit: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := newDB(t)
			ctx := context.Background()
			for _, p := range tt.puts {
				if err := db.Cache().Put(ctx, p.key, p.value); err != nil {
					t.Fatal(err)
				}
			}
			got, ok, err := db.Cache().Get(ctx, tt.get)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.wantHit || !bytes.Equal(got, tt.want) || (ok && got == nil) {
				t.Errorf("Cache.Get(%q) = %d bytes %v, want %d bytes %v", tt.get, len(got), ok, len(tt.want), tt.wantHit)
			}
		})
	}
}

func TestCache_refuses(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	if err := db.Cache().Put(ctx, "k1", []byte("kept")); err != nil {
		t.Fatal(err)
	}
	err := db.Cache().Put(ctx, "k1", make([]byte, lineage.MaxCacheValue+1))
	if !errors.Is(err, lineage.ErrTooLarge) {
		t.Errorf("Cache.Put of %d bytes = %v, want ErrTooLarge", lineage.MaxCacheValue+1, err)
	}
	if got, ok, err := db.Cache().Get(ctx, "k1"); err != nil || !ok || string(got) != "kept" {
		t.Errorf("after a refused put, Cache.Get = %q, %v, %v; want the earlier value", got, ok, err)
	}
	if err := db.Cache().Put(ctx, "", []byte("x")); err == nil {
		t.Error("Cache.Put with an empty key succeeded, want an error")
	}
	if _, _, err := db.Cache().Get(ctx, ""); err == nil {
		t.Error("Cache.Get with an empty key succeeded, want an error")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := db.Cache().Get(cancelled, "k1"); !errors.Is(err, context.Canceled) {
		t.Errorf("Cache.Get with a cancelled context = %v, want context.Canceled", err)
	}
}

// Hits are counted in the background and written by Close at the latest;
// overwriting an entry starts its count again.
func TestCacheGet_countsHits(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "folio.db")
	db, err := lineage.Open(ctx, ledgerAt(t, path))
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return t0 }
	for _, k := range []string{"k1", "k2", "k3"} {
		if err := db.Cache().Put(ctx, k, []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Cache().Put(ctx, "k3", []byte("again")); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return t0.Add(time.Hour) }
	for _, k := range []string{"k1", "k1", "k1", "k2", "missing"} {
		if _, _, err := db.Cache().Get(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}

	got := query(t, rawDB(t, openDB(t, path)), `SELECT key || ' ' || hits || ' ' || created || ' ' || last_used FROM cache ORDER BY key`)
	want := []string{
		"k1 3 2026-03-04T05:06:07.123456789Z 2026-03-04T06:06:07.123456789Z",
		"k2 1 2026-03-04T05:06:07.123456789Z 2026-03-04T06:06:07.123456789Z",
		"k3 0 2026-03-04T05:06:07.123456789Z 2026-03-04T05:06:07.123456789Z",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cache rows (-want +got):\n%s", diff)
	}
}

// While another process holds the write lock, CacheGet answers at once;
// the hit is counted once the lock is released.
func TestCacheGet_doesNotWaitForWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "folio.db")
	db, err := lineage.Open(ctx, ledgerAt(t, path))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Cache().Put(ctx, "k1", []byte("v1")); err != nil {
		t.Fatal(err)
	}

	other := rawDB(t, db)
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, beginWriting()); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "UPDATE runs SET version = version"); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	got, ok, err := db.Cache().Get(ctx, "k1")
	if err != nil || !ok || string(got) != "v1" {
		t.Fatalf("CacheGet under another writer = %q, %v, %v; want v1", got, ok, err)
	}
	// A read that waited for the writer, which holds its lock until after
	// this check, would give up only after the whole busy timeout.
	if d := time.Since(start); d >= lineage.BusyTimeout {
		t.Errorf("CacheGet under another writer took %v: it waited for the writer", d)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if got := query(t, other, `SELECT hits FROM cache WHERE key = 'k1'`); got[0] != "1" {
		t.Errorf("hits = %s, want 1", got[0])
	}
}

// Two handles on one file, as two folio processes would have, use the
// cache while recording documents, without "database is locked". The cache
// is used until hits have been written during the run, not only by Close.
func TestCache_concurrentWithRecordDocument(t *testing.T) {
	const (
		handles = 2
		workers = 4
		docs    = 20 // per handle
		keys    = 50
	)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "folio.db")
	var log lockedBuffer
	dbs := make([]*lineage.DB, handles)
	for i := range dbs {
		dbs[i] = openDB(t, path)
		dbs[i].Logger = slog.New(slog.NewTextHandler(&log, nil))
		if err := dbs[i].StartRun(ctx, sampleRun(fmt.Sprintf("run_%d", i), t0)); err != nil {
			t.Fatal(err)
		}
	}
	value := func(k int) []byte { return bytes.Repeat([]byte{byte(k)}, 1000+k) }
	// readOnly is read in every round and never put again: its hits only
	// grow, so the test can see when counts are written.
	const readOnly = "read-only"
	if err := dbs[0].Cache().Put(ctx, readOnly, value(keys)); err != nil {
		t.Fatal(err)
	}

	var docWG, cacheWG sync.WaitGroup
	errs := make(chan error, 1000)
	stop := make(chan struct{})
	for h, db := range dbs {
		for w := range workers {
			docWG.Go(func() {
				for n := w; n < docs; n += workers {
					sha := fmt.Sprintf("sha-%d-%d", h, n)
					if err := db.RecordDocument(ctx, fmt.Sprintf("run_%d", h), sampleDoc(sha, "cfg1", sha+".pdf", 20), nil); err != nil {
						errs <- err
					}
				}
			})
			// Both handles put and get the same keys, round after round.
			cacheWG.Go(func() {
				for {
					for k := w; k < keys; k += workers {
						key := fmt.Sprintf("k%d", k)
						if err := db.Cache().Put(ctx, key, value(k)); err != nil {
							errs <- err
							return
						}
						for range 3 {
							got, ok, err := db.Cache().Get(ctx, key)
							if err != nil || !ok || !bytes.Equal(got, value(k)) {
								errs <- fmt.Errorf("Cache.Get(%s) = %d bytes, %v, %v; want %d bytes", key, len(got), ok, err, len(value(k)))
								return
							}
						}
					}
					if got, ok, err := db.Cache().Get(ctx, readOnly); err != nil || !ok || !bytes.Equal(got, value(keys)) {
						errs <- fmt.Errorf("Cache.Get(%s) = %d bytes, %v, %v; want %d bytes", readOnly, len(got), ok, err, len(value(keys)))
						return
					}
					select {
					case <-stop:
						return
					default:
					}
				}
			})
		}
	}
	docWG.Wait()
	// The cache stays in use until a count of hits on readOnly, which no
	// put resets, has been written.
	during := rawDB(t, dbs[0])
	counted := func() bool {
		return query(t, during, `SELECT hits FROM cache WHERE key = ?`, readOnly)[0] != "0"
	}
	for deadline := time.Now().Add(2 * time.Minute); !counted() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if !counted() {
		t.Error("no cache hit was counted while the cache was in use")
	}
	close(stop)
	cacheWG.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, db := range dbs {
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}

	if log.String() != "" {
		t.Errorf("logged:\n%s", log.String())
	}

	db := openDB(t, path)
	raw := rawDB(t, db)
	got := query(t, raw, `SELECT count(*) || ' ' || count(DISTINCT key) FROM cache
		UNION ALL SELECT CAST(count(*) AS TEXT) FROM documents`)
	if diff := cmp.Diff([]string{fmt.Sprintf("%d %d", keys+1, keys+1), fmt.Sprint(handles * docs)}, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	// The last put of a key is followed by three gets, all counted.
	if got := query(t, raw, `SELECT key FROM cache WHERE hits < 3`); len(got) > 0 {
		t.Errorf("keys with fewer than 3 hits counted: %v", got)
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}

// lockedBuffer is a bytes.Buffer for several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
