package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The markers around the section of BENCHMARKS.md that report owns.
const (
	startMarker = "<!-- bench:start -->"
	endMarker   = "<!-- bench:end -->"
)

// folioSummary is the summary object `folio parse --json` ends with.
type folioSummary struct {
	Type     string  `json:"type"`
	OK       int     `json:"ok"`
	Failed   int     `json:"failed"`
	Skipped  int     `json:"skipped"`
	Pages    int     `json:"pages"`
	Elements int     `json:"elements"`
	Seconds  float64 `json:"seconds"`
}

// parseSummary decodes a folio parse summary; nil when raw is not one.
func parseSummary(raw json.RawMessage) *folioSummary {
	var s folioSummary
	if json.Unmarshal(raw, &s) != nil || s.Type != "summary" {
		return nil
	}
	return &s
}

// reportInput is everything report reads from the results folder.
type reportInput struct {
	Command  string
	Settings string
	Note     string
	Date     time.Time
	Machine  string
	// Versions holds versions.txt's lines: folio, pdftotext, PyMuPDF, Go.
	Versions []string
	Mix      struct{ Files int }
	Reps     int
	Cores    int
	// Timings by result name (file name without .json).
	Timings map[string]*timeResult
	// Skips gives why a measurement is missing, by result name (.skip
	// files).
	Skips  map[string]string
	Model  *modelResult
	RSS    *rssResult
	Copies *copiesResult
	// GoBench holds the lineage benchmarks' metrics by benchmark name
	// (without the -GOMAXPROCS suffix) and unit: the median over -count;
	// EngineBench the parse package's.
	GoBench, EngineBench map[string]map[string]float64
	GoFile               string
}

// runReport renders the results folder into the section of a Markdown file
// between the bench markers, appending the section when the file has no
// markers yet.
func runReport(args []string, log *slog.Logger) error {
	fs := newFlags("report", "")
	results := fs.String("results", "bench/results", "folder of the measuring subcommands' JSON results")
	md := fs.String("md", "BENCHMARKS.md", "Markdown file to update")
	command := fs.String("command", "make bench", "the command that produced the results, shown in the section")
	settings := fs.String("settings", "", "the settings of the run, shown after the command")
	note := fs.String("note", "", "a line to add under the heading, such as the conditions of the run")
	goFile := fs.String("go", "bench/go.txt", "go test -bench output to take the ledger and cache numbers from")
	if err := fs.Parse(args); err != nil {
		return err
	}
	in, err := loadResults(*results, *goFile)
	if err != nil {
		return err
	}
	in.Command, in.Settings, in.Note, in.Date = *command, *settings, *note, time.Now().UTC()
	in.Machine = machine()
	var section bytes.Buffer
	writeSection(&section, in)
	old, err := os.ReadFile(*md)
	if err != nil {
		return err
	}
	updated, err := replaceSection(old, section.Bytes())
	if err != nil {
		return fmt.Errorf("%s: %w", *md, err)
	}
	if err := writeFileAtomic(*md, updated); err != nil {
		return err
	}
	log.Info("benchmarks written", "file", *md)
	return nil
}

// loadResults reads the results folder: model.json, rss.json, copies.json,
// the other NAME.json (`benchtool time` results), NAME.skip files, mix.txt
// ("files reps cores") and versions.txt; and the lineage benchmarks from
// goFile when it exists.
func loadResults(dir, goFile string) (*reportInput, error) {
	in := &reportInput{Timings: map[string]*timeResult{}, Skips: map[string]string{}, GoFile: goFile}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name, path := e.Name(), filepath.Join(dir, e.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		base := strings.TrimSuffix(name, filepath.Ext(name))
		switch {
		case name == "model.json":
			in.Model = &modelResult{}
			err = json.Unmarshal(b, in.Model)
		case name == "rss.json":
			in.RSS = &rssResult{}
			err = json.Unmarshal(b, in.RSS)
		case name == "copies.json":
			in.Copies = &copiesResult{}
			err = json.Unmarshal(b, in.Copies)
		case filepath.Ext(name) == ".json":
			t := &timeResult{}
			err = json.Unmarshal(b, t)
			in.Timings[base] = t
		case filepath.Ext(name) == ".skip":
			in.Skips[base] = strings.TrimSpace(string(b))
		case name == "versions.txt":
			for l := range strings.SplitSeq(strings.TrimSpace(string(b)), "\n") {
				if l = strings.TrimSpace(l); l != "" {
					in.Versions = append(in.Versions, l)
				}
			}
		case name == "mix.txt":
			_, err = fmt.Sscan(string(b), &in.Mix.Files, &in.Reps, &in.Cores)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	f, err := os.Open(goFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return in, nil
	case err != nil:
		return nil, err
	}
	defer f.Close()
	if in.GoBench, err = parseGoBench(f, "github.com/folio/folio/lineage"); err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	in.EngineBench, err = parseGoBench(f, "github.com/folio/folio/parse")
	return in, err
}

// parseGoBench reads `go test -bench` output and returns, for the
// benchmarks of package pkg ("" for all), every reported metric by
// benchmark name (without the -GOMAXPROCS suffix) and unit; the median
// when a benchmark ran more than once (-count).
func parseGoBench(r io.Reader, pkg string) (map[string]map[string]float64, error) {
	all := map[string]map[string][]float64{}
	cur := ""
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			cur = strings.TrimSpace(p)
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || (pkg != "" && cur != pkg) {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue // a log line, not a result
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		if all[name] == nil {
			all[name] = map[string][]float64{}
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			all[name][f[i+1]] = append(all[name][f[i+1]], v)
		}
	}
	out := map[string]map[string]float64{}
	for name, units := range all {
		out[name] = map[string]float64{}
		for u, vs := range units {
			out[name][u] = median(vs)
		}
	}
	return out, sc.Err()
}

// replaceSection puts section between the markers of md, or appends it
// with markers when md has none.
func replaceSection(md, section []byte) ([]byte, error) {
	block := append(append([]byte(startMarker+"\n"), bytes.TrimRight(section, "\n")...), "\n"+endMarker+"\n"...)
	i, j := bytes.Index(md, []byte(startMarker)), bytes.Index(md, []byte(endMarker))
	switch {
	case i < 0 && j < 0:
		out := bytes.TrimRight(md, "\n")
		return append(append(out, "\n\n"...), block...), nil
	case i < 0 || j < i:
		return nil, fmt.Errorf("bench markers out of order or one missing: want %s … %s", startMarker, endMarker)
	}
	rest := md[j+len(endMarker):]
	rest = bytes.TrimPrefix(rest, []byte("\n"))
	out := slices.Concat(md[:i], block, rest)
	return out, nil
}

// writeFileAtomic replaces path by data through a temporary file in the
// same folder.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".bench-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if st, err := os.Stat(path); err == nil {
		os.Chmod(f.Name(), st.Mode().Perm())
	}
	return os.Rename(f.Name(), path)
}

// machine describes this machine: cores, CPU model, memory, kernel.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for l := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
		}
	}
	kernel := ""
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = ", Linux " + strings.TrimSpace(string(b))
	}
	return fmt.Sprintf("nproc %d, %s%s%s", runtime.NumCPU(), cpu, mem, kernel)
}
