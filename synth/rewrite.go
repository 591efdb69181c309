package synth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/folio/folio"
)

// Rewrite changes a document already written as rel: it reads OUT/<rel>.json
// back, lets change edit it, and writes the JSON again, and the Markdown
// when outs records one, each atomically (Markdown first, as Write orders
// them). Assets are left as they are. It returns the outputs as they now
// are, and undo, which puts the files back as they were (for a caller whose
// next step, recording the change, failed), unless another writer (a
// parse) has replaced the JSON since.
func (w *Writer) Rewrite(ctx context.Context, rel string, outs []folio.Output, change func(*folio.Document) error) (now []folio.Output, undo func() error, err error) {
	if err := checkRel(rel); err != nil {
		return nil, nil, err
	}
	jsonName, mdName := rel+".json", rel+".md"
	oldJS, err := w.root.ReadFile(jsonName)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", jsonName, err)
	}
	var doc folio.Document
	if err := json.Unmarshal(oldJS, &doc); err != nil {
		return nil, nil, fmt.Errorf("decode %s: %w", jsonName, err)
	}
	if err := change(&doc); err != nil {
		return nil, nil, err
	}
	js, err := encodeJSON(doc)
	if err != nil {
		return nil, nil, err
	}
	hasMD := false
	for _, o := range outs {
		hasMD = hasMD || o.Path == mdName
	}
	var oldMD []byte
	if hasMD {
		oldMD, err = w.root.ReadFile(mdName)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("read %s: %w", mdName, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	putBack := func() error {
		if oldMD != nil {
			if err := writeFile(w.root, mdName, oldMD); err != nil {
				return err
			}
		}
		return writeFile(w.root, jsonName, oldJS)
	}
	undo = func() error {
		if now, err := w.root.ReadFile(jsonName); err != nil || !bytes.Equal(now, js) {
			return err // not ours any more: leave it
		}
		return putBack()
	}
	var md []byte
	if hasMD {
		md = markdown(doc)
		if err := writeFile(w.root, mdName, md); err != nil {
			return nil, nil, err
		}
	}
	if err := writeFile(w.root, jsonName, js); err != nil {
		if uerr := putBack(); uerr != nil {
			w.Logger.Warn("put back an output after a failed rewrite", "file", mdName, "err", uerr)
		}
		return nil, nil, err
	}
	if err := syncDir(w.root, path.Clean("./"+path.Dir(rel))); err != nil {
		return nil, nil, err
	}
	for _, o := range outs {
		switch o.Path {
		case mdName:
			now = append(now, written(mdName, md))
		case jsonName:
		default:
			now = append(now, o)
		}
	}
	return append(now, written(jsonName, js)), undo, nil
}
