package segment

import (
	"fmt"
	"strings"
	"testing"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
)

// ruledPage draws a 3×3 grid whose top-right two cells merge: the inner
// vertical rule stops below the first row.
func ruledPage() *pageBuilder {
	b := newPage(1)
	b.para(72, 40, 450, 10, 12, lorem)
	xs := []float64{100, 200, 300, 400}
	ys := []float64{100, 120, 140, 160}
	for _, y := range ys {
		b.rule(xs[0], y, xs[3], y)
	}
	b.rule(100, 100, 100, 160)
	b.rule(200, 100, 200, 160)
	b.rule(300, 120, 300, 160) // missing across the first row
	b.rule(400, 100, 400, 160)
	b.text(105, 105, 10, "Region", style{bold: true})
	b.text(230, 105, 10, "Sales", style{bold: true})
	b.text(105, 125, 10, "North")
	b.text(205, 125, 10, "12")
	b.text(305, 125, 10, "13")
	b.text(105, 145, 10, "South")
	b.text(205, 145, 10, "14")
	b.text(305, 145, 10, "15")
	b.text(100, 165, 10, "Table 1: Sales by region")
	b.para(72, 200, 450, 10, 12, lorem)
	return b
}

func TestRuledTableWithSpan(t *testing.T) {
	els := New(Options{}).Segment(parsed(ruledPage()))
	var tbl, capt *folio.Element
	tblIdx := 0
	for i := range els {
		switch els[i].Type {
		case folio.TableType:
			tbl, tblIdx = &els[i], i+1
		case folio.Caption:
			capt = &els[i]
		}
	}
	if tbl == nil {
		t.Fatalf("no table in %v", texts(els))
	}
	wantRows := [][]string{{"Region", "Sales", ""}, {"North", "12", "13"}, {"South", "14", "15"}}
	if diff := cmp.Diff(wantRows, tbl.Table.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	wantCells := []folio.Cell{
		{Row: 0, Col: 0, RowSpan: 1, ColSpan: 1, Text: "Region", Box: folio.Box{100, 100, 200, 120}, Header: true},
		{Row: 0, Col: 1, RowSpan: 1, ColSpan: 2, Text: "Sales", Box: folio.Box{200, 100, 400, 120}, Header: true},
		{Row: 1, Col: 0, RowSpan: 1, ColSpan: 1, Text: "North", Box: folio.Box{100, 120, 200, 140}},
		{Row: 1, Col: 1, RowSpan: 1, ColSpan: 1, Text: "12", Box: folio.Box{200, 120, 300, 140}},
		{Row: 1, Col: 2, RowSpan: 1, ColSpan: 1, Text: "13", Box: folio.Box{300, 120, 400, 140}},
		{Row: 2, Col: 0, RowSpan: 1, ColSpan: 1, Text: "South", Box: folio.Box{100, 140, 200, 160}},
		{Row: 2, Col: 1, RowSpan: 1, ColSpan: 1, Text: "14", Box: folio.Box{200, 140, 300, 160}},
		{Row: 2, Col: 2, RowSpan: 1, ColSpan: 1, Text: "15", Box: folio.Box{300, 140, 400, 160}},
	}
	if diff := cmp.Diff(wantCells, tbl.Table.Cells); diff != "" {
		t.Errorf("cells (-want +got):\n%s", diff)
	}
	if tbl.Table.HeaderRows != 1 || !tbl.Table.Ruled {
		t.Errorf("header rows %d ruled %v, want 1 true", tbl.Table.HeaderRows, tbl.Table.Ruled)
	}
	if capt == nil || tbl.CaptionRef == 0 || els[tbl.CaptionRef-1].Text != "Table 1: Sales by region" || capt.ParentRef != tblIdx {
		t.Errorf("caption not linked: table caption ref %d, caption %+v", tbl.CaptionRef, capt)
	}
	for _, e := range els {
		if e.Type == folio.Paragraph && (strings.Contains(e.Text, "North") || strings.Contains(e.Text, "Region")) {
			t.Errorf("table words leaked into %q", e.Text)
		}
	}
}

func TestCaptionKind(t *testing.T) {
	for s, want := range map[string]int{
		"Table 1: Results":           2,
		"Figure 7-26. Self-locking":  2,
		"Fig. 3 Overview of the set": 1,
		"Table 2-2 shows the values": 0,
		"Figure 3":                   2,
		"Tableau de bord":            -1,
		"Table 1.5 million":          0,
	} {
		it := newTextItem(1, []entry{{ln: &line{text: s, wideGap: -1}}})
		if _, got := captionKind(it); got != want {
			t.Errorf("captionKind(%q) = %d, want %d", s, got, want)
		}
	}
}

// gridTable draws a ruled table at (x, y) with the given column widths and
// rows of cell text, one 20-point row each, and returns the y below it.
func (b *pageBuilder) gridTable(x, y float64, widths []float64, rows [][]string) float64 {
	xs := []float64{x}
	for _, w := range widths {
		xs = append(xs, xs[len(xs)-1]+w)
	}
	for r := range len(rows) + 1 {
		b.rule(xs[0], y+20*float64(r), xs[len(xs)-1], y+20*float64(r))
	}
	for _, cx := range xs {
		b.rule(cx, y, cx, y+20*float64(len(rows)))
	}
	for r, row := range rows {
		for c, s := range row {
			if s != "" {
				b.text(xs[c]+4, y+20*float64(r)+5, 10, s)
			}
		}
	}
	return y + 20*float64(len(rows))
}

func TestTableAcrossPagesIsOneElement(t *testing.T) {
	head := []string{"Country", "Sales", "Costs"}
	widths := []float64{150, 100, 100}
	p1 := newPage(1)
	y := p1.para(72, 60, 450, 10, 12, lorem+" "+lorem+" "+lorem)
	rows := [][]string{head}
	for i := range 20 {
		rows = append(rows, []string{"Region " + string(rune('A'+i)), "1" + strings.Repeat("0", i%3+1), "2" + strings.Repeat("5", i%2+1)})
	}
	p1.gridTable(72, y+20, widths, rows)
	p2 := newPage(2)
	rows2 := [][]string{head, {"Region X", "120", "75"}, {"Region Y", "130", "85"}, {"Total", "999", "555"}}
	y2 := p2.gridTable(72, 60, widths, rows2)
	p2.para(72, y2+30, 450, 10, 12, lorem)

	els := New(Options{}).Segment(parsed(p1, p2))
	var tables []folio.Element
	for _, e := range els {
		if e.Type == folio.TableType {
			tables = append(tables, e)
		}
	}
	if len(tables) != 1 {
		t.Fatalf("got %d tables, want one joined table: %v", len(tables), texts(els))
	}
	tb := tables[0]
	if got, want := len(tb.Table.Rows), 1+20+3; got != want {
		t.Errorf("got %d rows, want %d (the repeated head dropped)", got, want)
	}
	if last := tb.Table.Rows[len(tb.Table.Rows)-1]; last[0] != "Total" {
		t.Errorf("last row %q, want the second page's total", last)
	}
	if len(tb.Regions) != 2 || tb.Regions[0].Page != 1 || tb.Regions[1].Page != 2 {
		t.Errorf("regions %+v, want one on each page", tb.Regions)
	}
}

func TestTableOfFiguresWithoutRules(t *testing.T) {
	b := newPage(1)
	b.para(72, 60, 450, 10, 12, lorem)
	b.text(72, 130, 10, "Table 2. Items by format")
	// A two-line column head over figures set in white space.
	b.text(250, 150, 10, "Number")
	b.text(350, 150, 10, "Percent")
	b.text(72, 162, 10, "Item format")
	b.text(250, 162, 10, "of items")
	b.text(350, 162, 10, "of items")
	y := 180.0
	for _, r := range [][]string{{"Total", "135", "100"}, {"Multiple choice", "74", "55"}, {"Constructed", "61", "45"}, {"Other", "12", "9"}} {
		b.text(72, y, 10, r[0])
		b.text(255, y, 10, r[1])
		b.text(355, y, 10, r[2])
		y += 12
	}
	b.para(72, y+30, 450, 10, 12, lorem)
	els := New(Options{}).Segment(parsed(b))
	var tb *folio.Element
	for i := range els {
		if els[i].Type == folio.TableType {
			tb = &els[i]
		}
	}
	if tb == nil {
		t.Fatalf("no table in %v", texts(els))
	}
	want := [][]string{
		{"Item format", "Number of items", "Percent of items"},
		{"Total", "135", "100"},
		{"Multiple choice", "74", "55"},
		{"Constructed", "61", "45"},
		{"Other", "12", "9"},
	}
	if diff := cmp.Diff(want, tb.Table.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if tb.Table.HeaderRows != 1 {
		t.Errorf("header rows %d, want 1", tb.Table.HeaderRows)
	}
}

func TestNestedTableTakesItsWords(t *testing.T) {
	b := newPage(1)
	// An outer two-column layout grid; its second cell holds a table.
	b.rule(60, 100, 540, 100)
	b.rule(60, 400, 540, 400)
	b.rule(60, 100, 60, 400)
	b.rule(200, 100, 200, 400)
	b.rule(540, 100, 540, 400)
	b.rule(60, 250, 540, 250)
	b.text(70, 110, 10, "TERMS")
	b.para(210, 110, 320, 10, 12, lorem)
	b.text(70, 260, 10, "RATES")
	b.gridTable(250, 280, []float64{120, 100}, [][]string{{"Age", "Rate"}, {"18-75", "1,00%"}, {"76-80", "0,50%"}, {"81 and up", "0,10%"}})
	els := New(Options{}).Segment(parsed(b))
	var inner *folio.Element
	for i := range els {
		if els[i].Type == folio.TableType && len(els[i].Table.Rows) == 4 && els[i].Table.Rows[0][0] == "Age" {
			inner = &els[i]
		}
	}
	if inner == nil {
		t.Fatalf("nested table not found: %v", texts(els))
	}
	for _, e := range els {
		if e.Type == folio.TableType && e.Table != inner.Table && strings.Contains(e.Text, "18-75") {
			t.Errorf("outer table repeats the nested table's text: %q", e.Text)
		}
	}
}

func TestHangingBulletsAreNoTable(t *testing.T) {
	b := newPage(1)
	y := 100.0
	for range 4 {
		b.text(80, y, 10, "•")
		y = b.para(100, y, 400, 10, 12, lorem)
		y += 4
	}
	for _, e := range New(Options{}).Segment(parsed(b)) {
		if e.Type == folio.TableType {
			t.Errorf("bulleted list read as a table: %q", e.Text)
		}
	}
}

func TestTableConfidenceFallsForSmallGrids(t *testing.T) {
	conf := func(rows [][]string) float64 {
		b := newPage(1)
		b.para(72, 60, 450, 10, 12, lorem)
		b.gridTable(72, 150, []float64{150, 100, 100}, rows)
		for _, e := range New(Options{}).Segment(parsed(b)) {
			if e.Type == folio.TableType {
				return e.Confidence
			}
		}
		t.Fatalf("no table for %q", rows)
		return 0
	}
	big := conf([][]string{{"Name", "Q1", "Q2"}, {"North", "12", "13"}, {"South", "14", "15"}, {"East", "16", "17"}, {"West", "18", "19"}})
	small := conf([][]string{{"Launch:", "One year:", "Review:"}, {"May 2009", "May 2010", "Sept. 2011"}})
	if !(small < 0.7 && big >= 0.9 && small < big) {
		t.Errorf("confidence: 5-row grid %.2f, 2-row grid %.2f; want >= 0.9 and < 0.7", big, small)
	}
}

func TestTableOverThreePagesIsOneElement(t *testing.T) {
	head := []string{"Country", "Sales", "Costs"}
	widths := []float64{150, 100, 100}
	var pages []*pageBuilder
	for n := 1; n <= 3; n++ {
		b := newPage(n)
		rows := [][]string{head}
		for i := range 30 {
			rows = append(rows, []string{"Region " + string(rune('A'+i%26)), "1" + strings.Repeat("0", i%3+1), "2" + strings.Repeat("5", i%2+1)})
		}
		if n == 3 {
			rows = rows[:5]
		}
		b.gridTable(72, 60, widths, rows)
		pages = append(pages, b)
	}
	var tables []folio.Element
	for _, e := range New(Options{}).Segment(parsed(pages...)) {
		if e.Type == folio.TableType {
			tables = append(tables, e)
		}
	}
	if len(tables) != 1 {
		t.Fatalf("got %d tables, want one", len(tables))
	}
	if got, want := len(tables[0].Table.Rows), 1+30+30+4; got != want {
		t.Errorf("got %d rows, want %d", got, want)
	}
	if got := len(tables[0].Regions); got != 3 {
		t.Errorf("got %d regions, want 3", got)
	}
}

// A zebra-striped table: the head and bands of two rows are shaded
// cells, the rows between are plain. It is one table.
func TestZebraStripedTableIsOneTable(t *testing.T) {
	b := newPage(1)
	b.para(72, 40, 450, 10, 12, lorem)
	xs := []float64{100, 180, 260, 340}
	names := []string{"Cambodia", "Indonesia", "Laos", "Malaysia", "Myanmar", "Thailand", "Vietnam"}
	shade := func(y float64) {
		for c := 0; c+1 < len(xs); c++ {
			b.p.Rects = append(b.p.Rects, folio.Box{xs[c], y, xs[c+1], y + 17})
		}
	}
	shade(100)
	b.text(104, 104, 9, "Country", style{bold: true})
	b.text(184, 104, 9, "2019", style{bold: true})
	b.text(264, 104, 9, "2020", style{bold: true})
	for i, n := range names {
		y := 117 + 17*float64(i)
		if i%4 == 1 || i%4 == 2 {
			shade(y)
		}
		b.text(104, y+4, 9, n)
		b.text(184, y+4, 9, fmt.Sprintf("%d.%d%%", i+3, i))
		b.text(264, y+4, 9, fmt.Sprintf("%d,%03d", i+1, 17*i))
	}
	b.para(72, 260, 450, 10, 12, lorem)
	var tables []*folio.Table
	for _, e := range New(Options{}).Segment(parsed(b)) {
		if e.Type == folio.TableType {
			tables = append(tables, e.Table)
		}
	}
	if len(tables) != 1 {
		t.Fatalf("%d tables, want 1", len(tables))
	}
	if got := len(tables[0].Rows); got != 1+len(names) || tables[0].Rows[7][0] != "Vietnam" {
		t.Errorf("rows = %q, want the head and %d countries in order", tables[0].Rows, len(names))
	}
}

// A column of framed boxes, one short entry each, is a one-column table;
// a few framed paragraphs are not.
func TestColumnOfBoxes(t *testing.T) {
	page := func(entries []string) []folio.Element {
		b := newPage(1)
		b.para(72, 40, 450, 10, 12, lorem)
		y := 120.0
		for _, e := range entries {
			h := 24.0
			if len(e) > 60 {
				h = 40
			}
			b.rule(144, y, 460, y)
			b.rule(144, y+h, 460, y+h)
			b.rule(144, y, 144, y+h)
			b.rule(460, y, 460, y+h)
			b.para(150, y+7, 300, 10, 12, e)
			y += h
		}
		b.para(72, y+30, 450, 10, 12, lorem)
		return New(Options{}).Segment(parsed(b))
	}
	tables := func(els []folio.Element) (out [][][]string) {
		for _, e := range els {
			if e.Type == folio.TableType && e.Layer != folio.LayerCandidate {
				out = append(out, e.Table.Rows)
			}
		}
		return out
	}
	entries := []string{"Competence Framework", "#1: Recycle, Reuse, Reduce", "#2: Lifecycle of the Economy", "#3: Social Entrepreneurship", "#4: Environmental Engagement"}
	got := tables(page(entries))
	if len(got) != 1 || len(got[0]) != len(entries) || got[0][4][0] != entries[4] {
		t.Errorf("tables = %q, want one column of %d entries", got, len(entries))
	}
	if got := tables(page(entries[:3])); len(got) != 0 {
		t.Errorf("three boxes made tables %q, want none", got)
	}
	if got := tables(page([]string{lorem[:95], lorem[:100], lorem[:105], lorem[:110]})); len(got) != 0 {
		t.Errorf("framed sentences made tables %q, want none", got)
	}
}

// A ruled table whose first column groups rows: each group label spans
// the rows beside it, so most rows hold a single text of their own.
func TestRuledRowGroups(t *testing.T) {
	b := newPage(1)
	b.para(72, 40, 450, 10, 12, lorem)
	x0, x1, x2 := 80.0, 260.0, 520.0
	y := 100.0
	b.rule(x0, y, x2, y)
	b.text(x0+5, y+6, 10, "Area", style{bold: true})
	b.text(x1+5, y+6, 10, "Competence", style{bold: true})
	y += 24
	groups := []struct {
		label string
		items []string
	}{
		{"1. Embodying values", []string{"1.1 Valuing", "1.2 Fairness", "1.3 Nature"}},
		{"2. Embracing complexity", []string{"2.1 Systems", "2.2 Critical", "2.3 Framing"}},
		{"3. Envisioning futures", []string{"3.1 Futures", "3.2 Adaptability"}},
	}
	for _, g := range groups {
		b.rule(x0, y, x2, y)
		b.text(x0+5, y+6, 10, g.label)
		top := y
		for i, it := range g.items {
			if i > 0 {
				b.rule(x1, y, x2, y)
			}
			b.text(x1+5, y+6, 10, it)
			y += 24
		}
		b.rule(x0, top, x0, y)
		b.rule(x1, top, x1, y)
		b.rule(x2, top, x2, y)
	}
	b.rule(x0, y, x2, y)
	b.rule(x0, 100, x0, 124)
	b.rule(x1, 100, x1, 124)
	b.rule(x2, 100, x2, 124)
	b.para(72, y+30, 450, 10, 12, lorem)
	var tbl *folio.Table
	for _, e := range New(Options{}).Segment(parsed(b)) {
		if e.Type == folio.TableType {
			tbl = e.Table
		}
	}
	if tbl == nil || !tbl.Ruled {
		t.Fatalf("table = %+v, want a ruled table", tbl)
	}
	spans := 0
	for _, c := range tbl.Cells {
		if c.Col == 0 && c.RowSpan > 1 {
			spans++
		}
	}
	if len(tbl.Rows) != 9 || spans != 3 {
		t.Errorf("%d rows, %d group labels spanning rows; want 9 and 3:\n%q", len(tbl.Rows), spans, tbl.Rows)
	}
}

// picture puts a paragraph and a picture under it on the page, and returns
// the picture's box and a writer of the words OCR read in it (with conf).
func (b *pageBuilder) picture(conf float64) (folio.Box, func(x, y float64, s string)) {
	y := b.para(72, 40, 450, 10, 12, lorem)
	pic := folio.Box{72, y + 20, 472, y + 220}
	b.image(pic)
	return pic, func(x, y float64, s string) {
		b.text(x, y, 9, s)
		b.p.Words[len(b.p.Words)-1].Confidence = conf
	}
}

// Words OCR read in a picture of a table make a table in the picture's
// place; words read in a chart stay with the chart as its text.
func TestPictureOfTable(t *testing.T) {
	page := func(table bool) []folio.Element {
		b := newPage(1)
		pic, ocr := b.picture(0.9)
		if table {
			ocr(80, pic[1]+8, "Temperature")
			ocr(280, pic[1]+8, "Viscosity")
			for r := range 8 {
				ocr(80, pic[1]+30+float64(r)*20, fmt.Sprintf("%d", r*5))
				ocr(280, pic[1]+30+float64(r)*20, fmt.Sprintf("1.%d93E-06", r))
			}
		} else {
			for k, p := range [][2]float64{{90, 10}, {300, 60}, {150, 110}, {380, 150}, {100, 180}, {250, 30}, {200, 140}, {420, 90}} {
				ocr(pic[0]+p[0]-60, pic[1]+p[1], fmt.Sprintf("label%d", k))
			}
		}
		b.para(72, pic[3]+20, 450, 10, 12, lorem)
		return New(Options{}).Segment(parsed(b))
	}
	var tbl *folio.Table
	images := 0
	for _, e := range page(true) {
		switch e.Type {
		case folio.TableType:
			tbl = e.Table
		case folio.ImageType:
			images++
		}
	}
	if tbl == nil || len(tbl.Rows) != 9 || tbl.Rows[8][1] != "1.793E-06" || images != 0 {
		t.Errorf("picture of a table: table %v, %d images; want 9 rows in place of the picture", tbl, images)
	}
	var ocrText string
	for _, e := range page(false) {
		switch e.Type {
		case folio.TableType:
			t.Errorf("chart labels made a table %q", e.Table.Rows)
		case folio.ImageType:
			ocrText = e.Image.OCRText
		case folio.Paragraph:
			if strings.Contains(e.Text, "label") {
				t.Errorf("chart label in the body: %q", e.Text)
			}
		}
	}
	if !strings.Contains(ocrText, "label3") {
		t.Errorf("chart's OCR text %q, want its labels", ocrText)
	}
}

// A chart's legend read from a picture (keys OCR reads as "@" beside
// their labels) is no table.
func TestPictureOfLegendIsNoTable(t *testing.T) {
	b := newPage(1)
	pic, ocr := b.picture(0.8)
	ocr(80, pic[1]+4, "Education Level")
	ocr(80, pic[1]+24, "122 responses")
	for r, label := range []string{"Primary", "Secondary", "Training", "Bachelor", "Master", "Doctorate", "Other"} {
		ocr(300, pic[1]+44+float64(r)*20, "@")
		ocr(320, pic[1]+44+float64(r)*20, label)
	}
	ocr(120, pic[1]+104, "76.2%")
	b.para(72, pic[3]+20, 450, 10, 12, lorem)
	for _, e := range New(Options{}).Segment(parsed(b)) {
		if e.Type == folio.TableType {
			t.Errorf("legend made a table %q", e.Table.Rows)
		}
	}
}

// A caption's label set on a line of its own ("Table 1.") takes the
// title under it.
func TestCaptionLabelTakesItsTitle(t *testing.T) {
	b := newPage(1)
	y := b.para(72, 40, 450, 10, 12, lorem)
	b.text(72, y+20, 10, "Table 1.", style{bold: true})
	b.text(72, y+34, 10, "Estimated cumulative damage for impeller blades.")
	b.gridTable(72, y+60, []float64{120, 120}, [][]string{{"Blade", "Damage"}, {"A", "0.1"}, {"B", "0.4"}, {"C", "0.3"}})
	var caption string
	for _, e := range New(Options{}).Segment(parsed(b)) {
		if e.Type == folio.Caption {
			caption = e.Text
		}
		if e.Type == folio.Paragraph && strings.HasPrefix(e.Text, "Estimated") {
			t.Errorf("title left as a paragraph: %q", e.Text)
		}
	}
	if caption != "Table 1. Estimated cumulative damage for impeller blades." {
		t.Errorf("caption %q, want the label and its title", caption)
	}
}
