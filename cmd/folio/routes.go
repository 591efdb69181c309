package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/route/config"
	"github.com/spf13/cobra"
)

// routesJSON is what `folio routes --json` prints: the policy's table and
// the configuration hash recorded with every output.
type routesJSON struct {
	config.Table
	Config   string `json:"config"`
	Pipeline string `json:"pipeline"`
}

func newRoutesCmd(s *streams) *cobra.Command {
	var path string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "routes",
		Short: "Print the effective routing policy and its hash",
		Long: `Routes prints the routing policy a parse run would use: endpoints (key variable names,
never values) and limits, models and prices, each element type's chain of specialists with
conditions, the baseline and the budget. Without --config, folio.yaml in the working
directory is used when present; without either, Folio is fully local.

With --json, one object:
  policy, policy_hash           the file ("" for none) and the policy's hash
  config, pipeline              the configuration hash of every output and run, and the
                                pipeline version it includes
  endpoints[]                   name, base_url, api_key_env, api_version, headers (names),
                                concurrency, rpm, tpm (0: no limit)
  models[]                      alias, endpoint, model, input_per_mtok, cached_input_per_mtok,
                                output_per_mtok (USD per million tokens, null: unknown), vision,
                                image_tokens, min_image_dpi, max_output_tokens (0: default)
  routes[]                      type, chain[] (specialist, when{conditions}), default
  baseline, budget{max_usd, on_exhausted}, decorative{send, min_area, max_aspect,
  repeated_pages}, retries (null: default), timeout ("": default), on_unavailable`,
		Example: `  folio routes
  folio routes --config folio.yaml
  folio routes --json | jq -r '.routes[] | select(.type == "table") | .chain[].specialist'`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			f, err := loadConfig(path)
			if err != nil {
				return err
			}
			p := f.Policy()
			// The models' identities count, not their keys: build them as
			// a dry run does, which needs none.
			rt, err := newRouting(c.Context(), f, &parseOptions{dryRun: true}, nil, periodSpend{now: time.Now()}, slog.New(slog.DiscardHandler))
			if err != nil {
				return err
			}
			hash := folio.ConfigHash(p.HashWith(rt.specialists))
			if asJSON {
				enc := json.NewEncoder(s.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(routesJSON{Table: f.Table(p), Config: hash, Pipeline: folio.PipelineVersion})
			}
			if err := f.WriteText(s.Out, p); err != nil {
				return err
			}
			_, err = fmt.Fprintf(s.Out, "config    %s  (pipeline %s + policy and models: the \"config\" of every output and run)\n",
				hash, folio.PipelineVersion)
			return err
		},
	}
	cmd.Flags().StringVar(&path, "config", "", "policy file (default folio.yaml if present)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (fields in the help above)")
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
