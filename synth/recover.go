package synth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/folio/folio"
)

var _ folio.OutputDir = (*Writer)(nil)

// Recover readies the output folder after an interrupted run. It removes
// the temporary files that writes cut short left behind (".<name>.tmp-…")
// and returns how many it removed, with every document JSON it found and
// the id each declares. The caller must hold the folder's run lock, or it
// could remove another run's files in the middle of a write.
func (w *Writer) Recover(ctx context.Context) (int, []folio.Found, error) {
	var removed int
	var found []folio.Found
	err := fs.WalkDir(w.root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		base := d.Name()
		switch {
		case d.IsDir():
			return nil
		case isTempName(base):
			if err := w.root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove temp file %s: %w", name, err)
			}
			removed++
		case d.Type().IsRegular() && strings.HasSuffix(base, ".json") && !strings.HasPrefix(base, ".") &&
			!strings.HasSuffix(path.Dir(name), ".assets"):
			if id, ok := w.documentID(name); ok {
				found = append(found, folio.Found{Rel: strings.TrimSuffix(name, ".json"), ID: id})
			}
		}
		return nil
	})
	if err != nil {
		return removed, nil, fmt.Errorf("recover: %w", err)
	}
	return removed, found, nil
}

// isTempName reports whether base is a name tempName gives.
func isTempName(base string) bool {
	return strings.HasPrefix(base, ".") && strings.Contains(base, ".tmp-")
}

// documentID returns the id declared by the output JSON name, reading only
// its first members: Write puts "schema" and "id" first. ok is false for a
// file that is not a Folio document.
func (w *Writer) documentID(name string) (id string, ok bool) {
	f, err := w.root.Open(name)
	if err != nil {
		return "", false
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", false
	}
	var schema string
	for range 2 {
		key, err := dec.Token()
		if err != nil {
			return "", false
		}
		var v string
		if err := dec.Decode(&v); err != nil {
			return "", false
		}
		switch key {
		case "schema":
			schema = v
		case "id":
			id = v
		}
	}
	return id, schema == folio.Schema && id != ""
}

// Remove deletes the outputs Write wrote for the source path rel: the JSON
// first, so that the document is gone before its parts, then the Markdown
// and the assets. Folders left empty are removed up to the output root. It
// returns the paths it removed; files that are already gone are no error.
func (w *Writer) Remove(ctx context.Context, rel string) ([]string, error) {
	if err := checkRel(rel); err != nil {
		return nil, err
	}
	var removed []string
	remove := func(name string) error {
		err := w.root.Remove(name)
		switch {
		case err == nil:
			removed = append(removed, name)
		case !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("remove %s: %w", name, err)
		}
		return nil
	}
	for _, name := range []string{rel + ".json", rel + ".md"} {
		if err := ctx.Err(); err != nil {
			return removed, err
		}
		if err := remove(name); err != nil {
			return removed, err
		}
	}
	assetsDir := rel + ".assets"
	if d, err := w.root.Open(assetsDir); err == nil {
		names, err := d.Readdirnames(-1)
		d.Close()
		if err != nil {
			return removed, fmt.Errorf("read %s: %w", assetsDir, err)
		}
		for _, n := range names {
			if isAssetName(n) || isTempName(n) {
				if err := remove(assetsDir + "/" + n); err != nil {
					return removed, err
				}
			}
		}
		if err := w.root.Remove(assetsDir); err != nil && !errors.Is(err, fs.ErrNotExist) {
			w.Logger.Warn("remove asset directory", "dir", assetsDir, "err", err)
		}
	}
	// Empty parent folders go too; the first one that is not empty stops.
	for dir := path.Dir(rel); dir != "."; dir = path.Dir(dir) {
		if w.root.Remove(dir) != nil {
			break
		}
	}
	if err := syncDir(w.root, path.Dir(rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return removed, err
	}
	return removed, nil
}
