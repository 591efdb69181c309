//go:build !linux

package parse

import (
	"os"
	"syscall"
)

func workerAttr() *syscall.SysProcAttr { return nil }

func childAttr() *syscall.SysProcAttr { return nil }

func killGroup(p *os.Process) { _ = p.Kill() }

// residentBytes is not measured here; the WebAssembly memory cap still
// holds.
func residentBytes(int) (int64, bool) { return 0, false }
