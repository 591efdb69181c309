package synth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"

	"github.com/folio/folio"
)

// Options chooses the outputs written besides the JSON.
type Options struct {
	// Markdown also writes OUT/<rel>.md.
	Markdown bool
	// Keep leaves outputs an earlier run wrote and this one does not ask
	// for (Markdown) in place, logging each, instead of removing them.
	Keep bool
}

// Writer writes documents under one output directory. It is safe for
// concurrent use by documents with different source paths.
type Writer struct {
	root *os.Root
	opts Options

	// Logger receives problems that do not fail a write, such as a stale
	// asset that could not be removed. New sets a logger that discards
	// everything; set it before the first Write.
	Logger *slog.Logger
}

var _ folio.Writer = (*Writer)(nil)

// New returns a Writer for outDir, creating the directory if needed. Close
// releases it.
func New(outDir string, opts Options) (*Writer, error) {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	root, err := os.OpenRoot(outDir)
	if err != nil {
		return nil, fmt.Errorf("open output directory: %w", err)
	}
	return &Writer{root: root, opts: opts, Logger: slog.New(slog.DiscardHandler)}, nil
}

// Close releases the output directory.
func (w *Writer) Close() error { return w.root.Close() }

// asset is one image file to write.
type asset struct {
	name string // relative to the output root
	png  []byte
}

// Write writes doc's outputs for doc.Source.Rel: every image with pixels as
// <rel>.assets/p<page>-<n>.png (n counting the page's images in element
// order), then the Markdown if asked, then the JSON, each atomically. It sets
// each written image's File to its path relative to the JSON's folder, and
// afterwards removes the document's assets the JSON no longer references.
// It returns the written files (paths relative to the output root, and the
// SHA-256 of each), JSON last. On failure no new JSON exists and no temp
// file is left; errors name the file but not the document, which the caller
// adds.
func (w *Writer) Write(ctx context.Context, doc *folio.Document) ([]folio.Output, error) {
	rel := doc.Source.Rel
	if err := checkRel(rel); err != nil {
		return nil, err
	}
	dir, base := path.Split(rel)
	dir = path.Clean("./" + dir) // "." for a document at the top
	assetsDir := rel + ".assets"

	// Everything is encoded before anything is written.
	out, assets := output(doc, base+".assets", assetsDir)
	js, err := encodeJSON(out)
	if err != nil {
		return nil, err
	}
	var md []byte
	if w.opts.Markdown {
		md = markdown(out)
	}

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	outs, err := w.writeAssets(ctx, assetsDir, assets)
	if err != nil {
		return nil, err
	}
	if err := w.mkdirAll(dir); err != nil {
		return nil, err
	}
	if md != nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := writeFile(w.root, rel+".md", md); err != nil {
			return nil, err
		}
		outs = append(outs, written(rel+".md", md))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := writeFile(w.root, rel+".json", js); err != nil {
		return nil, err
	}
	if err := syncDir(w.root, dir); err != nil {
		return nil, err
	}
	outs = append(outs, written(rel+".json", js))

	w.removeStale(assetsDir, assets)
	for i := range doc.Elements {
		if img := doc.Elements[i].Image; img != nil {
			img.File = out.Elements[i].Image.File
		}
	}
	return outs, nil
}

// encodeJSON is the output JSON's one encoding: indented, HTML left as is.
func encodeJSON(doc folio.Document) ([]byte, error) {
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode json: %w", err)
	}
	return js.Bytes(), nil
}

// writeAssets writes the image files into assetsDir and syncs it.
func (w *Writer) writeAssets(ctx context.Context, assetsDir string, assets []asset) ([]folio.Output, error) {
	if len(assets) == 0 {
		return nil, nil
	}
	if err := w.mkdirAll(assetsDir); err != nil {
		return nil, err
	}
	outs := make([]folio.Output, 0, len(assets)+2)
	for _, a := range assets {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := writeFile(w.root, a.name, a.png); err != nil {
			return nil, err
		}
		outs = append(outs, written(a.name, a.png))
	}
	if err := syncDir(w.root, assetsDir); err != nil {
		return nil, err
	}
	return outs, nil
}

// mkdirAll creates directory name under the root with its parents; when it
// creates any, it syncs the parents so that the new entries are durable.
func (w *Writer) mkdirAll(name string) error {
	if fi, err := w.root.Stat(name); err == nil && fi.IsDir() {
		return nil
	}
	if err := w.root.MkdirAll(name, 0o755); err != nil {
		return fmt.Errorf("create directory %s: %w", name, err)
	}
	for d := path.Dir(name); ; d = path.Dir(d) {
		if err := syncDir(w.root, d); err != nil {
			return err
		}
		if d == "." {
			return nil
		}
	}
}

// removeStale removes the files in assetsDir named like assets that are not
// among assets, and the directory itself when it is left empty.
func (w *Writer) removeStale(assetsDir string, assets []asset) {
	d, err := w.root.Open(assetsDir)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		w.Logger.Warn("remove stale assets", "dir", assetsDir, "err", err)
		return
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		w.Logger.Warn("remove stale assets", "dir", assetsDir, "err", err)
		return
	}
	keep := make(map[string]bool, len(assets))
	for _, a := range assets {
		keep[a.name] = true
	}
	left := len(names)
	for _, n := range names {
		name := assetsDir + "/" + n
		if keep[name] || !isAssetName(n) {
			continue
		}
		if err := w.root.Remove(name); err != nil {
			w.Logger.Warn("remove stale asset", "file", name, "err", err)
			continue
		}
		left--
	}
	if left == 0 {
		if err := w.root.Remove(assetsDir); err != nil {
			w.Logger.Warn("remove empty asset directory", "dir", assetsDir, "err", err)
		}
	}
}
