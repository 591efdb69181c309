//go:build !unix

package parse

import "github.com/tetratelabs/wazero/experimental"

// newMemoryAllocator keeps wazero's default allocator where there is no
// mmap.
func newMemoryAllocator(uint64) experimental.MemoryAllocator { return nil }
