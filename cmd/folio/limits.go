package main

import (
	"github.com/folio/folio"
	"github.com/folio/folio/parse"
	"github.com/spf13/cobra"
)

// limitOptions bound what one document may cost the parser; past one, the
// document fails with reason too_large (or memory) instead of giving
// truncated output.
type limitOptions struct {
	maxBytes  int64
	maxPages  int
	glyphs    int
	objects   int
	pixels    int64
	memoryMiB int64
}

func (l *limitOptions) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.Int64Var(&l.maxBytes, "max-file-size", folio.DefaultMaxBytes, "limit: bytes of one input file")
	f.IntVar(&l.maxPages, "max-pages", parse.DefaultMaxPages, "limit: pages of one document")
	f.IntVar(&l.glyphs, "max-page-glyphs", parse.DefaultMaxPageGlyphs, "limit: characters on one page")
	f.IntVar(&l.objects, "max-page-objects", parse.DefaultMaxPageObjects, "limit: drawing objects (text runs, paths, images, forms) on one page")
	f.Int64Var(&l.pixels, "max-image-pixels", parse.DefaultMaxImagePixels, "limit: pixels of an image decoded for output (bigger ones are placed but not decoded)")
	f.Int64Var(&l.memoryMiB, "parser-memory", 0, "limit: MiB of PDF engine memory per document being parsed, decoded streams included (default 768 / --workers, at most 512)")
}

func (l *limitOptions) check() error {
	if l.maxBytes < 1 || l.maxPages < 1 || l.glyphs < 1 || l.objects < 1 || l.pixels < 1 || l.memoryMiB < 0 {
		return usageErrorf("limits (--max-*) must be positive")
	}
	if l.memoryMiB != 0 && l.memoryMiB < 32 {
		return usageErrorf("--parser-memory must be at least 32 MiB, got %d", l.memoryMiB)
	}
	return nil
}

func (l *limitOptions) apply(o parse.Options) parse.Options {
	o.MaxBytes, o.MaxPages = l.maxBytes, l.maxPages
	o.MaxPageGlyphs, o.MaxPageObjects = l.glyphs, l.objects
	o.MaxImagePixels = l.pixels
	o.MemoryLimit = l.memoryMiB << 20
	return o
}
