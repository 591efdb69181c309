package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/folio/folio/parse"
	"github.com/folio/folio/serve"
	"github.com/spf13/cobra"
)

// renderMaxPixels bounds the page image: 25 megapixels, a 50-inch square
// page at 100 dpi, under what the engine can draw in one instance's
// memory. Reaching it means the engine lowered the resolution (see
// runRender).
const renderMaxPixels = 25_000_000

// maxRenderDPI bounds --dpi: a letter page at 600 dpi is 34 megapixels.
const maxRenderDPI = 600

type renderOptions struct {
	doc     string
	out     string
	db      string
	page    int
	colorBy string
	dpi     float64
	file    string // --out
	source  string
	json    bool
}

func newRenderCmd(s *streams) *cobra.Command {
	o := &renderOptions{}
	cmd := &cobra.Command{
		Use:   "render -o OUT DOC --page N",
		Short: "Draw a page of a parsed document with its elements' boxes, types and reading order",
		Long: `Render draws one page of a parsed document as a PNG with every element the ledger
recorded on it outlined: coloured by type (or, with --color model, by the model whose
answer was kept), page furniture lighter, and its reading-order number (the ledger's
0-based ord) in a label at the top-left corner.

DOC is a document id (doc_…), an input path as recorded (or any path ending with it),
or an output file (OUT/<path>.json or .md). The page is drawn from the input file the
ledger recorded at parse time, or from --source; it must be the file that was parsed,
byte for byte, else render fails with "source changed since it was parsed".

The image goes to ./<name>-p<N>.png, or --out (- for standard output). With --json,
stdout gets {file, page, width, height, elements}: the image's size in pixels and the
elements drawn, each with its box in points and its colour.

Exit codes: 0 drawn; 1 unknown document, source missing or changed, page not drawn;
2 usage; 78 no ledger.`,
		Example: `  folio render -o out doc_3f2a… --page 2
  folio render -o out reports/q1.pdf --page 1 --color model --dpi 150 --out q1.png
  folio render -o out out/reports/q1.pdf.json --page 3 --out - | display
  folio render --db ledger.db q1.pdf --page 1 --source ~/moved/q1.pdf --json`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.doc = args[0]
			return runRender(c.Context(), o, s)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.out, "output", "o", "", "output folder of the parse run (its ledger is OUT/folio.db)")
	f.StringVar(&o.db, "db", "", "ledger file (default OUT/folio.db)")
	f.IntVar(&o.page, "page", 0, "page to draw, from 1 (required)")
	f.StringVar(&o.colorBy, "color", serve.ColorByType, "colour boxes by: type or model")
	f.Float64Var(&o.dpi, "dpi", 100, fmt.Sprintf("resolution, dots per inch (at most %d)", maxRenderDPI))
	f.StringVar(&o.file, "out", "", "PNG file to write, - for standard output (default ./<name>-p<N>.png)")
	f.StringVar(&o.source, "source", "", "input file to draw, instead of where it was read at parse time")
	f.BoolVar(&o.json, "json", false, "print what was drawn as JSON")
	return cmd
}

// renderedPage is what --json prints.
type renderedPage struct {
	File     string            `json:"file"`
	Page     int               `json:"page"`
	Width    int               `json:"width"`
	Height   int               `json:"height"`
	Elements []renderedElement `json:"elements"`
}

type renderedElement struct {
	ID    string            `json:"id"`
	Ord   int               `json:"ord"`
	Type  folio.ElementType `json:"type"`
	Layer string            `json:"layer"`
	Model string            `json:"model,omitempty"`
	Box   folio.Box         `json:"bbox"`
	Color string            `json:"color"`
}

