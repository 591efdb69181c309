package route

import (
	"cmp"
	"slices"
	"strings"

	"github.com/folio/folio"
)

// TallyRow sums model calls for one model and element type, or for a
// coarser grouping where Model or Type is empty.
type TallyRow struct {
	Model string            `json:"model,omitempty"`
	Type  folio.ElementType `json:"type,omitempty"`
	// Calls counts calls made or estimated (USDMicros holds estimates for
	// estimated calls, 0 for cache hits); Estimated is among them.
	// Refused counts calls a budget or an open breaker stopped before any
	// request, which are not in Calls.
	folio.Spend
	Estimated int `json:"estimated,omitempty"`
	Refused   int `json:"refused,omitempty"`
}

// Tally sums recorded model calls by model and element type, for the dry
// run's estimate and for cost reports of real runs alike. Local specialist
// calls are free and left out, as in folio.Cost. The zero Tally is empty
// and ready; it is not safe for concurrent use.
type Tally struct {
	rows map[tallyKey]*TallyRow
}

type tallyKey struct {
	model string
	typ   folio.ElementType
}

// TallyCalls returns the tally of the calls of frags.
func TallyCalls(frags []folio.Fragment) *Tally {
	var t Tally
	t.Add(frags)
	return &t
}

// Add counts the calls of frags. A call's element type is taken from its
// rule ("table#2").
func (t *Tally) Add(frags []folio.Fragment) {
	if t.rows == nil {
		t.rows = map[tallyKey]*TallyRow{}
	}
	for _, f := range frags {
		for _, c := range f.Calls {
			if folio.IsLocal(c.Model) {
				continue
			}
			typ, _, _ := strings.Cut(c.Rule, "#")
			k := tallyKey{c.Model, folio.ElementType(typ)}
			row := t.rows[k]
			if row == nil {
				row = &TallyRow{Model: k.model, Type: k.typ}
				t.rows[k] = row
			}
			row.addCall(c)
		}
	}
}

func (r *TallyRow) addCall(c folio.Call) {
	if c.ErrorClass.Refused() {
		r.Refused++
		return
	}
	r.Count(c)
	if c.Status == CallEstimated {
		r.Estimated++
	}
}

func (r *TallyRow) add(o *TallyRow) {
	r.Spend.Merge(o.Spend)
	r.Estimated += o.Estimated
	r.Refused += o.Refused
}

// Rows returns one row per model and element type, by model then type.
func (t *Tally) Rows() []TallyRow {
	return t.group(func(k tallyKey) tallyKey { return k })
}

// ByModel returns one row per model, by model; Type is empty.
func (t *Tally) ByModel() []TallyRow {
	return t.group(func(k tallyKey) tallyKey { return tallyKey{model: k.model} })
}

// ByType returns one row per element type, by type; Model is empty.
func (t *Tally) ByType() []TallyRow {
	return t.group(func(k tallyKey) tallyKey { return tallyKey{typ: k.typ} })
}

// Total returns the sum of every row; Model and Type are empty.
func (t *Tally) Total() TallyRow {
	var sum TallyRow
	for _, r := range t.rows {
		sum.add(r)
	}
	return sum
}

func (t *Tally) group(by func(tallyKey) tallyKey) []TallyRow {
	groups := map[tallyKey]*TallyRow{}
	for k, r := range t.rows {
		g := by(k)
		if groups[g] == nil {
			groups[g] = &TallyRow{Model: g.model, Type: g.typ}
		}
		groups[g].add(r)
	}
	rows := make([]TallyRow, 0, len(groups))
	for _, r := range groups {
		rows = append(rows, *r)
	}
	slices.SortFunc(rows, func(a, b TallyRow) int {
		return cmp.Or(strings.Compare(a.Model, b.Model), strings.Compare(string(a.Type), string(b.Type)))
	})
	return rows
}
