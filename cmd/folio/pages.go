package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/folio/folio"
	"github.com/folio/folio/parse"
	"github.com/folio/folio/segment"
	"github.com/spf13/cobra"
)

// newPagesCmd is a diagnostic: it prints what the engine or the segmenter
// sees in one file, without writing outputs or touching a ledger.
func newPagesCmd(s *streams) *cobra.Command {
	var elements bool
	cmd := &cobra.Command{
		Use:    "debug-pages FILE",
		Short:  "Print the page model (or, with --elements, the segmented elements) of one PDF as JSON",
		Hidden: true,
		Args:   exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return runPages(c.Context(), args[0], elements, s)
		},
	}
	cmd.Flags().BoolVar(&elements, "elements", false, "print segmented elements instead of pages")
	return cmd
}

func runPages(ctx context.Context, path string, elements bool, s *streams) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return usageErrorf("%v", err)
	}
	sum := sha256.Sum256(data)
	engine, err := parse.New(ctx, parse.Options{Instances: 1})
	if err != nil {
		return fmt.Errorf("start PDF engine: %w", err)
	}
	defer engine.Close()
	src := folio.Source{Path: path, Rel: filepath.Base(path), SHA256: hex.EncodeToString(sum[:]), Bytes: int64(len(data)), Format: "pdf"}
	parsed, err := engine.Parse(ctx, src, data)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(s.Out)
	enc.SetIndent("", " ")
	if elements {
		return enc.Encode(segment.New(segment.Options{}).Segment(parsed))
	}
	return enc.Encode(parsed)
}
