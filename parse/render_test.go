package parse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"testing"
	"time"

	"github.com/folio/folio"
	"github.com/google/go-cmp/cmp"
)

// samplesDir holds the repository's sample documents.
const samplesDir = "../testdata/samples"

// render renders regions of data with the shared engine under hangGuard.
func render(t testing.TB, data []byte, regions []folio.PageBox, dpi float64, maxPixels int64) [][]byte {
	t.Helper()
	out, err := testEngine.Render(ctxFor(t), folio.Source{Rel: "x.pdf"}, data, at(regions, dpi, maxPixels))
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if len(out) != len(regions) {
		t.Fatalf("got %d images for %d regions", len(out), len(regions))
	}
	return out
}

// decode decodes a PNG.
func decode(t testing.TB, b []byte) image.Image {
	t.Helper()
	if b == nil {
		t.Fatal("no image")
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode PNG: %v", err)
	}
	return img
}

// stats are the per-channel mean and the luminance variance of an image,
// and the share of its pixels that are white, dark, clearly blue (more blue
// than red) and clearly red.
type stats struct {
	mean            [3]float64 // 0-255
	variance        float64
	white, dark     float64
	bluish, reddish float64
}

func imageStats(img image.Image) stats {
	var s stats
	var sum, sum2 float64
	b := img.Bounds()
	n := float64(b.Dx() * b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			r, g, bl := float64(c.R), float64(c.G), float64(c.B)
			s.mean[0] += r / n
			s.mean[1] += g / n
			s.mean[2] += bl / n
			lum := 0.299*r + 0.587*g + 0.114*bl
			sum += lum
			sum2 += lum * lum
			if c.R >= 250 && c.G >= 250 && c.B >= 250 {
				s.white += 1 / n
			}
			if lum < 128 {
				s.dark += 1 / n
			}
			if bl > r+60 {
				s.bluish += 1 / n
			}
			if r > bl+60 {
				s.reddish += 1 / n
			}
		}
	}
	s.variance = sum2/n - (sum/n)*(sum/n)
	return s
}

// within1 reports whether a and b differ by at most one.
func within1(a, b int) bool { return a-b >= -1 && a-b <= 1 }

// pictureBox parses picture_classification.pdf and returns it with the box
// of the picture on its first page.
func pictureBox(t *testing.T) ([]byte, folio.Box) {
	t.Helper()
	data, err := os.ReadFile(samplesDir + "/picture_classification.pdf")
	if err != nil {
		t.Fatal(err)
	}
	p, err := parse(t, testEngine, "picture_classification.pdf", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Pages) == 0 || len(p.Pages[0].Images) != 1 {
		t.Fatalf("want one picture on page 1, got %+v", p.Pages)
	}
	return data, p.Pages[0].Images[0].Box
}

func TestRenderPicture(t *testing.T) {
	data, box := pictureBox(t)
	margin := folio.Box{20, 20, 200, 80} // above the heading
	regions := []folio.PageBox{{Page: 1, Box: box}, {Page: 1, Box: margin}}
	for _, dpi := range []float64{72, 144} {
		t.Run(fmt.Sprint(dpi, "dpi"), func(t *testing.T) {
			out := render(t, data, regions, dpi, 0)
			pic, blank := decode(t, out[0]), decode(t, out[1])
			for i, img := range []image.Image{pic, blank} {
				b, want := img.Bounds(), regions[i].Box
				ww, wh := int(math.Round(want.Width()*dpi/72)), int(math.Round(want.Height()*dpi/72))
				if !within1(b.Dx(), ww) || !within1(b.Dy(), wh) {
					t.Errorf("region %v: %dx%d pixels, want %dx%d", want, b.Dx(), b.Dy(), ww, wh)
				}
			}
			if s := imageStats(pic); s.variance < 1000 || s.white > 0.9 {
				t.Errorf("the picture looks blank: luminance variance %.0f, %.0f%% white", s.variance, 100*s.white)
			}
			if s := imageStats(blank); s.white < 0.99 {
				t.Errorf("the blank margin is only %.1f%% white", 100*s.white)
			}
		})
	}
}

