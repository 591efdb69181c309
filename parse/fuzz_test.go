package parse

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/folio/folio"
)

// FuzzParse feeds mutated PDFs to the engine: it must not panic or hang,
// and must fail only with a *folio.Error of a known kind. Coverage through
// wazero depends on goroutine scheduling (a watcher per guest call), so
// nearly every input looks new; skip the minimization of each:
//
//	go test ./parse/ -run '^$' -fuzz FuzzParse -fuzzminimizetime 1x
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.pdf"))
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(pathsPDF(10))
	// Interrupt checks: a mutated input may make PDFium loop.
	e := interruptEngine(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p, err := e.Parse(ctx, folio.Source{Rel: "fuzz.pdf"}, data)
		if err != nil {
			var fe *folio.Error
			if !errors.As(err, &fe) || fe.Kind == "" {
				t.Fatalf("error without a kind: %v", err)
			}
			if fe.Kind == folio.KindCrash || fe.Kind == folio.KindInternal {
				t.Logf("%s: %v", fe.Kind, err)
			}
			return
		}
		for _, pg := range p.Pages {
			for _, w := range pg.Words {
				for _, v := range w.Box {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("page %d word %q has box %v", pg.Number, w.Text, w.Box)
					}
				}
			}
		}
	})
}
