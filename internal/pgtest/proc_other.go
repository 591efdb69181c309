//go:build unix && !linux

package pgtest

import "syscall"

func procAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Setpgid: true}
}

// killTree kills the postmaster only: without /proc its children are not
// found, and they leave once they notice it is gone.
func killTree(pid int) { _ = syscall.Kill(pid, syscall.SIGKILL) }

func children(int) []int { return nil }

func procStat(int) (state string, ppid int) { return "", 0 }
