// Package serve is Folio's control plane: a small web server over one
// output folder's ledger and outputs. It lists runs, shows each document's
// pages with every element's box and lineage, reports cost, and hosts the
// review and quality pages.
//
// It only reads: the ledger through its read pool (WAL, so a parse may be
// writing at the same time), the outputs through an os.Root on the output
// folder. The one thing it writes is its cache of drawn pages, under
// OUT/.folio/pages, and review decisions through Options.Decide.
//
// Pages are plain HTML from html/template, usable without JavaScript; the
// standard library only.
package serve

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
)

// Defaults.
const (
	DefaultAddr = "127.0.0.1:8080"
	// PageDPI is the resolution pages are drawn at: enough to read body
	// text on a screen, small enough to draw on demand.
	PageDPI = 100
	// MaxBodyBytes bounds the body of every request; review decisions
	// (text, a table grid) fit well within it.
	MaxBodyBytes = 1 << 20
	// PageSize is how many rows a list page shows.
	PageSize = 50
	// maxDrawing is how many pages are drawn at once: drawing is CPU-bound
	// and a page full of boxes asks for one image only.
	maxDrawing = 2
)

// Timeouts of the HTTP server. Writing allows for drawing a page.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	shutdownTimeout   = 5 * time.Second
)

// PageDrawer draws whole pages of a recorded input: cmd/folio implements
// it with the parse engine.
type PageDrawer interface {
	// DrawPage returns a PNG of page (from 1) of the input read from
	// source, whose content must still have the given SHA-256, at dpi.
	DrawPage(ctx context.Context, source, sha256 string, page int, dpi float64) ([]byte, error)
}

// Options configure a Server.
type Options struct {
	// Out is the output folder: its outputs are read, and drawn pages
	// are cached under Out/.folio/pages.
	Out string
	// DB is the ledger, open (read-only is enough).
	DB *lineage.DB
	// Addr is where ListenAndServe listens, DefaultAddr when empty.
	Addr string
	// Token, when set, is required of every request (Authorization:
	// Bearer, or the cookie POST /login sets). An Addr that is not a
	// loopback address needs one.
	Token string
	// Pages draws page images; nil shows the boxes on a blank page.
	Pages PageDrawer
	// Decide records a review decision; nil makes the server read-only.
	Decide func(ctx context.Context, d folio.Decision) (folio.Decision, error)
	// Logger receives request failures; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// withDefaults returns a copy of o with defaults applied.
func (o Options) withDefaults() Options {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Server is the control plane over one output folder.
type Server struct {
	o     Options
	root  *os.Root // the output folder
	key   []byte   // signs session and CSRF tokens; new at every start
	pages map[string]*template.Template
	// drawing bounds the pages drawn at once.
	drawing chan struct{}
	// logins limits login attempts per client; decisions, review writes.
	logins    *RateLimiter
	decisions *RateLimiter
	qcache    qualityCache
	handler   http.Handler
}

// New checks o and returns a server. A non-loopback Addr without a Token is
// an error: the ledger and outputs would be readable by anyone who can
// reach the address.
func New(o Options) (*Server, error) {
	o = o.withDefaults()
	if o.DB == nil {
		return nil, errors.New("serve: no ledger")
	}
	if o.Out == "" {
		return nil, errors.New("serve: no output folder")
	}
	host, _, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return nil, fmt.Errorf("serve: address %q: %w", o.Addr, err)
	}
	if o.Token == "" && !isLoopback(host) {
		return nil, fmt.Errorf("serve: address %s is reachable from other machines: set a token with --token or FOLIO_TOKEN", o.Addr)
	}
	root, err := os.OpenRoot(o.Out)
	if err != nil {
		return nil, fmt.Errorf("serve: open output folder: %w", err)
	}
	s := &Server{
		o:         o,
		root:      root,
		key:       make([]byte, 32),
		drawing:   make(chan struct{}, maxDrawing),
		logins:    NewRateLimiter(time.Second, 5),
		decisions: NewRateLimiter(200*time.Millisecond, 20),
	}
	rand.Read(s.key) // never fails (crypto/rand)
	if s.pages, err = parseTemplates(); err != nil {
		root.Close()
		return nil, fmt.Errorf("serve: %w", err)
	}
	s.handler = s.secure(s.mux())
	return s, nil
}

// isLoopback reports whether host names this machine only.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Handler returns the server's handler, security checks included.
func (s *Server) Handler() http.Handler { return s.handler }

// Addr returns the address ListenAndServe listens on.
func (s *Server) Addr() string { return s.o.Addr }

// Close releases the output folder.
func (s *Server) Close() error { return s.root.Close() }

// ListenAndServe serves on Options.Addr until ctx is done, then shuts down,
// letting requests in flight finish for a few seconds.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.o.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve is ListenAndServe on a listener of the caller's.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the shutdown goroutine when Serve fails
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.o.Logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil {
			s.o.Logger.Warn("shut down", "err", err)
		}
	}()
	s.o.Logger.Info("serving", "url", "http://"+ln.Addr().String()+"/")
	err := hs.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		<-done
		return nil
	}
	return fmt.Errorf("serve: %w", err)
}
