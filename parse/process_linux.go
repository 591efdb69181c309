package parse

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// workerAttr puts a worker in its own process group, so that a terminal's
// Ctrl-C reaches only the parent (which decides how to stop) and a kill
// reaches the worker's tesseract children too, and kills it when the
// parent dies.
func workerAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// childAttr kills a helper program (qpdf) with the process that started
// it, even when that process is killed and cannot cancel it.
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }

func killGroup(p *os.Process) {
	if err := syscall.Kill(-p.Pid, syscall.SIGKILL); err != nil {
		_ = p.Kill()
	}
}

// residentBytes reads a process's resident set size from /proc.
func residentBytes(pid int) (int64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * int64(os.Getpagesize()), true
}