func runRender(ctx context.Context, o *renderOptions, s *streams) error {
	switch {
	case o.page < 1:
		return usageErrorf("--page N is required, from 1")
	case o.colorBy != serve.ColorByType && o.colorBy != serve.ColorByModel:
		return usageErrorf("--color %q: want %s or %s", o.colorBy, serve.ColorByType, serve.ColorByModel)
	case !(o.dpi >= 1 && o.dpi <= maxRenderDPI):
		return usageErrorf("--dpi %v: want 1 to %d", o.dpi, maxRenderDPI)
	case o.file == "-" && o.json:
		return usageErrorf("--out - and --json would both write to standard output")
	}
	db, err := openLedger(ctx, o.out, o.db)
	if err != nil {
		return err
	}
	defer db.Close()

	doc, err := findDocument(ctx, db, o.doc, o.out)
	if err != nil {
		return err
	}
	if o.page > doc.Pages {
		return usageErrorf("--page %d: %s has %d page(s)", o.page, doc.Path, doc.Pages)
	}
	data, src, err := readSource(ctx, db, doc, o.source)
	if err != nil {
		return err
	}
	els, err := db.PageElements(ctx, doc.ID, o.page)
	if err != nil {
		return err
	}

	img, cfg, err := drawWholePage(ctx, src, data, o.page, o.dpi, doc.Path)
	if err != nil {
		return err
	}
	pageW, pageH := float64(cfg.Width)*72/o.dpi, float64(cfg.Height)*72/o.dpi
	boxes, described := overlayOf(els, o.colorBy)
	page := renderedPage{Page: o.page, Width: cfg.Width, Height: cfg.Height, Elements: described}
	out, err := serve.DrawOverlay(img, pageW, pageH, boxes, o.colorBy)
	if err != nil {
		return err
	}

	page.File = cmp.Or(o.file, pageFileName(doc.Path, o.page))
	if page.File == "-" {
		_, err := s.Out.Write(out)
		return err
	}
	if err := writeFileAtomic(page.File, out); err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(s.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(page)
	}
	fmt.Fprintf(s.Err, "wrote %s (page %d of %s, %d elements)\n", page.File, o.page, doc.Path, len(els))
	return nil
}

// findDocument resolves DOC: a document id or input path (lineage.Trace),
// else an output file named by its path, OUT/<rel>.json or .md.
func findDocument(ctx context.Context, db *lineage.DB, doc, out string) (lineage.DocumentRecord, error) {
	ts, err := db.Trace(ctx, doc)
	if errors.Is(err, lineage.ErrNotFound) {
		if rel, ok := outputRel(doc, out); ok {
			ts, err = db.Trace(ctx, rel)
		}
	}
	if errors.Is(err, lineage.ErrNotFound) {
		return lineage.DocumentRecord{}, &exitError{code: exitFailed, err: fmt.Errorf("no document %s in the ledger", doc)}
	}
	if err != nil {
		return lineage.DocumentRecord{}, err
	}
	if len(ts) > 1 {
		paths := make([]string, len(ts))
		for i, t := range ts {
			paths[i] = t.Document.Path
		}
		return lineage.DocumentRecord{}, usageErrorf("%s names %d documents (%s): give a longer path or an id", doc, len(ts), strings.Join(paths, ", "))
	}
	return ts[0].Document, nil
}

// outputRel returns the input path an output file is written for: the
// file's path under out (or as given) without .json or .md.
func outputRel(file, out string) (string, bool) {
	rel := file
	if out != "" {
		if abs, err := filepath.Abs(file); err == nil {
			if absOut, err := filepath.Abs(out); err == nil {
				if r, err := filepath.Rel(absOut, abs); err == nil && !strings.HasPrefix(r, "..") {
					rel = r
				}
			}
		}
	}
	rel = filepath.ToSlash(rel)
	for _, ext := range []string{".json", ".md"} {
		if strings.HasSuffix(rel, ext) && len(rel) > len(ext) {
			return strings.TrimSuffix(rel, ext), true
		}
	}
	return "", false
}

