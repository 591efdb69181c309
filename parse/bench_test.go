package parse

import (
	"context"
	"os"
	"path/filepath"
	"strings"
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

// BenchmarkMix runs the engine over make bench's document mix
// (scripts/bench-mix.txt), one document after another on one instance, as
// a worker does. "load" does only what PDFium must do for any text
// extraction: FPDF_LoadPage and FPDFText_LoadPage on every page, then
// closes both. It is the engine's floor, which no work of Folio's can go
// below; "parse" is the whole engine (characters, styles, page objects,
// images). make bench sets both beside pdftotext.
func BenchmarkMix(b *testing.B) {
	docs := mixDocuments(b)
	e := newTestEngine(b, Options{NoInterrupt: true})
	ctx := context.Background()
	b.Run("load", func(b *testing.B) {
		pages := 0
		for b.Loop() {
			for _, d := range docs {
				err := e.withDocument(ctx, "load", folio.Source{Rel: d.name}, d.data, func(l *lib, doc uint32, n int) *docError {
					for i := range n {
						page := l.callPtr(fnLoadPage, uint64(doc), uint64(i))
						if page == 0 {
							continue
						}
						if tp := l.callPtr(fnTextLoadPage, uint64(page)); tp != 0 {
							l.call(fnTextClosePage, uint64(tp))
						}
						l.call(fnClosePage, uint64(page))
						pages++
					}
					return nil
				})
				if err != nil {
					b.Fatalf("%s: %v", d.name, err)
				}
			}
		}
		b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
	})
	b.Run("parse", func(b *testing.B) {
		pages := 0
		for b.Loop() {
			for _, d := range docs {
				p, err := e.Parse(ctx, folio.Source{Rel: d.name}, d.data)
				if err != nil {
					b.Fatalf("%s: %v", d.name, err)
				}
				pages += len(p.Pages)
			}
		}
		b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
	})
}

type mixDocument struct {
	name string
	data []byte
}

// mixDocuments reads the files of scripts/bench-mix.txt from the corpus,
// or skips the benchmark when the corpus is missing.
func mixDocuments(b *testing.B) []mixDocument {
	list, err := os.ReadFile("../scripts/bench-mix.txt")
	if err != nil {
		b.Fatal(err)
	}
	var docs []mixDocument
	for line := range strings.Lines(string(list)) {
		rel := strings.TrimSpace(line)
		if rel == "" || strings.HasPrefix(rel, "#") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(corpusDir, rel))
		if err != nil {
			b.Skipf("mix file missing: %v", err)
		}
		docs = append(docs, mixDocument{rel, data})
	}
	return docs
}
