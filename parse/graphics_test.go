package parse

import (
	"testing"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
)

// poly returns a path of straight segments through pts, closed if asked.
func poly(closed bool, pts ...[2]float64) []pathPoint {
	out := make([]pathPoint, len(pts))
	for i, p := range pts {
		out[i] = pathPoint{x: p[0], y: p[1], typ: segLine}
	}
	out[0].typ = segMove
	out[len(out)-1].close = closed
	return out
}

// disc returns a closed circle of radius r around (x, y) drawn as four
// Bézier curves, as PDF producers draw round bullets.
func disc(x, y, r float64) []pathPoint {
	const k = 0.5523 // control point distance of a quarter circle, per radius
	pts := []pathPoint{{x: x + r, y: y, typ: segMove}}
	for _, q := range [4][6]float64{
		{r, k * r, k * r, r, 0, r}, {-k * r, r, -r, k * r, -r, 0},
		{-r, -k * r, -k * r, -r, 0, -r}, {k * r, -r, r, -k * r, r, 0},
	} {
		for i := 0; i < 6; i += 2 {
			pts = append(pts, pathPoint{x: x + q[i], y: y + q[i+1], typ: segBezier})
		}
	}
	pts[len(pts)-1].close = true
	return pts
}

func TestAddPath(t *testing.T) {
	rect := func(x0, y0, x1, y1 float64) []pathPoint {
		return poly(true, [2]float64{x0, y0}, [2]float64{x1, y0}, [2]float64{x1, y1}, [2]float64{x0, y1})
	}
	tests := []struct {
		name         string
		pts          []pathPoint
		fill, stroke bool
		white        bool
		rulings      []folio.Ruling
		rects        []folio.Box
		marks        []folio.Box
	}{
		{name: "a stroked line is a ruling", stroke: true,
			pts:     poly(false, [2]float64{10, 100}, [2]float64{200, 100.4}),
			rulings: []folio.Ruling{{X0: 10, Y0: 100.2, X1: 200, Y1: 100.2}}},
		{name: "a slanted line is not", stroke: true,
			pts: poly(false, [2]float64{10, 100}, [2]float64{200, 150})},
		{name: "a thin filled rectangle is a ruling along its length", fill: true,
			pts:     rect(50, 300, 51, 400),
			rulings: []folio.Ruling{{X0: 50.5, Y0: 300, X1: 50.5, Y1: 400}}},
		{name: "a stroked rectangle gives four edges and a box", stroke: true,
			pts: rect(10, 10, 110, 60),
			rulings: []folio.Ruling{
				{X0: 10, Y0: 10, X1: 110, Y1: 10}, {X0: 110, Y0: 10, X1: 110, Y1: 60},
				{X0: 10, Y0: 60, X1: 110, Y1: 60}, {X0: 10, Y0: 10, X1: 10, Y1: 60},
			},
			rects: []folio.Box{{10, 10, 110, 60}}},
		{name: "a filled rectangle is a box", fill: true,
			pts: rect(10, 10, 110, 60), rects: []folio.Box{{10, 10, 110, 60}}},
		{name: "a white filled rectangle is left out", fill: true, white: true,
			pts: rect(10, 10, 110, 60)},
		{name: "a page background is left out", fill: true,
			pts: rect(0, 0, 612, 792)},
		{name: "curves are left out", stroke: true,
			pts: []pathPoint{{x: 0, y: 0, typ: segMove}, {x: 10, y: 0, typ: segBezier}, {x: 20, y: 0, typ: segBezier}, {x: 30, y: 0, typ: segBezier}}},
		{name: "a thin filled mitred polygon is a ruling over its long edge", fill: true,
			pts:     poly(true, [2]float64{70, 400}, [2]float64{540, 400}, [2]float64{539.25, 400.75}, [2]float64{70.75, 400.75}),
			rulings: []folio.Ruling{{X0: 70, Y0: 400.38, X1: 540, Y1: 400.38}}},
		{name: "a filled frame (outline and hole in one path) gives its four rules", fill: true,
			pts: poly(true, [2]float64{70, 300}, [2]float64{70, 400}, [2]float64{540, 400}, [2]float64{540, 300}, [2]float64{70, 300},
				[2]float64{70.75, 300.75}, [2]float64{539.25, 300.75}, [2]float64{539.25, 399.25}, [2]float64{70.75, 399.25}, [2]float64{70.75, 300.75}),
			rulings: []folio.Ruling{{X0: 70, Y0: 399.63, X1: 540, Y1: 399.63}, {X0: 70, Y0: 300.38, X1: 540, Y1: 300.38},
				{X0: 70.38, Y0: 300, X1: 70.38, Y1: 400}, {X0: 539.63, Y0: 300, X1: 539.63, Y1: 400}}},
		{name: "a filled polygon with wide edges gives no ruling", fill: true,
			pts: poly(true, [2]float64{10, 10}, [2]float64{110, 10}, [2]float64{110, 60}, [2]float64{60, 80}, [2]float64{10, 60})},
		{name: "a small disc drawn with curves is a mark", fill: true,
			pts: disc(100, 200, 2), marks: []folio.Box{{98, 198, 102, 202}}},
		{name: "a small stroked circle is a mark", stroke: true,
			pts: disc(100, 200, 2), marks: []folio.Box{{98, 198, 102, 202}}},
		{name: "a small filled square is a mark and a box", fill: true,
			pts: rect(100, 200, 105, 205), rects: []folio.Box{{100, 200, 105, 205}}, marks: []folio.Box{{100, 200, 105, 205}}},
		{name: "a white disc is no mark", fill: true, white: true,
			pts: disc(100, 200, 2)},
		{name: "a large disc is no mark", fill: true,
			pts: disc(100, 200, 20)},
		{name: "a short bar is no mark", fill: true,
			pts: rect(100, 200, 108, 203), rects: []folio.Box{{100, 200, 108, 203}}},
		{name: "an open curve is no mark", stroke: true,
			pts: disc(100, 200, 2)[:5]},
		{name: "each subpath counts", stroke: true,
			pts:     append(poly(false, [2]float64{0, 10}, [2]float64{100, 10}), poly(false, [2]float64{0, 20}, [2]float64{100, 20})...),
			rulings: []folio.Ruling{{X0: 0, Y0: 10, X1: 100, Y1: 10}, {X0: 0, Y0: 20, X1: 100, Y1: 20}}},
		{name: "lines are clipped to the page", stroke: true,
			pts:     poly(false, [2]float64{-50, 10}, [2]float64{700, 10}),
			rulings: []folio.Ruling{{X0: 0, Y0: 10, X1: 612, Y1: 10}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var g pageGraphics
			g.addPath(tt.pts, tt.fill, tt.stroke, 612, 792, func() bool { return tt.white })
			if diff := cmp.Diff(tt.rulings, g.rulings); diff != "" {
				t.Errorf("rulings (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.rects, g.rects); diff != "" {
				t.Errorf("rects (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.marks, g.marks); diff != "" {
				t.Errorf("marks (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAxisRect(t *testing.T) {
	tests := []struct {
		name string
		pts  []pathPoint
		ok   bool
	}{
		{"clockwise", poly(true, [2]float64{0, 0}, [2]float64{0, 5}, [2]float64{9, 5}, [2]float64{9, 0}), true},
		{"counter-clockwise", poly(true, [2]float64{0, 0}, [2]float64{9, 0}, [2]float64{9, 5}, [2]float64{0, 5}), true},
		{"a bow tie", poly(true, [2]float64{0, 0}, [2]float64{9, 5}, [2]float64{9, 0}, [2]float64{0, 5}), false},
		{"a rhombus", poly(true, [2]float64{5, 0}, [2]float64{10, 5}, [2]float64{5, 10}, [2]float64{0, 5}), false},
		{"three points", poly(true, [2]float64{0, 0}, [2]float64{9, 0}, [2]float64{9, 5}), false},
	}
	for _, tt := range tests {
		if _, ok := axisRect(tt.pts); ok != tt.ok {
			t.Errorf("%s: axisRect ok = %v, want %v", tt.name, ok, tt.ok)
		}
	}
}
