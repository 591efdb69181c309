package parse

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/folio/folio"
)

// BenchmarkParse reports pages/s for a few documents, one at a time (run
// with -cpu 1 for one core). Corpus documents are skipped when the corpus
// is missing.
// BenchmarkParse measures the engine as folio parse runs it: in a worker,
// without wazero's interrupt checks.
func BenchmarkParse(b *testing.B) {
	e := newTestEngine(b, Options{NoInterrupt: true})
	for _, path := range []string{
		"testdata/2305.03393v1-pg9.pdf",
		corpusDir + "/docling-pdf/redp5110_sampled.pdf",
		corpusDir + "/icdar2013/us-001.pdf",
		corpusDir + "/robustness/unstructured__DA-619p.pdf",
	} {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Logf("skip %s: %v", path, err)
			continue
		}
		b.Run(filepath.Base(path), func(b *testing.B) {
			pages := 0
			for b.Loop() {
				p, err := e.Parse(context.Background(), folio.Source{Rel: path}, data)
				if err != nil {
					b.Fatal(err)
				}
				pages += len(p.Pages)
			}
			b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}
