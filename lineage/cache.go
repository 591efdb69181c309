package lineage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"
)

// MaxCacheValue is the largest value, in bytes, that Cache.Put stores.
const MaxCacheValue = 4 << 20

// ErrTooLarge is returned, wrapped, by Cache.Put for a value larger than
// MaxCacheValue.
var ErrTooLarge = errors.New("too large")

const (
	// hitQueue is how many cache hits may wait to be counted; hits beyond
	// it are not counted.
	hitQueue = 4096
	// hitBatch is how many distinct keys are counted before the counts are
	// written without waiting for hitInterval.
	hitBatch = 512
	// hitInterval is how long counted hits wait to be written together.
	hitInterval = 250 * time.Millisecond
)

// Cache is the ledger's response cache: model answers by request key, so
// that a re-run, or a run after a crash, pays nothing twice. It is the one
// writer of the ledger file besides the run's one transaction per document
// (routing writes it while documents are in flight), and what it may lose
// is hit counts (batched, written when convenient), never answers: a Put
// commits before the answer is used.
type Cache struct{ db *DB }

// Cache returns the ledger's response cache, the only part of the ledger
// routing may use.
func (db *DB) Cache() *Cache { return &Cache{db} }

// Get returns the value stored under key; ok is false on a miss. It
// reads through the read pool, so it never waits for a writer, in this
// process or another. The hit is counted (the entry's hits and last_used)
// in the background and written when convenient; a count that cannot be
// written is dropped, as the cache is correct without it.
func (c *Cache) Get(ctx context.Context, key string) (value []byte, ok bool, err error) {
	db := c.db
	if key == "" {
		return nil, false, errors.New("cache get: empty key")
	}
	err = db.read.QueryRowContext(ctx, `SELECT value FROM cache WHERE key = ?`, key).Scan(&value)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("cache get %s: %w", key, err)
	}
	if value == nil {
		value = []byte{}
	}
	if db.hits != nil { // nil when read-only
		db.hits.add(key)
	}
	return value, true, nil
}

// Put stores value under key, replacing any older value and its hit
// count, in one immediate write transaction. A value larger than
// MaxCacheValue is refused with an error wrapping ErrTooLarge.
func (c *Cache) Put(ctx context.Context, key string, value []byte) error {
	db := c.db
	if key == "" {
		return errors.New("cache put: empty key")
	}
	if len(value) > MaxCacheValue {
		return fmt.Errorf("cache put %s: value of %d bytes: %w (limit %d)", key, len(value), ErrTooLarge, MaxCacheValue)
	}
	if value == nil {
		value = []byte{} // a zero-length blob, not NULL
	}
	err := db.update(ctx, func(tx *writeTx) error {
		now := formatTime(tx.now)
		_, err := tx.ExecContext(ctx, `
			INSERT INTO cache (key, value, created, last_used, hits) VALUES (?1, ?2, ?3, ?3, 0)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value,
				created = excluded.created, last_used = excluded.last_used, hits = 0`,
			key, value, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("cache put %s: %w", key, err)
	}
	return nil
}

// hitCounter carries cache hits from Cache.Get to the goroutine that writes
// them (DB.countHits), which Close stops.
type hitCounter struct {
	keys     chan string
	quit     chan struct{}
	done     chan struct{}
	quitOnce sync.Once
}

func newHitCounter() *hitCounter {
	return &hitCounter{
		keys: make(chan string, hitQueue),
		quit: make(chan struct{}),
		done: make(chan struct{}),
	}
}

// add queues a hit on key without waiting; when the queue is full the hit
// is not counted.
func (h *hitCounter) add(key string) {
	select {
	case h.keys <- key:
	default:
	}
}

// stop makes countHits write what it holds and end, and waits for it.
func (h *hitCounter) stop() {
	h.quitOnce.Do(func() { close(h.quit) })
	<-h.done
}

// countHits collects queued cache hits and writes them in batches, one
// write transaction per batch, until the hit counter is stopped.
func (db *DB) countHits() {
	h := db.hits
	defer close(h.done)
	pending := map[string]int64{}
	var due <-chan time.Time
	for {
		select {
		case k := <-h.keys:
			pending[k]++
			if due == nil {
				due = time.After(hitInterval)
			}
			if len(pending) < hitBatch {
				continue
			}
		case <-due:
		case <-h.quit:
			for len(h.keys) > 0 { // this goroutine is the only receiver
				pending[<-h.keys]++
			}
			db.writeHits(pending)
			return
		}
		db.writeHits(pending)
		clear(pending)
		due = nil
	}
}

// writeHits adds counted hits to the cache entries.
func (db *DB) writeHits(pending map[string]int64) {
	if len(pending) == 0 {
		return
	}
	err := db.update(context.Background(), func(tx *writeTx) error {
		st, err := tx.Prepare(`UPDATE cache SET hits = hits + ?, last_used = ? WHERE key = ?`)
		if err != nil {
			return err
		}
		defer st.Close()
		now := formatTime(tx.now)
		// In key order: writers that count the same keys lock them in
		// one order, so PostgreSQL never sees them deadlock.
		for _, k := range slices.Sorted(maps.Keys(pending)) {
			if _, err := st.Exec(pending[k], now, k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Logger.Warn("ledger: cache hits not counted", "keys", len(pending), "err", err)
	}
}
