package synth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

	"github.com/folio/folio"
)

var _ folio.Refresher = (*Writer)(nil)

// Refresh brings the Markdown of the document written as rel in line with
// the Writer's options, from its JSON alone: with Markdown asked for, a
// missing, changed or unrecorded OUT/<rel>.md is written again; without,
// a recorded one is removed, or with Keep kept and logged. It returns the
// outputs as they now are.
func (w *Writer) Refresh(ctx context.Context, rel string, outs []folio.Output) ([]folio.Output, bool, error) {
	if err := checkRel(rel); err != nil {
		return nil, false, err
	}
	mdName := rel + ".md"
	var kept []folio.Output
	var md *folio.Output
	for i, o := range outs {
		if o.Path == mdName {
			md = &outs[i]
			continue
		}
		kept = append(kept, o)
	}
	if !w.opts.Markdown {
		if md == nil {
			return outs, false, nil
		}
		if w.opts.Keep {
			w.Logger.Warn("kept an output this run does not ask for", "file", mdName)
			return outs, false, nil
		}
		if err := w.root.Remove(mdName); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, false, fmt.Errorf("remove %s: %w", mdName, err)
		}
		return kept, true, nil
	}
	if md != nil && md.SHA256 != "" {
		if b, err := w.root.ReadFile(mdName); err == nil && written(mdName, b).SHA256 == md.SHA256 {
			return outs, false, nil
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	js, err := w.root.ReadFile(rel + ".json")
	if err != nil {
		return nil, false, fmt.Errorf("read %s.json: %w", rel, err)
	}
	var doc folio.Document
	if err := json.Unmarshal(js, &doc); err != nil {
		return nil, false, fmt.Errorf("decode %s.json: %w", rel, err)
	}
	b := markdown(doc)
	if err := writeFile(w.root, mdName, b); err != nil {
		return nil, false, err
	}
	// The Markdown before the JSON, as Write orders them.
	var now []folio.Output
	var jsonOut *folio.Output
	for i, o := range kept {
		if o.Path == rel+".json" {
			jsonOut = &kept[i]
			continue
		}
		now = append(now, o)
	}
	now = append(now, written(mdName, b))
	if jsonOut != nil {
		now = append(now, *jsonOut)
	}
	return now, true, nil
}
