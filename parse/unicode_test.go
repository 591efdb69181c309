package parse

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBulkUnicode(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.pdf")
	for _, extra := range []string{"icdar2013/us-001.pdf", "docling-pdf/right_to_left_02.pdf", "camelot-lattice/arabic.pdf", "tabula-java/indictb1h_14.pdf"} {
		if _, err := os.Stat(filepath.Join(corpusDir, extra)); err == nil {
			files = append(files, filepath.Join(corpusDir, extra))
		}
	}
	if extra := os.Getenv("BULK_GLOB"); extra != "" {
		more, _ := filepath.Glob(extra)
		files = append(files, more...)
	}
	bulkPages := 0
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if p, err := parse(t, testEngine, path, data); err != nil || len(p.Pages) == 0 {
			continue // not a document PDFium opens
		}
		withDoc(t, data, func(d *docParser) {
			l := d.l
			for i := range l.callI32(fnGetPageCount, uint64(d.doc)) {
				page := l.callPtr(fnLoadPage, uint64(d.doc), uint64(i))
				tp := l.callPtr(fnTextLoadPage, uint64(page))
				n := max(l.callI32(fnTextCountChars, uint64(tp)), 0)
				want := make([]rune, n)
				for k := range want {
					want[k] = rune(l.call(fnTextGetUnicode, uint64(tp), uint64(k)))
				}
				got, ok := d.bulkUnicode(tp, n)
				if ok {
					bulkPages++
					if diff := cmp.Diff(string(want), string(got)); diff != "" {
						t.Errorf("%s page %d: bulk text differs from per-character text (-want +got):\n%s", path, i+1, diff)
					}
				} else if n > 0 {
					t.Logf("%s page %d: bulk read refused, %d characters read one by one", path, i+1, n)
				}
				l.call(fnTextClosePage, uint64(tp))
				l.call(fnClosePage, uint64(page))
			}
		})
	}
	if bulkPages == 0 {
		t.Error("no page was read in bulk")
	}
	t.Logf("%d pages read in bulk", bulkPages)
}
