package serve

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// chartSeries is one named series of a chart, in dollars, one value per
// label; missing values count as zero (bars) or gaps (lines).
type chartSeries struct {
	Name   string
	Values []float64
}

// The chart's geometry, in viewBox units. The SVG scales to its container
// (width 100%) and keeps its proportions.
const (
	chartW, chartH = 720, 360
	plotLeft       = 76  // room for "$1,234.56" tick labels
	plotRight      = 16  // right margin
	plotTop        = 56  // title and legend
	plotBottom     = 40  // period labels
	chartTicks     = 5   // about this many value ticks
	maxXLabels     = 12  // period labels written, at most; others are thinned out
	labelRunes     = 12  // a period label is cut to this many characters
	legendRunes    = 24  // a series name in the legend is cut to this many
	charWidth      = 6.5 // average advance of an 11-unit sans-serif glyph, to lay out the legend
)

// chartPalette colours series by their position: Tableau 10, which stays
// distinguishable for most colour-blind readers.
var chartPalette = []string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
	"#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#17becf"}

// barChart draws series as stacked bars, one bar per label, as an inline
// SVG with a dollar axis. Every label and name is escaped.
func barChart(title string, labels []string, series []chartSeries) template.HTML {
	return barLineChart(title, labels, series, nil)
}

// lineChart draws series as lines over the labels.
func lineChart(title string, labels []string, series []chartSeries) template.HTML {
	return barLineChart(title, labels, nil, series)
}

