package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/folio/folio/parse"
	"github.com/folio/folio/pipeline"
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
	keepOutputs  bool // keep outputs no longer asked for
	json         bool
	force        bool
	timeout      time.Duration
	config       string
	maxCost      float64 // USD, when maxCostSet; else the policy file's
	maxCostSet   bool
	failOn       []string // element statuses that make the run exit 1
	dryRun       bool
	tags         []string
	prune        bool
	wait         time.Duration // for another run's lock
	shutdown     time.Duration // grace for documents in flight after a signal
	quiet        bool
	followLinks  bool // follow symbolic links out of the input roots
	limits       limitOptions
	args         []string

	sh   *shutdown   // the process's signal handling
	diag *diagWriter // where the logger writes: stderr, above the progress bar
}

func newParseCmd(s *streams, g *globalOptions, sh *shutdown) *cobra.Command {
	o := &parseOptions{sh: sh}
	var profile func() (func(), error)
	cmd := &cobra.Command{
		Use:   "parse INPUT... -o OUT",
		Short: "Parse files, folders (recursively) and globs into OUT",
		Long: `Parse turns each input document into OUT/<path>.json (plus .md with --markdown and
images under OUT/<path>.assets/), mirroring the input tree, and records lineage in the
ledger (OUT/folio.db unless --db). Documents whose content, path and configuration are
already done, with their outputs intact, are skipped; copies and renames are parsed again
with every model answer from the ledger's response cache. One run at a time per OUT: the
lock is OUT/.folio.lock. After a crash, the next run removes temporary files and redoes
what was unfinished. SIGINT/SIGTERM stop starting documents, let those in flight finish
for --shutdown-timeout, then cancel them; what finished is recorded.

Exit status: 0 all documents ok or skipped, 1 some documents failed or are partial (the rest were written),
2 usage error, 75 another run holds OUT or work was deferred (budget spent, a model endpoint
unavailable), 78 configuration error, 130/143 interrupted by SIGINT/SIGTERM.`,
		Args: minArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.inputs = args
			o.args = redactArgs(os.Args[1:])
			o.maxCostSet = c.Flags().Changed("max-cost")
			o.diag = &diagWriter{out: s.Err}
			log, err := g.logger(o.diag, o.quiet)
			if err != nil {
				return err
			}
			stop, err := profile()
			if err != nil {
				return err
			}
			defer stop()
			return runParse(c.Context(), o, s, log)
		},
	}
	profile = addProfileFlag(cmd)
	f := cmd.Flags()
	f.StringVarP(&o.out, "output", "o", "", "output folder (required)")
	f.StringVar(&o.db, "db", "", "ledger file (default OUT/folio.db)")
	f.IntVarP(&o.workers, "workers", "w", runtime.NumCPU(), "documents parsed at once")
	f.IntVar(&o.routeWorkers, "route-workers", 0, "size of the element worker pool shared by the batch (default 4 × --workers)")
	f.BoolVar(&o.markdown, "markdown", false, "also write Markdown beside each JSON")
	f.BoolVar(&o.keepOutputs, "keep-outputs", false, "keep outputs earlier runs wrote that this run does not ask for (Markdown), with a warning each, instead of removing them")
	f.BoolVar(&o.json, "json", false, "print NDJSON events and a final summary object on stdout")
	f.BoolVar(&o.force, "force", false, "redo documents the ledger already has")
	f.DurationVar(&o.timeout, "timeout", pipeline.DefaultDocTimeout, "deadline for parsing one document")
	f.StringVar(&o.config, "config", "", "routing policy file (default folio.yaml if present; none: fully local)")
	f.Float64Var(&o.maxCost, "max-cost", 0, "model budget for this run in USD (overrides budget.max_usd)")
	f.BoolVar(&o.dryRun, "dry-run", false, "parse, segment and decide routes, make no model call, print the estimated calls and cost")
	f.StringArrayVar(&o.tags, "tag", nil, "label the run for cost allocation, KEY=VALUE (repeatable)")
	f.StringSliceVar(&o.failOn, "fail-on", nil, "exit 1 when any element ends in these statuses: review, degraded (comma-separated or repeated)")
	f.BoolVar(&o.prune, "prune", false, "remove the outputs of documents whose input is gone (OUT mirrors this run's inputs)")
	f.DurationVar(&o.wait, "wait", 0, "when another run holds OUT, wait up to this long for it (default: exit 75 at once)")
	f.DurationVar(&o.shutdown, "shutdown-timeout", 30*time.Second, "after SIGINT/SIGTERM, how long documents in flight may take to finish before they are canceled")
	f.BoolVar(&o.followLinks, "follow-symlinks", false, "follow symbolic links whose target lies outside the inputs (default: skip them with a warning)")
	o.limits.flags(cmd)
	f.BoolVarP(&o.quiet, "quiet", "q", false, "no progress bar, no summary, only warnings and errors on stderr (--json output stays)")
	return cmd
}

