package main

import (
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

func newVersionCmd(s *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(s.Out, "folio %s (pipeline %s, %s, %s/%s)\n",
				programVersion(), folio.PipelineVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}
