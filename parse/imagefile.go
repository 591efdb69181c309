package parse

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"time"

	"github.com/folio/folio"
	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/tiff"
)

// Image input formats, as folio.FormatOf names them.
const (
	formatPDF  = "pdf"
	formatPNG  = "png"
	formatJPEG = "jpeg"
	formatTIFF = "tiff"
)

// defaultImageDPI is the resolution of an image that does not say.
const defaultImageDPI = 72

// Plausible resolutions; others are treated as unknown.
const (
	minImageDPI = 20
	maxImageDPI = 4800
)

// ocrUpscaleDPI: images below this resolution (or of unknown resolution)
// and small enough are read by OCR at twice their size, since tesseract
// wants letters at least 20 pixels tall.
const (
	ocrUpscaleDPI  = 150
	ocrUpscaleSide = 2500
)

// inputFormat returns the format of an input: the source's when it names
// an image format, else what data's first bytes say, else "pdf".
func inputFormat(src folio.Source, data []byte) string {
	switch src.Format {
	case formatPNG, formatJPEG, formatTIFF, formatPDF:
		return src.Format
	}
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return formatPNG
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return formatJPEG
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return formatTIFF
	}
	return formatPDF
}

// picture is a decoded image input, turned as it is meant to be shown.
type picture struct {
	img        image.Image
	dpiX, dpiY float64
	// native is the input itself when it is a PNG shown as stored.
	native []byte
}

// size returns the picture's page size in points.
func (p *picture) size() (w, h float64) {
	b := p.img.Bounds()
	return round2(float64(b.Dx()) * 72 / p.dpiX), round2(float64(b.Dy()) * 72 / p.dpiY)
}

// decodePicture decodes a PNG, JPEG or TIFF input (the first image of a
// TIFF), refusing images of more than maxPixels pixels before decoding
// them, and applies a JPEG's Exif orientation. Failures are docErrors.
func decodePicture(data []byte, format string, maxPixels int64) (p *picture, derr *docError) {
	defer func() {
		if r := recover(); r != nil {
			p, derr = nil, &docError{kind: folio.KindMalformed, err: fmt.Errorf("decode %s: panic: %v", format, r)}
		}
	}()
	if len(data) == 0 {
		return nil, &docError{kind: folio.KindMalformed, err: errors.New("empty file")}
	}
	var decode func([]byte) (image.Image, error)
	var config func([]byte) (image.Config, error)
	switch format {
	case formatPNG:
		decode = func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }
		config = func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }
	case formatJPEG:
		decode = func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
		config = func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }
	case formatTIFF:
		decode = func(b []byte) (image.Image, error) { return tiff.Decode(bytes.NewReader(b)) }
		config = func(b []byte) (image.Config, error) { return tiff.DecodeConfig(bytes.NewReader(b)) }
	default:
		return nil, &docError{kind: folio.KindMalformed, err: fmt.Errorf("unknown image format %q", format)}
	}
	cfg, err := config(data)
	if err != nil {
		return nil, &docError{kind: folio.KindMalformed, err: fmt.Errorf("read %s header: %w", format, err)}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, &docError{kind: folio.KindMalformed, err: fmt.Errorf("%s image is %dx%d", format, cfg.Width, cfg.Height)}
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > maxPixels {
		return nil, &docError{kind: folio.KindTooLarge, err: fmt.Errorf("%dx%d image, limit %d pixels", cfg.Width, cfg.Height, maxPixels)}
	}
	img, err := decode(data)
	if err != nil {
		return nil, &docError{kind: folio.KindMalformed, err: fmt.Errorf("decode %s: %w", format, err)}
	}
	p = &picture{img: img}
	orientation := 1
	switch format {
	case formatPNG:
		p.dpiX, p.dpiY = pngDPI(data)
		p.native = data
	case formatJPEG:
		p.dpiX, p.dpiY, orientation = jpegInfo(data)
	case formatTIFF:
		p.dpiX, p.dpiY, _ = tiffInfo(data)
	}
	if !plausibleDPI(p.dpiX) || !plausibleDPI(p.dpiY) {
		p.dpiX, p.dpiY = defaultImageDPI, defaultImageDPI
	}
	p.dpiX, p.dpiY = wholeDPI(p.dpiX), wholeDPI(p.dpiY)
	if orientation > 1 && orientation <= 8 {
		p.img = orient(p.img, orientation)
		if orientation >= 5 {
			p.dpiX, p.dpiY = p.dpiY, p.dpiX
		}
		p.native = nil
	}
	return p, nil
}

