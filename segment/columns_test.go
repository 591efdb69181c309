package segment

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/folio/folio"
)

// randomAtoms lays out words in up to three columns of lines, with
// objects when objs is set; inverted gives some objects a box whose right
// edge is left of its left edge.
func randomAtoms(r *rand.Rand, objs, inverted bool) []atom {
	var as []atom
	cols := 1 + r.IntN(3)
	for range r.IntN(120) {
		x := 50 + float64(r.IntN(cols))*180 + r.Float64()*150
		y := float64(r.IntN(30))*12 + r.Float64()*float64(r.IntN(4))
		if objs && r.IntN(15) == 0 {
			it := &item{box: folio.Box{x, y, x + r.Float64()*300, y + r.Float64()*100}}
			if inverted && r.IntN(3) == 0 {
				it.box[2] = x - 40
			}
			as = append(as, atom{box: it.box, obj: it})
			continue
		}
		b := folio.Box{x, y, x + 5 + r.Float64()*40, y + 8 + r.Float64()*4}
		size := []float64{0, 9, 10, 14}[r.IntN(4)]
		as = append(as, atom{box: b, w: wordOf(folio.Word{Text: "w", Box: b, Size: size})})
	}
	return as
}

// TestRunGaps checks that the gaps cut builds from unions of strips are
// those gaps (and xgaps) find from the atoms of every run of strips.
func TestRunGaps(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, tc := range []struct {
		name           string
		objs, inverted bool
	}{
		{"words", false, false},
		{"words and objects", true, false},
		{"inverted objects", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 300 {
				c := newCutter(10, 0.6)
				st := c.strips(randomAtoms(r, tc.objs, tc.inverted))
				top := len(c.ext)
				for i := range len(st.ends) - 1 {
					c.ext = c.ext[:top]
					var prev *run
					for k := i; k < len(st.ends)-1; k++ {
						rn := c.grow(st, prev, i, k)
						got := c.ext[rn.gaps.lo:rn.gaps.hi]
						if want := c.gaps(st.as[st.ends[i]:st.ends[k+1]]); !slices.Equal(got, want) {
							t.Fatalf("strips %d to %d: gaps %v, want %v", i, k, got, want)
						}
						prev = &rn
					}
				}
			}
		})
	}
}

// TestUnion checks that the gaps of a union of two sorted lists of
// extents are xgaps's gaps of all the extents.
func TestUnion(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for range 2000 {
		var a, b, all [][2]float64
		var atoms []atom
		for range r.IntN(30) {
			x := float64(r.IntN(40)) * 10
			v := [2]float64{x, x + float64(r.IntN(30))}
			if r.IntN(2) == 0 {
				a = append(a, v)
			} else {
				b = append(b, v)
			}
			all = append(all, v)
			atoms = append(atoms, atom{box: folio.Box{v[0], 0, v[1], 1}})
		}
		byStart := func(x, y [2]float64) int { return cmpFloat(x[0], y[0]) }
		slices.SortFunc(a, byStart)
		slices.SortFunc(b, byStart)
		got := unionGaps(nil, union(nil, a, b))
		want := xgaps(atoms, func(atom) float64 { return 0 })
		if !slices.Equal(got, want) {
			t.Fatalf("extents %v: gaps %v, want %v", all, got, want)
		}
	}
}