// readSource reads the input of doc, from override or from where it was
// read at parse time, and checks it is the file that was parsed.
func readSource(ctx context.Context, db *lineage.DB, doc lineage.DocumentRecord, override string) ([]byte, folio.Source, error) {
	p := override
	if p == "" {
		recorded, _, err := db.Source(ctx, doc.ID)
		if err != nil {
			return nil, folio.Source{}, err
		}
		if recorded == "" {
			return nil, folio.Source{}, &exitError{code: exitFailed, err: fmt.Errorf("%s: the ledger does not say where its input was read (recorded before schema 6, or from standard input): give it with --source", doc.Path)}
		}
		p = recorded
	}
	data, err := readInput(p)
	if err != nil {
		return nil, folio.Source{}, &exitError{code: exitFailed, err: fmt.Errorf("read source of %s: %w (give the input with --source)", doc.Path, err)}
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != doc.SHA256 {
		return nil, folio.Source{}, &exitError{code: exitFailed, err: fmt.Errorf("%s: source changed since it was parsed (sha256 %.12s…, recorded %.12s…)", p, got, doc.SHA256)}
	}
	return data, folio.Source{Path: p, Rel: doc.Path, SHA256: doc.SHA256, Bytes: int64(len(data)), Format: doc.Format, Pages: doc.Pages}, nil
}

// pageFileName is the default image name: the input's name without its
// extension, then -p<N>.png, in the current folder.
func pageFileName(rel string, page int) string {
	base := path.Base(rel)
	if stem := strings.TrimSuffix(base, path.Ext(base)); stem != "" {
		base = stem
	}
	if base == "." || base == ".." || base == "/" {
		base = "page"
	}
	return fmt.Sprintf("%s-p%d.png", base, page)
}

// writeFileAtomic writes data to name through a temporary file in the same
// folder, so that a reader never sees half an image.
func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name()) // after a failure; gone after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil { // CreateTemp makes it 0600
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// drawWholePage draws page of src at dpi with the parse engine, and the
// image's size. The page's size in points follows from it: Render scales
// the page by dpi/72 and rounds to whole pixels, so boxes land within half
// a pixel. Near the pixel cap the engine lowers the scale, which would
// misplace every box: that is refused instead.
func drawWholePage(ctx context.Context, src folio.Source, data []byte, page int, dpi float64, name string) ([]byte, image.Config, error) {
	engine, err := parse.New(ctx, parse.Options{Instances: 1})
	if err != nil {
		return nil, image.Config{}, fmt.Errorf("start PDF engine: %w", err)
	}
	defer engine.Close()
	// The whole page: Render clips the box to it.
	whole := folio.Drawing{PageBox: folio.PageBox{Page: page, Box: folio.Box{0, 0, 1e9, 1e9}}, DPI: dpi, MaxPixels: renderMaxPixels}
	imgs, err := engine.Render(ctx, src, data, []folio.Drawing{whole})
	if err != nil {
		return nil, image.Config{}, &exitError{code: exitFailed, err: fmt.Errorf("draw page %d of %s: %w", page, name, err)}
	}
	if len(imgs) != 1 || imgs[0] == nil {
		return nil, image.Config{}, &exitError{code: exitFailed, err: fmt.Errorf("draw page %d of %s: the engine could not draw it", page, name)}
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(imgs[0]))
	if err != nil {
		return nil, image.Config{}, fmt.Errorf("draw page %d of %s: %w", page, name, err)
	}
	if int64(cfg.Width)*int64(cfg.Height) > renderMaxPixels*95/100 {
		return nil, image.Config{}, usageErrorf("page %d of %s is too large to draw at %v dpi: lower --dpi", page, name, dpi)
	}
	return imgs[0], cfg, nil
}

// overlayOf is the boxes to draw for els and their description for --json.
func overlayOf(els []lineage.ElementRecord, colorBy string) ([]serve.OverlayBox, []renderedElement) {
	boxes := make([]serve.OverlayBox, len(els))
	described := make([]renderedElement, len(els))
	for i, e := range els {
		boxes[i] = serve.OverlayBox{ID: e.ID, Ord: e.Ord, Type: e.Type, Model: e.Model, Layer: e.Layer, Box: e.Box}
		key := string(e.Type)
		if colorBy == serve.ColorByModel {
			key = e.Model
		}
		described[i] = renderedElement{ID: e.ID, Ord: e.Ord, Type: e.Type, Layer: e.Layer, Model: e.Model, Box: e.Box,
			Color: serve.Palette(colorBy, key)}
	}
	return boxes, described
}
