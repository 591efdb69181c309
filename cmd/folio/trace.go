package main

import (
	"context"
	"encoding/json"
	"errors"

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
(doc_…) or an input path to the calls that produced it, its source page and box, its
document and the run.`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.id = args[0]
			return runTrace(c.Context(), o, s)
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
	traces, err := db.Trace(ctx, o.id)
	if errors.Is(err, lineage.ErrNotFound) {
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
