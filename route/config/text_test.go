package config_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/route/config"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestWriteTextGolden(t *testing.T) {
	tests := []struct {
		name string // testdata/NAME.yaml, or none for no policy file
	}{{"none"}, {"issue"}, {"openai"}, {"ollama"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f *config.File
			if tt.name != "none" {
				var err error
				if f, err = config.Load(filepath.Join("testdata", tt.name+".yaml")); err != nil {
					t.Fatal(err)
				}
			}
			var buf bytes.Buffer
			if err := f.WriteText(&buf, f.Policy()); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("WriteText (-want +got), rerun with -update if intended:\n%s", diff)
			}
		})
	}
}

// WriteText names the key's environment variable but never prints its
// value, nor the values of headers.
func TestWriteTextHidesSecrets(t *testing.T) {
	t.Setenv("FOLIO_TEST_KEY", "sk-very-secret")
	f := mustParse(t, `
endpoints:
  e: {base_url: "https://h/v1", api_key_env: FOLIO_TEST_KEY, headers: {X-Team: finance-7c1e}}
`)
	var buf bytes.Buffer
	if err := f.WriteText(&buf, f.Policy()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, secret := range []string{"sk-very-secret", "finance-7c1e"} {
		if strings.Contains(out, secret) {
			t.Errorf("output shows %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"$FOLIO_TEST_KEY", "headers X-Team", f.Policy().Hash()} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// A model without prices shows them as unknown, not as free.
func TestWriteTextUnknownPrices(t *testing.T) {
	f := mustParse(t, `
endpoints: {e: {base_url: "http://h/v1"}}
models: {m: {endpoint: e, model: x, input_per_mtok: 0}}
`)
	var buf bytes.Buffer
	if err := f.WriteText(&buf, f.Policy()); err != nil {
		t.Fatal(err)
	}
	if want := "m      e         x      $0.00  unknown  unknown"; !strings.Contains(buf.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, buf.String())
	}
}
