package synth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// LockFile is the name of the run lock file in an output folder.
const LockFile = ".folio.lock"

// lockPoll is how often Lock tries again while it waits.
const lockPoll = 50 * time.Millisecond

// ErrLocked is returned, wrapped in a *LockedError, when another process
// holds an output folder's run lock.
var ErrLocked = errors.New("output folder locked")

// LockedError says which process holds a run lock.
type LockedError struct {
	Path string // the lock file
	PID  int    // the holder's process id; 0 when unknown
}

func (e *LockedError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("another run holds %s (pid %d)", e.Path, e.PID)
	}
	return fmt.Sprintf("another run holds %s", e.Path)
}

// Unwrap makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Unwrap() error { return ErrLocked }

// DirLock is a held run lock on an output folder: a kernel lock (flock) on
// the folder's LockFile, so that it is released when the process ends, how
// ever it ends. Keep it reachable until Unlock: the open file carries the
// lock, and a file the garbage collector finalises is closed.
type DirLock struct {
	f    *os.File
	path string
}

// Lock takes the run lock of the output folder dir, which must exist. When
// another process holds it, Lock fails at once with a *LockedError, or with
// wait > 0 tries again until it gets the lock, wait has passed or ctx is
// done. The holder's process id is written into the lock file for the
// message a second run shows.
func Lock(ctx context.Context, dir string, wait time.Duration) (*DirLock, error) {
	p := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	deadline := time.Now().Add(wait)
	for {
		err := tryLock(f)
		if err == nil {
			break
		}
		if !errors.Is(err, errWouldBlock) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", p, err)
		}
		if !time.Now().Before(deadline) {
			f.Close()
			return nil, &LockedError{Path: p, PID: readPID(p)}
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("wait for %s: %w", p, ctx.Err())
		case <-time.After(min(lockPoll, time.Until(deadline))):
		}
	}
	// Best effort: the pid only serves the message a second run shows.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &DirLock{f: f, path: p}, nil
}

// Path returns the lock file's path.
func (l *DirLock) Path() string { return l.path }

// Unlock releases the lock. The lock file stays: removing it would let a
// waiting process lock a file that a third one no longer sees.
func (l *DirLock) Unlock() error {
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	runtime.KeepAlive(l)
	if err != nil {
		return fmt.Errorf("unlock %s: %w", l.path, err)
	}
	return nil
}

// readPID returns the process id written in the lock file at p, or 0.
func readPID(p string) int {
	b, err := os.ReadFile(p)
	if err != nil {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n <= 0 {
		return 0
	}
	return n
}
