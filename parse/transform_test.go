package parse

import (
	"math"
	"testing"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
)

func TestFrame(t *testing.T) {
	// A 100×200 visible box whose origin is not at (0, 0). The user-space
	// corners top-left (10, 220) and bottom-right (110, 20) must land where
	// a viewer turning the page clockwise by /Rotate shows them.
	box := frame{x0: 10, y0: 20, x1: 110, y1: 220}
	tests := []struct {
		name        string
		rot         int
		w, h        float64
		topLeft     [2]float64
		bottomRight [2]float64
		angle       float64 // displayed angle of text drawn at 0°
	}{
		{"upright", 0, 100, 200, [2]float64{0, 0}, [2]float64{100, 200}, 0},
		{"rotate 90 puts the top edge on the right", 90, 200, 100, [2]float64{200, 0}, [2]float64{0, 100}, 270},
		{"rotate 180 turns the page over", 180, 100, 200, [2]float64{100, 200}, [2]float64{0, 0}, 180},
		{"rotate 270 puts the top edge on the left", 270, 200, 100, [2]float64{0, 100}, [2]float64{200, 0}, 90},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := box
			f.rot = tt.rot
			w, h := f.size()
			x0, y0 := f.point(10, 220)
			x1, y1 := f.point(110, 20)
			got := []float64{w, h, x0, y0, x1, y1, f.angle(0)}
			want := []float64{tt.w, tt.h, tt.topLeft[0], tt.topLeft[1], tt.bottomRight[0], tt.bottomRight[1], tt.angle}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("w, h, top-left, bottom-right, angle (-want +got):\n%s", diff)
			}
			b := f.box(10, 20, 110, 220)
			if diff := cmp.Diff(folio.Box{0, 0, tt.w, tt.h}, b); diff != "" {
				t.Errorf("box of the whole page (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMatrix(t *testing.T) {
	scale := matrix{a: 2, d: 3}
	shift := matrix{a: 1, d: 1, e: 10, f: 20}
	rot := matrix{a: 0, b: 1, c: -1, d: 0} // 90° counter-clockwise
	x, y := scale.then(shift).apply(1, 1)
	if diff := cmp.Diff([]float64{12, 23}, []float64{x, y}); diff != "" {
		t.Errorf("scale then shift (-want +got):\n%s", diff)
	}
	x, y = rot.then(shift).apply(1, 0)
	if diff := cmp.Diff([]float64{10, 21}, []float64{x, y}); diff != "" {
		t.Errorf("rotate then shift (-want +got):\n%s", diff)
	}
	x0, y0, x1, y1 := rot.bounds(0, 0, 2, 1)
	got := []float64{x0, y0, x1, y1}
	for i := range got {
		got[i] = math.Round(got[i]*1e9) / 1e9
	}
	if diff := cmp.Diff([]float64{-1, 0, 0, 2}, got); diff != "" {
		t.Errorf("bounds of a turned rectangle (-want +got):\n%s", diff)
	}
}