func plausibleDPI(d float64) bool { return d >= minImageDPI && d <= maxImageDPI }

// wholeDPI rounds a resolution stored in dots per metre or centimetre
// (150 dpi is 5906 per metre, 150.01 dpi) back to the whole number it was.
func wholeDPI(d float64) float64 {
	if r := math.Round(d); math.Abs(d-r) < 0.1 {
		return r
	}
	return d
}

// picture decodes an image input within the engine's size limits; fail
// makes the caller's errors.
func (e *Engine) picture(data []byte, format string, fail func(folio.Kind, error) error) (*picture, error) {
	if int64(len(data)) > e.opts.MaxBytes {
		return nil, fail(folio.KindTooLarge, fmt.Errorf("%d bytes, limit %d", len(data), e.opts.MaxBytes))
	}
	pic, derr := decodePicture(data, format, e.opts.MaxImagePixels)
	if derr != nil {
		return nil, fail(derr.kind, derr.err)
	}
	return pic, nil
}

// parseImage parses a PNG, JPEG or TIFF input as a one-page document: a
// page the size of the image at its resolution (72 dpi when it gives
// none), covered by the image, with the words OCR reads on it.
func (e *Engine) parseImage(ctx context.Context, src folio.Source, data []byte, format string) (*folio.Parsed, error) {
	start := time.Now()
	fail := func(kind folio.Kind, err error) error {
		return &folio.Error{Op: "parse", Doc: src.Rel, Kind: kind, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return nil, fail(ctxKind(err), err)
	}
	pic, err := e.picture(data, format, fail)
	if err != nil {
		return nil, err
	}
	w, h := pic.size()
	b := pic.img.Bounds()
	pg := folio.Page{Number: 1, Width: w, Height: h, Words: []folio.Word{}, Scanned: true}
	ip := folio.ImagePlacement{Box: folio.Box{0, 0, w, h}, PixelWidth: b.Dx(), PixelHeight: b.Dy()}
	if e.opts.ExtractImages {
		ip.PNG = pic.native
		if ip.PNG == nil {
			ip.PNG = encodePNG(pic.img)
		}
	}
	pg.Images = []folio.ImagePlacement{ip}
	parsed := &folio.Parsed{Pages: []folio.Page{pg}, Meta: map[string]string{"Format": format}}

	ocr := e.ocr.start()
	if ocr.ready() {
		g := grayOf(pic.img)
		dpi := pic.dpiX
		if dpi < ocrUpscaleDPI && max(b.Dx(), b.Dy()) <= ocrUpscaleSide {
			g = scaleGray(g, 2)
			dpi *= 2
		}
		if inked(g) {
			ocr.submit(ctx, ocrJob{index: 0, img: g, dpi: dpi, w: w, h: h})
		}
	}
	ocr.wait()
	if err := ocr.merge(ctx, parsed); err != nil {
		return nil, fail(ctxKind(err), err)
	}
	e.log.Debug("parsed image", "doc", src.Rel, "format", format, "pixels", fmt.Sprintf("%dx%d", b.Dx(), b.Dy()),
		"dpi", pic.dpiX, "words", len(parsed.Pages[0].Words), "took", time.Since(start))
	return parsed, nil
}

// scaleGray enlarges g k times, bilinearly.
func scaleGray(g *image.Gray, k int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, w*k, h*k))
	for y := range h * k {
		fy := (float64(y)+0.5)/float64(k) - 0.5
		y0 := int(math.Floor(fy))
		ty := fy - float64(y0)
		y0c, y1c := clampInt(y0, 0, h-1), clampInt(y0+1, 0, h-1)
		r0, r1 := g.Pix[y0c*g.Stride:], g.Pix[y1c*g.Stride:]
		dst := out.Pix[y*out.Stride:]
		for x := range w * k {
			fx := (float64(x)+0.5)/float64(k) - 0.5
			x0 := int(math.Floor(fx))
			tx := fx - float64(x0)
			x0c, x1c := clampInt(x0, 0, w-1), clampInt(x0+1, 0, w-1)
			top := float64(r0[x0c])*(1-tx) + float64(r0[x1c])*tx
			bot := float64(r1[x0c])*(1-tx) + float64(r1[x1c])*tx
			dst[x] = uint8(top*(1-ty) + bot*ty + 0.5)
		}
	}
	return out
}

