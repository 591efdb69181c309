package segment

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/folio/folio"
)

// TestOddInput feeds input a broken PDF can produce and expects no panic.
func TestOddInput(t *testing.T) {
	nan := math.NaN()
	cases := map[string]*folio.Parsed{
		"nil":        nil,
		"no pages":   {},
		"empty page": {Pages: []folio.Page{{Number: 1}}},
		"zero size page with words": {Pages: []folio.Page{{Number: 1, Words: []folio.Word{
			{Text: "a", Box: folio.Box{0, 0, 0, 0}}, {Text: " ", Box: folio.Box{1, 1, 2, 2}, Size: 10},
			{Text: "b", Box: folio.Box{5, 5, 1, 1}, Size: -3},
		}}}},
		"nan boxes": {Pages: []folio.Page{{Number: 1, Width: 612, Height: 792, Words: []folio.Word{
			{Text: "x", Box: folio.Box{nan, 1, 2, 3}, Size: nan}, {Text: "y", Box: folio.Box{1, 1, 20, 12}, Size: 10},
		}, Rulings: []folio.Ruling{{X0: nan, Y0: 1, X1: 3, Y1: 1}, {X0: 5, Y0: 5, X1: 5, Y1: 5}},
			Images: []folio.ImagePlacement{{Box: folio.Box{nan, nan, nan, nan}}}}}},
		"only rulings": {Pages: []folio.Page{{Number: 1, Width: 612, Height: 792, Rulings: []folio.Ruling{
			{X0: 10, Y0: 10, X1: 100, Y1: 10}, {X0: 10, Y0: 50, X1: 100, Y1: 50}, {X0: 10, Y0: 10, X1: 10, Y1: 50}, {X0: 100, Y0: 10, X1: 100, Y1: 50},
		}}}},
		"sideways words only": {Pages: []folio.Page{{Number: 1, Width: 612, Height: 792, Words: []folio.Word{
			{Text: "up", Box: folio.Box{10, 100, 20, 120}, Size: 10, Angle: 90},
			{Text: "down", Box: folio.Box{30, 100, 40, 140}, Size: 10, Angle: 270},
			{Text: "skew", Box: folio.Box{50, 100, 70, 120}, Size: 10, Angle: 33},
		}}}},
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			els := New(Options{}).Segment(p)
			if _, err := json.Marshal(els); err != nil {
				t.Errorf("elements do not encode: %v", err)
			}
			for _, e := range els {
				if e.Confidence < 0 || e.Confidence > 1 || math.IsNaN(e.Confidence) {
					t.Errorf("confidence %v out of range", e.Confidence)
				}
			}
		})
	}
}
