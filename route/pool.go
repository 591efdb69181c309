package route

import (
	"context"
	"errors"
	"runtime"
	"sync"
)

// errPoolClosed is returned by submissions after Close.
var errPoolClosed = errors.New("worker pool closed")

// Pool is the batch-wide bounded worker pool: a fixed set of workers and a
// queue of as many slots, shared by every document in flight. Submitting to
// a full queue blocks the submitter, which is the back-pressure on the
// documents; the workers themselves never wait on a submitter, so any number
// of concurrent Route calls cannot deadlock it.
type Pool struct {
	jobs    chan func()
	workers int
	wg      sync.WaitGroup

	// mu guards closed and, held for reading by every sender, keeps Close
	// from closing jobs under a send.
	mu     sync.RWMutex
	closed bool
}

// NewPool starts a pool of workers goroutines; workers < 1 means
// runtime.GOMAXPROCS(0). Close stops them.
func NewPool(workers int) *Pool {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	p := &Pool{jobs: make(chan func(), workers), workers: workers}
	p.wg.Add(workers)
	for range workers {
		go p.work()
	}
	return p
}

// Workers returns the number of workers.
func (p *Pool) Workers() int { return p.workers }

// Close lets the queued jobs finish, stops the workers and waits for them.
// Routing on a closed pool fails.
func (p *Pool) Close() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.jobs)
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Pool) work() {
	defer p.wg.Done()
	for job := range p.jobs {
		job()
	}
}

// submit queues job, waiting for a free slot until ctx is done. A job must
// not submit to the pool itself, and must not panic.
func (p *Pool) submit(ctx context.Context, job func()) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return errPoolClosed
	}
	select {
	case p.jobs <- job:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
