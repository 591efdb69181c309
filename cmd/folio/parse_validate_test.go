package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Flags are checked before anything is opened or parsed: each bad value
// is a usage error (exit 2) naming the flag, and defaults that follow
// from other flags are filled.
func TestParseOptionsValidate(t *testing.T) {
	valid := func() *parseOptions {
		return &parseOptions{out: "OUT", workers: 2, timeout: time.Minute,
			limits: limitOptions{maxBytes: 1, maxPages: 1, glyphs: 1, objects: 1, pixels: 1}}
	}
	for _, tc := range []struct {
		name   string
		change func(o *parseOptions)
		want   string // in the error; "" for none
	}{
		{"valid", func(*parseOptions) {}, ""},
		{"no output", func(o *parseOptions) { o.out = "" }, "-o OUT"},
		{"no workers", func(o *parseOptions) { o.workers = 0 }, "--workers"},
		{"negative route workers", func(o *parseOptions) { o.routeWorkers = -1 }, "--route-workers"},
		{"no timeout", func(o *parseOptions) { o.timeout = 0 }, "--timeout"},
		{"a zero limit", func(o *parseOptions) { o.limits.maxPages = 0 }, "--max-*"},
		{"a tiny parser memory", func(o *parseOptions) { o.limits.memoryMiB = 8 }, "--parser-memory"},
		{"a negative budget", func(o *parseOptions) { o.maxCost, o.maxCostSet = -1, true }, "--max-cost"},
		{"an unknown status", func(o *parseOptions) { o.failOn = []string{"failed"} }, "--fail-on"},
		{"a negative wait", func(o *parseOptions) { o.wait = -time.Second }, "--wait"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := valid()
			tc.change(o)
			err := o.validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("validate: %v", err)
				}
				if o.routeWorkers != 8 || o.db != filepath.Join("OUT", "folio.db") {
					t.Errorf("defaults: route workers %d, db %q; want 8 and OUT/folio.db", o.routeWorkers, o.db)
				}
				return
			}
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != exitUsage || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("validate = %v, want a usage error naming %s", err, tc.want)
			}
		})
	}
}
