package main

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReplaceSection(t *testing.T) {
	tests := []struct {
		name, md, want string
		fails          bool
	}{
		{name: "appends to a file without markers", md: "# B\n\ntext\n",
			want: "# B\n\ntext\n\n<!-- bench:start -->\nnew\n<!-- bench:end -->\n"},
		{name: "replaces between the markers, leaving the rest",
			md:   "# B\n<!-- bench:start -->\nold\nold\n<!-- bench:end -->\n## After\n",
			want: "# B\n<!-- bench:start -->\nnew\n<!-- bench:end -->\n## After\n"},
		{name: "refuses markers out of order", md: "<!-- bench:end -->\n<!-- bench:start -->\n", fails: true},
		{name: "refuses a lone start marker", md: "<!-- bench:start -->\n", fails: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := replaceSection([]byte(tt.md), []byte("new\n\n"))
			if tt.fails {
				if err == nil {
					t.Fatalf("replaceSection = %q, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("replaceSection (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseGoBench(t *testing.T) {
	out := `goos: linux
pkg: github.com/folio/folio/lineage
BenchmarkCacheGet/hit-2     	   22078	     18308 ns/op	     54622 lookups/s	    4967 B/op	      25 allocs/op
BenchmarkRecordDocument-2   	     196	   2080565 ns/op	     48000 calls/s	       480.6 docs/s
BenchmarkRecordDocument-2   	     196	   2080565 ns/op	     50000 calls/s	       480.6 docs/s
BenchmarkRecordDocument-2   	     196	   2080565 ns/op	     90000 calls/s	       480.6 docs/s
    bench_test.go:12: a log line
pkg: github.com/folio/folio/segment
BenchmarkSegment/x-2   	     100	   2 ns/op
`
	got, err := parseGoBench(strings.NewReader(out), "github.com/folio/folio/lineage")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]float64{
		"BenchmarkCacheGet/hit":   {"ns/op": 18308, "lookups/s": 54622, "B/op": 4967, "allocs/op": 25},
		"BenchmarkRecordDocument": {"ns/op": 2080565, "calls/s": 50000, "docs/s": 480.6},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parseGoBench (-want +got):\n%s", diff)
	}
}

func TestLastJSONObjectAndMedian(t *testing.T) {
	out := "{\"type\":\"document\"}\nnot json\n{\"type\":\"summary\",\"pages\":3}\n{broken\n"
	if got := string(lastJSONObject([]byte(out))); got != `{"type":"summary","pages":3}` {
		t.Errorf("lastJSONObject = %s, want the summary line", got)
	}
	if s := parseSummary(lastJSONObject([]byte(out))); s == nil || s.Pages != 3 {
		t.Errorf("parseSummary = %+v, want 3 pages", s)
	}
	for _, tt := range []struct {
		xs   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 2, 3}, 2.5}} {
		if got := median(tt.xs); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.xs, got, tt.want)
		}
	}
}

func TestTreeRSSCountsThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	kb, pss, procs := treeRSS(os.Getpid())
	if kb <= 0 || pss <= 0 || pss > kb || procs < 1 {
		t.Errorf("treeRSS(self) = %d kB RSS, %d kB PSS in %d processes, want some memory in at least one, PSS at most RSS", kb, pss, procs)
	}
	if kb, _, procs := treeRSS(1 << 30); kb != 0 || procs != 0 {
		t.Errorf("treeRSS of no process = %d kB, %d processes; want 0, 0", kb, procs)
	}
}

func TestWriteFloorSetsEngineBesidePdftotext(t *testing.T) {
	in := &reportInput{
		Timings: map[string]*timeResult{
			resPdftotext1: {Median: 1},
			resFolio1:     {Median: 4, Last: []byte(`{"type":"summary","pages":600}`)},
		},
		EngineBench: map[string]map[string]float64{
			"BenchmarkMix/load":  {"pages/s": 360},
			"BenchmarkMix/parse": {"pages/s": 270},
		},
	}
	var b strings.Builder
	writeFloor(&b, in)
	for _, want := range []string{"| pdftotext, one process | 600 | 1.00 |", "(BenchmarkMix/load) | 360 | 0.60 |",
		"(BenchmarkMix/parse) | 270 | 0.45 |", "other core) | 150 | 0.25 |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("floor section lacks %q:\n%s", want, b.String())
		}
	}
	delete(in.EngineBench, "BenchmarkMix/load")
	b.Reset()
	if writeFloor(&b, in); b.Len() != 0 {
		t.Errorf("without the load benchmark the section is written:\n%s", b.String())
	}
}
