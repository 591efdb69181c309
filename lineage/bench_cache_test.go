package lineage_test

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkCacheGet looks up model answers in a response cache of 10,000
// entries of 2 KiB (about a table's answer): hits and misses from one
// goroutine, and hits from as many goroutines as GOMAXPROCS, as the route
// worker pool does. Hits are counted in the background, as in a run.
func BenchmarkCacheGet(b *testing.B) {
	const entries = 10000
	db := newDB(b)
	ctx := context.Background()
	value := bytes.Repeat([]byte(`{"rows":[["a","1"]]}`), 2048/20)
	keys := make([]string, entries)
	for i := range keys {
		keys[i] = fmt.Sprintf("%064x", i*7919+1)
		if err := db.Cache().Put(ctx, keys[i], value); err != nil {
			b.Fatal(err)
		}
	}
	lookup := func(key string, want bool) error {
		got, ok, err := db.Cache().Get(ctx, key)
		if err != nil || ok != want || (ok && len(got) != len(value)) {
			return fmt.Errorf("Cache.Get(%s) = %d bytes, %v, %v; want hit %v", key, len(got), ok, err, want)
		}
		return nil
	}
	b.Run("hit", func(b *testing.B) {
		n := 0
		for b.Loop() {
			if err := lookup(keys[n%entries], true); err != nil {
				b.Fatal(err)
			}
			n++
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lookups/s")
	})
	b.Run("miss", func(b *testing.B) {
		n := 0
		for b.Loop() {
			if err := lookup(fmt.Sprintf("%064x", n*7919+2), false); err != nil {
				b.Fatal(err)
			}
			n++
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lookups/s")
	})
	b.Run("hit-parallel", func(b *testing.B) {
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := lookup(keys[next.Add(1)%entries], true); err != nil {
					b.Error(err) // FailNow belongs to the benchmark's goroutine
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
	})
}