// TestRenderColours compares the rendered picture with its own pixels as
// PDFium decodes them: the channel order must survive.
func TestRenderColours(t *testing.T) {
	data, box := pictureBox(t)
	e := newTestEngine(t, Options{ExtractImages: true})
	p, err := parse(t, e, "picture_classification.pdf", data)
	if err != nil {
		t.Fatal(err)
	}
	want := imageStats(decode(t, p.Pages[0].Images[0].PNG))
	got := imageStats(decode(t, render(t, data, []folio.PageBox{{Page: 1, Box: box}}, 150, 0)[0]))
	t.Logf("rendered: mean %.0f, %.1f%% blue, %.1f%% red; image: mean %.0f, %.1f%% blue, %.1f%% red",
		got.mean, 100*got.bluish, 100*got.reddish, want.mean, 100*want.bluish, 100*want.reddish)
	for c := range 3 {
		if math.Abs(got.mean[c]-want.mean[c]) > 6 {
			t.Errorf("mean colour of the rendered picture %.0f, of its pixels %.0f", got.mean, want.mean)
			break
		}
	}
	// The chart's bars are blue, red and green on white, more blue than
	// red; swapped channels would swap the shares.
	if math.Abs(got.bluish-want.bluish) > 0.01 || math.Abs(got.reddish-want.reddish) > 0.01 || want.bluish < want.reddish+0.02 {
		t.Errorf("blue and red shares: rendered %.3f and %.3f, image %.3f and %.3f", got.bluish, got.reddish, want.bluish, want.reddish)
	}
}

// rectsPDF builds a one-page PDF with a non-integer media box, a crop box
// inside it, the given /Rotate, and three filled rectangles: red, green
// and blue.
func rectsPDF(rotate int) []byte {
	content := "1 0 0 rg 50 60 40 30 re f\n0 1 0 rg 200 300 30 50 re f\n0 0 1 rg 120 150 60 20 re f\n"
	return buildPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300.5 400.25] /CropBox [10.25 20.5 290.5 390] /Rotate %d /Contents 4 0 R >>", rotate),
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
	)
}

// TestRenderGeometry checks that each rectangle Parse reports renders as a
// solid colour exactly filling the region, for every page rotation.
func TestRenderGeometry(t *testing.T) {
	const dpi = 720 // 10 pixels a point: a misplacement of 0.15 pt shows
	for _, rot := range []int{0, 90, 180, 270} {
		t.Run(fmt.Sprint("rotate ", rot), func(t *testing.T) {
			data := rectsPDF(rot)
			p, err := parse(t, testEngine, "rects.pdf", data)
			if err != nil {
				t.Fatal(err)
			}
			pg := p.Pages[0]
			if len(pg.Rects) != 3 {
				t.Fatalf("Parse found rects %v, want 3", pg.Rects)
			}
			var regions []folio.PageBox
			for _, r := range pg.Rects {
				// The rectangle, and the rectangle with a 1 pt margin.
				regions = append(regions, folio.PageBox{Page: 1, Box: r},
					folio.PageBox{Page: 1, Box: folio.Box{r[0] - 1, r[1] - 1, r[2] + 1, r[3] + 1}})
			}
			out := render(t, data, regions, dpi, 0)
			colours := map[color.NRGBA]bool{}
			for i := 0; i < len(out); i += 2 {
				inner, outer := decode(t, out[i]), decode(t, out[i+1])
				// The region itself is one colour to the edges: sample
				// its centre and the pixels next to its corners.
				b := inner.Bounds()
				c := color.NRGBAModel.Convert(inner.At(b.Dx()/2, b.Dy()/2)).(color.NRGBA)
				colours[c] = true
				for _, pt := range [][2]int{{1, 1}, {b.Dx() - 2, 1}, {1, b.Dy() - 2}, {b.Dx() - 2, b.Dy() - 2}} {
					if got := color.NRGBAModel.Convert(inner.At(pt[0], pt[1])); got != c {
						t.Errorf("rect %v: pixel %v is %v, the centre %v", regions[i].Box, pt, got, c)
					}
				}
				// With the margin, the colour spans 10 pixels in from each
				// side along the middle row and column.
				ob := outer.Bounds()
				xs, xe := span(outer, c, ob.Dx(), func(k int) (int, int) { return k, ob.Dy() / 2 })
				ys, ye := span(outer, c, ob.Dy(), func(k int) (int, int) { return ob.Dx() / 2, k })
				if !within1(xs, 10) || !within1(xe, ob.Dx()-10) || !within1(ys, 10) || !within1(ye, ob.Dy()-10) {
					t.Errorf("rect %v with margin (%dx%d px): colour spans x %d-%d, y %d-%d; want 10-%d, 10-%d",
						regions[i].Box, ob.Dx(), ob.Dy(), xs, xe, ys, ye, ob.Dx()-10, ob.Dy()-10)
				}
			}
			want := map[color.NRGBA]bool{{255, 0, 0, 255}: true, {0, 255, 0, 255}: true, {0, 0, 255, 255}: true}
			if diff := cmp.Diff(want, colours); diff != "" {
				t.Errorf("colours of the rects (-want +got):\n%s", diff)
			}
		})
	}
}