// barLineChart draws bars stacked and lines over them on one dollar axis:
// spend per period as bars and the baseline as a line, say. Negative bar
// values are drawn as zero; lines may go below zero. Values that are not
// finite count as missing.
func barLineChart(title string, labels []string, bars, lines []chartSeries) template.HTML {
	lo, hi := 0.0, 0.0
	for i := range labels {
		stack := 0.0
		for _, s := range bars {
			stack += max(0, value(s, i))
		}
		hi = max(hi, stack)
		for _, s := range lines {
			if v, ok := lineValue(s, i); ok {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	ticks, step := niceTicks(lo, hi, chartTicks)
	lo, hi = ticks[0], ticks[len(ticks)-1]

	var b strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMidYMid meet" role="img" aria-label="%s" font-family="sans-serif" font-size="11">`,
		chartW, chartH, esc(title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))
	fmt.Fprintf(&b, `<text x="%d" y="18" font-size="14" font-weight="bold">%s</text>`, plotLeft, esc(title))
	legend(&b, append(append([]chartSeries{}, bars...), lines...), len(bars))

	plotW, plotH := float64(chartW-plotLeft-plotRight), float64(chartH-plotTop-plotBottom)
	y := func(v float64) float64 { return plotTop + plotH - (v-lo)/(hi-lo)*plotH }
	for _, t := range ticks {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>`, plotLeft, chartW-plotRight, y(t), y(t))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`, plotLeft-6, y(t), esc(dollars(t, step)))
	}
	if len(labels) == 0 {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#777">no data</text></svg>`, plotLeft+plotW/2, plotTop+plotH/2)
		return template.HTML(b.String())
	}

	slot := plotW / float64(len(labels))
	every := (len(labels) + maxXLabels - 1) / maxXLabels
	for i, label := range labels {
		x := plotLeft + slot*float64(i)
		base := 0.0
		for k, s := range bars {
			v := max(0, value(s, i))
			if v == 0 {
				continue
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`,
				x+slot*0.15, y(base+v), slot*0.7, y(base)-y(base+v), chartPalette[k%len(chartPalette)],
				esc(s.Name+" · "+label+": "+dollars(v, 0)))
			base += v
		}
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle"><title>%s</title>%s</text>`,
				x+slot/2, chartH-plotBottom+16, esc(label), esc(cut(label, labelRunes)))
		}
	}
	for k, s := range lines {
		colour := chartPalette[(len(bars)+k)%len(chartPalette)]
		var path strings.Builder
		pen := "M"
		for i, label := range labels {
			v, ok := lineValue(s, i)
			if !ok {
				pen = "M"
				continue
			}
			cx, cy := plotLeft+slot*(float64(i)+0.5), y(v)
			fmt.Fprintf(&path, "%s%.1f %.1f ", pen, cx, cy)
			pen = "L"
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s</title></circle>`,
				cx, cy, colour, esc(s.Name+" · "+label+": "+dollars(v, 0)))
		}
		if path.Len() > 0 {
			fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.TrimSpace(path.String()), colour)
		}
	}
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#333"/>`, plotLeft, chartW-plotRight, y(max(lo, 0)), y(max(lo, 0)))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// legend writes a swatch and a name per series on one line under the
// title, bars as squares and lines as strokes, and "+N more" for those
// that do not fit.
func legend(b *strings.Builder, series []chartSeries, bars int) {
	x := float64(plotLeft)
	for k, s := range series {
		name := cut(s.Name, legendRunes)
		w := 18 + charWidth*float64(utf8.RuneCountInString(name)) + 12
		if x+w > chartW-plotRight && k > 0 {
			fmt.Fprintf(b, `<text x="%.1f" y="40" fill="#777">+%d more</text>`, x, len(series)-k)
			return
		}
		colour := chartPalette[k%len(chartPalette)]
		if k < bars {
			fmt.Fprintf(b, `<rect x="%.1f" y="31" width="12" height="12" fill="%s"/>`, x, colour)
		} else {
			fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="37" y2="37" stroke="%s" stroke-width="2"/>`, x, x+12, colour)
		}
		fmt.Fprintf(b, `<text x="%.1f" y="41"><title>%s</title>%s</text>`, x+16, template.HTMLEscapeString(s.Name), template.HTMLEscapeString(name))
		x += w
	}
}

// value returns series s at label i, zero when missing or not finite.
func value(s chartSeries, i int) float64 {
	v, _ := lineValue(s, i)
	return v
}

// lineValue returns series s at label i and whether it has one.
func lineValue(s chartSeries, i int) (float64, bool) {
	if i >= len(s.Values) || math.IsNaN(s.Values[i]) || math.IsInf(s.Values[i], 0) {
		return 0, false
	}
	return s.Values[i], true
}

// niceTicks returns about n+1 round tick values (steps of 1, 2 or 5 times
// a power of ten) covering lo…hi, and the step.
func niceTicks(lo, hi float64, n int) ([]float64, float64) {
	if hi-lo <= 0 {
		hi = lo + 1 // nothing spent: an axis of $0 to $1
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	first := math.Floor(lo / step)
	var ticks []float64
	for i := 0.0; ; i++ {
		t := (first + i) * step // not a running sum, which would drift
		ticks = append(ticks, t)
		if t >= hi-step*1e-9 || len(ticks) > 2*n+2 {
			break
		}
	}
	return ticks, step
}

// dollars formats v as "$1,234.56", with more decimals when step (0 for
// none) is below a cent, so ticks a tenth of a cent apart stay distinct.
func dollars(v, step float64) string {
	decimals := 2
	if step > 0 && step < 0.01 {
		decimals = min(6, int(math.Ceil(-math.Log10(step))))
	} else if step == 0 && v != 0 && math.Abs(v) < 0.01 {
		decimals = 6
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	var g strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			g.WriteByte(',')
		}
		g.WriteRune(r)
	}
	sign := ""
	if v < 0 && strings.Trim(s, "0.") != "" {
		sign = "-"
	}
	return sign + "$" + g.String() + "." + frac
}

// cut shortens s to at most n characters, marking the cut with "…".
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// writeCSV writes a header and rows as CSV. A cell a spreadsheet would
// read as a formula (starting with =, +, -, @, a tab or a carriage return)
// is prefixed with a quote, as OWASP advises, unless it is a plain number:
// a negative saving stays a number.
func writeCSV(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	record := make([]string, 0, len(header))
	for _, row := range append([][]string{header}, rows...) {
		record = record[:0]
		for _, cell := range row {
			record = append(record, csvCell(cell))
		}
		if err := cw.Write(record); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// csvCell defuses a cell that would start a formula.
func csvCell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil && strings.Trim(s, "0123456789.eE+-") == "" {
		return s
	}
	return "'" + s
}
