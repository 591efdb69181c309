package serve

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// svgElements parses svg as XML, failing the test if it is not well
// formed, and returns its elements by name, in order.
func svgElements(t *testing.T, svg string) map[string][]xml.StartElement {
	t.Helper()
	els := map[string][]xml.StartElement{}
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return els
		}
		if err != nil {
			t.Fatalf("chart is not well-formed XML: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok {
			els[se.Name.Local] = append(els[se.Name.Local], se)
		}
	}
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestBarChart_stacksBarsToScaleOnADollarAxis(t *testing.T) {
	svg := string(barChart("Spend per week", []string{"2026-W01", "2026-W02"}, []chartSeries{
		{Name: "openai/large", Values: []float64{1.5, 2}},
		{Name: "openai/small", Values: []float64{0.5}}, // missing second value: zero
	}))
	els := svgElements(t, svg)
	if got := attr(els["svg"][0], "viewBox"); got != "0 0 720 360" {
		t.Errorf("viewBox = %q, want a fixed one", got)
	}
	var bars []xml.StartElement
	for _, r := range els["rect"] {
		if attr(r, "width") != "12" { // legend swatches are 12 wide
			bars = append(bars, r)
		}
	}
	if len(bars) != 3 {
		t.Fatalf("%d bars, want 3 (a zero value draws none):\n%s", len(bars), svg)
	}
	h := func(i int) float64 { return num(t, attr(bars[i], "height")) }
	if r := h(0) / h(1); math.Abs(r-3) > 0.01 {
		t.Errorf("bar heights %.1f and %.1f: ratio %.2f, want 3 (1.5 against 0.5)", h(0), h(1), r)
	}
	// Stacked: the second series sits on top of the first.
	if top, bottom := num(t, attr(bars[0], "y")), num(t, attr(bars[1], "y"))+h(1); math.Abs(top-bottom) > 0.15 {
		t.Errorf("second segment ends at %.1f, first starts at %.1f: not stacked", bottom, top)
	}
	for _, want := range []string{"$0.00", "$2.00", "Spend per week", "2026-W02", "openai/small"} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %q:\n%s", want, svg)
		}
	}
}

func TestCharts_escapeHostileText(t *testing.T) {
	evil := `<script>alert("x")</script>&`
	for name, svg := range map[string]string{
		"bar":  string(barChart(evil, []string{evil, "b"}, []chartSeries{{Name: evil, Values: []float64{1, 2}}})),
		"line": string(lineChart(evil, []string{evil}, []chartSeries{{Name: evil, Values: []float64{-1}}})),
	} {
		t.Run(name, func(t *testing.T) {
			if strings.Contains(svg, "<script") || strings.Contains(svg, `"x"`) {
				t.Errorf("hostile text reached the SVG unescaped:\n%s", svg)
			}
			if !strings.Contains(svg, "&lt;script&gt;") {
				t.Errorf("hostile text missing, escaped:\n%s", svg)
			}
			svgElements(t, svg) // still well formed
		})
	}
}

func TestLineChart_negativeValuesAndGaps(t *testing.T) {
	svg := string(lineChart("Saving", []string{"a", "b", "c", "d"}, []chartSeries{
		{Name: "saving", Values: []float64{3, math.NaN(), -2, 1}},
	}))
	els := svgElements(t, svg)
	if n := len(els["circle"]); n != 3 {
		t.Errorf("%d points, want 3 (NaN is a gap)", n)
	}
	d := attr(els["path"][0], "d")
	if strings.Count(d, "M") != 2 {
		t.Errorf("path %q: want the line broken at the gap", d)
	}
	if !strings.Contains(svg, "-$2.00") || !strings.Contains(svg, "$3.00") {
		t.Errorf("axis does not reach -$2.00 and $3.00:\n%s", svg)
	}
}

func TestBarChart_empty(t *testing.T) {
	svg := string(barChart("Nothing", nil, nil))
	svgElements(t, svg)
	if !strings.Contains(svg, "no data") {
		t.Errorf("empty chart does not say so:\n%s", svg)
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tt := range []struct {
		lo, hi float64
		want   []float64
	}{
		{0, 2.5, []float64{0, 0.5, 1, 1.5, 2, 2.5}},
		{0, 0.0031, []float64{0, 0.001, 0.002, 0.003, 0.004}},
		{-2, 3, []float64{-2, -1, 0, 1, 2, 3}},
		{0, 0, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{0, 1234, []float64{0, 500, 1000, 1500}},
	} {
		got, _ := niceTicks(tt.lo, tt.hi, chartTicks)
		if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-12 })); diff != "" {
			t.Errorf("niceTicks(%v, %v) (-want +got):\n%s", tt.lo, tt.hi, diff)
		}
	}
}

func TestDollars(t *testing.T) {
	for _, tt := range []struct {
		v, step float64
		want    string
	}{
		{0, 0.5, "$0.00"},
		{1234567.891, 0, "$1,234,567.89"},
		{-2, 1, "-$2.00"},
		{0.003, 0.001, "$0.003"},
		{0.0042, 0, "$0.004200"},
		{-0.001, 0.5, "$0.00"}, // no "-$0.00"
	} {
		if got := dollars(tt.v, tt.step); got != tt.want {
			t.Errorf("dollars(%v, %v) = %q, want %q", tt.v, tt.step, got, tt.want)
		}
	}
}

func TestWriteCSV_defusesFormulas(t *testing.T) {
	header := []string{"period", "=cmd", "usd"}
	rows := [][]string{
		{"2026-W01", "=HYPERLINK(\"http://evil\")", "1.25"},
		{"+1+2", "-2.5", "@SUM(A1)"},
		{"\tx", "-1e3", "a,b\n\"c\""},
		{"", "-", "plain"},
	}
	var buf bytes.Buffer
	if err := writeCSV(&buf, header, rows); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	want := [][]string{
		{"period", "'=cmd", "usd"},
		{"2026-W01", "'=HYPERLINK(\"http://evil\")", "1.25"},
		{"'+1+2", "-2.5", "'@SUM(A1)"},
		{"'\tx", "-1e3", "a,b\n\"c\""},
		{"", "'-", "plain"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CSV (-want +got):\n%s", diff)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteCSV_reportsWriteErrors(t *testing.T) {
	if err := writeCSV(failingWriter{}, []string{"a"}, nil); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("writeCSV to a failing writer = %v, want its error", err)
	}
}