// span returns the first and one past the last of n pixels, at(k), whose
// colour is closer to c than to white.
func span(img image.Image, c color.NRGBA, n int, at func(k int) (x, y int)) (start, end int) {
	start, end = -1, -1
	for k := range n {
		p := color.NRGBAModel.Convert(img.At(at(k))).(color.NRGBA)
		d := func(a, b uint8) int { return (int(a) - int(b)) * (int(a) - int(b)) }
		toC := d(p.R, c.R) + d(p.G, c.G) + d(p.B, c.B)
		toWhite := d(p.R, 255) + d(p.G, 255) + d(p.B, 255)
		if toC < toWhite {
			if start < 0 {
				start = k
			}
			end = k + 1
		}
	}
	return start, end
}

// TestRenderRotatedPages renders every word Parse finds on rotated pages:
// drawn in the displayed frame, each word's box holds ink.
func TestRenderRotatedPages(t *testing.T) {
	for _, file := range []string{"clockwise_table_1.pdf", "anticlockwise_table_1.pdf", "eu-015.pdf"} {
		t.Run(file, func(t *testing.T) {
			data := readTestdata(t, file)
			pg := mustParse(t, file).Pages[0]
			// The top half of the displayed page.
			regions := []folio.PageBox{{Page: 1, Box: folio.Box{0, 0, pg.Width, pg.Height / 2}}}
			for _, w := range pg.Words {
				if len([]rune(w.Text)) >= 3 {
					regions = append(regions, folio.PageBox{Page: 1, Box: w.Box})
				}
			}
			out := render(t, data, regions, 144, 0)
			b := decode(t, out[0]).Bounds()
			if !within1(b.Dx(), int(math.Round(pg.Width*2))) || !within1(b.Dy(), int(math.Round(pg.Height))) {
				t.Errorf("top half of the %vx%v page (rotation %d): %dx%d pixels, want %vx%v",
					pg.Width, pg.Height, pg.Rotation, b.Dx(), b.Dy(), pg.Width*2, pg.Height)
			}
			inked := 0
			for i, png := range out[1:] {
				if s := imageStats(decode(t, png)); s.dark > 0.02 {
					inked++
				} else if testing.Verbose() {
					t.Logf("no ink in %v (%.1f%% dark)", regions[i+1].Box, 100*s.dark)
				}
			}
			if n := len(out) - 1; n < 20 || inked < n*95/100 {
				t.Errorf("%d of %d word boxes hold ink", inked, n)
			}
		})
	}
}

func TestRenderMaxPixels(t *testing.T) {
	data := readTestdata(t, "2305.03393v1-pg9.pdf")
	out := render(t, data, []folio.PageBox{{Page: 1, Box: folio.Box{0, 0, 612, 792}}}, 300, 100_000)
	b := decode(t, out[0]).Bounds()
	px := b.Dx() * b.Dy()
	if px > 100_000 || px < 98_000 {
		t.Errorf("%dx%d = %d pixels, want at most and nearly 100000", b.Dx(), b.Dy(), px)
	}
	if ratio := float64(b.Dx()) / float64(b.Dy()); math.Abs(ratio-612.0/792) > 0.01 {
		t.Errorf("aspect %.3f, want %.3f", ratio, 612.0/792)
	}
	// Defaults: 150 dpi, and 4e6 pixels for the whole page at 600 dpi.
	out = render(t, data, []folio.PageBox{{Page: 1, Box: folio.Box{0, 0, 72, 36}}, {Page: 1, Box: folio.Box{0, 0, 612, 792}}}, 0, 0)
	if b := decode(t, out[0]).Bounds(); b.Dx() != 150 || b.Dy() != 75 {
		t.Errorf("1x0.5 inch at the default dpi: %dx%d, want 150x75", b.Dx(), b.Dy())
	}
	out = render(t, data, []folio.PageBox{{Page: 1, Box: folio.Box{0, 0, 612, 792}}}, 600, 0)
	if b := decode(t, out[0]).Bounds(); b.Dx()*b.Dy() > DefaultRenderMaxPixels || b.Dx()*b.Dy() < DefaultRenderMaxPixels*98/100 {
		t.Errorf("a page at 600 dpi: %dx%d, want just under %d pixels", b.Dx(), b.Dy(), DefaultRenderMaxPixels)
	}
}

