package parse

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/folio/folio"
)

// renderFlags are the FPDF_RenderPage* flags: none, so no annotations and
// no LCD (sub-pixel) text, which would fringe glyphs with colour.
const renderFlags = 0

// white is opaque white as FPDFBitmap_FillRect takes it (0xAARRGGBB).
const white = 0xFFFFFFFF

var _ folio.Renderer = (*Engine)(nil)

// Render draws regions of data's pages as PNG images, one per drawing in
// order. Regions are in Parse's coordinates: points in the displayed frame
// (page rotation applied, origin top-left), pages numbered from 1. Each is
// clipped to its page and drawn as a viewer shows it (on white, without
// annotations) at its DPI (default 150), lowered so that the image has at
// most its MaxPixels pixels (default 4e6; never more than the wasm memory
// limit in bytes over 16) and at least one. A region on a page the
// document lacks or cannot load, or with no area on its page, gets a nil
// entry.
//
// The document is opened once and each page loaded once; only the region's
// pixels are rendered. Image inputs (PNG, JPEG, TIFF) have one page, the
// image, and regions are cut from it and scaled. Failures are *folio.Error values with Op "render"
// and the kinds Parse gives: the deadline or cancellation of ctx, a
// malformed or encrypted file, exhausted memory, a crash. With no drawings
// Render returns at once, without looking at data.
func (e *Engine) Render(ctx context.Context, src folio.Source, data []byte, drawings []folio.Drawing) ([][]byte, error) {
	ds := make([]folio.Drawing, len(drawings))
	regions := make([]folio.PageBox, len(drawings))
	for i, d := range drawings {
		if d.DPI <= 0 || math.IsNaN(d.DPI) || math.IsInf(d.DPI, 0) {
			d.DPI = DefaultRenderDPI
		}
		if d.MaxPixels <= 0 {
			d.MaxPixels = DefaultRenderMaxPixels
		}
		// A bitmap of 4 bytes a pixel takes at most a quarter of the wasm
		// memory, leaving room for the document and for PDFium's own
		// buffers (transparency groups and soft masks draw into more
		// bitmaps).
		d.MaxPixels = max(min(d.MaxPixels, e.opts.MemoryLimit/16), 1)
		ds[i], regions[i] = d, d.PageBox
	}
	out := make([][]byte, len(ds))
	if len(ds) == 0 {
		return out, nil
	}
	if f := inputFormat(src, data); f != formatPDF {
		return e.renderImage(ctx, src, data, f, ds)
	}
	start := time.Now()
	// Encoding a PNG takes a third to two thirds as long as rendering it:
	// it runs beside the rendering, off the instance, and the channel
	// bounds the images held in memory to three.
	type job struct {
		i   int
		img image.Image
	}
	jobs := make(chan job, 1)
	var encoders sync.WaitGroup
	encoders.Go(func() {
		for j := range jobs {
			if ctx.Err() == nil {
				out[j.i] = encodePNG(j.img)
			}
		}
	})
	r := &regionRenderer{drawings: ds}
	err := e.withDocument(ctx, "render", src, data, func(l *lib, doc uint32, pages int) *docError {
		r.l, r.doc = l, doc
		for _, pg := range groupByPage(regions, pages) {
			r.page(pg.num, pg.regions, func(i int, img image.Image) { jobs <- job{i, img} })
			if l.err != nil {
				break
			}
		}
		return nil
	})
	close(jobs)
	encoders.Wait()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, &folio.Error{Op: "render", Doc: src.Rel, Kind: ctxKind(err), Err: err}
	}
	e.log.Debug("rendered", "doc", src.Rel, "regions", len(regions), "took", time.Since(start))
	return out, nil
}

// pageRegions lists the indices of the regions on one page.
type pageRegions struct {
	num     int // 1-based
	regions []int
}

// groupByPage groups the indices of regions by page, in page order, and
// leaves out the regions whose page is not among 1…pages.
func groupByPage(regions []folio.PageBox, pages int) []pageRegions {
	byPage := map[int][]int{}
	for i, r := range regions {
		if r.Page >= 1 && r.Page <= pages {
			byPage[r.Page] = append(byPage[r.Page], i)
		}
	}
	out := make([]pageRegions, 0, len(byPage))
	for num, idx := range byPage {
		out = append(out, pageRegions{num: num, regions: idx})
	}
	slices.SortFunc(out, func(a, b pageRegions) int { return a.num - b.num })
	return out
}

// regionRenderer draws regions of one open document.
type regionRenderer struct {
	l         *lib
	doc       uint32
	scale     float64 // pixels per point asked for
	maxPixels int64
	// drawings, for page, are Render's drawings (defaults applied): each
	// sets scale and maxPixels for its region.
	drawings []folio.Drawing
}

// page loads page num and draws the regions of it listed by idx, passing
// each image to emit. Regions that cannot be drawn are skipped.
func (r *regionRenderer) page(num int, idx []int, emit func(i int, img image.Image)) {
	l := r.l
	page := l.callPtr(fnLoadPage, uint64(r.doc), uint64(num-1))
	if page == 0 {
		return
	}
	defer l.call(fnClosePage, uint64(page))
	w, h := l.frame(page).size()
	for _, i := range idx {
		d := r.drawings[i]
		b := d.Box
		if !finite(b[:]...) {
			continue
		}
		b = b.Intersect(folio.Box{0, 0, w, h})
		if b.Area() == 0 {
			continue
		}
		r.scale, r.maxPixels = d.DPI/72, d.MaxPixels
		if img := r.region(page, b); img != nil {
			emit(i, img)
		}
		if l.err != nil {
			return
		}
	}
}

