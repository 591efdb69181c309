package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/spf13/cobra"
)

type reviewOptions struct {
	out, db  string
	json     bool
	status   string
	decided  bool
	limit    int
	offset   int
	answer   string
	reviewer string
	note     string
	text     string
	cells    string
}

const reviewExamples = `  folio review list -o out
  folio review show -o out el_3fa9c0d1e2b3a4f5a6b7
  folio review accept -o out el_3fa9c0d1e2b3a4f5a6b7 --answer model --reviewer ana --note "model read the merged header right"
  folio review correct -o out el_3fa9c0d1e2b3a4f5a6b7 --text "Net revenue rose 4.2%"
  folio review correct -o out el_3fa9c0d1e2b3a4f5a6b7 --cells grid.json   # {"rows": [["Region","Q1"],["North","12.5"]], "header_rows": 1}
  folio review reject -o out el_3fa9c0d1e2b3a4f5a6b7 --note "not a table"
  echo '{"element":"el_3fa9…","action":"correct","text":"…","reviewer":"ana"}' | folio review decide -o out -`

func newReviewCmd(s *streams) *cobra.Command {
	o := &reviewOptions{}
	cmd := &cobra.Command{
		Use:   "review",
		Short: "List elements waiting for a person and record decisions on them",
		Long: `Elements whose last answer failed a check are in review: they keep their best result, and
a person decides. A decision (accept one answer, correct the content, or reject) is recorded
in the ledger as lineage (a fragment by human/<reviewer>, with time and note), the document's
JSON and Markdown are rewritten atomically with it applied, and later runs apply it again
unless the source document changes.

Exit codes: 0 done, 1 the element or answer was not found or the decision was refused,
2 usage, 78 no ledger or output folder.`,
		Example: reviewExamples,
		Args:    exactArgs(0),
	}
	cmd.PersistentFlags().StringVarP(&o.out, "output", "o", "", "output folder of the parse runs (its ledger is OUT/folio.db)")
	cmd.PersistentFlags().StringVar(&o.db, "db", "", "ledger file (default OUT/folio.db)")
	cmd.PersistentFlags().BoolVar(&o.json, "json", false, "print JSON")

	list := &cobra.Command{
		Use:     "list -o OUT",
		Short:   "List the elements in review (or degraded), undecided first",
		Example: "  folio review list -o out\n  folio review list -o out --status degraded --json",
		Args:    exactArgs(0),
		RunE:    func(c *cobra.Command, _ []string) error { return runReviewList(c.Context(), o, s) },
	}
	list.Flags().StringVar(&o.status, "status", folio.StatusReview, "review or degraded")
	list.Flags().BoolVar(&o.decided, "decided", false, "list the elements already decided instead")
	list.Flags().IntVar(&o.limit, "limit", 100, "rows to print")
	list.Flags().IntVar(&o.offset, "offset", 0, "rows to skip")

	show := &cobra.Command{
		Use:     "show -o OUT ELEMENT",
		Short:   "Show an element with the answers to choose from and the decisions made",
		Example: "  folio review show -o out el_3fa9c0d1e2b3a4f5a6b7 --json",
		Args:    exactArgs(1),
		RunE:    func(c *cobra.Command, args []string) error { return runReviewShow(c.Context(), o, args[0], s) },
	}

	decide := func(action string) func(*cobra.Command, []string) error {
		return func(c *cobra.Command, args []string) error {
			return runReviewDecide(c.Context(), o, action, args[0], s)
		}
	}
	accept := &cobra.Command{
		Use:   "accept -o OUT ELEMENT [--answer local|model|MODEL]",
		Short: "Accept one of the element's answers (the one it kept by default)",
		Args:  exactArgs(1),
		RunE:  decide(folio.ActionAccept),
	}
	accept.Flags().StringVar(&o.answer, "answer", answerLocal, "local (the content kept), model (the last model answer rejected by a check) or a model's name")
	correct := &cobra.Command{
		Use:   "correct -o OUT ELEMENT (--text TEXT | --cells FILE.json)",
		Short: "Give the element's content by hand: text, or a table's cells",
		Args:  exactArgs(1),
		RunE:  decide(folio.ActionCorrect),
	}
	correct.Flags().StringVar(&o.text, "text", "", "the corrected text")
	correct.Flags().StringVar(&o.cells, "cells", "", `JSON file with the corrected grid: {"rows": [[…], …], "header_rows": N} or just [[…], …]; - reads stdin`)
	reject := &cobra.Command{
		Use:   "reject -o OUT ELEMENT",
		Short: "Reject the element: none of its answers is right (it leaves the Markdown)",
		Args:  exactArgs(1),
		RunE:  decide(folio.ActionReject),
	}
	decideJSON := &cobra.Command{
		Use:   "decide -o OUT -",
		Short: `Record a decision given as a JSON object on stdin: {"element","action","answer","text","cells","reviewer","note"}`,
		Args:  exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if args[0] != "-" {
				return usageErrorf("decide reads its decision from stdin: pass -")
			}
			return runReviewDecide(c.Context(), o, "", "-", s)
		},
	}
	for _, c := range []*cobra.Command{accept, correct, reject, decideJSON} {
		c.Flags().StringVar(&o.reviewer, "reviewer", "", "who decides (default $FOLIO_REVIEWER, else $USER)")
		c.Flags().StringVar(&o.note, "note", "", "why, for the record")
		c.Example = reviewExamples
	}
	cmd.AddCommand(list, show, accept, correct, reject, decideJSON)
	return cmd
}