func TestRenderMemoryCap(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 4 million pixels")
	}
	// 64 MiB of wasm memory allows bitmaps of 4 MiB pixels.
	e := newTestEngine(t, Options{MemoryLimit: 64 << 20})
	data := readTestdata(t, "2305.03393v1-pg9.pdf")
	out, err := e.Render(context.Background(), folio.Source{}, data, at([]folio.PageBox{{Page: 1, Box: folio.Box{0, 0, 612, 792}}}, 2400, 1e12))
	if err != nil {
		t.Fatal(err)
	}
	b := decode(t, out[0]).Bounds()
	if px := b.Dx() * b.Dy(); px > 4<<20 || px < 4<<20*98/100 {
		t.Errorf("%dx%d = %d pixels, want just under %d", b.Dx(), b.Dy(), px, 4<<20)
	}
}

func TestRegionSize(t *testing.T) {
	tests := []struct {
		w, h, scale float64
		max         int64
		pw, ph      int
	}{
		{100, 50, 2, 1e6, 200, 100},
		{100, 50, 2, 5000, 100, 50},
		{100, 100, 10, 1, 1, 1},
		{0.01, 0.01, 1, 100, 1, 1},
		{0.01, 1000, 1, 100, 1, 100}, // one pixel wide, cut to the cap
		{1000, 0.01, 1, 100, 100, 1}, // one pixel high, cut to the cap
		{612, 792, 1e300, 4e6, 1758, 2275},
	}
	for _, tt := range tests {
		pw, ph := regionSize(tt.w, tt.h, tt.scale, tt.max)
		if pw != tt.pw || ph != tt.ph || int64(pw)*int64(ph) > tt.max {
			t.Errorf("regionSize(%v, %v, %v, %v) = %d, %d; want %d, %d", tt.w, tt.h, tt.scale, tt.max, pw, ph, tt.pw, tt.ph)
		}
	}
}

func TestRenderBadRegions(t *testing.T) {
	data := readTestdata(t, "eu-015.pdf") // 2 pages of 842x595
	regions := []folio.PageBox{
		{Page: 0, Box: folio.Box{0, 0, 100, 100}},
		{Page: 3, Box: folio.Box{0, 0, 100, 100}},
		{Page: -1, Box: folio.Box{0, 0, 100, 100}},
		{Page: 1, Box: folio.Box{10, 10, 10, 50}},          // no width
		{Page: 1, Box: folio.Box{50, 50, 10, 10}},          // inverted
		{Page: 1, Box: folio.Box{900, 0, 1000, 100}},       // right of the page
		{Page: 1, Box: folio.Box{math.NaN(), 0, 100, 100}}, // not a number
		{Page: 1, Box: folio.Box{0, 0, math.Inf(1), 100}},  // infinite
		{Page: 2, Box: folio.Box{-100, -50, 100, 50}},      // clipped to 100x50
		{Page: 1, Box: folio.Box{800, 500, 900, 700}},      // clipped to 42x95
	}
	out := render(t, data, regions, 72, 0)
	var got []string
	for _, b := range out {
		if b == nil {
			got = append(got, "nil")
			continue
		}
		r := decode(t, b).Bounds()
		got = append(got, fmt.Sprintf("%dx%d", r.Dx(), r.Dy()))
	}
	want := []string{"nil", "nil", "nil", "nil", "nil", "nil", "nil", "nil", "100x50", "42x95"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("images (-want +got):\n%s", diff)
	}
	if out, err := testEngine.Render(context.Background(), folio.Source{}, data, at(nil, 0, 0)); err != nil || len(out) != 0 {
		t.Errorf("no regions: %v, %v", out, err)
	}
}

func TestRenderFailures(t *testing.T) {
	pdf := readTestdata(t, "2305.03393v1-pg9.pdf")
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel2()
	time.Sleep(time.Millisecond)
	tests := []struct {
		name string
		ctx  context.Context
		data []byte
		want folio.Kind
	}{
		{"a password-protected file is encrypted", nil, readTestdata(t, "password.pdf"), folio.KindEncrypted},
		{"a corrupt file is malformed", nil, readTestdata(t, "corrupt.pdf"), folio.KindMalformed},
		{"a truncated file is malformed", nil, pdf[:len(pdf)/2], folio.KindMalformed},
		{"an empty file is malformed", nil, nil, folio.KindMalformed},
		{"an expired deadline is a timeout", expired, pdf, folio.KindTimeout},
		{"a canceled context is canceled", canceled, pdf, folio.KindCanceled},
	}
	regions := []folio.PageBox{{Page: 1, Box: folio.Box{0, 0, 300, 300}}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			_, perr := testEngine.Parse(ctx, folio.Source{Rel: "x.pdf"}, tt.data)
			out, err := testEngine.Render(ctx, folio.Source{Rel: "x.pdf"}, tt.data, at(regions, 0, 0))
			var fe *folio.Error
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, %v; want a *folio.Error of kind %s", out, err, tt.want)
			}
			got := []any{fe.Op, fe.Doc, fe.Kind, folio.ErrorKind(perr)}
			if diff := cmp.Diff([]any{"render", "x.pdf", tt.want, tt.want}, got); diff != "" {
				t.Errorf("op, doc, kind, Parse's kind (-want +got):\n%s\nerror: %v", diff, err)
			}
		})
	}
}

