package pgtest

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// procAttr runs a PostgreSQL program as cred (nil: as this process) in a
// process group of its own, so that a terminal's Ctrl-C reaches only the
// test, and kills it when the test process dies: a crashed or killed
// test leaves no server behind.
func procAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killTree kills the postmaster pid and its children (the backends and
// background processes) at once, as a power cut would. The children are
// killed too because each is a process group leader of its own, and one
// still attached to the old shared memory stops the next start. The
// postmaster is stopped first so that it forks no child meanwhile.
func killTree(pid int) {
	if syscall.Kill(pid, syscall.SIGSTOP) == nil {
		for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if state, _ := procStat(pid); state == "T" || state == "" {
				break
			}
		}
	}
	for _, c := range children(pid) {
		_ = syscall.Kill(c, syscall.SIGKILL)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
}

// children returns the processes whose parent is pid.
func children(pid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if _, ppid := procStat(n); ppid == pid {
			out = append(out, n)
		}
	}
	return out
}

// procStat returns a process's state letter and parent from
// /proc/PID/stat, "" and 0 when it is gone.
func procStat(pid int) (state string, ppid int) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", 0
	}
	// The command name in parentheses may hold spaces and parentheses.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return "", 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return "", 0
	}
	ppid, _ = strconv.Atoi(f[1])
	return f[0], ppid
}
