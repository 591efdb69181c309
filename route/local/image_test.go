package local

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"testing"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/google/go-cmp/cmp"
)

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImage(t *testing.T) {
	pix := pngBytes(t, 3, 2)
	tests := []struct {
		name      string
		in        *folio.Image
		want      *folio.Image
		wantClass folio.ErrorClass
	}{
		{
			name: "size_from_png_header",
			in:   &folio.Image{Width: 640, Height: 400, Description: "d", PNG: pix},
			want: &folio.Image{Width: 3, Height: 2, Description: "d", PNG: pix},
		},
		{name: "no_pixels_fail", in: &folio.Image{Width: 10, Height: 10}, wantClass: folio.ClassInput},
		{name: "no_image_fail", wantClass: folio.ClassInput},
		{name: "not_png_fail", in: &folio.Image{PNG: []byte("GIF89a...")}, wantClass: folio.ClassInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Image{}.Run(context.Background(), route.Task{Element: folio.Element{Type: folio.ImageType, Image: tt.in}})
			if got := route.Classify(err); got != tt.wantClass {
				t.Fatalf("error class = %q (%v), want %q", got, err, tt.wantClass)
			}
			if diff := cmp.Diff(tt.want, res.Image); diff != "" {
				t.Errorf("image (-want +got):\n%s", diff)
			}
			if res.USDMicros == nil || *res.USDMicros != 0 {
				t.Errorf("USDMicros = %v, want a known 0", res.USDMicros)
			}
		})
	}
}
