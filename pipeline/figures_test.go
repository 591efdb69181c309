package pipeline

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"testing"

	"github.com/folio/folio"
)

type fakeRenderer struct {
	calls int
	got   []folio.Drawing
	err   error
}

func (f *fakeRenderer) Render(_ context.Context, _ folio.Source, _ []byte, drawings []folio.Drawing) ([][]byte, error) {
	f.calls++
	f.got = drawings
	if f.err != nil {
		return nil, f.err
	}
	out := make([][]byte, len(drawings))
	for i, d := range drawings {
		if d.Page > 1 {
			continue // "cannot draw" this one
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, int(d.Box.Width()), int(d.Box.Height())))); err != nil {
			panic(err)
		}
		out[i] = buf.Bytes()
	}
	return out, nil
}

func figureElements() []folio.Element {
	return []folio.Element{
		{Type: folio.Paragraph, Page: 1, Box: folio.Box{0, 0, 100, 10}},
		{Type: folio.ImageType, Page: 1, Box: folio.Box{0, 0, 40, 30}},                                            // vector figure: no Image
		{Type: folio.ImageType, Page: 1, Box: folio.Box{0, 50, 60, 70}, Image: &folio.Image{Width: 3, Height: 2}}, // tiles: no PNG
		{Type: folio.ImageType, Page: 1, Box: folio.Box{0, 80, 10, 90}, Image: &folio.Image{PNG: []byte{1}}},      // has pixels
		{Type: folio.ImageType, Page: 2, Box: folio.Box{0, 0, 10, 10}},                                            // renderer fails
		{Type: folio.TableType, Page: 1, Box: folio.Box{0, 100, 50, 120}},
	}
}

// docOf assembles els into a document with ids.
func docOf(els []folio.Element) *folio.Document {
	return newDocument(folio.Source{Rel: "a.pdf", SHA256: "ab"}, "run", "cfg", &folio.Parsed{Pages: []folio.Page{{Number: 1}, {Number: 2}}}, els)
}

// tableCrops asks for every table drawn at dpi, as a router with a vision
// link for tables does.
func tableCrops(doc *folio.Document, dpi float64) map[string]folio.Drawing {
	out := map[string]folio.Drawing{}
	for _, el := range doc.Elements {
		if el.Type == folio.TableType {
			out[el.ID] = folio.Drawing{PageBox: folio.PageBox{Page: el.Page, Box: el.Box}, DPI: dpi}
		}
	}
	return out
}

func TestDrawPagesGivesFiguresPixels(t *testing.T) {
	doc := docOf(figureElements())
	els := doc.Elements
	r := &fakeRenderer{}
	crops, warnings := drawPages(context.Background(), r, folio.Source{}, nil, doc, nil)
	if r.calls != 1 || len(r.got) != 3 {
		t.Fatalf("%d calls drawing %d regions, want 1 call for the 3 images without pixels: %v", r.calls, len(r.got), r.got)
	}
	if els[1].Image == nil || els[1].Image.Width != 40 || els[1].Image.Height != 30 {
		t.Errorf("vector figure image = %+v, want 40x30 pixels", els[1].Image)
	}
	if els[2].Image.Width != 60 || els[2].Image.Height != 20 || len(els[2].Image.PNG) == 0 {
		t.Errorf("tiled figure image = %+v, want rendered 60x20", els[2].Image)
	}
	if len(warnings) != 1 || els[4].Image != nil {
		t.Errorf("warnings = %q, page-2 image = %+v; want one warning and no image", warnings, els[4].Image)
	}
	if len(crops) != 0 {
		t.Errorf("crops %v drawn without a vision route", crops)
	}

	r.err = errors.New("document gone")
	els[1].Image = nil
	if _, w := drawPages(context.Background(), r, folio.Source{}, nil, doc, nil); len(w) != 1 || els[1].Image != nil {
		t.Errorf("on a renderer error: warnings %q, image %+v; want one warning and nothing set", w, els[1].Image)
	}
}

// A document is drawn at most once, figures and the router's crops in one
// call, each at its own resolution; a router that asks for no crops (no
// vision route) gets none, and a document with nothing to draw is not
// drawn at all.
func TestDrawPagesOneCallPerDocument(t *testing.T) {
	for _, tc := range []struct {
		name      string
		els       []folio.Element
		cropDPI   float64 // 0: the router asks for no crops
		calls     int
		crops     int
		figureDPI float64 // 0: the renderer's default
	}{
		{"figures and table crops", figureElements(), 200, 1, 1, 0},
		{"no vision route", figureElements(), 0, 1, 0, 0},
		{"nothing to draw", figureElements()[:1], 0, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &fakeRenderer{}
			doc := docOf(tc.els)
			var want map[string]folio.Drawing
			if tc.cropDPI > 0 {
				want = tableCrops(doc, tc.cropDPI)
			}
			crops, _ := drawPages(context.Background(), r, folio.Source{}, nil, doc, want)
			if r.calls != tc.calls {
				t.Fatalf("%d render calls, want %d", r.calls, tc.calls)
			}
			if len(crops) != tc.crops {
				t.Errorf("%d crops drawn, want %d", len(crops), tc.crops)
			}
			for _, d := range r.got {
				want := tc.figureDPI
				if d.Box == (folio.Box{0, 100, 50, 120}) {
					want = tc.cropDPI
				}
				if d.DPI != want || d.MaxPixels != 0 {
					t.Errorf("drawing %+v: want %v dpi (0: the renderer's default) and the renderer's pixel cap", d, want)
				}
			}
		})
	}
}
