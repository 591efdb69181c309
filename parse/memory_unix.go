//go:build unix

package parse

import (
	"syscall"

	"github.com/tetratelabs/wazero/experimental"
)

// mmapAllocator backs each PDFium instance's linear memory with one
// anonymous mapping reserved at the memory limit. Pages cost RAM only once
// touched, and growing never copies: wazero's default allocator grows a Go
// slice, briefly holding the old and the new copy, so a decompression bomb
// drove a 512 MiB instance to 1.7 GB of RSS.
type mmapAllocator struct{ limit uint64 }

func newMemoryAllocator(limit uint64) experimental.MemoryAllocator {
	return mmapAllocator{limit: limit}
}

func (a mmapAllocator) Allocate(_, max uint64) experimental.LinearMemory {
	max = min(max, a.limit)
	buf, err := syscall.Mmap(-1, 0, int(max), syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil {
		// No address space to reserve: an ordinary buffer, grown on demand.
		return &sliceMemory{max: max}
	}
	return &mmapMemory{buf: buf}
}

type mmapMemory struct{ buf []byte }

// Reallocate returns the first size bytes of the reservation; nil, which
// the module sees as a failed memory.grow, past the limit.
func (m *mmapMemory) Reallocate(size uint64) []byte {
	if m.buf == nil || size > uint64(len(m.buf)) {
		return nil
	}
	return m.buf[:size:size]
}

// Free gives the pages back to the kernel but keeps the address range
// mapped: an instance killed at its deadline may still be running on
// another goroutine for a moment, and must find its memory there (a Go
// slice would be kept alive by the garbage collector; unmapping would
// crash the process). The range is reserved, not backed, so leaving it
// costs address space only.
func (m *mmapMemory) Free() {
	if m.buf != nil {
		_ = syscall.Madvise(m.buf, syscall.MADV_DONTNEED)
		m.buf = nil
	}
}

// sliceMemory is wazero's usual growth, for when a reservation failed.
type sliceMemory struct {
	buf []byte
	max uint64
}

func (m *sliceMemory) Reallocate(size uint64) []byte {
	if size > m.max {
		return nil
	}
	if size <= uint64(cap(m.buf)) {
		m.buf = m.buf[:size]
		return m.buf
	}
	m.buf = append(m.buf[:cap(m.buf)], make([]byte, size-uint64(cap(m.buf)))...)
	return m.buf
}

func (m *sliceMemory) Free() { m.buf = nil }
