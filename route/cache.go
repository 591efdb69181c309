package route

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/folio/folio"
)

// cacheVersion is stored with every entry; entries of another version are
// misses, so that a change of this encoding never replays a wrong answer.
const cacheVersion = 1

// caching answers a request from the store when the same request was
// answered and accepted before.
type caching struct {
	layer
	store CacheStore
	log   *slog.Logger
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
}

// Run returns the stored answer to t's request when there is one: a cache
// hit, free, saving what the answer first cost, with its usage kept for
// information. Otherwise it runs the wrapped specialist; the answer is
// stored only when the router accepts it (Commit). A specialist without a
// request key, or a store that fails, is not cached.
func (c *caching) Run(ctx context.Context, t Task) (Result, error) {
	key, err := c.RequestKey(t)
	if err != nil || key == "" {
		return c.next.Run(ctx, t)
	}
	b, ok, err := c.store.CacheGet(ctx, key)
	if err != nil {
		c.log.Warn("response cache read failed", "model", c.Name(), "err", err)
	}
	if err != nil || !ok {
		return c.next.Run(ctx, t)
	}
	var e cacheEntry
	if err := json.Unmarshal(b, &e); err != nil || e.Version != cacheVersion {
		if err != nil {
			c.log.Warn("response cache entry unreadable", "model", c.Name(), "err", err)
		}
		return c.next.Run(ctx, t)
	}
	if e.Image != nil && t.Element.Image != nil {
		e.Image.PNG = t.Element.Image.PNG
	}
	return Result{
		Text: e.Text, Table: e.Table, Image: e.Image,
		Usage: e.Usage, USDMicros: free(), SavedUSDMicros: e.USDMicros, CacheHit: true,
		Model: e.Model, Endpoint: e.Endpoint, Prompt: e.Prompt, PromptVersion: e.PromptVersion,
		RequestHash: e.RequestHash,
	}, nil
}

// Commit stores an accepted answer that was bought, not replayed, and
// passes the news on to the specialist that bought it.
func (c *caching) Commit(ctx context.Context, t Task, r Result) {
	if r.CacheHit {
		return
	}
	defer c.layer.Commit(ctx, t, r)
	key, err := c.RequestKey(t)
	if err != nil || key == "" {
		return
	}
	b, err := json.Marshal(cacheEntry{
		Version: cacheVersion, Text: r.Text, Table: r.Table, Image: r.Image,
		Usage: r.Usage, USDMicros: r.USDMicros, Model: r.Model, Endpoint: r.Endpoint,
		Prompt: r.Prompt, PromptVersion: r.PromptVersion, RequestHash: r.RequestHash,
	})
	if err == nil {
		err = c.store.CachePut(ctx, key, b)
	}
	if err != nil {
		c.log.Warn("response cache write failed", "model", c.Name(), "err", err)
	}
}
