package serve

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strconv"

	"github.com/folio/folio"
)

// OverlayBox is one element to draw over its page: where it is, in PDF
// points with the origin at the top-left of the page as displayed, and
// what colours and numbers it.
type OverlayBox struct {
	ID    string
	Ord   int // reading order, drawn as given
	Type  folio.ElementType
	Model string
	Layer string
	Box   folio.Box
}

// What DrawOverlay colours elements by.
const (
	ColorByType  = "type"
	ColorByModel = "model"
)

// MaxOverlayPixels caps the page images DrawOverlay decodes: 40
// megapixels, a letter page at 700 dpi, 160 MB once decoded. A PNG
// declares its size in its first bytes; a few hostile bytes must not make
// the server allocate gigabytes.
const MaxOverlayPixels = 40_000_000

// The overlay's strokes and labels, in image pixels.
const (
	outlinePixels = 2    // box outline thickness
	fadedAlpha    = 0x66 // opacity of furniture and replaced elements (of 0xFF)
	labelPad      = 1    // label padding around the digits, in font pixels
	// labelScaleAt is how many image pixels, along the shorter side, make
	// one pixel of the 3×5 digit font: 10-pixel-high digits on a letter
	// page at 100 dpi.
	labelScaleAt = 400
)

// typeColours colour elements by type; furniture types share a grey.
var typeColours = map[folio.ElementType]string{
	folio.Title:      "#d62728",
	folio.Heading:    "#ff7f0e",
	folio.Paragraph:  "#1f77b4",
	folio.ListItem:   "#17becf",
	folio.TableType:  "#2ca02c",
	folio.ImageType:  "#9467bd",
	folio.Caption:    "#8c564b",
	folio.Formula:    "#e377c2",
	folio.Code:       "#393b79",
	folio.Footnote:   "#bcbd22",
	folio.Header:     "#7f7f7f",
	folio.Footer:     "#7f7f7f",
	folio.PageNumber: "#7f7f7f",
}

// hashColours colour models, and types outside typeColours, by a hash of
// their name: the same model has the same colour on every page, in every
// run and in the HTML overlay.
var hashColours = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
	"#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#843c39", "#7b4173"}

