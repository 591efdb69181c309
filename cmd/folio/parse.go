package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/folio/folio/parse"
	"github.com/folio/folio/route"
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
	config       string
	maxCost      float64 // USD; negative = from the policy file
	dryRun       bool
	tags         []string
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
	f.StringVar(&o.config, "config", "", "routing policy file (default folio.yaml if present; none: fully local)")
	f.Float64Var(&o.maxCost, "max-cost", -1, "model budget for this run in USD (overrides budget.max_usd)")
	f.BoolVar(&o.dryRun, "dry-run", false, "parse, segment and decide routes, make no model call, print the estimated calls and cost")
	f.StringArrayVar(&o.tags, "tag", nil, "label the run for cost allocation, KEY=VALUE (repeatable)")
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

	tags, err := parseTags(o.tags)
	if err != nil {
		return err
	}
	file, err := loadConfig(o.config)
	if err != nil {
		return err
	}

	db, err := lineage.Open(ctx, o.db)
	if err != nil {
		return configErrorf("open ledger: %v", err)
	}
	defer db.Close()
	rt, err := newRouting(file, o, db, log)
	if err != nil {
		return err
	}
	config := folio.ConfigHash(rt.policy.Hash())
	writer, err := synth.New(o.out, synth.Options{Markdown: o.markdown})
	if err != nil {
		return configErrorf("output: %v", err)
	}
	defer writer.Close()
	writer.Logger = log
	pool := route.NewPool(o.routeWorkers)
	defer pool.Close()
	router, err := route.New(rt.policy, pool, rt.specialists...)
	if err != nil {
		return configErrorf("routing policy: %v", err)
	}
	router.Logger = log
	engine, err := parse.New(ctx, parse.Options{Instances: o.workers, ExtractImages: true, Logger: log})
	if err != nil {
		return fmt.Errorf("start PDF engine: %w", err)
	}
	defer engine.Close()

	p := newPrinter(s, o.json, o.dryRun)
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
		DryRun:     o.dryRun,
		Tags:       tags,
		CropTypes:  rt.crops,
		Baseline:   rt.baseline,
		Logger:     log,
		OnEvent:    p.event,
		OnDocument: p.document,
	}
	b.CropNoTextLayer = rt.cropNoText
	run, err := b.Run(ctx, srcs, o.args)
	p.summary(run)
	if err != nil && ctx.Err() == nil {
		return err
	}
	switch {
	case run.Summary.Failed > 0:
		return silentExit(exitFailed)
	case run.Summary.Deferred > 0:
		return silentExit(exitDeferred)
	}
	return nil
}

// parseTags reads --tag KEY=VALUE flags.
func parseTags(flags []string) (map[string]string, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	tags := map[string]string{}
	for _, f := range flags {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, usageErrorf("--tag %q: want KEY=VALUE", f)
		}
		if err := lineage.CheckTag(k, v); err != nil {
			return nil, usageErrorf("--tag %q: %v", f, err)
		}
		tags[k] = v
	}
	return tags, nil
}
