package config_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/route/config"
	"github.com/google/go-cmp/cmp"
)

func TestTableGolden(t *testing.T) {
	for _, name := range []string{"none", "issue", "openai", "ollama"} {
		t.Run(name, func(t *testing.T) {
			var f *config.File
			if name != "none" {
				var err error
				if f, err = config.Load(filepath.Join("testdata", name+".yaml")); err != nil {
					t.Fatal(err)
				}
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetIndent("", "  ")
			if err := enc.Encode(f.Table(f.Policy())); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", name+".table.golden")
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
				t.Errorf("Table (-want +got), rerun with -update if intended:\n%s", diff)
			}
		})
	}
}

// The table shows what the text shows: the same hash, every endpoint and
// model, and the key's variable but never its value.
func TestTableAgreesWithText(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-very-secret")
	f, err := config.Load(filepath.Join("testdata", "openai.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := f.WriteText(&text, f.Policy()); err != nil {
		t.Fatal(err)
	}
	tab := f.Table(f.Policy())
	if !strings.Contains(text.String(), tab.Hash) {
		t.Errorf("table hash %s not in text:\n%s", tab.Hash, text.String())
	}
	if len(tab.Endpoints) != len(f.Endpoints) || len(tab.Models) != len(f.Models) || len(tab.Routes) == 0 {
		t.Errorf("table has %d endpoints, %d models, %d routes; file %d, %d", len(tab.Endpoints), len(tab.Models), len(tab.Routes), len(f.Endpoints), len(f.Models))
	}
	for _, m := range tab.Models {
		if !strings.Contains(text.String(), m.Alias) {
			t.Errorf("model %s not in text", m.Alias)
		}
	}
	b, _ := json.Marshal(tab)
	if strings.Contains(string(b), "sk-very-secret") {
		t.Errorf("table shows the key: %s", b)
	}
}
