package main

import (
	"fmt"
	"log/slog"

	"github.com/folio/folio"
	"github.com/folio/folio/route/config"
	"github.com/spf13/cobra"
)

func newRoutesCmd(s *streams) *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "routes",
		Short: "Print the effective routing policy and its hash",
		Long: `Routes prints the routing policy a parse run would use: endpoints (key variable names,
never values) and limits, models and prices, each element type's chain of specialists with
conditions, the baseline and the budget. Without --config, folio.yaml in the working
directory is used when present; without either, Folio is fully local.`,
		Args: exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			f, err := loadConfig(path)
			if err != nil {
				return err
			}
			p := f.Policy()
			if err := f.WriteText(s.Out, p); err != nil {
				return err
			}
			// The models' identities count, not their keys: build them as
			// a dry run does, which needs none.
			rt, err := newRouting(f, &parseOptions{dryRun: true}, nil, slog.New(slog.DiscardHandler))
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(s.Out, "config    %s  (pipeline %s + policy and models: the \"config\" of every output and run)\n",
				folio.ConfigHash(p.HashWith(rt.specialists)), folio.PipelineVersion)
			return err
		},
	}
	cmd.Flags().StringVar(&path, "config", "", "policy file (default folio.yaml if present)")
	return cmd
}

// loadConfig reads the policy file: path when given, else folio.yaml in the
// working directory when present, else none (nil, fully local). An invalid
// file is a configuration error (exit 78).
func loadConfig(path string) (*config.File, error) {
	explicit := path != ""
	if !explicit {
		path = config.DefaultName
	}
	f, err := config.Load(path)
	if err != nil {
		if !explicit && isNotExist(err) {
			return nil, nil
		}
		return nil, &exitError{code: exitConfig, err: err}
	}
	return f, nil
}