func clampInt(v, lo, hi int) int { return max(lo, min(hi, v)) }

// toRGBA copies img into an RGBA image with its origin at 0, 0.
func toRGBA(img image.Image) *image.RGBA {
	if r, ok := img.(*image.RGBA); ok && r.Rect.Min == (image.Point{}) {
		return r
	}
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Rect, img, b.Min, draw.Src)
	return out
}

// orient turns img as Exif orientation o (2-8) asks: mirrored, rotated
// or both.
func orient(img image.Image, o int) image.Image {
	src := toRGBA(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range h {
		for x := range w {
			var dx, dy int
			switch o {
			case 2: // mirrored
				dx, dy = w-1-x, y
			case 3: // rotated 180°
				dx, dy = w-1-x, h-1-y
			case 4: // mirrored vertically
				dx, dy = x, h-1-y
			case 5: // transposed
				dx, dy = y, x
			case 6: // rotated 90° clockwise to show
				dx, dy = h-1-y, x
			case 7: // transversed
				dx, dy = h-1-y, w-1-x
			case 8: // rotated 90° counter-clockwise to show
				dx, dy = y, w-1-x
			}
			copy(dst.Pix[dy*dst.Stride+4*dx:dy*dst.Stride+4*dx+4], src.Pix[y*src.Stride+4*x:])
		}
	}
	return dst
}

// pngDPI reads the resolution of a PNG's pHYs chunk; 0, 0 when it has
// none or gives only an aspect ratio.
func pngDPI(data []byte) (x, y float64) {
	const sigLen = 8
	for off := sigLen; off+12 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[off:]))
		typ := string(data[off+4 : off+8])
		if n > len(data)-off-12 {
			return 0, 0
		}
		switch typ {
		case "pHYs":
			if n < 9 || data[off+16] != 1 { // unit 1: per metre
				return 0, 0
			}
			px, py := binary.BigEndian.Uint32(data[off+8:]), binary.BigEndian.Uint32(data[off+12:])
			return float64(px) * 0.0254, float64(py) * 0.0254
		case "IDAT", "IEND":
			return 0, 0
		}
		off += 12 + n
	}
	return 0, 0
}

// jpegInfo reads a JPEG's resolution (JFIF density, else Exif) and Exif
// orientation; 0 for what it does not give, orientation 1 by default.
func jpegInfo(data []byte) (x, y float64, orientation int) {
	orientation = 1
	var jx, jy, ex, ey float64
	for off := 2; off+4 <= len(data); {
		if data[off] != 0xFF {
			break
		}
		marker := data[off+1]
		if marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7) {
			off += 2
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan, end
			break
		}
		n := int(binary.BigEndian.Uint16(data[off+2:]))
		if n < 2 || off+2+n > len(data) {
			break
		}
		seg := data[off+4 : off+2+n]
		switch {
		case marker == 0xE0 && len(seg) >= 12 && string(seg[:5]) == "JFIF\x00":
			dx, dy := float64(binary.BigEndian.Uint16(seg[8:])), float64(binary.BigEndian.Uint16(seg[10:]))
			switch seg[7] {
			case 1: // dots per inch
				jx, jy = dx, dy
			case 2: // dots per cm
				jx, jy = dx*2.54, dy*2.54
			}
		case marker == 0xE1 && len(seg) > 6 && string(seg[:6]) == "Exif\x00\x00":
			ex, ey, orientation = tiffInfo(seg[6:])
		}
		off += 2 + n
	}
	if plausibleDPI(jx) && plausibleDPI(jy) {
		return jx, jy, orientation
	}
	return ex, ey, orientation
}

// TIFF tags read by tiffInfo.
const (
	tagOrientation    = 274
	tagXResolution    = 282
	tagYResolution    = 283
	tagResolutionUnit = 296
)

