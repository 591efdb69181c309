package segment

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

// TestGolden segments the page dumps in testdata and compares the
// elements with the golden files next to them.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.pages.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("no page dumps in testdata")
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".pages.json")
		t.Run(name, func(t *testing.T) {
			p, err := readPages(f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(goldenView(New(Options{}).Segment(p)), "", " ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("elements differ from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// goldenElement is what the golden files keep of an element: its content
// and links by position, which the element's JSON leaves out.
type goldenElement struct {
	folio.Element
	ParentRef  int `json:"parent_ref,omitempty"`
	CaptionRef int `json:"caption_ref,omitempty"`
}

func goldenView(els []folio.Element) []goldenElement {
	out := make([]goldenElement, len(els))
	for i, e := range els {
		out[i] = goldenElement{Element: e, ParentRef: e.ParentRef, CaptionRef: e.CaptionRef}
	}
	return out
}

// BenchmarkSegment reports the time per page over the page dumps in
// testdata.
func BenchmarkSegment(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.pages.json"))
	if len(files) == 0 {
		b.Skip("no page dumps in testdata")
	}
	for _, f := range files {
		p, err := readPages(f)
		if err != nil {
			b.Fatal(err)
		}
		s := New(Options{})
		b.Run(strings.TrimSuffix(filepath.Base(f), ".pages.json"), func(b *testing.B) {
			for b.Loop() {
				s.Segment(p)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(p.Pages))/1e6, "ms/page")
		})
	}
}

// BenchmarkTables reports the time of table detection and structure
// (ruled, contents and unruled tables) per page, on the page dumps with
// tables. Each iteration starts from a fresh document, as Segment does.
func BenchmarkTables(b *testing.B) {
	for _, name := range []string{"spanning_cells", "borderless_mono_tables", "table_across_pages", "2305.03393v1-pg9"} {
		p, err := readPages(filepath.Join("testdata", name+".pages.json"))
		if err != nil {
			b.Fatal(err)
		}
		opts := Options{}.withDefaults()
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				d := newDoc(p, opts)
				b.StartTimer()
				for _, pg := range d.pages {
					figures := d.findFigures(pg)
					tables := d.findRuledTables(pg, figures)
					tables = append(tables, d.findContents(pg)...)
					d.findTextTables(pg, tables, figures)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(p.Pages))/1e6, "ms/page")
		})
	}
}

// Segment reads its input and never writes it: its words point at the
// parser's words, and the caller still needs them afterwards.
func TestSegmentLeavesItsInputAlone(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.pages.json"))
	if len(files) == 0 {
		t.Skip("no page dumps in testdata")
	}
	for _, f := range files {
		p, err := readPages(f)
		if err != nil {
			t.Fatal(err)
		}
		// Untrimmed text and style flags the segmenter would change on
		// its own copy.
		for i := range p.Pages {
			for j := range p.Pages[i].Words {
				w := &p.Pages[i].Words[j]
				if j%7 == 0 {
					w.Text = " " + w.Text + " "
				}
				if j%5 == 0 {
					w.Font = "Courier-BoldOblique"
				}
			}
		}
		before, err := readPagesAgain(p)
		if err != nil {
			t.Fatal(err)
		}
		New(Options{}).Segment(p)
		if diff := cmp.Diff(before, p); diff != "" {
			t.Errorf("%s: Segment changed its input (-before +after):\n%s", f, diff)
		}
	}
}

// readPagesAgain returns a deep copy of p.
func readPagesAgain(p *folio.Parsed) (*folio.Parsed, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	var q folio.Parsed
	return &q, json.Unmarshal(b, &q)
}
