package parse

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/folio/folio"
)

// BenchmarkWorkerMemory reports one parse worker's resident memory, with
// no cap on it, as folio parse runs it on two cores (the instance's
// memory limit is memoryShare(2)): "startup-peak-MiB" is its peak while
// it compiled PDFium ("cold": an empty cache) or loaded it ("warm": the
// cache TestMain's engine filled), "ready-MiB" what it holds once it has
// said hello, "peak-MiB" its peak over every PDF of the shared corpus
// parsed one after another. Run it with and without -race (make
// bench-memory does both): the supervisor's cap must hold the last two
// with margin; start-up is not capped.
func BenchmarkWorkerMemory(b *testing.B) {
	paths := corpusPDFs(b)
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			workerMemory(b, b.TempDir(), paths)
		}
	})
	b.Run("warm", func(b *testing.B) {
		for b.Loop() {
			workerMemory(b, "", paths)
		}
	})
}

// workerMemory starts a worker with the engine cache in cacheDir (""
// for the default), parses paths with it and reports its memory.
func workerMemory(b *testing.B, cacheDir string, paths []string) {
	so := testSupervisorOptions(Options{MemoryLimit: memoryShare(2), CacheDir: cacheDir})
	so.MaxRSS = 1 << 40
	s := newTestSupervisor(b, so)
	pid := s.pids()[0]
	startup := procStatus(pid, "VmHWM")
	ready := procStatus(pid, "VmRSS")
	// From here VmHWM is the documents' peak (Linux 4.0 and later).
	if err := os.WriteFile("/proc/"+strconv.Itoa(pid)+"/clear_refs", []byte("5"), 0); err != nil {
		b.Fatalf("reset the worker's peak: %v", err)
	}
	var mu sync.Mutex
	peak := ready
	sample := func() {
		var p int64
		for _, pid := range s.pids() {
			p = max(p, procStatus(pid, "VmHWM"))
		}
		mu.Lock()
		peak = max(peak, p)
		mu.Unlock()
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		// A worker retired after a failed document takes its peak with
		// it: sample while it lives.
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				sample()
			}
		}
	})
	failed := 0
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		if _, err := s.Parse(ctx, folio.Source{Rel: path}, data); err != nil {
			failed++
		}
		cancel()
		sample()
	}
	close(stop)
	wg.Wait()
	s.Close()
	b.ReportMetric(float64(startup)/(1<<20), "startup-peak-MiB")
	b.ReportMetric(float64(ready)/(1<<20), "ready-MiB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
	b.ReportMetric(float64(len(paths)), "docs")
	b.ReportMetric(float64(failed), "failed")
}

// corpusPDFs lists every PDF of the shared corpus, or skips the benchmark
// when there is none.
func corpusPDFs(b *testing.B) []string {
	var paths []string
	err := filepath.WalkDir(corpusDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && strings.EqualFold(filepath.Ext(path), ".pdf") {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil || len(paths) == 0 {
		b.Skipf("no corpus PDFs under %s: %v", corpusDir, err)
	}
	return paths
}

// procStatus reads a size field ("VmRSS", "VmHWM") of /proc/PID/status
// in bytes; 0 when the process is gone.
func procStatus(pid int, field string) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
