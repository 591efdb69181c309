package segment

import (
	"testing"

	"github.com/folio/folio"
)

// Text between rules that splits into no columns is refused as a table and
// reported as a candidate; the refusal is doubted under a caption naming a
// table, and more when its lines are short labels. Prose between rules
// is never weighed as a table, so it is no candidate.
func TestRefusedTableCandidates(t *testing.T) {
	labels := []string{"Added cation Relative Size & Settling Rates of Floccules", "K+", "Na+", "Ca2+", "Al3+", "Check"}
	note := []string{
		"Handle the suspension with gloves and keep the flasks away from",
		"open flames: the indicator is dissolved in ethanol, which burns easily",
		"and gives off vapour that collects near the bench surface quickly.",
	}
	for _, tc := range []struct {
		name    string
		caption string
		lines   []string
		lo, hi  float64 // the candidate's confidence
	}{
		{"labels under a table caption", "Table 13.2. Effect of cations on flocculation.", labels, 0.2, 0.3},
		{"labels without a caption", "", labels, 0.65, 0.75},
		{"a framed note", "", note, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newPage(1)
			y := b.para(72, 60, 450, 10, 13, lorem) + 20
			if tc.caption != "" {
				b.text(72, y, 11, tc.caption)
				y += 20
			}
			b.rule(72, y, 400, y)
			y += 6
			for i, l := range tc.lines {
				b.text(76, y, 9, l)
				y += 14
				if i == 0 && len(tc.lines) > 3 {
					b.rule(72, y-3, 400, y-3)
				}
			}
			b.rule(72, y+4, 400, y+4)
			b.para(72, y+30, 450, 10, 13, lorem)
			els := New(Options{}).Segment(parsed(b))
			var cands []folio.Element
			for _, e := range els {
				if e.Layer == folio.LayerCandidate {
					cands = append(cands, e)
				} else if e.Type == folio.TableType {
					t.Errorf("table %q, want none", e.Table.Rows)
				}
			}
			if tc.hi == 0 {
				if len(cands) != 0 {
					t.Errorf("candidates %+v, want none", cands)
				}
				return
			}
			if len(cands) != 1 {
				t.Fatalf("candidates %+v, want one", cands)
			}
			c := cands[0]
			if c.Type != folio.TableType || c.Confidence < tc.lo || c.Confidence > tc.hi || c.Table != nil {
				t.Errorf("candidate %s confidence %.2f table %v, want a table candidate within %.2f-%.2f and no grid",
					c.Type, c.Confidence, c.Table, tc.lo, tc.hi)
			}
			if c.Text == "" || c.Box.Area() == 0 {
				t.Errorf("candidate without text or box: %+v", c)
			}
		})
	}
}

// A head of one label over many filled columns lowers a table's
// confidence; a head of several labels, or one whose label spans, does not.
func TestUnbuiltHead(t *testing.T) {
	body := [][]string{{"Income", "1", "2", "3", "4"}, {"Gini", "5", "6", "7", "8"}}
	for _, tc := range []struct {
		name  string
		top   []string
		cells []folio.Cell
		want  bool
	}{
		{"one label unspanned", []string{"", "", "Year", "", ""}, nil, true},
		{"one label spanning", []string{"", "Year", "", "", ""}, []folio.Cell{{Row: 0, Col: 1, ColSpan: 4, RowSpan: 1}}, false},
		{"full head", []string{"Measure", "1997", "1998", "1999", "2000"}, nil, false},
	} {
		tb := &folio.Table{Rows: append([][]string{tc.top}, body...), Cells: tc.cells}
		if got := unbuiltHead(tb); got != tc.want {
			t.Errorf("%s: unbuiltHead = %v, want %v", tc.name, got, tc.want)
		}
	}
}
