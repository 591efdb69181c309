package route

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"

	"github.com/folio/folio"
)

// cacheVersion is stored with every entry; entries of another version are
// misses, so that a change of this encoding never replays a wrong answer.
const cacheVersion = 1

// caching answers a request from the store when the same request was
// answered before. Every answer that was paid for is stored, rejected ones
// too (off-schema, refused, later failing a check): replayed, they are
// rejected again the same way, so a re-run escalates as the first run did
// and pays nothing twice. Failures without an answer (429, 5xx, network)
// are not stored. A request already in flight is not sent again: the same
// request from another element waits for its answer and replays it.
type caching struct {
	layer
	store CacheStore
	log   *slog.Logger

	mu       sync.Mutex
	inFlight map[string]chan struct{} // closed when the request is done
}

// lead makes the caller the one sending the request for key, or returns
// the channel closed when the caller that is sending it is done.
func (c *caching) lead(key string) (done chan struct{}, leader bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch, ok := c.inFlight[key]; ok {
		return ch, false
	}
	if c.inFlight == nil {
		c.inFlight = map[string]chan struct{}{}
	}
	ch := make(chan struct{})
	c.inFlight[key] = ch
	return ch, true
}

func (c *caching) finish(key string, done chan struct{}) {
	c.mu.Lock()
	delete(c.inFlight, key)
	c.mu.Unlock()
	close(done)
}

// cacheEntry is a stored answer: everything needed to replay it, never the
// pixels (folio.Image leaves its PNG out of JSON).
type cacheEntry struct {
	Version       int          `json:"v"`
	Text          *string      `json:"text,omitempty"`
	Table         *folio.Table `json:"table,omitempty"`
	Image         *folio.Image `json:"image,omitempty"`
	Usage         folio.Usage  `json:"usage"`
	USDMicros     *int64       `json:"usd_micros"`
	Model         string       `json:"model,omitempty"`
	Endpoint      string       `json:"endpoint,omitempty"`
	Prompt        string       `json:"prompt,omitempty"`
	PromptVersion int          `json:"prompt_version,omitempty"`
	RequestHash   string       `json:"request_hash,omitempty"`
	// ImageSent is the image the request that bought the answer carried.
	ImageSent folio.ImageSent `json:"image_sent,omitzero"`
	// ErrorClass and Error replay an answer the specialist rejected.
	ErrorClass folio.ErrorClass `json:"error_class,omitempty"`
	Error      string           `json:"error,omitempty"`
}

// Run returns the stored answer to t's request when there is one: a cache
// hit, free, saving what the answer first cost, with its usage kept for
// information. Otherwise it runs the wrapped specialist and stores what it
// answered. A specialist without a request key, or a store that fails, is
// not cached.
func (c *caching) Run(ctx context.Context, t Task) (Result, error) {
	key, err := c.RequestKey(t)
	if err != nil || key == "" {
		return c.next.Run(ctx, t)
	}
	for {
		res, hit, err := c.lookup(ctx, key, t)
		if hit {
			return res, err
		}
		done, leader := c.lead(key)
		if leader {
			defer c.finish(key, done)
			// The request this caller missed may have been answered,
			// stored and finished since its lookup.
			if res, hit, err := c.lookup(ctx, key, t); hit {
				return res, err
			}
			res, err := c.next.Run(ctx, t)
			if answered(res, err) {
				c.put(context.WithoutCancel(ctx), key, res, err)
			}
			return res, err
		}
		// The same request is in flight: its answer, once stored, is
		// replayed; when it got none, this caller tries in turn.
		select {
		case <-done:
		case <-ctx.Done():
			return Result{USDMicros: free()}, ctx.Err()
		}
	}
}

// lookup returns the stored answer to t's request, replayed (err is the
// error a rejected answer replays), with hit true; hit is false on a miss or
// when the store fails.
func (c *caching) lookup(ctx context.Context, key string, t Task) (res Result, hit bool, err error) {
	b, ok, err := c.store.Get(ctx, key)
	if err != nil {
		c.log.Warn("response cache read failed", "model", c.Name(), "err", err)
	}
	var e cacheEntry
	if err == nil && ok {
		if err := json.Unmarshal(b, &e); err != nil {
			c.log.Warn("response cache entry unreadable", "model", c.Name(), "err", err)
			ok = false
		}
	}
	if err != nil || !ok || e.Version != cacheVersion {
		return Result{}, false, nil
	}
	if e.Image != nil && t.Element.Image != nil {
		e.Image.PNG = t.Element.Image.PNG
	}
	res = Result{
		Text: e.Text, Table: e.Table, Image: e.Image,
		Usage: e.Usage, USDMicros: free(), SavedUSDMicros: e.USDMicros, CacheHit: true,
		Model: e.Model, Endpoint: e.Endpoint, Prompt: e.Prompt, PromptVersion: e.PromptVersion,
		RequestHash: e.RequestHash, ImageSent: e.ImageSent,
	}
	if e.ErrorClass != "" {
		return res, true, Errorf(e.ErrorClass, "%s (replayed from the response cache)", e.Error)
	}
	return res, true, nil
}

// answered reports whether a run produced an answer worth keeping: one
// that was accepted by the specialist, or rejected for what it said.
func answered(r Result, err error) bool {
	if err == nil {
		return true
	}
	switch Classify(err) {
	case folio.ClassSchema, folio.ClassEmpty, folio.ClassRefusal, folio.ClassGrounding:
		return r.Usage.InputTokens > 0 || r.Usage.OutputTokens > 0
	}
	return false
}

func (c *caching) put(ctx context.Context, key string, r Result, runErr error) {
	e := cacheEntry{
		Version: cacheVersion, Text: r.Text, Table: r.Table, Image: r.Image,
		Usage: r.Usage, USDMicros: r.USDMicros, Model: r.Model, Endpoint: r.Endpoint,
		Prompt: r.Prompt, PromptVersion: r.PromptVersion, RequestHash: r.RequestHash,
		ImageSent: r.ImageSent,
	}
	if runErr != nil {
		e.ErrorClass = Classify(runErr)
		e.Error = runErr.Error()
	}
	b, err := json.Marshal(e)
	if err == nil {
		err = c.store.Put(ctx, key, b)
	}
	if err != nil {
		c.log.Warn("response cache write failed", "model", c.Name(), "err", err)
	}
}

// Commit passes the news of an accepted answer on to the specialist that
// bought it; answers were stored when they came.
func (c *caching) Commit(ctx context.Context, t Task, r Result) {
	if r.CacheHit {
		return
	}
	c.layer.Commit(ctx, t, r)
}
