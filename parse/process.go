package parse

import (
	"bufio"
	"context"
	"encoding/gob"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// worker is one running worker process.
type worker struct {
	cmd    *exec.Cmd
	stdin  *os.File
	out    *bufio.Writer
	enc    *gob.Encoder
	dec    *gob.Decoder
	log    *slog.Logger
	maxRSS int64

	done  chan struct{} // closed once the process has exited
	state *os.ProcessState
	oom   atomic.Bool // killed for growing past maxRSS

	mu   sync.Mutex
	tail []string // its last lines on stderr that were not log records

	onPages func(pid int) // SupervisorOptions.onPages
}

// spawn starts a worker process in its own process group, which dies
// with the parent. Its memory is not watched until watchMemory is called.
func spawn(command string, args, env []string, log *slog.Logger, maxRSS int64) (*worker, error) {
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		outR.Close()
		outW.Close()
		return nil, err
	}
	cmd := exec.Command(command, args...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
	cmd.SysProcAttr = workerAttr()
	err = cmd.Start()
	inR.Close()
	outW.Close()
	errW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		errR.Close()
		return nil, err
	}
	w := &worker{
		cmd: cmd, stdin: inW, out: bufio.NewWriterSize(inW, 1<<16),
		dec: gob.NewDecoder(bufio.NewReaderSize(outR, 1<<16)),
		log: log.With("worker", cmd.Process.Pid), maxRSS: maxRSS,
		done: make(chan struct{}),
	}
	w.enc = gob.NewEncoder(w.out)
	logsDone := make(chan struct{})
	go func() {
		defer close(logsDone)
		w.forward(errR)
	}()
	go func() {
		_ = cmd.Wait()
		<-logsDone
		w.state = cmd.ProcessState
		outR.Close()
		errR.Close()
		close(w.done)
	}()
	return w, nil
}

// forward re-logs the worker's JSON log records and keeps its other
// lines (a Go panic, say) for the error that reports its death.
func (w *worker) forward(f *os.File) {
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var rec map[string]any
		if len(line) > 0 && line[0] == '{' && json.Unmarshal(line, &rec) == nil {
			w.relog(rec)
			continue
		}
		w.mu.Lock()
		w.tail = append(w.tail, string(line))
		if len(w.tail) > 20 {
			w.tail = w.tail[len(w.tail)-20:]
		}
		w.mu.Unlock()
	}
	// A line past the buffer ends the scan; keep draining so the worker
	// never blocks on a full pipe.
	_, _ = io.Copy(io.Discard, f)
}

func (w *worker) relog(rec map[string]any) {
	var level slog.Level
	if s, ok := rec["level"].(string); ok {
		_ = level.UnmarshalText([]byte(s))
	}
	msg, _ := rec["msg"].(string)
	attrs := make([]any, 0, 2*len(rec))
	for k, v := range rec {
		if k == "time" || k == "level" || k == "msg" {
			continue
		}
		attrs = append(attrs, k, v)
	}
	w.log.Log(context.Background(), level, msg, attrs...)
}

// lastLines returns the worker's last non-log stderr lines, joined.
func (w *worker) lastLines() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	lines := w.tail
	// A Go crash puts its reason first and then goroutine dumps.
	for i, l := range lines {
		if strings.HasPrefix(l, "panic:") || strings.HasPrefix(l, "fatal error:") || strings.HasPrefix(l, "runtime:") {
			lines = lines[i:min(len(lines), i+3)]
			break
		}
	}
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	return strings.Join(lines, " | ")
}

// watchMemory kills the worker when its resident memory passes maxRSS,
// until it exits.
func (w *worker) watchMemory() {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-t.C:
			if rss, ok := residentBytes(w.cmd.Process.Pid); ok && rss > w.maxRSS {
				w.oom.Store(true)
				w.log.Warn("parse worker over its memory cap; killing it", "rss_mib", rss>>20, "cap_mib", w.maxRSS>>20)
				w.kill()
				return
			}
		}
	}
}

func (w *worker) overMemory() bool { return w.oom.Load() }

func (w *worker) exited() bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

// kill stops the worker and every process it started, and waits for it.
func (w *worker) kill() {
	killGroup(w.cmd.Process)
	w.stdin.Close()
	<-w.done
}

// stop closes the worker's input, which makes it exit, and kills it if it
// has not after grace.
func (w *worker) stop(grace time.Duration) {
	w.stdin.Close()
	select {
	case <-w.done:
	case <-time.After(grace):
		w.kill()
	}
}