func runReviewList(ctx context.Context, o *reviewOptions, s *streams) error {
	db, err := openLedger(ctx, o.out, o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, total, err := db.ReviewQueue(ctx, lineage.ReviewFilter{Status: o.status, Decided: o.decided, Limit: o.limit, Offset: o.offset})
	if err != nil {
		return usageErrorf("%v", err)
	}
	if o.json {
		if rows == nil {
			rows = []lineage.ReviewEntry{}
		}
		return writeJSON(s.Out, map[string]any{"total": total, "items": rows})
	}
	tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ELEMENT\tTYPE\tPAGE\tMODEL\tREASON\tDOCUMENT\tTEXT")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", r.Element, r.Type, r.Page, r.Model, cutLine(r.Reason, 50), r.Path, cutLine(r.Text, 40))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(s.Out, "%d of %d\n", len(rows), total)
	return err
}

func runReviewShow(ctx context.Context, o *reviewOptions, id string, s *streams) error {
	db, err := openLedger(ctx, o.out, o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	it, err := db.ReviewItem(ctx, id)
	if errors.Is(err, lineage.ErrNotFound) {
		return &exitError{code: exitFailed, err: err}
	} else if err != nil {
		return err
	}
	if o.json {
		return writeJSON(s.Out, it)
	}
	e := it.Element
	fmt.Fprintf(s.Out, "%s  %s on page %d of %s  status %s  model %s\n", e.ID, e.Type, e.Page, it.Document.Path, e.Status, e.Model)
	if e.Reason != "" {
		fmt.Fprintf(s.Out, "reason: %s\n", e.Reason)
	}
	for i, a := range it.Answers {
		fmt.Fprintf(s.Out, "answer %d  %s (%s)\n%s\n", i, a.Model, a.Status, indent(answerText(a)))
	}
	for _, d := range it.Decisions {
		fmt.Fprintf(s.Out, "decision %d  %s by %s at %s %s\n", d.ID, d.Action, d.Reviewer, d.Time.Format("2006-01-02 15:04:05Z"), d.Note)
	}
	return nil
}

// decisionInput is a decision as JSON on stdin.
type decisionInput struct {
	Element  string          `json:"element"`
	Action   string          `json:"action"`
	Answer   string          `json:"answer"`
	Text     string          `json:"text"`
	Cells    json.RawMessage `json:"cells"`
	Reviewer string          `json:"reviewer"`
	Note     string          `json:"note"`
}

func runReviewDecide(ctx context.Context, o *reviewOptions, action, id string, s *streams) error {
	in := decisionInput{Element: id, Action: action, Answer: o.answer, Text: o.text, Reviewer: o.reviewer, Note: o.note}
	if id == "-" {
		dec := json.NewDecoder(io.LimitReader(s.In, 1<<20))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return usageErrorf("decision on stdin: %v", err)
		}
	}
	d := folio.Decision{Element: strings.TrimSpace(in.Element), Action: in.Action, Answer: in.Answer, Text: in.Text, Note: in.Note,
		Reviewer: cmp.Or(in.Reviewer, os.Getenv("FOLIO_REVIEWER"), os.Getenv("USER"), "cli")}
	if in.Action == folio.ActionCorrect || action == folio.ActionCorrect {
		cells := in.Cells
		if o.cells != "" {
			b, err := readCells(o.cells, s.In)
			if err != nil {
				return err
			}
			cells = b
		}
		if len(cells) > 0 {
			t, err := decodeCells(cells)
			if err != nil {
				return usageErrorf("--cells: %v", err)
			}
			d.Table = t
		}
	}
	if err := d.Check(); err != nil && d.Action != folio.ActionAccept {
		return usageErrorf("%v", err)
	}
	if o.out == "" {
		return usageErrorf("a decision rewrites outputs: needs -o OUT")
	}
	db, err := openLedger(ctx, o.out, o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	logger := slog.New(slog.NewTextHandler(s.Err, nil))
	dr, err := newDecider(db, o.out, logger)
	if err != nil {
		return configErrorf("%v", err)
	}
	defer dr.Close()
	got, err := dr.decide(ctx, d)
	if errors.Is(err, lineage.ErrNotFound) || errors.Is(err, errNoAnswer) {
		return &exitError{code: exitFailed, err: err}
	} else if err != nil {
		return err
	}
	if o.json {
		return writeJSON(s.Out, got)
	}
	_, err = fmt.Fprintf(s.Out, "%s %s by %s: fragment %s (decision %d); %s rewritten\n",
		got.Element, got.Action, got.Reviewer, got.Fragment, got.ID, got.Path)
	return err
}

func readCells(name string, stdin io.Reader) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(io.LimitReader(stdin, 8<<20))
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, usageErrorf("--cells: %v", err)
	}
	return b, nil
}

// decodeCells reads a corrected grid: a table object or a bare array of
// rows (its first row the header).
func decodeCells(b []byte) (*folio.Table, error) {
	var t folio.Table
	if err := json.Unmarshal(b, &t); err == nil && len(t.Rows) > 0 {
		return &t, nil
	}
	var rows [][]string
	if err := json.Unmarshal(b, &rows); err != nil {
		return nil, fmt.Errorf(`want {"rows": [[…]], "header_rows": N} or [[…], …]: %v`, err)
	}
	return &folio.Table{Rows: rows, HeaderRows: min(1, len(rows))}, nil
}

func answerText(a folio.Answer) string {
	if a.Table != nil {
		return a.Table.Text()
	}
	return a.Text
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }

func cutLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
