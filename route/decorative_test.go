package route_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/folio/folio/route/local"
)

func TestDecorativeWhy(t *testing.T) {
	img := func(box folio.Box, w, h int) *folio.Element {
		return &folio.Element{Type: folio.ImageType, Box: box, Image: &folio.Image{Width: w, Height: h}}
	}
	photo := img(folio.Box{72, 72, 372, 272}, 900, 600)
	tests := []struct {
		name         string
		d            route.Decorative
		el           *folio.Element
		pages, total int
		want         string
	}{
		{"photo is content", route.Decorative{}, photo, 1, 10, ""},
		{"icon is tiny", route.Decorative{}, img(folio.Box{0, 0, 30, 30}, 120, 120), 1, 1, route.DecorativeTiny},
		{"a smaller minimum area keeps the icon", route.Decorative{MinArea: 500}, img(folio.Box{0, 0, 30, 30}, 120, 120), 1, 1, ""},
		{"horizontal rule", route.Decorative{}, img(folio.Box{72, 400, 540, 402}, 1950, 8), 1, 1, route.DecorativeRule},
		{"vertical bar", route.Decorative{}, img(folio.Box{50, 72, 56, 720}, 12, 1350), 1, 1, route.DecorativeRule},
		{"wide timeline is content", route.Decorative{}, img(folio.Box{72, 300, 540, 340}, 1950, 166), 1, 1, ""},
		{"a stricter aspect makes it a rule", route.Decorative{MaxAspect: 10}, img(folio.Box{72, 300, 540, 340}, 1950, 166), 1, 1, route.DecorativeRule},
		{"logo on every page", route.Decorative{}, img(folio.Box{72, 20, 172, 60}, 300, 120), 12, 12, route.DecorativeRepeated},
		{"logo on half the pages", route.Decorative{}, img(folio.Box{72, 20, 172, 60}, 300, 120), 5, 10, route.DecorativeRepeated},
		{"figure on two of ten pages", route.Decorative{}, photo, 2, 10, ""},
		{"two-page document: not enough pages to tell", route.Decorative{}, photo, 2, 2, ""},
		{"fewer repeated pages configured", route.Decorative{RepeatedPages: 2}, photo, 2, 2, route.DecorativeRepeated},
		{"no box: measured in pixels", route.Decorative{}, img(folio.Box{}, 16, 16), 1, 1, route.DecorativeTiny},
		{"send turns it off", route.Decorative{Send: true}, img(folio.Box{0, 0, 30, 30}, 120, 120), 12, 12, ""},
		{"not an image", route.Decorative{}, &folio.Element{Type: folio.Paragraph, Box: folio.Box{0, 0, 5, 5}}, 1, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.Why(tt.el, tt.pages, tt.total); got != tt.want {
				t.Errorf("Why = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDecorativeValidate(t *testing.T) {
	for _, d := range []route.Decorative{{MinArea: -1}, {MaxAspect: 0.5}, {RepeatedPages: -2}} {
		p := route.Policy{Decorative: d}
		if err := p.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", d)
		}
	}
	if err := (route.Policy{Decorative: route.Decorative{MinArea: 100, MaxAspect: 8, RepeatedPages: 2}}).Validate(); err != nil {
		t.Errorf("Validate of a sound policy: %v", err)
	}
	if route.DefaultPolicy().Hash() != (route.Policy{Routes: route.DefaultPolicy().Routes, Decorative: route.Decorative{}}).Hash() {
		t.Error("the zero Decorative changes the hash")
	}
	if route.DefaultPolicy().Hash() == (route.Policy{Routes: route.DefaultPolicy().Routes, Decorative: route.Decorative{Send: true}}).Hash() {
		t.Error("Decorative{Send: true} leaves the hash unchanged")
	}
}

// TestRouteDecorativeImagesStayLocal routes a four-page document whose
// logo is on every page, with an icon, a rule and two figures, to a vision
// model: only the figures reach it.
func TestRouteDecorativeImagesStayLocal(t *testing.T) {
	logo := grey(t, 300, 120, 40)
	doc := &folio.Document{ID: "doc_decor", Source: folio.Source{Rel: "decor.pdf", Pages: 4}}
	add := func(page int, box folio.Box, pngData []byte) {
		cfg, err := png.DecodeConfig(bytes.NewReader(pngData))
		if err != nil {
			t.Fatal(err)
		}
		doc.Elements = append(doc.Elements, folio.Element{ID: folio.ElementID(doc.ID, len(doc.Elements)),
			Type: folio.ImageType, Page: page, Box: box, Layer: folio.LayerBody, Confidence: 0.9,
			Image: &folio.Image{Width: cfg.Width, Height: cfg.Height, PNG: pngData}})
	}
	for p := 1; p <= 4; p++ {
		doc.Pages = append(doc.Pages, folio.PageInfo{Page: p, Width: 612, Height: 792, TextLayer: true})
		add(p, folio.Box{72, 20, 172, 60}, logo) // 0, 2, 3, 4: the logo
		if p == 1 {
			add(p, folio.Box{72, 100, 372, 300}, grey(t, 900, 600, 90)) // 1: a figure
		}
	}
	// After the logos: 4 an icon, 5 a rule, 6 the figure of page 1 again
	// on page 2 (two of four pages: content).
	chart := grey(t, 600, 400, 120)
	extra := []struct {
		page int
		box  folio.Box
		png  []byte
	}{
		{3, folio.Box{300, 300, 320, 320}, grey(t, 40, 40, 200)},
		{3, folio.Box{72, 400, 540, 404}, grey(t, 975, 8, 10)},
		{2, folio.Box{72, 100, 372, 300}, chart},
		{4, folio.Box{72, 100, 372, 300}, chart},
	}
	for _, e := range extra {
		add(e.page, e.box, e.png)
	}

	var mu sync.Mutex
	var seen []string
	vision := fake{"test/vision", func(_ context.Context, task route.Task) (route.Result, error) {
		mu.Lock()
		seen = append(seen, task.Element.ID)
		mu.Unlock()
		img := *task.Element.Image
		img.Description = "a figure"
		return route.Result{Image: &img, Usage: folio.Usage{InputTokens: 100}, USDMicros: zero()}, nil
	}}
	policy := route.Policy{Routes: map[folio.ElementType][]route.Link{folio.ImageType: links("test/vision")}}

	t.Run("decoration stays local", func(t *testing.T) {
		seen = nil
		frags, err := newRouter(t, 2, policy, vision, local.Image{}).Route(context.Background(), doc, nil)
		if err != nil {
			t.Fatal(err)
		}
		rules := map[string]string{}
		for i, f := range frags {
			if len(f.Calls) != 1 {
				t.Fatalf("element %d: %d calls, want 1", i, len(f.Calls))
			}
			rules[doc.Elements[i].ID] = f.Calls[0].Rule + " " + f.Calls[0].Model + " " + f.Status
		}
		id := func(i int) string { return doc.Elements[i].ID }
		want := map[string]string{}
		for _, i := range []int{0, 2, 3, 4} {
			want[id(i)] = "decorative:repeated local/image ok"
		}
		want[id(1)] = "image#1 test/vision ok"
		want[id(5)] = "decorative:tiny local/image ok"
		want[id(6)] = "decorative:rule local/image ok"
		want[id(7)] = "image#1 test/vision ok"
		want[id(8)] = "image#1 test/vision ok"
		if diff := cmp.Diff(want, rules); diff != "" {
			t.Errorf("calls by element (-want +got):\n%s", diff)
		}
		if len(seen) != 3 {
			t.Errorf("the vision model saw %d images, want the 3 figures", len(seen))
		}
		if f := frags[0]; f.Image == nil || f.Image.Width != 300 || f.Image.Description != "" {
			t.Errorf("the logo's output %+v, want its own pixels without a description", f.Image)
		}
	})
	t.Run("send follows the chain", func(t *testing.T) {
		seen = nil
		p := policy
		p.Decorative.Send = true
		frags, err := newRouter(t, 2, p, vision, local.Image{}).Route(context.Background(), doc, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range frags {
			if f.Model != "test/vision" {
				t.Errorf("element %d went to %q, want test/vision", i, f.Model)
			}
		}
	})
	t.Run("local chain keeps its rules", func(t *testing.T) {
		p := route.Policy{Routes: map[folio.ElementType][]route.Link{folio.ImageType: links("local/image")}}
		frags, err := newRouter(t, 2, p, local.Image{}).Route(context.Background(), doc, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range frags {
			if len(f.Calls) != 1 || f.Calls[0].Rule != "image#1" {
				t.Errorf("element %d: calls %+v, want one under image#1", i, f.Calls)
			}
		}
	})
}

// grey returns a w×h PNG of one grey level.
func grey(t *testing.T, w, h int, level uint8) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = level
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