// Palette returns the CSS colour ("#rrggbb") of an element whose type
// (colorBy ColorByType) or model (ColorByModel) is key, as DrawOverlay
// draws it, so that an HTML overlay can use the same colours.
func Palette(colorBy, key string) string {
	if colorBy != ColorByModel {
		if c, ok := typeColours[folio.ElementType(key)]; ok {
			return c
		}
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	return hashColours[h.Sum32()%uint32(len(hashColours))]
}

// faded reports whether an element of layer is drawn lighter: page
// furniture, and body a promoted candidate replaced.
func faded(layer string) bool { return layer == folio.LayerFurniture || layer == folio.LayerReplaced }

// DrawOverlay draws els over a page image, a PNG of the whole page of
// pageW×pageH points: each element's box as a 2-pixel outline in its
// colour (Palette, by type or model; colorBy "" is by type), furniture
// and replaced body lighter, and its reading-order number in a small
// filled label at the box's top-left corner. It returns the result as PNG.
//
// pagePNG may be hostile: its declared size is checked against
// MaxOverlayPixels before it is decoded, and undecodable bytes give an
// error. Boxes that are not finite or fall off the page are clipped or
// skipped.
func DrawOverlay(pagePNG []byte, pageW, pageH float64, els []OverlayBox, colorBy string) ([]byte, error) {
	switch colorBy {
	case "":
		colorBy = ColorByType
	case ColorByType, ColorByModel:
	default:
		return nil, fmt.Errorf("draw overlay: colour by %q: want %s or %s", colorBy, ColorByType, ColorByModel)
	}
	if !(pageW > 0 && pageH > 0) || math.IsInf(pageW, 0) || math.IsInf(pageH, 0) {
		return nil, fmt.Errorf("draw overlay: page size %v×%v points", pageW, pageH)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(pagePNG))
	if err != nil {
		return nil, fmt.Errorf("draw overlay: page image: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxOverlayPixels {
		return nil, fmt.Errorf("draw overlay: page image of %d×%d pixels: too large (at most %d pixels)", cfg.Width, cfg.Height, MaxOverlayPixels)
	}
	src, err := png.Decode(bytes.NewReader(pagePNG))
	if err != nil {
		return nil, fmt.Errorf("draw overlay: page image: %w", err)
	}
	img := image.NewRGBA(image.Rect(0, 0, cfg.Width, cfg.Height))
	draw.Draw(img, img.Bounds(), src, src.Bounds().Min, draw.Src)

	sx, sy := float64(cfg.Width)/pageW, float64(cfg.Height)/pageH
	scale := max(1, min(cfg.Width, cfg.Height)/labelScaleAt)
	for _, el := range els {
		b := el.Box
		if math.IsNaN(b[0]+b[1]+b[2]+b[3]) || math.IsInf(b[0]+b[1]+b[2]+b[3], 0) {
			continue
		}
		r := image.Rect(pixel(b[0]*sx, cfg.Width), pixel(b[1]*sy, cfg.Height), pixel(b[2]*sx, cfg.Width), pixel(b[3]*sy, cfg.Height))
		r = r.Intersect(img.Bounds())
		if r.Empty() {
			continue
		}
		key := string(el.Type)
		if colorBy == ColorByModel {
			key = el.Model
		}
		c := hexColour(Palette(colorBy, key))
		if faded(el.Layer) {
			c.A = fadedAlpha
		}
		outline(img, r, c)
		label(img, r.Min, el.Ord, scale, c)
	}

	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&out, img); err != nil {
		return nil, fmt.Errorf("draw overlay: encode: %w", err)
	}
	return out.Bytes(), nil
}

// pixel rounds a coordinate to a pixel, held just outside 0…limit so that a
// huge box converts to an int without overflow and is clipped.
func pixel(v float64, limit int) int {
	return int(math.Round(max(-1, min(v, float64(limit)+1))))
}

// outline draws the inside edge of r, outlinePixels thick, each pixel
// blended once.
func outline(img *image.RGBA, r image.Rectangle, c color.NRGBA) {
	t := outlinePixels
	fill := func(x0, y0, x1, y1 int) {
		rr := image.Rect(x0, y0, x1, y1).Intersect(r)
		if !rr.Empty() {
			draw.Draw(img, rr, image.NewUniform(c), image.Point{}, draw.Over)
		}
	}
	fill(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+t) // top
	if r.Dy() > t {
		fill(r.Min.X, r.Max.Y-t, r.Max.X, r.Max.Y) // bottom
	}
	fill(r.Min.X, r.Min.Y+t, r.Min.X+t, r.Max.Y-t) // left
	if r.Dx() > t {
		fill(r.Max.X-t, r.Min.Y+t, r.Max.X, r.Max.Y-t) // right
	}
}

// label draws n in white digits on a filled label of colour c whose
// top-left corner is at, each font pixel scale image pixels. A label that
// would leave the image is moved back in.
func label(img *image.RGBA, at image.Point, n, scale int, c color.NRGBA) {
	digits := strconv.Itoa(max(n, 0))
	w := scale * (len(digits)*(glyphW+1) - 1 + 2*labelPad)
	h := scale * (glyphH + 2*labelPad)
	b := img.Bounds()
	at.X = max(b.Min.X, min(at.X, b.Max.X-w))
	at.Y = max(b.Min.Y, min(at.Y, b.Max.Y-h))
	draw.Draw(img, image.Rect(at.X, at.Y, at.X+w, at.Y+h).Intersect(b), image.NewUniform(c), image.Point{}, draw.Over)
	ink := image.NewUniform(color.NRGBA{0xFF, 0xFF, 0xFF, max(c.A, 0xC0)})
	for i, d := range digits {
		glyph := digitFont[d-'0']
		ox := at.X + scale*(labelPad+i*(glyphW+1))
		oy := at.Y + scale*labelPad
		for row := range glyphH {
			for col := range glyphW {
				if glyph[row]&(1<<(glyphW-1-col)) == 0 {
					continue
				}
				px := image.Rect(ox+col*scale, oy+row*scale, ox+(col+1)*scale, oy+(row+1)*scale).Intersect(b)
				draw.Draw(img, px, ink, image.Point{}, draw.Over)
			}
		}
	}
}

// The digit font: 3×5 pixels, one row a byte, the leftmost pixel the
// highest of glyphW bits.
const glyphW, glyphH = 3, 5

var digitFont = [10][glyphH]uint8{
	{0b111, 0b101, 0b101, 0b101, 0b111}, // 0
	{0b010, 0b110, 0b010, 0b010, 0b111}, // 1
	{0b111, 0b001, 0b111, 0b100, 0b111}, // 2
	{0b111, 0b001, 0b111, 0b001, 0b111}, // 3
	{0b101, 0b101, 0b111, 0b001, 0b001}, // 4
	{0b111, 0b100, 0b111, 0b001, 0b111}, // 5
	{0b111, 0b100, 0b111, 0b101, 0b111}, // 6
	{0b111, 0b001, 0b001, 0b001, 0b001}, // 7
	{0b111, 0b101, 0b111, 0b101, 0b111}, // 8
	{0b111, 0b101, 0b111, 0b001, 0b111}, // 9
}

// hexColour reads "#rrggbb", a palette entry, as an opaque colour. A
// malformed entry is a bug, which TestPalette catches.
func hexColour(s string) color.NRGBA {
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil || len(s) != 7 {
		panic("serve: bad palette colour " + s)
	}
	return color.NRGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xFF}
}
