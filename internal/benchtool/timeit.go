package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// timeResult is what `benchtool time` prints.
type timeResult struct {
	Cmd     []string  `json:"cmd"`
	Runs    int       `json:"runs"`
	Seconds []float64 `json:"seconds"`
	Median  float64   `json:"median"`
	Min     float64   `json:"min"`
	Max     float64   `json:"max"`
	// MaxRSSKB is the largest peak resident set size (ru_maxrss) of the
	// command's process over the runs.
	MaxRSSKB int64 `json:"max_rss_kb"`
	// Last is the last line of the last run's stdout that is a JSON
	// object: folio parse --json's summary, the PyMuPDF script's totals.
	Last json.RawMessage `json:"last,omitempty"`
}

// runTime runs a command -n times after -warmup unmeasured runs. In its
// arguments and in -clean, {i} is replaced by the run's number, so that
// each run can get a fresh output folder; -clean is removed before and
// after each run.
func runTime(ctx context.Context, args []string, log *slog.Logger) (*timeResult, error) {
	fs := newFlags("time", "-- CMD ARG...")
	n := fs.Int("n", 5, "measured runs")
	warmup := fs.Int("warmup", 0, "unmeasured runs first")
	clean := fs.String("clean", "", "path removed before and after each run ({i} is the run number)")
	okExit := fs.Int("ok-exit", 0, "a non-zero exit status that still counts as a run (folio: 1, some documents failed)")
	timeout := fs.Duration("timeout", 20*time.Minute, "deadline of each run")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	cmd := fs.Args()
	if len(cmd) == 0 || *n < 1 {
		fs.Usage()
		return nil, fmt.Errorf("time: need a command and -n ≥ 1")
	}
	res := &timeResult{Cmd: cmd, Runs: *n}
	for i := range *warmup + *n {
		argv := substitute(cmd, i)
		path := strings.ReplaceAll(*clean, "{i}", strconv.Itoa(i))
		if path != "" {
			if err := os.RemoveAll(path); err != nil {
				return nil, err
			}
		}
		runCtx, cancel := context.WithTimeout(ctx, *timeout)
		d, out, rss, err := timeOnce(runCtx, argv, *okExit)
		cancel()
		if path != "" {
			os.RemoveAll(path)
		}
		if err != nil {
			return nil, err
		}
		if i < *warmup {
			continue
		}
		log.Debug("timed", "cmd", argv[0], "run", i, "seconds", d.Seconds())
		res.Seconds = append(res.Seconds, d.Seconds())
		res.MaxRSSKB = max(res.MaxRSSKB, rss)
		res.Last = lastJSONObject(out)
	}
	res.Median, res.Min, res.Max = median(res.Seconds), slices.Min(res.Seconds), slices.Max(res.Seconds)
	return res, nil
}

// timeOnce runs argv once and returns its wall-clock time, its stdout and
// its peak RSS in KiB. A non-zero exit other than okExit is an error
// carrying the end of stderr.
func timeOnce(ctx context.Context, argv []string, okExit int) (time.Duration, []byte, int64, error) {
	var stdout, stderr bytes.Buffer
	c := exec.CommandContext(ctx, argv[0], argv[1:]...)
	c.Stdout, c.Stderr = &stdout, &tailBuffer{max: 4096, b: &stderr}
	start := time.Now()
	err := c.Run()
	d := time.Since(start)
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && okExit != 0 && exit.ExitCode() == okExit) {
		return 0, nil, 0, fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, stderr.String())
	}
	return d, stdout.Bytes(), maxRSS(c.ProcessState), nil
}

// maxRSS returns a finished process's ru_maxrss in KiB (Linux units).
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}

// substitute replaces {i} by i in every argument.
func substitute(argv []string, i int) []string {
	out := make([]string, len(argv))
	for j, a := range argv {
		out[j] = strings.ReplaceAll(a, "{i}", strconv.Itoa(i))
	}
	return out
}

// lastJSONObject returns the last line of out that holds a JSON object.
func lastJSONObject(out []byte) json.RawMessage {
	var last json.RawMessage
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) > 0 && line[0] == '{' && json.Valid(line) {
			last = slices.Clone(line)
		}
	}
	return last
}

// median returns the median of xs (the mean of the middle two for an even
// count); 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	b   *bytes.Buffer
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b.Write(p)
	if over := t.b.Len() - t.max; over > 0 {
		t.b.Next(over)
	}
	return len(p), nil
}