// region draws box b (displayed frame, inside the page) of a loaded page.
// It renders only the region: a bitmap of the region's pixel size, filled
// white, and a matrix that maps the displayed page into it.
func (r *regionRenderer) region(page uint32, b folio.Box) image.Image {
	l := r.l
	pw, ph := regionSize(b.Width(), b.Height(), r.scale, r.maxPixels)
	bm := l.callPtr(fnBitmapCreate, uint64(pw), uint64(ph), 0) // BGRx
	if bm == 0 {
		return nil
	}
	defer l.call(fnBitmapDestroy, uint64(bm))
	l.call(fnBitmapFillRect, uint64(bm), 0, 0, uint64(pw), uint64(ph), white)

	// FPDF_RenderPageBitmapWithMatrix applies the page's display matrix
	// first, which maps user space to the displayed frame in points with
	// the origin at the top-left, then ours: displayed (x, y) goes to pixel
	// ((x-x0)·sx, (y-y0)·sy). The clip rect is the whole bitmap.
	sx, sy := float64(pw)/b.Width(), float64(ph)/b.Height()
	mat, clip := l.scratch, l.scratch+24
	l.writeF32(mat, sx, 0, 0, sy, -b[0]*sx, -b[1]*sy) // FS_MATRIX a b c d e f
	l.writeF32(clip, 0, 0, float64(pw), float64(ph))  // FS_RECTF left top right bottom
	l.call(fnRenderPageBitmapWithMatrix, uint64(bm), uint64(page), uint64(mat), uint64(clip), renderFlags)

	stride := l.callI32(fnBitmapGetStride, uint64(bm))
	buf := l.callPtr(fnBitmapGetBuffer, uint64(bm))
	if l.err != nil || buf == 0 || stride < 4*pw {
		return nil
	}
	raw, ok := l.mem.Read(buf, uint32(stride*ph))
	if !ok {
		return nil
	}
	return bitmapImage(raw, pw, ph, stride)
}

// regionSize returns the pixel size of a w×h point region drawn at scale
// pixels per point, the scale lowered so that the image has at most
// maxPixels (≥ 1) pixels; each side is at least one pixel.
func regionSize(w, h, scale float64, maxPixels int64) (pw, ph int) {
	if w*scale*h*scale > float64(maxPixels) {
		scale = math.Sqrt(float64(maxPixels) / (w * h))
	}
	pw = max(1, int(math.Min(math.Round(w*scale), float64(maxPixels))))
	ph = max(1, int(math.Min(math.Round(h*scale), float64(maxPixels))))
	// Rounding, or the one-pixel minimum of a thin region, can overshoot.
	if int64(pw)*int64(ph) > maxPixels {
		if pw >= ph {
			pw = int(maxPixels / int64(ph))
		} else {
			ph = int(maxPixels / int64(pw))
		}
	}
	return pw, ph
}

// bitmapImage copies a PDFium BGRx bitmap (bytes blue, green, red, unused)
// into an opaque Go image: gray when every pixel is gray (text, most
// scans), which encodes in a third of the time to under half the size,
// RGBA otherwise.
func bitmapImage(raw []byte, w, h, stride int) image.Image {
	rect := image.Rect(0, 0, w, h)
	if isGray(raw, w, h, stride) {
		img := image.NewGray(rect)
		for y := range h {
			src := raw[y*stride : y*stride+4*w]
			dst := img.Pix[y*img.Stride : y*img.Stride+w]
			for x := range dst {
				dst[x] = src[4*x]
			}
		}
		return img
	}
	img := image.NewRGBA(rect)
	for y := range h {
		src := raw[y*stride : y*stride+4*w]
		dst := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for x := 0; x < len(src); x += 4 {
			dst[x], dst[x+1], dst[x+2], dst[x+3] = src[x+2], src[x+1], src[x], 0xFF
		}
	}
	return img
}

// isGray reports whether every pixel of a BGRx bitmap has equal blue,
// green and red.
func isGray(raw []byte, w, h, stride int) bool {
	for y := range h {
		row := raw[y*stride : y*stride+4*w]
		for x := 0; x < len(row); x += 4 {
			if row[x] != row[x+1] || row[x+1] != row[x+2] {
				return false
			}
		}
	}
	return true
}

// pngBuffers recycles the PNG encoders' zlib writers and row buffers.
var pngBuffers = &pngPool{}

type pngPool struct{ p sync.Pool }

func (p *pngPool) Get() *png.EncoderBuffer {
	b, _ := p.p.Get().(*png.EncoderBuffer)
	return b
}

func (p *pngPool) Put(b *png.EncoderBuffer) { p.p.Put(b) }

// encodePNG encodes img as PNG, favouring speed over size. An opaque RGBA
// image is written as 24-bit RGB. It returns nil if the encoder panics.
func encodePNG(img image.Image) (b []byte) {
	defer func() {
		if r := recover(); r != nil {
			b = nil
		}
	}()
	if b := fastPNG(img); b != nil {
		return b
	}
	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: pngBuffers}
	if err := enc.Encode(&out, img); err != nil {
		return nil // only writer errors, and bytes.Buffer has none
	}
	return out.Bytes()
}
