package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rssMark is the memory of the process tree when the pages done first
// reached a multiple of -every: then (RSSKB) and at most since the
// previous mark (PeakKB).
type rssMark struct {
	Pages   int     `json:"pages"`
	Seconds float64 `json:"seconds"`
	RSSKB   int64   `json:"rss_kb"`
	PeakKB  int64   `json:"peak_kb"`
	// PSS: the tree's proportional set size, which counts pages the
	// processes share (the executable) once.
	PSSKB     int64 `json:"pss_kb"`
	PeakPSSKB int64 `json:"peak_pss_kb"`
	Procs     int   `json:"procs"`
}

// rssResult is what `benchtool rss` prints.
type rssResult struct {
	Cmd      []string `json:"cmd"`
	Seconds  float64  `json:"seconds"`
	Docs     int      `json:"docs"`
	Failed   int      `json:"failed"`
	Pages    int      `json:"pages"`
	Elements int      `json:"elements"`
	Samples  int      `json:"samples"`
	Interval float64  `json:"interval_s"`
	// PeakKB is the largest sampled RSS of the process tree (the command
	// and every process under it), PeakPages the pages done then.
	PeakKB    int64 `json:"peak_tree_rss_kb"`
	PeakPages int   `json:"peak_at_pages"`
	PeakPSSKB int64 `json:"peak_tree_pss_kb"`
	// MaxRSSKB is the kernel's peak RSS (ru_maxrss) of the command's own
	// process, which sampling can miss between two samples.
	MaxRSSKB int64     `json:"max_rss_kb"`
	Marks    []rssMark `json:"marks"`
}

// runRSS runs a `folio parse --json` command, follows its NDJSON document
// events to count the pages done, and samples the summed VmRSS of the
// command's process tree every -interval; it records the RSS whenever the
// pages done pass a multiple of -every.
func runRSS(ctx context.Context, args []string, log *slog.Logger) (*rssResult, error) {
	fs := newFlags("rss", "-- FOLIO parse --json ARG...")
	interval := fs.Duration("interval", 500*time.Millisecond, "sampling interval")
	every := fs.Int("every", 1000, "record the RSS each time this many more pages are done")
	logPath := fs.String("log", "", "file for the command's stderr (default: discarded)")
	samplesPath := fs.String("samples", "", "file for every sample as TSV: seconds, pages, rss_kb, procs")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	argv := fs.Args()
	if len(argv) == 0 || *every < 1 || *interval <= 0 {
		fs.Usage()
		return nil, fmt.Errorf("rss: need a command, -every ≥ 1 and a positive -interval")
	}
	c := exec.CommandContext(ctx, argv[0], argv[1:]...)
	if *logPath != "" {
		f, err := os.Create(*logPath)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		c.Stderr = f
	}
	stdout, err := c.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var samples *bufio.Writer
	if *samplesPath != "" {
		f, err := os.Create(*samplesPath)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		samples = bufio.NewWriter(f)
		defer samples.Flush()
		fmt.Fprintln(samples, "seconds\tpages\trss_kb\tprocs")
	}

	res := &rssResult{Cmd: argv, Interval: interval.Seconds()}
	var mu sync.Mutex               // guards res, windowPeak and samples
	var windowPeak, windowPSS int64 // since the last mark
	start := time.Now()
	if err := c.Start(); err != nil {
		return nil, err
	}
	pid := c.Process.Pid
	sample := func() {
		kb, pss, procs := treeRSS(pid)
		mu.Lock()
		defer mu.Unlock()
		if procs == 0 {
			return // the command has exited
		}
		res.Samples++
		windowPeak = max(windowPeak, kb)
		windowPSS = max(windowPSS, pss)
		res.PeakPSSKB = max(res.PeakPSSKB, pss)
		if kb > res.PeakKB {
			res.PeakKB, res.PeakPages = kb, res.Pages
		}
		if samples != nil {
			fmt.Fprintf(samples, "%.2f\t%d\t%d\t%d\n", time.Since(start).Seconds(), res.Pages, kb, procs)
		}
	}

	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // the sampler; ends when the events end
		defer close(sampled)
		t := time.NewTicker(*interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sample()
			}
		}
	}()

	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	next := *every
	for sc.Scan() {
		var ev struct {
			Type     string `json:"type"`
			Status   string `json:"status"`
			Pages    int    `json:"pages"`
			Elements int    `json:"elements"`
		}
		if json.Unmarshal(sc.Bytes(), &ev) != nil || ev.Type != "document" {
			continue
		}
		mu.Lock()
		res.Docs++
		if ev.Status == "failed" {
			res.Failed++
		}
		res.Pages += ev.Pages
		res.Elements += ev.Elements
		pages := res.Pages
		mu.Unlock()
		if pages < next {
			continue
		}
		kb, pss, procs := treeRSS(pid)
		mu.Lock()
		for ; next <= pages; next += *every {
			res.Marks = append(res.Marks, rssMark{Pages: next, Seconds: time.Since(start).Seconds(),
				RSSKB: kb, PeakKB: max(windowPeak, kb), PSSKB: pss, PeakPSSKB: max(windowPSS, pss), Procs: procs})
			windowPeak, windowPSS = 0, 0
		}
		mu.Unlock()
		sample()
	}
	scanErr := sc.Err()
	close(done)
	<-sampled
	waitErr := c.Wait()
	res.Seconds = time.Since(start).Seconds()
	res.MaxRSSKB = maxRSS(c.ProcessState)
	log.Info("rss run done", "pages", res.Pages, "seconds", res.Seconds, "peak_kb", res.PeakKB)
	switch {
	case scanErr != nil:
		return nil, fmt.Errorf("read events: %w", scanErr)
	case waitErr != nil && res.Failed == 0:
		return nil, fmt.Errorf("%s: %w", argv[0], waitErr)
	}
	return res, nil
}

// treeRSS returns the summed VmRSS and PSS in KiB of process pid and all
// its descendants, and how many processes that is (0 when pid is gone).
func treeRSS(pid int) (kb, pss int64, procs int) {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp, ok := parentOf(p); ok {
			children[pp] = append(children[pp], p)
		}
	}
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		rss, ok := vmRSS(p)
		if !ok {
			continue
		}
		kb += rss
		if v, ok := pssOf(p); ok {
			pss += v
		} else {
			pss += rss
		}
		procs++
		queue = append(queue, children[p]...)
	}
	return kb, pss, procs
}

// pssOf reads a process's proportional set size from smaps_rollup in KiB.
func pssOf(pid int) (int64, bool) { return procKB(pid, "smaps_rollup", "Pss:") }

// parentOf reads a process's parent id from /proc/PID/stat.
func parentOf(pid int) (int, bool) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, false
	}
	// pid (comm) state ppid ...: comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0, false
	}
	pp, err := strconv.Atoi(f[1])
	return pp, err == nil
}

// vmRSS reads VmRSS from /proc/PID/status in KiB; ok is false when the
// process is gone or a zombie (which has no VmRSS line).
func vmRSS(pid int) (int64, bool) { return procKB(pid, "status", "VmRSS:") }

// procKB reads the "key N kB" line of /proc/PID/file.
func procKB(pid int, file, key string) (int64, bool) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), file))
	if err != nil {
		return 0, false
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}
