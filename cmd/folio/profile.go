package main

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"
)

// addProfileFlag adds a hidden --cpuprofile FILE flag to cmd, for the
// profiles BENCHMARKS.md reports; it returns a function that starts the
// profile and returns its stop.
func addProfileFlag(cmd *cobra.Command) func() (func(), error) {
	var path string
	cmd.Flags().StringVar(&path, "cpuprofile", "", "write a CPU profile of this process to FILE")
	_ = cmd.Flags().MarkHidden("cpuprofile")
	return func() (func(), error) {
		if path == "" {
			return func() {}, nil
		}
		f, err := os.Create(path)
		if err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		return func() { pprof.StopCPUProfile(); f.Close() }, nil
	}
}
