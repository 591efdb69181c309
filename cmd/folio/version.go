package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/folio/folio"
	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func programVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// versionInfo is what `folio version --json` prints.
type versionInfo struct {
	Version  string `json:"version"`
	Pipeline string `json:"pipeline"`
	Go       string `json:"go"`
	OS       string `json:"os"`
	Arch     string `json:"arch"`
}

func currentVersion() versionInfo {
	return versionInfo{programVersion(), folio.PipelineVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH}
}

// versionLine is what `folio version` and `folio --version` print.
func versionLine() string {
	v := currentVersion()
	return fmt.Sprintf("folio %s (pipeline %s, %s, %s/%s)", v.Version, v.Pipeline, v.Go, v.OS, v.Arch)
}

func newVersionCmd(s *streams) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Long: `Version prints Folio's version, the pipeline version (part of every configuration hash:
a new one redoes documents), the Go version and the platform. With --json: one object
{"version", "pipeline", "go", "os", "arch"}. folio --version prints the same line.`,
		Example: `  folio version
  folio --version
  folio version --json | jq -r .pipeline`,
		Args: exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			if asJSON {
				return json.NewEncoder(s.Out).Encode(currentVersion())
			}
			_, err := fmt.Fprintln(s.Out, versionLine())
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON: version, pipeline, go, os, arch")
	return cmd
}
