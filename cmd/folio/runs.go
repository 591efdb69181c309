package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/spf13/cobra"
)

type runsOptions struct {
	out   string
	db    string
	limit int
	json  bool
}

// defaultRunsLimit is how many runs folio runs lists by default.
const defaultRunsLimit = 20

func newRunsCmd(s *streams) *cobra.Command {
	o := &runsOptions{}
	cmd := &cobra.Command{
		Use:   "runs -o OUT",
		Short: "List the parse runs of OUT, newest first: documents, elements, spend and baseline",
		Long: `Runs lists the runs recorded in OUT's ledger, newest first: when each started and how
long it took, its arguments and tags, its documents (ok, failed, partial, skipped,
deferred), its elements (in review, degraded), what it spent (and of that, on answers
then rejected), what the cache saved, and the modelled baseline with the saving against it.

Exit status: 0 listed, 2 usage error, 78 no ledger.`,
		Example: `  folio runs -o out
  folio runs -o out --limit 5 --json | jq '.runs[0].summary.cost'`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			return runRuns(c.Context(), o, s)
		},
	}
	cmd.Flags().StringVarP(&o.out, "output", "o", "", "output folder of the parse runs (its ledger is OUT/folio.db)")
	cmd.Flags().StringVar(&o.db, "db", "", "ledger file (default OUT/folio.db)")
	cmd.Flags().IntVar(&o.limit, "limit", defaultRunsLimit, fmt.Sprintf("runs to list, at most %d", lineage.MaxPage))
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON")
	return cmd
}

func runRuns(ctx context.Context, o *runsOptions, s *streams) error {
	if o.limit < 1 || o.limit > lineage.MaxPage {
		return usageErrorf("--limit %d: want 1 to %d", o.limit, lineage.MaxPage)
	}
	db, err := openLedgerReadOnly(ctx, o.out, o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	page, err := db.Runs(ctx, o.limit, 0)
	if err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(s.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(page)
	}
	return writeRuns(s.Out, page)
}

// writeRuns prints runs as an aligned table.
func writeRuns(w io.Writer, page *lineage.RunPage) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTARTED\tDURATION\tDOCS OK/FAILED/PARTIAL/SKIPPED/DEFERRED\tELEMENTS/REVIEW/DEGRADED\tSPEND\tREJECTED\tSAVED BY CACHE\tBASELINE\tSAVING\tTAGS\tARGS")
	for _, r := range page.Runs {
		sm := r.Summary
		dur := "-"
		if !r.Finished.IsZero() {
			dur = fmt.Sprintf("%.1fs", sm.Seconds)
		}
		spend := usd(sm.Cost.USDMicros)
		if sm.Cost.Unpriced > 0 {
			spend += fmt.Sprintf(" +%d unpriced", sm.Cost.Unpriced)
		}
		baseline, saving := "-", "-"
		if b := sm.Cost.BaselineUSDMicros; b != nil {
			baseline = usd(*b)
			saving = usd(*b-sm.Cost.USDMicros) + " (" + folio.VersusBaseline(sm.Cost.USDMicros, *b, sm.Cost.Unpriced > 0) + ")"
		}
		var tags []string
		for _, k := range slices.Sorted(maps.Keys(r.Tags)) {
			tags = append(tags, k+"="+r.Tags[k])
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d/%d/%d/%d/%d\t%d/%d/%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			r.ID, r.Started.UTC().Format("2006-01-02T15:04:05Z"), dur,
			sm.OK, sm.Failed, sm.Partial, sm.Skipped, r.Deferred,
			sm.Elements, sm.ElementStatus.Review, sm.ElementStatus.Degraded,
			spend, usd(r.RejectedUSDMicros), usd(sm.Cost.SavedUSDMicros), baseline, saving,
			strings.Join(tags, ","), strings.Join(r.Args, " "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(page.Runs) < page.Total {
		_, err := fmt.Fprintf(w, "(%d of %d runs; --limit shows more)\n", len(page.Runs), page.Total)
		return err
	}
	return nil
}
