package main

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/folio/folio/pipeline"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// progressEvery is how often a run off a terminal logs a progress line.
const progressEvery = 30 * time.Second

// progress shows how a parse run is going: on a terminal a live bar on
// stderr (documents, pages, elements, model calls, dollars, ETA) with the
// log lines printed above it; off a terminal a log line at most every
// progressEvery, and no escape code ever.
type progress struct {
	total int
	start time.Time
	log   *slog.Logger

	mu      sync.Mutex
	tally   tally
	lastLog time.Time

	// On a terminal only.
	p    *mpb.Progress
	bar  *mpb.Bar
	diag *diagWriter
}

// tally is what the finished documents add up to.
type tally struct {
	docs, pages, elements, calls, cacheHits int
	usdMicros                               int64
}

// startProgress starts showing a run of total documents. With tty, the
// bar is drawn on errOut and diag, which the logger writes to, is turned
// to print above it until stop.
func startProgress(errOut io.Writer, tty bool, diag *diagWriter, log *slog.Logger, total int) *progress {
	pr := &progress{total: total, start: time.Now(), log: log}
	pr.lastLog = pr.start
	if !tty || total == 0 {
		return pr
	}
	pr.diag = diag
	pr.p = mpb.New(mpb.WithOutput(errOut), mpb.WithWidth(24), mpb.WithRefreshRate(150*time.Millisecond))
	pr.bar = pr.p.AddBar(int64(total),
		mpb.PrependDecorators(decor.Name("documents "), decor.CountersNoUnit("%d/%d")),
		mpb.AppendDecorators(
			decor.Any(func(decor.Statistics) string { return pr.stats() }),
			decor.Name("  ETA "),
			decor.OnComplete(decor.AverageETA(decor.ET_STYLE_GO), "done"),
		),
	)
	diag.set(pr.p)
	return pr
}

// stats is the bar's text after the counter.
func (pr *progress) stats() string {
	pr.mu.Lock()
	t := pr.tally
	pr.mu.Unlock()
	return fmt.Sprintf("  %d pages  %d elements  %d model calls (%d cached)  $%.4f",
		t.pages, t.elements, t.calls, t.cacheHits, float64(t.usdMicros)/1e6)
}

// add counts a finished document.
func (pr *progress) add(ev pipeline.Event) {
	if ev.Status == "pruned" {
		return // not one of this run's inputs
	}
	pr.mu.Lock()
	pr.tally.docs++
	pr.tally.pages += ev.Pages
	pr.tally.elements += ev.Elements
	if c := ev.Cost; c != nil {
		pr.tally.calls += c.Calls
		pr.tally.cacheHits += c.CacheHits
		pr.tally.usdMicros += c.USDMicros
	}
	t := pr.tally
	logNow := pr.bar == nil && time.Since(pr.lastLog) >= progressEvery
	if logNow {
		pr.lastLog = time.Now()
	}
	pr.mu.Unlock()

	if pr.bar != nil {
		pr.bar.Increment()
		return
	}
	if logNow {
		elapsed := time.Since(pr.start)
		eta := time.Duration(float64(elapsed) / float64(t.docs) * float64(pr.total-t.docs))
		pr.log.Info("progress", "documents", fmt.Sprintf("%d/%d", t.docs, pr.total), "pages", t.pages,
			"elements", t.elements, "model_calls", t.calls, "cache_hits", t.cacheHits, "usd", usd(t.usdMicros),
			"eta", eta.Round(time.Second).String())
	}
}

// stop removes the bar from the screen's bottom line, leaving it drawn as
// it ended, and gives stderr back to the log.
func (pr *progress) stop() {
	if pr.p == nil {
		return
	}
	pr.diag.set(nil)
	pr.bar.Abort(false) // a no-op when every document is counted
	pr.p.Wait()
}

// diagWriter is where diagnostics go: stderr, or while a progress bar is
// live, the bar's container, which prints each line above the bar.
type diagWriter struct {
	mu   sync.Mutex
	out  io.Writer // stderr
	live io.Writer // the bar's container, or nil
}

func (d *diagWriter) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.live != nil {
		return d.live.Write(p)
	}
	return d.out.Write(p)
}

// set turns the writer to live, or back to stderr when live is nil.
func (d *diagWriter) set(live io.Writer) {
	d.mu.Lock()
	d.live = live
	d.mu.Unlock()
}