// inFlight is how many documents a run works on at once. Fully local:
// twice the parsers, so that one document is segmented and written while
// another is parsed. When models answer: as many as the element pool has
// workers (at least the parsers), to keep the pool busy while documents
// wait for their answers; one route worker and one parser then keep the
// order of requests fixed, document by document.
func inFlight(o *parseOptions, rt *routing) int {
	if rt.remote {
		return max(o.workers, o.routeWorkers)
	}
	return 2 * o.workers
}

// maxBudgetUSD bounds --max-cost so that its micro-dollars fit an int64
// with room to add to.
const maxBudgetUSD = 1e9

func runParse(ctx context.Context, o *parseOptions, s *streams, log *slog.Logger) error {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(parentHeapLimit)
	}
	if err := o.validate(); err != nil {
		return err
	}
	srcs, skipped, err := pipeline.Walker{FollowSymlinks: o.followLinks, Exclude: []string{o.out}}.Walk(o.inputs)
	if err != nil {
		return usageErrorf("%v", err)
	}
	for _, sk := range skipped {
		log.Warn("skipping input", "path", sk.Path, "reason", sk.Reason)
	}
	var closers closers
	defer closers.close()
	if lineage.IsPostgres(o.db) && !o.dryRun {
		// A ledger server that does not answer writes nothing: the run
		// is tried again later.
		if err := lineage.Ping(ctx, o.db); errors.Is(err, folio.ErrLedgerUnavailable) {
			return &exitError{code: exitDeferred, err: err}
		} else if err != nil {
			return configErrorf("%v", err)
		}
	}
	if err := takeOutput(ctx, o, log, &closers); err != nil {
		return err
	}
	if o.sh != nil {
		o.sh.setGrace(o.shutdown)
	}
	tags, err := parseTags(o.tags)
	if err != nil {
		return err
	}
	file, err := loadConfig(o.config)
	if err != nil {
		return err
	}
	st, err := openStores(ctx, o, log, &closers)
	if err != nil {
		return err
	}
	rt, err := newRouting(ctx, file, o, st.cache, periodSpend{ledger: st.history, tags: tags, now: time.Now()}, log)
	if err != nil {
		return err
	}
	router, err := newRouter(o, rt, log, &closers)
	if err != nil {
		return err
	}
	engine, err := startEngine(ctx, o, log, &closers)
	if err != nil {
		return err
	}
	p := newPrinter(s, o.json, o.dryRun, o.quiet)
	if st.history != nil {
		p.cal = calibrations(ctx, st.history, log)
	}
	b := newBatch(o, rt, st, router, engine, tags, p, log)
	onSignals(o, b, log)
	// NDJSON on the same terminal would be drawn over by the bar.
	bar := s.ErrTTY && !o.quiet && !(o.json && s.OutTTY)
	p.progress = startProgress(s.Err, bar, o.diag, log, len(srcs))
	run, err := b.Run(ctx, srcs, o.args)
	p.progress.stop()
	p.summary(run)
	return exitFor(ctx, o, run, err)
}

// validate checks the flags that need no file or ledger, and fills the
// defaults that follow from others.
func (o *parseOptions) validate() error {
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
	if err := o.limits.check(); err != nil {
		return err
	}
	if o.maxCostSet && !(o.maxCost >= 0 && o.maxCost <= maxBudgetUSD) {
		return usageErrorf("--max-cost %v: want a dollar amount from 0 to %g", o.maxCost, float64(maxBudgetUSD))
	}
	for _, st := range o.failOn {
		if st != folio.StatusReview && st != folio.StatusDegraded {
			return usageErrorf("--fail-on %q: want review or degraded", st)
		}
	}
	if o.wait < 0 || o.shutdown < 0 {
		return usageErrorf("--wait and --shutdown-timeout cannot be negative")
	}
	if o.db == "" {
		o.db = filepath.Join(o.out, "folio.db")
	}
	return nil
}

