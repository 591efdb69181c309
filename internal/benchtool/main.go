// Command benchtool holds the measuring helpers of `make bench`
// (scripts/bench.sh): it times commands, samples the memory of a parse run
// against the pages it has done, drives parses whose models sit behind a
// local test server with a fixed latency, and writes the results into
// BENCHMARKS.md. Each measuring subcommand prints one JSON object on stdout;
// report turns a folder of them into the Markdown section.
//
//	go run ./internal/benchtool time   [-n N] [-warmup K] [-clean PATH] -- CMD ARG...
//	go run ./internal/benchtool rss    [-interval 0.5s] [-every 1000] -- FOLIO parse --json ...
//	go run ./internal/benchtool model  -folio BIN -dir DIR [-calls 200] [-latency 100ms] [-concurrency 4] -- PDF...
//	go run ./internal/benchtool copies -dir DIR -root CORPUS -pages 10000 -from RESULT.json -- REL...
//	go run ./internal/benchtool report -results DIR -md BENCHMARKS.md [-command CMD]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, log)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "benchtool:", err)
		os.Exit(1)
	}
}

const usage = `usage: benchtool time|rss|model|copies|report [flags] [-- ARG...]
  time    run a command N times, print wall-clock seconds (median, min, max)
  copies  link copies of files under copy01/, copy02/, … for a run of N pages
  rss     run folio parse --json, sample the process tree's RSS against pages done
  model   parse with tables and images routed to a local model server with fixed latency
  report  render the results folder into BENCHMARKS.md between the bench markers`

func run(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, usage)
		return flag.ErrHelp
	}
	var res any
	var err error
	switch args[0] {
	case "time":
		res, err = runTime(ctx, args[1:], log)
	case "rss":
		res, err = runRSS(ctx, args[1:], log)
	case "model":
		res, err = runModel(ctx, args[1:], log)
	case "copies":
		res, err = runCopies(args[1:])
	case "report":
		return runReport(args[1:], log)
	default:
		fmt.Fprintln(os.Stderr, usage)
		return flag.ErrHelp
	}
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

// newFlags returns a flag set for a subcommand whose usage names its
// arguments.
func newFlags(name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: benchtool %s [flags] %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}
