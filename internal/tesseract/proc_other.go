//go:build !linux

package tesseract

import "syscall"

func childAttr() *syscall.SysProcAttr { return nil }
