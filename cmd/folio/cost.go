package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/spf13/cobra"
)

type costOptions struct {
	out   string
	db    string
	by    string
	scope string
	json  bool
}

func newCostCmd(s *streams) *cobra.Command {
	o := &costOptions{}
	cmd := &cobra.Command{
		Use:   "cost -o OUT",
		Short: "Print model spending: totals, cache savings and the saving against the baseline",
		Example: `  folio cost -o out
  folio cost -o out --by document --scope outputs
  folio cost --db ledger.db --by tag --json | jq '.rows[] | {key, usd_micros}'`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			return runCost(c.Context(), o, s)
		},
	}
	cmd.Flags().StringVarP(&o.out, "output", "o", "", "output folder of the parse runs (its ledger is OUT/folio.db)")
	cmd.Flags().StringVar(&o.db, "db", "", "ledger file (default OUT/folio.db)")
	cmd.Flags().StringVar(&o.by, "by", "model", "group by: "+strings.Join(lineage.CostDimensions(), ", "))
	cmd.Flags().StringVar(&o.scope, "scope", string(lineage.Spent), "spent: every model call ever made, redone work included; outputs: the calls behind the current outputs only")
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON")
	completeWith(cmd, "by", lineage.CostDimensions())
	completeWith(cmd, "scope", lineage.Scopes())
	return cmd
}

func runCost(ctx context.Context, o *costOptions, s *streams) error {
	if !slices.Contains(lineage.CostDimensions(), o.by) {
		return usageErrorf("--by %q: want one of %s", o.by, strings.Join(lineage.CostDimensions(), ", "))
	}
	if !slices.Contains(lineage.Scopes(), o.scope) {
		return usageErrorf("--scope %q: want one of %s", o.scope, strings.Join(lineage.Scopes(), ", "))
	}
	db, err := openLedger(ctx, o.out, o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.Cost(ctx, o.by, lineage.Scope(o.scope))
	if err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(s.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteText(s.Out)
}

// openLedger opens an existing ledger for reading commands: --db, else
// OUT/folio.db. A missing ledger is a configuration error.
func openLedger(ctx context.Context, out, db string) (*lineage.DB, error) {
	db, err := ledgerPath(out, db)
	if err != nil {
		return nil, err
	}
	l, err := lineage.Open(ctx, db)
	if errors.Is(err, folio.ErrLedgerUnavailable) {
		return nil, &exitError{code: exitDeferred, err: err}
	} else if err != nil {
		return nil, configErrorf("open ledger: %v", err)
	}
	return l, nil
}

// ledgerPath is the ledger a reading command opens: --db, else
// OUT/folio.db, which must exist.
func ledgerPath(out, db string) (string, error) {
	if db == "" {
		if out == "" {
			return "", usageErrorf("needs -o OUT or --db PATH")
		}
		db = filepath.Join(out, "folio.db")
	}
	if lineage.IsPostgres(db) {
		return db, nil
	}
	if _, err := os.Stat(db); err != nil {
		return "", configErrorf("ledger %s: %v", db, err)
	}
	return db, nil
}