// tiffInfo reads the resolution and orientation from the first IFD of a
// TIFF structure (a TIFF file or a JPEG's Exif block); 0 for what it does
// not give, orientation 1 by default.
func tiffInfo(b []byte) (x, y float64, orientation int) {
	tags := tiffTags(b)
	orientation = 1
	if o, ok := tags[tagOrientation]; ok && o >= 1 && o <= 8 {
		orientation = int(o)
	}
	unit := 2.0 // inches
	if u, ok := tags[tagResolutionUnit]; ok {
		unit = u
	}
	x, y = tags[tagXResolution], tags[tagYResolution]
	switch unit {
	case 2:
	case 3: // centimetres
		x, y = x*2.54, y*2.54
	default: // no unit: an aspect ratio
		x, y = 0, 0
	}
	return x, y, orientation
}

// tiffTags reads the numeric tags of the first IFD of a TIFF structure:
// single SHORT, LONG and RATIONAL values, rationals as fractions. It
// returns what it could read, nil for a structure it cannot.
func tiffTags(b []byte) map[uint16]float64 {
	if len(b) < 8 {
		return nil
	}
	var bo binary.ByteOrder
	switch string(b[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return nil
	}
	ifd := int64(bo.Uint32(b[4:]))
	if ifd < 8 || ifd+2 > int64(len(b)) {
		return nil
	}
	n := int(bo.Uint16(b[ifd:]))
	tags := map[uint16]float64{}
	for i := range min(n, 1000) {
		e := ifd + 2 + int64(i)*12
		if e+12 > int64(len(b)) {
			break
		}
		tag, typ, count := bo.Uint16(b[e:]), bo.Uint16(b[e+2:]), bo.Uint32(b[e+4:])
		if count != 1 {
			continue
		}
		switch typ {
		case 3: // SHORT
			tags[tag] = float64(bo.Uint16(b[e+8:]))
		case 4: // LONG
			tags[tag] = float64(bo.Uint32(b[e+8:]))
		case 5: // RATIONAL, at an offset
			off := int64(bo.Uint32(b[e+8:]))
			if off < 8 || off+8 > int64(len(b)) {
				continue
			}
			num, den := bo.Uint32(b[off:]), bo.Uint32(b[off+4:])
			if den != 0 {
				tags[tag] = float64(num) / float64(den)
			}
		}
	}
	return tags
}

// renderImage draws regions of an image input: each region of page 1,
// clipped to the image, cut out and scaled to its drawing's DPI (lowered to
// fit its MaxPixels; defaults applied). Regions elsewhere get nil.
func (e *Engine) renderImage(ctx context.Context, src folio.Source, data []byte, format string, regions []folio.Drawing) ([][]byte, error) {
	fail := func(kind folio.Kind, err error) error {
		return &folio.Error{Op: "render", Doc: src.Rel, Kind: kind, Err: err}
	}
	pic, err := e.picture(data, format, fail)
	if err != nil {
		return nil, err
	}
	w, h := pic.size()
	bounds := pic.img.Bounds()
	out := make([][]byte, len(regions))
	for i, r := range regions {
		if err := ctx.Err(); err != nil {
			return nil, fail(ctxKind(err), err)
		}
		if r.Page != 1 || !finite(r.Box[:]...) {
			continue
		}
		b := r.Box.Intersect(folio.Box{0, 0, w, h})
		if b.Area() == 0 {
			continue
		}
		// The region in the image's pixels.
		px := image.Rect(
			int(math.Floor(b[0]*pic.dpiX/72)), int(math.Floor(b[1]*pic.dpiY/72)),
			int(math.Ceil(b[2]*pic.dpiX/72)), int(math.Ceil(b[3]*pic.dpiY/72)),
		).Add(bounds.Min).Intersect(bounds)
		if px.Empty() {
			continue
		}
		pw, ph := regionSize(b.Width(), b.Height(), r.DPI/72, r.MaxPixels)
		out[i] = encodePNG(scaleImage(pic.img, px, pw, ph))
	}
	return out, nil
}

// scaleImage returns the part r of img scaled to w×h pixels, bilinearly
// (a plain copy when the size is unchanged), on white.
func scaleImage(img image.Image, r image.Rectangle, w, h int) image.Image {
	var dst draw.Image
	if _, ok := img.(*image.Gray); ok {
		dst = image.NewGray(image.Rect(0, 0, w, h))
	} else {
		// Transparent pixels are on white paper.
		dst = image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	}
	if r.Dx() == w && r.Dy() == h {
		draw.Draw(dst, dst.Bounds(), img, r.Min, draw.Over)
		return dst
	}
	xdraw.BiLinear.Scale(dst, dst.Bounds(), img, r, xdraw.Over, nil)
	return dst
}
