package parse

import (
	"context"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio"
)

var (
	dumpOut = flag.String("dump-out", "", "directory to write <name>.pages.json page dumps to (enables TestDumpPages)")
	dumpIn  = flag.String("dump-in", "../../shared/corpus/docling-pdf", "comma-separated PDF files or directories (searched recursively) to dump")
)

// TestDumpPages writes the parsed page model of every input PDF as JSON,
// for developing and golden-testing the segmenter:
//
//	go test ./parse/ -run TestDumpPages -dump-out /tmp/folio-pages -dump-in a.pdf,dir
func TestDumpPages(t *testing.T) {
	if *dumpOut == "" {
		t.Skip("page dump: give -dump-out DIR (and -dump-in FILES,DIRS)")
	}
	var files []string
	for _, in := range strings.Split(*dumpIn, ",") {
		in = strings.TrimSpace(in)
		if in == "" {
			continue
		}
		err := filepath.WalkDir(in, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".pdf") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walk %s: %v", in, err)
		}
	}
	if err := os.MkdirAll(*dumpOut, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		start := time.Now()
		p, err := testEngine.Parse(ctx, folio.Source{Path: path, Rel: filepath.Base(path)}, data)
		cancel()
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		out, err := json.MarshalIndent(p, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(path)
		dst := filepath.Join(*dumpOut, strings.TrimSuffix(base, filepath.Ext(base))+".pages.json")
		if err := os.WriteFile(dst, out, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d pages in %v → %s", path, len(p.Pages), time.Since(start).Round(time.Millisecond), dst)
	}
}
