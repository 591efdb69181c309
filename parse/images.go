package parse

import (
	"image"

	"github.com/folio/folio"
)

// Image limits.
const (
	maxImagesPerPage = 200
	// maxDecodedBytes bounds the decoded pixels of one document.
	maxDecodedBytes = 512 << 20
	// Images smaller than this are placed but not extracted.
	minImagePixels = 32
	minImagePoints = 24
)

// PDFium bitmap formats (FPDFBitmap_*).
const (
	bitmapGray = 1
	bitmapBGR  = 2
	bitmapBGRx = 3
	bitmapBGRA = 4
)

// imageBudget tracks the decoded image bytes of a document.
type imageBudget struct {
	decoded int64
	warned  bool
}

// image records an image object's placement and, when asked and within
// limits, its pixels.
func (w *walker) image(obj uint32, parent matrix) {
	l := w.d.l
	if len(w.g.images) >= maxImagesPerPage {
		w.imgCap = true
		return
	}
	m := w.matrix(obj).then(parent)
	x0, y0, x1, y1 := m.bounds(0, 0, 1, 1)
	if !finite(x0, y0, x1, y1) {
		return
	}
	box := w.fr.box(x0, y0, x1, y1).Intersect(folio.Box{0, 0, w.w, w.h})
	if box.Area() == 0 {
		return
	}
	p := l.scratch
	var pw, ph int
	if l.call(fnImageGetPixelSize, uint64(obj), uint64(p), uint64(p+4)) != 0 {
		pw, ph = int(l.u32(p)), int(l.u32(p+4))
	}
	ip := folio.ImagePlacement{Box: roundBox(box), PixelWidth: pw, PixelHeight: ph}
	opts := w.d.opts
	if opts.ExtractImages && pw >= minImagePixels && ph >= minImagePixels &&
		box.Width() >= minImagePoints && box.Height() >= minImagePoints &&
		int64(pw)*int64(ph) <= opts.MaxImagePixels {
		ip.PNG = w.d.decodeImage(obj, w.num, int64(pw)*int64(ph)*4)
	}
	w.g.images = append(w.g.images, ip)
}

// decodeImage renders an image object's pixels at their own resolution
// (without the soft mask) and encodes them as PNG. It returns nil when the
// image cannot be decoded or the document's decode budget is spent.
func (d *docParser) decodeImage(obj uint32, num int, estimate int64) []byte {
	l := d.l
	if d.images.decoded+estimate > maxDecodedBytes {
		if !d.images.warned {
			d.images.warned = true
			d.warn("page %d: more than %d MiB of decoded images; later images are not extracted", num, maxDecodedBytes>>20)
		}
		return nil
	}
	bm := l.callPtr(fnImageGetBitmap, uint64(obj))
	if bm == 0 {
		return nil
	}
	defer l.call(fnBitmapDestroy, uint64(bm))
	width := l.callI32(fnBitmapGetWidth, uint64(bm))
	height := l.callI32(fnBitmapGetHeight, uint64(bm))
	stride := l.callI32(fnBitmapGetStride, uint64(bm))
	format := l.callI32(fnBitmapGetFormat, uint64(bm))
	buf := l.callPtr(fnBitmapGetBuffer, uint64(bm))
	if width <= 0 || height <= 0 || stride <= 0 || buf == 0 || l.err != nil {
		return nil
	}
	size := int64(stride) * int64(height)
	if size > 1<<31 {
		return nil
	}
	d.images.decoded += size
	raw, ok := l.mem.Read(buf, uint32(size))
	if !ok {
		return nil
	}
	img := toImage(raw, width, height, stride, format)
	if img == nil {
		return nil
	}
	return encodePNG(img)
}

// toImage converts a PDFium bitmap buffer to a Go image, copying the pixels.
func toImage(raw []byte, width, height, stride, format int) image.Image {
	bpp := map[int]int{bitmapGray: 1, bitmapBGR: 3, bitmapBGRx: 4, bitmapBGRA: 4}[format]
	if bpp == 0 || stride < width*bpp || len(raw) < stride*height {
		return nil
	}
	rect := image.Rect(0, 0, width, height)
	switch format {
	case bitmapGray:
		img := image.NewGray(rect)
		for y := range height {
			copy(img.Pix[y*img.Stride:y*img.Stride+width], raw[y*stride:])
		}
		return img
	case bitmapBGRA:
		img := image.NewNRGBA(rect)
		for y := range height {
			src, dst := raw[y*stride:], img.Pix[y*img.Stride:]
			for x := range width {
				dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = src[4*x+2], src[4*x+1], src[4*x], src[4*x+3]
			}
		}
		return img
	default: // BGR, BGRx
		img := image.NewRGBA(rect)
		for y := range height {
			src, dst := raw[y*stride:], img.Pix[y*img.Stride:]
			for x := range width {
				dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = src[bpp*x+2], src[bpp*x+1], src[bpp*x], 0xFF
			}
		}
		return img
	}
}
