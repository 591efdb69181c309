package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/folio/folio/parse"
	"github.com/folio/folio/route"
	"github.com/folio/folio/route/local"
	"github.com/folio/folio/segment"
	"github.com/folio/folio/synth"
	"github.com/spf13/cobra"
)

type parseOptions struct {
	inputs       []string
	out          string
	db           string
	workers      int
	routeWorkers int
	markdown     bool
	json         bool
	force        bool
	timeout      time.Duration
	args         []string
}

func newParseCmd(s *streams, g *globalOptions) *cobra.Command {
	o := &parseOptions{}
	cmd := &cobra.Command{
		Use:   "parse INPUT... -o OUT",
		Short: "Parse files, folders (recursively) and globs into OUT",
		Long: `Parse turns each input document into OUT/<path>.json (plus .md with --markdown and
images under OUT/<path>.assets/), mirroring the input tree, and records lineage in the
ledger (OUT/folio.db unless --db). Unchanged documents already done are skipped.

Exit status: 0 all documents ok or skipped, 1 some documents failed (the rest were written),
2 usage error, 78 configuration error, 130/143 interrupted.`,
		Args: minArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.inputs = args
			o.args = os.Args[1:]
			log, err := g.logger(s)
			if err != nil {
				return err
			}
			return runParse(c.Context(), o, s, log)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.out, "output", "o", "", "output folder (required)")
	f.StringVar(&o.db, "db", "", "ledger file (default OUT/folio.db)")
	f.IntVarP(&o.workers, "workers", "w", runtime.NumCPU(), "documents parsed at once")
	f.IntVar(&o.routeWorkers, "route-workers", 0, "size of the element worker pool shared by the batch (default 4 × --workers)")
	f.BoolVar(&o.markdown, "markdown", false, "also write Markdown beside each JSON")
	f.BoolVar(&o.json, "json", false, "print NDJSON events and a final summary object on stdout")
	f.BoolVar(&o.force, "force", false, "redo documents the ledger already has")
	f.DurationVar(&o.timeout, "timeout", folio.DefaultDocTimeout, "deadline for parsing one document")
	return cmd
}

func runParse(ctx context.Context, o *parseOptions, s *streams, log *slog.Logger) error {
	if o.out == "" {
		return usageErrorf("parse needs an output folder: -o OUT")
	}
	if o.workers < 1 {
		return usageErrorf("--workers must be at least 1, got %d", o.workers)
	}
	if o.routeWorkers == 0 {
		o.routeWorkers = 4 * o.workers
	}
	if o.routeWorkers < 1 {
		return usageErrorf("--route-workers must be at least 1, got %d", o.routeWorkers)
	}
	if o.timeout <= 0 {
		return usageErrorf("--timeout must be positive, got %v", o.timeout)
	}
	srcs, skipped, err := folio.Walk(o.inputs)
	if err != nil {
		return usageErrorf("%v", err)
	}
	for _, sk := range skipped {
		log.Warn("skipping input", "path", sk.Path, "reason", sk.Reason)
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return configErrorf("output folder: %v", err)
	}
	if o.db == "" {
		o.db = filepath.Join(o.out, "folio.db")
	}

	policy := route.DefaultPolicy()
	config := folio.ConfigHash(policy.Hash())

	db, err := lineage.Open(ctx, o.db)
	if err != nil {
		return configErrorf("open ledger: %v", err)
	}
	defer db.Close()
	writer, err := synth.New(o.out, synth.Options{Markdown: o.markdown})
	if err != nil {
		return configErrorf("output: %v", err)
	}
	defer writer.Close()
	writer.Logger = log
	pool := route.NewPool(o.routeWorkers)
	defer pool.Close()
	router, err := route.New(policy, pool, local.Text{}, local.Table{}, local.Image{})
	if err != nil {
		return configErrorf("routing policy: %v", err)
	}
	router.Logger = log
	engine, err := parse.New(ctx, parse.Options{Instances: o.workers, ExtractImages: true, Logger: log})
	if err != nil {
		return fmt.Errorf("start PDF engine: %w", err)
	}
	defer engine.Close()

	p := newPrinter(s, o.json)
	b := &folio.Batch{
		Parser:     engine,
		Segmenter:  segment.New(segment.Options{}),
		Router:     router,
		Writer:     writer,
		Ledger:     db,
		OutDir:     o.out,
		Workers:    o.workers,
		DocTimeout: o.timeout,
		Config:     config,
		Version:    programVersion(),
		Force:      o.force,
		Logger:     log,
		OnEvent:    p.event,
	}
	run, err := b.Run(ctx, srcs, o.args)
	p.summary(run)
	if err != nil && ctx.Err() == nil {
		return err
	}
	if run.Summary.Failed > 0 {
		return silentExit(exitFailed)
	}
	return nil
}
