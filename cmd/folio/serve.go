package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/folio/folio/parse"
	"github.com/folio/folio/serve"
	"github.com/spf13/cobra"
)

type serveOptions struct {
	out      string
	db       string
	addr     string
	token    string
	readOnly bool
}

func newServeCmd(s *streams, g *globalOptions) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve -o OUT",
		Short: "Browse runs, documents, element lineage and cost in a web browser",
		Long: `Serve starts the control plane over OUT: runs, each document's pages with every element's
box, an element's content and every call that produced it, and cost reports with CSV export.
It reads the ledger and the outputs, so it can run while a parse writes OUT. What it writes:
its cache of drawn pages (OUT/.folio/pages) and review decisions (the review queue at
/review: a decision is recorded in the ledger and rewrites the document's JSON and
Markdown); --read-only refuses decisions.

It listens on 127.0.0.1:8080 unless --addr says otherwise. An address other machines can
reach needs a token (--token, or FOLIO_TOKEN in the environment): every request must then
carry "Authorization: Bearer TOKEN" or log in at /login once.

Exit status: 130/143 stopped by SIGINT/SIGTERM (the way to stop it), 2 usage error,
78 configuration error (no ledger, an address off loopback without a token, an address in
use).`,
		Example: `  folio serve -o out
  folio serve -o out --addr 127.0.0.1:9000
  FOLIO_TOKEN=$(openssl rand -hex 16) folio serve -o out --addr 0.0.0.0:8080
  curl -H "Authorization: Bearer $FOLIO_TOKEN" http://host:8080/cost.csv?by=model`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			log, err := g.logger(s.Err, false)
			if err != nil {
				return err
			}
			if !c.Flags().Changed("token") {
				o.token = os.Getenv("FOLIO_TOKEN")
			}
			return runServe(c.Context(), o, log)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.out, "output", "o", "", "output folder of the parse runs (required)")
	f.StringVar(&o.db, "db", "", "ledger file (default OUT/folio.db)")
	f.StringVar(&o.addr, "addr", serve.DefaultAddr, "address to listen on")
	f.StringVar(&o.token, "token", "", "token every request must carry (default $FOLIO_TOKEN); required off loopback")
	f.BoolVar(&o.readOnly, "read-only", false, "refuse review decisions: write nothing but the cache of drawn pages")
	return cmd
}

func runServe(ctx context.Context, o *serveOptions, log *slog.Logger) error {
	if o.out == "" {
		return usageErrorf("serve needs -o OUT")
	}
	db, err := openLedgerReadOnly(ctx, o.out, o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	drawer := &pageDrawer{log: log}
	defer drawer.Close()
	opts := serve.Options{Out: o.out, DB: db, Addr: o.addr, Token: o.token, Pages: drawer, Logger: log}
	if !o.readOnly {
		// Decisions are the one thing serve writes to the ledger, through
		// a connection of their own; lists and pages stay on the reader.
		wdb, err := db.Reopen(ctx)
		if err != nil {
			return configErrorf("open ledger for review decisions: %v (or serve --read-only)", err)
		}
		defer wdb.Close()
		dr, err := newDecider(wdb, o.out, log)
		if err != nil {
			return configErrorf("%v", err)
		}
		defer dr.Close()
		opts.Decide = dr.decide
	}
	srv, err := serve.New(opts)
	if err != nil {
		return configErrorf("%v", err)
	}
	defer srv.Close()
	if err := srv.ListenAndServe(ctx); err != nil {
		return configErrorf("%v", err)
	}
	return nil
}

// openLedgerReadOnly opens an existing ledger without migrating or writing
// it, so that serving never takes a lock a running parse needs.
func openLedgerReadOnly(ctx context.Context, out, db string) (*lineage.DB, error) {
	db, err := ledgerPath(out, db)
	if err != nil {
		return nil, err
	}
	l, err := lineage.OpenReadOnlyLive(ctx, db)
	if err != nil {
		return nil, configErrorf("open ledger: %v (a parse with this folio brings it up to date)", err)
	}
	return l, nil
}

// drawTimeout bounds drawing one page.
const drawTimeout = time.Minute

// pageDrawer draws pages with the parse engine, started at the first
// page asked for: serving lists and reports needs no engine.
type pageDrawer struct {
	log *slog.Logger

	mu      sync.Mutex
	engine  *parse.Engine
	cleanup func() // removes the engine's temporary compilation cache
}

var _ serve.PageDrawer = (*pageDrawer)(nil)

// DrawPage reads the recorded source, checks that its content is the one
// parsed, and draws the whole page (a box larger than any page, clipped to
// it) at dpi.
func (d *pageDrawer) DrawPage(ctx context.Context, source, sha string, page int, dpi float64) ([]byte, error) {
	data, err := readInput(source)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != sha {
		return nil, fmt.Errorf("%s: %w", source, serve.ErrSourceChanged)
	}
	engine, err := d.start(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, drawTimeout)
	defer cancel()
	src := folio.Source{Path: source, Rel: filepath.Base(source), SHA256: sha, Bytes: int64(len(data)), Format: folio.FormatOf(source)}
	const everywhere = 1e6 // points: more than any page, clipped to it
	pngs, err := engine.Render(ctx, src, data, []folio.Drawing{{PageBox: folio.PageBox{Page: page, Box: folio.Box{0, 0, everywhere, everywhere}}, DPI: dpi}})
	if err != nil {
		return nil, err
	}
	if len(pngs) != 1 || pngs[0] == nil {
		return nil, fmt.Errorf("%s: page %d cannot be drawn", source, page)
	}
	return pngs[0], nil
}

// readInput reads an input no larger than Folio parses.
func readInput(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, folio.DefaultMaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > folio.DefaultMaxBytes {
		return nil, fmt.Errorf("%s: %w", path, serve.ErrSourceChanged) // larger than anything parsed
	}
	return data, nil
}

func (d *pageDrawer) start(ctx context.Context) (*parse.Engine, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.engine != nil {
		return d.engine, nil
	}
	cacheDir, cleanup, err := engineCacheDir(d.log)
	if err != nil {
		return nil, fmt.Errorf("start PDF engine: %w", err)
	}
	e, err := parse.New(ctx, parse.Options{Instances: 2, Logger: d.log, CacheDir: cacheDir})
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("start PDF engine: %w", err)
	}
	d.engine, d.cleanup = e, cleanup
	return e, nil
}

// Close stops the engine if it was started.
func (d *pageDrawer) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.engine == nil {
		return nil
	}
	err := d.engine.Close()
	d.cleanup()
	d.engine, d.cleanup = nil, nil
	return err
}
