package segment

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio"
)

var (
	evalPages = flag.String("eval-pages", "", "directory of <file>.pages.json page dumps to segment")
	evalOut   = flag.String("eval-out", "", "directory to write <file>.json outputs for shared/eval/score.py")
	evalTruth = flag.String("eval-truth", "", "comma-separated corpus directories of <file>.truth.json: report what table confidence predicts")
)

// TestEval segments every page dump in -eval-pages and writes the element
// lists where the corpus scorer expects them:
//
//	go test ./segment/ -run TestEval -eval-pages /tmp/folio-pages -eval-out /tmp/folio-eval
//	python3 ../shared/eval/score.py ../shared/corpus/docling-pdf /tmp/folio-eval
//
// With -eval-truth (corpus set directories, comma-separated) it also
// logs what table confidence predicts: see eval_conf_test.go.
func TestEval(t *testing.T) {
	if *evalPages == "" || *evalOut == "" {
		t.Skip("needs -eval-pages and -eval-out")
	}
	files, err := filepath.Glob(filepath.Join(*evalPages, "*.pages.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(*evalOut, 0o755); err != nil {
		t.Fatal(err)
	}
	s := New(Options{})
	var pages int
	var total time.Duration
	var truthDirs []string
	if *evalTruth != "" {
		truthDirs = strings.Split(*evalTruth, ",")
	}
	var scores []tableScore
	for _, f := range files {
		p, err := readPages(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		start := time.Now()
		els := s.Segment(p)
		total += time.Since(start)
		pages += len(p.Pages)
		for i := range els {
			els[i].ID = fmt.Sprintf("e%d", i+1)
			if r := els[i].ParentRef; r > 0 {
				els[i].Parent = fmt.Sprintf("e%d", r)
			}
			if r := els[i].CaptionRef; r > 0 {
				els[i].Caption = fmt.Sprintf("e%d", r)
			}
		}
		out, err := json.MarshalIndent(map[string]any{"elements": els}, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		// The scorer pairs <file>.truth.json with <file>.json, file being
		// the PDF's name; dumps may drop the extension.
		name := strings.TrimSuffix(filepath.Base(f), ".pages.json")
		if !strings.HasSuffix(name, ".pdf") {
			name += ".pdf"
		}
		if tp := truthPath(truthDirs, name); tp != "" {
			ss, err := scoreTables(tp, name, els)
			if err != nil {
				t.Error(err)
			}
			scores = append(scores, ss...)
		}
		name += ".json"
		if err := os.WriteFile(filepath.Join(*evalOut, name), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(truthDirs) > 0 {
		for _, l := range confidenceReport(scores) {
			t.Log(l)
		}
	}
	if pages > 0 {
		t.Logf("%d files, %d pages, %.2f ms/page", len(files), pages, float64(total.Microseconds())/1000/float64(pages))
	}
}

func readPages(path string) (*folio.Parsed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p folio.Parsed
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, err
	}
	return &p, nil
}
