package pgtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
)

// Hint is the advice given when PostgreSQL is not installed.
const Hint = "install postgresql (make deps)"

// ErrNotFound is returned by Start when PostgreSQL's programs are not
// installed.
var ErrNotFound = errors.New("postgresql not found")

// debianRoot holds Debian's PostgreSQL installations, one folder per
// major version; several can be installed side by side.
const debianRoot = "/usr/lib/postgresql"

// binaries are the programs of one PostgreSQL installation.
type binaries struct {
	initdb, postgres, psql string
}

// findBinaries returns the newest of Debian's installations that has
// initdb, postgres and psql, else those programs found in PATH.
func findBinaries() (binaries, error) {
	dirs, _ := filepath.Glob(filepath.Join(debianRoot, "*", "bin"))
	version := func(dir string) float64 {
		v, err := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
		if err != nil {
			return -1
		}
		return v
	}
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, dir := range dirs {
		b := binaries{filepath.Join(dir, "initdb"), filepath.Join(dir, "postgres"), filepath.Join(dir, "psql")}
		if executable(b.initdb) && executable(b.postgres) && executable(b.psql) {
			return b, nil
		}
	}
	var b binaries
	for _, p := range []struct {
		name string
		path *string
	}{{"initdb", &b.initdb}, {"postgres", &b.postgres}, {"psql", &b.psql}} {
		abs, err := exec.LookPath(p.name)
		if err != nil {
			return binaries{}, fmt.Errorf("%w (no initdb, postgres and psql in %s/*/bin or PATH): %s", ErrNotFound, debianRoot, Hint)
		}
		*p.path = abs
	}
	return b, nil
}

// executable reports whether path is a file someone may execute.
func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}