func TestRenderDeadlineInterruptsPDFium(t *testing.T) {
	// One page with 2 million lines: PDFium needs seconds to load it.
	data := pathsPDF(2_000_000)
	e := interruptEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.Render(ctx, folio.Source{Rel: "slow.pdf"}, data, at([]folio.PageBox{{Page: 1, Box: folio.Box{0, 0, 100, 100}}}, 0, 0))
	took := time.Since(start)
	if folio.ErrorKind(err) != folio.KindTimeout {
		t.Errorf("got %v, want a timeout", err)
	}
	if took > 200*time.Millisecond+killSlack {
		t.Errorf("Render returned %v after the deadline", took-200*time.Millisecond)
	}
	// The killed instance is replaced.
	if _, err := e.Render(ctxFor(t), folio.Source{Rel: "after.pdf"}, readTestdata(t, "clockwise_table_1.pdf"), at([]folio.PageBox{{Page: 1, Box: folio.Box{0, 0, 100, 100}}}, 0, 0)); err != nil {
		t.Errorf("render after a timeout: %v", err)
	}
}

func TestRenderConcurrent(t *testing.T) {
	data := readTestdata(t, "2305.03393v1-pg9.pdf")
	regions := []folio.PageBox{{Page: 1, Box: folio.Box{0, 0, 612, 396}}, {Page: 1, Box: folio.Box{100, 400, 500, 700}}}
	want := render(t, data, regions, 100, 0)
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			out, err := testEngine.Render(context.Background(), folio.Source{}, data, at(regions, 100, 0))
			if err == nil && !cmp.Equal(want, out) {
				err = errors.New("images differ when rendered concurrently")
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// BenchmarkRender renders the top half of a page at 150 dpi: a text page
// (gray) once a call and four times a call (one page load for the four),
// and a page with a colour chart.
func BenchmarkRender(b *testing.B) {
	text := readTestdata(b, "2305.03393v1-pg9.pdf")
	picture, err := os.ReadFile(samplesDir + "/picture_classification.pdf")
	if err != nil {
		b.Fatal(err)
	}
	half := folio.PageBox{Page: 1, Box: folio.Box{0, 0, 612, 396}}
	for _, bb := range []struct {
		name string
		data []byte
		n    int
	}{{"text", text, 1}, {"text×4", text, 4}, {"picture", picture, 1}} {
		b.Run(bb.name, func(b *testing.B) {
			regions := make([]folio.PageBox, bb.n)
			for i := range regions {
				regions[i] = half
			}
			for b.Loop() {
				out, err := testEngine.Render(context.Background(), folio.Source{}, bb.data, at(regions, 150, 0))
				if err != nil || out[0] == nil {
					b.Fatal(out, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*bb.n), "ms/region")
		})
	}
}

// One call draws each region at its own resolution and pixel cap: the
// pipeline asks once per document for figures and for crops.
func TestRenderDrawingsAtTheirOwnResolution(t *testing.T) {
	data := rectsPDF(0)
	box := folio.PageBox{Page: 1, Box: folio.Box{72, 72, 216, 144}} // 2 × 1 inches
	out, err := testEngine.Render(ctxFor(t), folio.Source{Rel: "x.pdf"}, data, []folio.Drawing{
		{PageBox: box, DPI: 100},
		{PageBox: box, DPI: 50},
		{PageBox: box, DPI: 100, MaxPixels: 5000},
		{PageBox: box}, // the defaults: 150 dpi
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []image.Point{{200, 100}, {100, 50}, {100, 50}, {300, 150}} {
		if got := decode(t, out[i]).Bounds().Size(); got != want {
			t.Errorf("drawing %d: %v pixels, want %v", i, got, want)
		}
	}
}