// takeOutput creates the output folder and takes its lock; a dry run
// writes nothing: no folder, no lock, no ledger.
func takeOutput(ctx context.Context, o *parseOptions, log *slog.Logger, c *closers) error {
	if o.dryRun {
		return nil
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return configErrorf("output folder: %v", err)
	}
	lock, err := lockOutput(ctx, o)
	if err != nil {
		return err
	}
	c.add(func() { unlockOutput(lock, log) })
	return nil
}

// calibrations reads the ledger's history of estimates against prices;
// without it estimates go uncalibrated.
func calibrations(ctx context.Context, db *lineage.DB, log *slog.Logger) map[lineage.CalibrationKey]lineage.Calibration {
	cal, err := db.Calibrations(ctx)
	if err != nil {
		log.Warn("estimates without calibration", "err", err)
	}
	return cal
}

// closers runs cleanups in the reverse order of their adding.
type closers []func()

func (c *closers) add(f func()) { *c = append(*c, f) }

func (c *closers) close() {
	for i := len(*c) - 1; i >= 0; i-- {
		(*c)[i]()
	}
}

// stores are where a run keeps what it did: the ledger, the outputs, the
// response cache and the ledger's history of estimates (nil without a
// ledger).
type stores struct {
	ledger  folio.Ledger
	writer  folio.Writer
	cache   route.CacheStore
	history *lineage.DB
}

// openStores opens the ledger and the output writer; a dry run only reads
// the ledger, when there is one (what is done, the answers already
// bought), and writes nothing.
func openStores(ctx context.Context, o *parseOptions, log *slog.Logger, c *closers) (stores, error) {
	if o.dryRun {
		var st stores
		ro, err := lineage.OpenReadOnly(ctx, o.db)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			log.Warn("dry run without the ledger: every document counts as new and every answer as unpaid", "err", err)
		default:
			c.add(func() { ro.Close() })
			st.cache, st.history = ro.Cache(), ro
		}
		st.ledger, st.writer = dryLedger{ro}, dryWriter{}
		return st, nil
	}
	db, err := lineage.Open(ctx, o.db)
	if errors.Is(err, folio.ErrLedgerUnavailable) {
		return stores{}, &exitError{code: exitDeferred, err: err}
	} else if err != nil {
		return stores{}, configErrorf("open ledger: %v", err)
	}
	c.add(func() { db.Close() })
	w, err := synth.New(o.out, synth.Options{Markdown: o.markdown, Keep: o.keepOutputs})
	if err != nil {
		return stores{}, configErrorf("output: %v", err)
	}
	c.add(func() { w.Close() })
	w.Logger = log
	return stores{ledger: db, writer: w, cache: db.Cache(), history: db}, nil
}

// newRouter builds the router over the policy and a pool of
// --route-workers.
func newRouter(o *parseOptions, rt *routing, log *slog.Logger, c *closers) (*route.Router, error) {
	pool := route.NewPool(o.routeWorkers)
	c.add(func() { pool.Close() })
	router, err := route.New(rt.policy, pool, rt.specialists...)
	if err != nil {
		return nil, configErrorf("routing policy: %v", err)
	}
	router.Logger = log
	router.DegradeUnavailable = rt.degradeUnavailable
	return router, nil
}

// startEngine starts the PDF engine's supervised worker processes.
func startEngine(ctx context.Context, o *parseOptions, log *slog.Logger, c *closers) (*parse.Supervisor, error) {
	cacheDir, cleanup, err := engineCacheDir(log)
	if err != nil {
		return nil, fmt.Errorf("start PDF engine: %w", err)
	}
	c.add(cleanup)
	engine, err := parse.NewSupervisor(ctx, parse.SupervisorOptions{
		Options: o.limits.apply(parse.Options{Instances: o.workers, ExtractImages: true, Logger: log, CacheDir: cacheDir}),
		Args:    []string{parseWorkerArg},
	})
	if err != nil {
		return nil, fmt.Errorf("start PDF engine: %w", err)
	}
	c.add(func() { engine.Close() })
	return engine, nil
}

// newBatch wires the stages into the run.
func newBatch(o *parseOptions, rt *routing, st stores, router *route.Router, engine *parse.Supervisor,
	tags map[string]string, p *printer, log *slog.Logger) *pipeline.Batch {
	return &pipeline.Batch{
		Parser:        engine,
		Segmenter:     segment.New(segment.Options{}),
		Router:        router,
		Writer:        st.writer,
		Ledger:        st.ledger,
		OutDir:        o.out,
		Workers:       inFlight(o, rt),
		ParseSlots:    o.workers,
		DocTimeout:    o.timeout,
		MaxBytes:      o.limits.maxBytes,
		Config:        folio.ConfigHash(rt.policy.HashWith(rt.specialists)),
		Version:       programVersion(),
		Force:         o.force,
		Prune:         o.prune,
		Tags:          tags,
		Baseline:      rt.baseline,
		CheapBaseline: rt.cheapBaseline,
		Logger:        log,
		OnEvent:       p.event,
		OnDocument:    p.document,
	}
}

