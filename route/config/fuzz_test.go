package config_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/folio/folio/route/config"
)

// FuzzParse checks that Parse never panics, that every error it returns is
// a configuration error, and that every file it accepts yields a valid
// policy that WriteText can print.
func FuzzParse(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "---\n", "[]", "a: *b", "x: &a [*a]", "a: &a {<<: *a}", "retries: !!str 3",
		base + "routes: {table: [local/table, {model: small, when: {min_cells: 20, max_confidence: 0.5}}]}\n",
		"endpoints: {e: {base_url: 'http://h', <<: [{rpm: 1}, {tpm: 2}]}}",
		"models: {m: {input_per_mtok: -.inf, vision: ~}}\nbudget: {max_usd: 1e308}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := config.Parse("fuzz.yaml", data)
		if err != nil {
			if !errors.Is(err, config.ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		p := file.Policy()
		if err := p.Validate(); err != nil {
			t.Fatalf("accepted file gives an invalid policy: %v", err)
		}
		if err := file.WriteText(io.Discard, p); err != nil {
			t.Fatal(err)
		}
	})
}
