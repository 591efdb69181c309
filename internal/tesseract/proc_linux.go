package tesseract

import "syscall"

// childAttr makes tesseract die with the process that started it, even
// when that process is killed and cannot cancel it.
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
