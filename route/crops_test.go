package route_test

import (
	"context"
	"slices"
	"testing"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
)

// eyed is a fake that reads page regions drawn at dpi (a vision model).
type eyed struct {
	fake
	dpi float64
}

func (e eyed) ImageDPI() float64 { return e.dpi }

// The router, not the pipeline, says which regions its vision links may
// be sent: tables when the table chain has a vision model (through the
// wrappers), every element on a page without a text layer when a text
// chain has one, at the finest resolution any needs; nothing without a
// vision link.
func TestRouterCrops(t *testing.T) {
	ok := func(context.Context, route.Task) (route.Result, error) { return route.Result{}, nil }
	blind := fake{"blind", ok}
	small := route.Wrap(eyed{fake{"small", ok}, 100}, route.ModelOptions{}, nil)
	large := eyed{fake{"large", ok}, 150}
	doc := &folio.Document{Pages: []folio.PageInfo{{Page: 1, TextLayer: true}, {Page: 2}}}
	for i, el := range []folio.Element{
		{Type: folio.TableType, Page: 1, Box: folio.Box{0, 0, 10, 10}},
		{Type: folio.Paragraph, Page: 1, Box: folio.Box{0, 20, 10, 30}},
		{Type: folio.Paragraph, Page: 2, Box: folio.Box{0, 20, 10, 30}},
		{Type: folio.ImageType, Page: 2, Box: folio.Box{0, 40, 10, 50}},
		{Type: folio.Footer, Page: 2, Box: folio.Box{0, 60, 10, 70}, Layer: folio.LayerFurniture},
		{Type: folio.TableType, Page: 1}, // no box
	} {
		el.ID = string(rune('a' + i))
		doc.Elements = append(doc.Elements, el)
	}
	doc.Candidates = []folio.Element{{ID: "z", Type: folio.TableType, Page: 1, Box: folio.Box{0, 80, 10, 90}, Layer: folio.LayerCandidate}}
	for _, tc := range []struct {
		name   string
		routes map[folio.ElementType][]route.Link
		want   []string
		dpi    float64
	}{
		{"no vision link", map[folio.ElementType][]route.Link{folio.TableType: links("blind")}, nil, 0},
		{"vision for tables", map[folio.ElementType][]route.Link{folio.TableType: links("blind", "small")}, []string{"a", "z"}, 100},
		{"vision for text", map[folio.ElementType][]route.Link{folio.Paragraph: links("large"), folio.TableType: links("small")},
			[]string{"a", "c", "z"}, 150},
		{"vision for images only", map[folio.ElementType][]route.Link{folio.ImageType: links("large")}, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRouter(t, 1, route.Policy{Routes: tc.routes}, blind, small, large)
			crops := r.Crops(doc)
			var got []string
			for id, d := range crops {
				got = append(got, id)
				if d.DPI != tc.dpi {
					t.Errorf("element %s drawn at %v dpi, want %v", id, d.DPI, tc.dpi)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("crops for %v, want %v", got, tc.want)
			}
		})
	}
}
