package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// RequireEnv names the environment variable that, set to 1, makes tests
// fail instead of skipping when PostgreSQL is not installed (for CI).
const RequireEnv = "FOLIO_REQUIRE_POSTGRES"

// startTimeout bounds the start of a test's server.
const startTimeout = 2 * time.Minute

// shared is this test process's shared server, started by the first
// Shared and stopped by Main.
var shared struct {
	mu      sync.Mutex
	inMain  bool // Main runs the tests
	started bool
	srv     *Server
	dir     string
	err     error
}

// dbSeq numbers the databases Database creates.
var dbSeq atomic.Int64

// Main runs a package's tests and benchmarks, then stops the shared
// server and removes its folder; it returns m.Run's exit code, or 1 when
// the server did not stop cleanly. A package that uses Shared or Database
// calls it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	shared.mu.Lock()
	shared.inMain = true
	shared.mu.Unlock()
	code := m.Run()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.srv != nil {
		if err := shared.srv.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	if shared.dir != "" {
		_ = os.RemoveAll(shared.dir)
	}
	return code
}

// Shared returns this test process's shared server, starting it on first
// use. Tests share it, so they must not stop, kill or restart it (New
// gives a test a server of its own); Database gives each test a database
// of its own. The test is skipped when PostgreSQL is not installed,
// unless FOLIO_REQUIRE_POSTGRES=1, and fails when the server does not
// start or when the package's TestMain does not run Main.
func Shared(tb testing.TB) *Server {
	tb.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.inMain {
		tb.Fatal("pgtest.Shared: the package's TestMain must run pgtest.Main, which stops the shared server")
	}
	if !shared.started {
		shared.started = true
		shared.srv, shared.dir, shared.err = startShared()
	}
	if shared.err != nil {
		notStarted(tb, shared.err)
	}
	return shared.srv
}

// startShared starts the shared server in a new temporary folder.
func startShared() (*Server, string, error) {
	if _, err := findBinaries(); err != nil {
		return nil, "", err
	}
	dir, err := os.MkdirTemp("", "folio-pgtest-")
	if err != nil {
		return nil, "", fmt.Errorf("start shared postgres: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	s, err := Start(ctx, dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, "", err
	}
	return s, dir, nil
}

// Database creates a database of the test's own on the shared server and
// returns its URL; it is dropped when the test ends.
func Database(tb testing.TB) string {
	tb.Helper()
	s := Shared(tb)
	name := fmt.Sprintf("test_%d", dbSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	dsn, err := s.CreateDatabase(ctx, name)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		if err := s.DropDatabase(ctx, name); err != nil {
			tb.Error(err)
		}
	})
	return dsn
}

// New starts a server of the test's own in a temporary folder, for tests
// that kill or restart it; it is stopped when the test ends. It skips or
// fails as Shared does.
func New(tb testing.TB) *Server {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	s, err := Start(ctx, tb.TempDir())
	if err != nil {
		notStarted(tb, err)
	}
	tb.Cleanup(func() {
		if err := s.Stop(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

// notStarted skips the test when PostgreSQL is not installed and
// RequireEnv is not set, and fails it otherwise.
func notStarted(tb testing.TB, err error) {
	tb.Helper()
	if errors.Is(err, ErrNotFound) && os.Getenv(RequireEnv) != "1" {
		tb.Skipf("PostgreSQL test skipped: %v", err)
		return
	}
	tb.Fatal(err)
}
