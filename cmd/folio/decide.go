package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/folio/folio/synth"
)

// decider applies a reviewer's decision: it rewrites the document's JSON
// and Markdown with the decision applied, then records the decision, its
// human fragment and the new outputs in one ledger transaction; when that
// fails, the files are put back. The review command and folio serve share
// it.
type decider struct {
	db     *lineage.DB
	w      *synth.Writer
	now    func() time.Time
	logger *slog.Logger
	mu     sync.Mutex // one rewrite of an OUT at a time in this process
}

func newDecider(db *lineage.DB, out string, logger *slog.Logger) (*decider, error) {
	w, err := synth.New(out, synth.Options{})
	if err != nil {
		return nil, err
	}
	w.Logger = logger
	return &decider{db: db, w: w, now: time.Now, logger: logger}, nil
}

func (d *decider) Close() error { return d.w.Close() }

// Answer choices of an accept besides a model's name.
const (
	answerLocal = "local" // the content the element kept
	answerModel = "model" // the last model answer a check rejected
)

// decide records dec on its element. For an accept, dec.Answer chooses the
// answer (local, model, or a model's name; local when empty) and dec gets
// its content.
func (d *decider) decide(ctx context.Context, dec folio.Decision) (folio.Decision, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	it, err := d.db.ReviewItem(ctx, dec.Element)
	if err != nil {
		return dec, err
	}
	if dec.Action == folio.ActionAccept {
		a, err := chooseAnswer(it, dec.Answer)
		if err != nil {
			return dec, err
		}
		dec.Answer, dec.Text, dec.Table = a.Model, a.Text, a.Table
	}
	if err := dec.Check(); err != nil {
		return dec, err
	}
	dec.Time = d.now().UTC()
	dec.Fragment = folio.HumanFragmentID(dec.Element, dec.Reviewer, dec.Time)

	outs, undo, err := d.w.Rewrite(ctx, it.Document.Path, it.Document.Outputs, func(doc *folio.Document) error {
		if doc.ID != it.Document.ID {
			return fmt.Errorf("%s.json holds document %s, the ledger %s: run folio parse again", it.Document.Path, doc.ID, it.Document.ID)
		}
		for _, els := range [][]folio.Element{doc.Elements, doc.Candidates} {
			for i := range els {
				if els[i].ID == dec.Element {
					dec.Apply(&els[i])
					return nil
				}
			}
		}
		return fmt.Errorf("element %s is not in %s.json: %w", dec.Element, it.Document.Path, lineage.ErrNotFound)
	})
	if err != nil {
		return dec, fmt.Errorf("apply decision to %s: %w", it.Document.Path, err)
	}
	rec, err := d.db.RecordDecision(ctx, it.Document.Rec, dec, outs)
	if err != nil {
		if uerr := undo(); uerr != nil {
			d.logger.Error("put back outputs after a decision was not recorded", "doc", it.Document.Path, "err", uerr)
		}
		return dec, err
	}
	return rec, nil
}

// chooseAnswer picks the answer an accept takes.
func chooseAnswer(it lineage.ReviewItem, choice string) (folio.Answer, error) {
	// Without answers on record (a degraded element) the content stays as
	// written: the ledger's text is cut short.
	kept := folio.Answer{Model: it.Element.Model, Status: folio.CallOK}
	if len(it.Answers) > 0 {
		kept = it.Answers[0]
	}
	switch choice {
	case "", answerLocal:
		return kept, nil
	case answerModel:
		for i := len(it.Answers) - 1; i >= 1; i-- {
			if !folio.IsLocal(it.Answers[i].Model) {
				return it.Answers[i], nil
			}
		}
		return folio.Answer{}, fmt.Errorf("element %s has no model answer to accept", it.Element.ID)
	}
	for i := len(it.Answers) - 1; i >= 0; i-- {
		if it.Answers[i].Model == choice {
			return it.Answers[i], nil
		}
	}
	return folio.Answer{}, fmt.Errorf("element %s has no answer from %q (%w)", it.Element.ID, choice, errNoAnswer)
}

var errNoAnswer = errors.New("no such answer")
