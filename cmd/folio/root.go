package main

import (
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// globalOptions are the flags every command shares.
type globalOptions struct {
	logLevel  string
	logFormat string
}

func newRootCmd(s *streams, sh *shutdown) *cobra.Command {
	g := &globalOptions{}
	cmd := &cobra.Command{
		Use:   "folio",
		Short: "Turn folders of documents into structured JSON with per-fragment lineage",
		Long: `Folio splits documents into titles, headings, paragraphs, lists, tables, images and
captions, routes each element to the cheapest specialist that does it well, and writes one
JSON (and optionally Markdown) per input plus a SQLite ledger of where everything came from.

Environment: these variables fill a flag the command line leaves unset, on every command
that has the flag (a flag given on the command line wins):
` + envHelp(),
		Version:       versionLine(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(c *cobra.Command, _ []string) error {
			return flagsFromEnv(c, os.LookupEnv)
		},
	}
	cmd.SetVersionTemplate("{{.Version}}\n")
	cmd.SetOut(s.Out)
	cmd.SetErr(s.Err)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErrorf("%v (see '%s --help')", err, c.CommandPath())
	})
	g.addFlags(cmd)

	cmd.AddCommand(newParseCmd(s, g, sh), newTraceCmd(s), newCostCmd(s), newRoutesCmd(s), newVersionCmd(s), newPagesCmd(s),
		newServeCmd(s, g), newRunsCmd(s), newReviewCmd(s), newRenderCmd(s))
	return cmd
}

// logger builds the diagnostics logger writing to w (stderr, or a writer
// that keeps a progress bar below the lines). Quiet raises the level to at
// least warn.
func (g *globalOptions) logger(w io.Writer, quiet bool) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(g.logLevel)); err != nil {
		return nil, usageErrorf("--log-level %q: want debug, info, warn or error", g.logLevel)
	}
	if quiet {
		level = max(level, slog.LevelWarn)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch g.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageErrorf("--log-format %q: want text or json", g.logFormat)
}

// exactArgs and minArgs reject argument counts as usage errors (exit 2).
func exactArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf("%s takes %d argument(s), got %d (see '%s --help')", c.Name(), n, len(args), c.CommandPath())
		}
		return nil
	}
}

func minArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < n {
			return usageErrorf("%s needs at least %d argument(s) (see '%s --help')", c.Name(), n, c.CommandPath())
		}
		return nil
	}
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

func isUsage(err error) bool {
	return strings.HasPrefix(err.Error(), "unknown command") || strings.Contains(err.Error(), "unknown flag")
}
