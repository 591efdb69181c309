package folio_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayers enforces the architecture: the root package is the dictionary
// (nouns and contracts) and imports only the standard library, and of that
// nothing that touches files or the system; the run (pipeline) is imported
// only by the command and imports no stage; stages never import each other
// or the pipeline; and each outside module is imported by exactly one
// package (tests excluded). The control plane (serve) stays on the standard
// library, the root and the ledger.
func TestLayers(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found: cannot list packages")
	}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}|{{join .Imports ","}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/folio/folio"
	stages := []string{"parse", "segment", "route", "synth", "lineage"}
	stageOf := func(pkg string) string {
		rest, ok := strings.CutPrefix(pkg, mod+"/")
		if !ok {
			return ""
		}
		first, _, _ := strings.Cut(rest, "/")
		for _, s := range stages {
			if first == s {
				return s
			}
		}
		return ""
	}
	importers := map[string]map[string]bool{} // outside module → packages importing it
	const pipeline = mod + "/pipeline"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imps, _ := strings.Cut(line, "|")
		for _, imp := range strings.Split(imps, ",") {
			if pkg == mod && rootForbidden[imp] {
				t.Errorf("root package imports %s; the dictionary does no I/O (that is the pipeline's)", imp)
			}
			if imp == pipeline && !strings.HasPrefix(pkg, mod+"/cmd/") {
				t.Errorf("%s imports the pipeline; only cmd may", pkg)
			}
			// Routing is handed the ledger's response cache (lineage.Cache)
			// through route.CacheStore, never the ledger: the cache is the
			// one writer of the ledger file outside the pipeline's
			// transaction per document (docs/ledger.md).
			if stageOf(pkg) == "route" && stageOf(imp) == "lineage" {
				t.Errorf("%s imports %s; routing gets only the ledger's cache, through route.CacheStore", pkg, imp)
			}
			// The control plane reads the ledger and draws pages through
			// serve.PageDrawer, which cmd implements with the parse engine:
			// it imports no stage but lineage and no outside module.
			if pkg == mod+"/serve" && imp != "" && !isStd(imp) && imp != mod && imp != mod+"/lineage" {
				t.Errorf("serve imports %s; it imports the standard library, the root and lineage only", imp)
			}
			if pkg == pipeline && stageOf(imp) != "" {
				t.Errorf("the pipeline imports stage %s; it sees stages only through the root's contracts", imp)
			}
			if imp == "" || isStd(imp) {
				continue
			}
			if strings.HasPrefix(imp, mod) {
				if pkg == mod {
					t.Errorf("root package imports %s; it may import only the standard library", imp)
				}
				if a, b := stageOf(pkg), stageOf(imp); a != "" && b != "" && a != b {
					t.Errorf("stage %s imports stage %s (%s → %s); stages import only the root", a, b, pkg, imp)
				}
				continue
			}
			if pkg == mod {
				t.Errorf("root package imports %s; it may import only the standard library", imp)
			}
			m := moduleOf(imp)
			if importers[m] == nil {
				importers[m] = map[string]bool{}
			}
			importers[m][pkg] = true
		}
	}
	for m, pkgs := range importers {
		if len(pkgs) > 1 {
			var names []string
			for p := range pkgs {
				names = append(names, p)
			}
			t.Errorf("module %s is imported by %d packages %v; keep each outside library behind one package", m, len(pkgs), names)
		}
	}
}

// rootForbidden are the standard packages the root may not import.
var rootForbidden = map[string]bool{"os": true, "io": true, "io/fs": true, "path/filepath": true, "syscall": true, "os/exec": true}

func isStd(imp string) bool {
	first, _, _ := strings.Cut(imp, "/")
	return !strings.Contains(first, ".")
}

// moduleOf maps an import path to its module: the first three elements for
// the hosting sites used here, which is enough for this repository's modules.
func moduleOf(imp string) string {
	parts := strings.Split(imp, "/")
	n := 3
	if parts[0] == "gopkg.in" || parts[0] == "honnef.co" {
		n = 2
	}
	if len(parts) > n && (parts[n] == "v2" || parts[n] == "v3" || parts[n] == "v8") {
		n++
	}
	if len(parts) < n {
		return imp
	}
	return strings.Join(parts[:n], "/")
}