// onSignals says, on the first signal, how many documents the run
// finishes and for how long, and on the second that it aborts.
func onSignals(o *parseOptions, b *pipeline.Batch, log *slog.Logger) {
	if o.sh == nil {
		return
	}
	b.Stop = o.sh.stopping()
	o.sh.onSignal(func(sig os.Signal, grace time.Duration, second bool) {
		if second {
			log.Warn(fmt.Sprintf("aborting (%s): canceling the documents in flight; the next run does them", signalName(sig)))
			return
		}
		log.Warn(fmt.Sprintf("stopping (%s): finishing %d documents in flight, up to %s; press Ctrl-C again to abort",
			signalName(sig), b.InFlight(), grace))
	})
}

// exitFor turns a finished run into the command's error: its failure, or
// the exit code its summary calls for.
func exitFor(ctx context.Context, o *parseOptions, run folio.Run, err error) error {
	switch {
	case err != nil && ctx.Err() != nil:
		// Interrupted: run reports the signal.
	case err != nil && folio.ErrorKind(err) == folio.KindConfig:
		return configErrorf("%v", err)
	case errors.Is(err, folio.ErrLedgerUnavailable):
		// The ledger's server went away: the next run finishes the work.
		return &exitError{code: exitDeferred, err: err}
	case err != nil:
		return err
	}
	switch {
	case run.Summary.Failed > 0 || run.Summary.Partial > 0:
		return silentExit(exitFailed)
	case slices.Contains(o.failOn, folio.StatusReview) && run.Summary.ElementStatus.Review > 0,
		slices.Contains(o.failOn, folio.StatusDegraded) && run.Summary.ElementStatus.Degraded > 0:
		return silentExit(exitFailed)
	case run.Summary.Deferred > 0:
		return silentExit(exitDeferred)
	}
	return nil
}

// engineCacheDir returns where the PDF engine keeps its compilation cache:
// "" (the user cache folder) when there is one. Without one, as under
// `env -i` where neither $HOME nor $XDG_CACHE_HOME is set, it is a private
// temporary folder that cleanup removes, and each run compiles the engine
// again (a few seconds).
func engineCacheDir(log *slog.Logger) (dir string, cleanup func(), err error) {
	if _, err := os.UserCacheDir(); err == nil {
		return "", func() {}, nil
	}
	dir, err = os.MkdirTemp("", "folio-wazero-")
	if err != nil {
		return "", nil, err
	}
	log.Info("no user cache folder ($HOME unset): the PDF engine is compiled for this run only")
	return dir, func() { os.RemoveAll(dir) }, nil
}

// lockOutput takes OUT's run lock, waiting up to --wait for another run;
// a dry run writes nothing and takes none. The lock is held until
// unlockOutput, which the caller defers: that keeps it reachable, so the
// garbage collector cannot close the file that carries it.
func lockOutput(ctx context.Context, o *parseOptions) (*synth.DirLock, error) {
	lock, err := synth.Lock(ctx, o.out, o.wait)
	var le *synth.LockedError
	switch {
	case errors.As(err, &le):
		return nil, &exitError{code: exitLocked, err: le}
	case err != nil && ctx.Err() != nil:
		return nil, err // interrupted while waiting; run maps the signal
	case err != nil:
		return nil, configErrorf("output folder: %v", err)
	}
	return lock, nil
}

func unlockOutput(lock *synth.DirLock, log *slog.Logger) {
	if lock == nil {
		return
	}
	if err := lock.Unlock(); err != nil {
		log.Warn("release the output lock", "err", err)
	}
	runtime.KeepAlive(lock)
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

// redactArgs is the command line as the ledger records it: the password
// of a PostgreSQL ledger's address replaced.
func redactArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if flag, value, ok := strings.Cut(a, "="); ok && strings.HasPrefix(flag, "-") {
			out[i] = flag + "=" + lineage.RedactDSN(value)
			continue
		}
		out[i] = lineage.RedactDSN(a)
	}
	return out
}
