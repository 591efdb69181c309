package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/folio/folio/lineage"
	"github.com/spf13/cobra"
)

type traceOptions struct {
	id   string
	out  string
	db   string
	json bool
}

func newTraceCmd(s *streams) *cobra.Command {
	o := &traceOptions{}
	cmd := &cobra.Command{
		Use:   "trace -o OUT ID",
		Short: "Show where an element came from: element → calls → page and box → document → run",
		Long: `Trace walks the ledger from an element id (el_…), a fragment id (fr_…), a document id
(doc_…), an input path or an output path to the calls that produced it, its source page and
box, its document and the run.

An id may be shortened to a prefix of at least 4 hex digits after the underscore (el_3fa9)
that no other id, current or past, starts with; an ambiguous prefix is an error listing
some of the ids it matches. An output path (OUT/<path>.json, .md, or an asset) names the
document that wrote it, given from OUT, from anywhere with -o, or as an absolute path.
An unknown or ambiguous id exits 1.`,
		Example: `  folio trace -o out el_3fa9
  folio trace -o out docs/a/b.pdf           # an input: its document's elements and run
  folio trace -o out out/a/b.pdf.json       # an output file: the document that wrote it
  folio trace --db ledger.db --json doc_5c1f | jq '.[0].run.id'`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.id = args[0]
			return runTrace(c.Context(), o, s)
		},
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return completeIDs(c, toComplete), cobra.ShellCompDirectiveDefault
		},
	}
	cmd.Flags().StringVarP(&o.out, "output", "o", "", "output folder of the parse run (its ledger is OUT/folio.db)")
	cmd.Flags().StringVar(&o.db, "db", "", "ledger file (default OUT/folio.db)")
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON")
	return cmd
}

func runTrace(ctx context.Context, o *traceOptions, s *streams) error {
	db, err := openLedger(ctx, o.out, o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	traces, err := db.Trace(ctx, inOutput(o.out, o.id))
	var ambiguous *lineage.AmbiguousError
	if errors.Is(err, lineage.ErrNotFound) || errors.As(err, &ambiguous) {
		return &exitError{code: exitFailed, err: err}
	}
	if err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(s.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(traces)
	}
	for _, t := range traces {
		if err := t.WriteText(s.Out); err != nil {
			return err
		}
	}
	return nil
}

// inOutput returns id as the ledger records output paths, relative to out
// with slashes, when it names an existing file inside out, from whatever
// working directory; otherwise id as it is.
func inOutput(out, id string) string {
	if out == "" {
		return id
	}
	if fi, err := os.Stat(id); err != nil || !fi.Mode().IsRegular() {
		return id
	}
	absOut, err1 := filepath.Abs(out)
	absID, err2 := filepath.Abs(id)
	if err1 != nil || err2 != nil {
		return id
	}
	rel, err := filepath.Rel(absOut, absID)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return id
	}
	return filepath.ToSlash(rel)
}
