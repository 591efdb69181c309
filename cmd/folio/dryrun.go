package main

import (
	"context"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
)

// dryLedger is the ledger of a dry run: it reads what the real ledger knows
// (which documents are done) and records nothing. ro is nil when there is
// no ledger yet.
type dryLedger struct{ ro *lineage.DB }

var _ folio.Ledger = dryLedger{}

func (dryLedger) StartRun(context.Context, folio.Run) error  { return nil }
func (dryLedger) FinishRun(context.Context, folio.Run) error { return nil }
func (l dryLedger) Finished(ctx context.Context, id string) ([]folio.Output, bool, error) {
	if l.ro == nil {
		return nil, false, nil
	}
	return l.ro.Finished(ctx, id)
}
func (dryLedger) RecordDocument(context.Context, string, *folio.Document, []folio.Output) error {
	return nil
}
func (dryLedger) RecordFailure(context.Context, string, folio.Source, folio.Kind, string) error {
	return nil
}
func (dryLedger) RecordUnfinished(context.Context, string, *folio.Document, folio.Kind, string) error {
	return nil
}
func (dryLedger) MarkPruned(context.Context, string, string) error         { return nil }
func (dryLedger) SetOutputs(context.Context, string, []folio.Output) error { return nil }

// dryWriter is the writer of a dry run, which writes no file. It is no
// OutputDir and no Refresher, so the pipeline neither recovers, prunes nor
// refreshes outputs: a dry run is these decorators and the models' (see
// route.ModelOptions.DryRun), and the pipeline does not know it is one.
type dryWriter struct{}

func (dryWriter) Write(context.Context, *folio.Document) ([]folio.Output, error) { return nil, nil }
