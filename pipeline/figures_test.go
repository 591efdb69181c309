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
	got []folio.PageBox
	err error
}

func (f *fakeRenderer) Render(_ context.Context, _ folio.Source, _ []byte, regions []folio.PageBox, dpi float64, maxPixels int64) ([][]byte, error) {
	f.got = regions
	if f.err != nil {
		return nil, f.err
	}
	out := make([][]byte, len(regions))
	for i, r := range regions {
		if r.Page > 1 {
			continue // "cannot draw" this one
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, int(r.Box.Width()), int(r.Box.Height())))); err != nil {
			panic(err)
		}
		out[i] = buf.Bytes()
	}
	return out, nil
}

func TestRenderFiguresDrawsOnlyImagesWithoutPixels(t *testing.T) {
	els := []folio.Element{
		{Type: folio.Paragraph, Page: 1, Box: folio.Box{0, 0, 100, 10}},
		{Type: folio.ImageType, Page: 1, Box: folio.Box{0, 0, 40, 30}},                                            // vector figure: no Image
		{Type: folio.ImageType, Page: 1, Box: folio.Box{0, 50, 60, 70}, Image: &folio.Image{Width: 3, Height: 2}}, // tiles: no PNG
		{Type: folio.ImageType, Page: 1, Box: folio.Box{0, 80, 10, 90}, Image: &folio.Image{PNG: []byte{1}}},      // has pixels
		{Type: folio.ImageType, Page: 2, Box: folio.Box{0, 0, 10, 10}},                                            // renderer fails
	}
	r := &fakeRenderer{}
	warnings := renderFigures(context.Background(), r, folio.Source{}, nil, els)
	if len(r.got) != 3 {
		t.Fatalf("rendered %d regions, want 3 (images without pixels): %v", len(r.got), r.got)
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

	r.err = errors.New("document gone")
	els[1].Image = nil
	if w := renderFigures(context.Background(), r, folio.Source{}, nil, els); len(w) != 1 || els[1].Image != nil {
		t.Errorf("on a renderer error: warnings %q, image %+v; want one warning and nothing set", w, els[1].Image)
	}
}
