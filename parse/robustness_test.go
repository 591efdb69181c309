package parse

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/folio/folio"
)

// corpusDir is the shared evaluation corpus, relative to this package.
const corpusDir = "../../shared/corpus"

// TestRobustness parses every hostile PDF of the corpus with a 20 s
// deadline through a parse worker, as folio parse does: each must finish
// with pages or with a *folio.Error of a known kind, in time and without a
// panic.
func TestRobustness(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(corpusDir, "robustness")
	files, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	if len(files) == 0 {
		t.Skipf("no robustness corpus at %s", dir)
	}
	const deadline = 20 * time.Second
	s := newTestSupervisor(t, testSupervisorOptions(Options{}))
	counts := map[string]int{}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		start := time.Now()
		p, err := s.Parse(ctx, folio.Source{Rel: filepath.Base(path)}, data)
		took := time.Since(start)
		cancel()
		if took > deadline+killSlack {
			t.Errorf("%s: took %v, deadline %v", filepath.Base(path), took, deadline)
		}
		if err != nil {
			var fe *folio.Error
			if !errors.As(err, &fe) || fe.Kind == "" {
				t.Errorf("%s: error without a kind: %v", filepath.Base(path), err)
				continue
			}
			counts[string(fe.Kind)]++
			t.Logf("%-60s %-9s %6v  %v", filepath.Base(path), fe.Kind, took.Round(time.Millisecond), fe.Err)
			continue
		}
		counts["ok"]++
		words := 0
		for _, pg := range p.Pages {
			words += len(pg.Words)
		}
		t.Logf("%-60s %-9s %6v  %d pages, %d words, %d warnings %q", filepath.Base(path), "ok", took.Round(time.Millisecond), len(p.Pages), words, len(p.Warnings), p.Warnings)
	}
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		t.Logf("outcome %-10s %d", k, counts[k])
	}
}
