// Package lineage is Folio's ledger: runs, documents, elements, fragments and
// every model call, in one SQLite file (github.com/mattn/go-sqlite3). The
// same file holds the model answer cache (Cache, the one part routing may use), run tags and
// the cost report (Cost).
//
// The file is in WAL mode with foreign keys on. Writes go through a single
// connection and BEGIN IMMEDIATE transactions, one per finished document, so
// several processes can share a ledger without "database is locked"; reads
// use a pool of their own and never wait for a writer.
package lineage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/folio/folio"
	"github.com/mattn/go-sqlite3"
)

// ErrNotFound is returned, wrapped, when an id or path is not in the ledger.
var ErrNotFound = errors.New("not found")

// BusyTimeout is how long a write waits for another process's write
// transaction to finish before giving up.
const BusyTimeout = 10 * time.Second

// timeLayout is RFC 3339 in UTC with a fixed number of fraction digits, so
// stored timestamps sort as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// DB is an open ledger. It is safe for concurrent use.
type DB struct {
	path string
	// location is where the ledger was opened from, the password of a
	// server's address included: never logged or shown (path is).
	location string
	write    *sql.DB // one connection; BEGIN IMMEDIATE
	read     *sql.DB // a pool; query only
	// postgres is set for a PostgreSQL ledger, whose one pool is both
	// write and read.
	postgres bool
	hits     *hitCounter

	// Now returns the current time; tests replace it.
	Now func() time.Time
	// Logger receives the failures of best-effort work, such as counting
	// cache hits. Open sets it to discard; replace it before use.
	Logger *slog.Logger
}

var _ folio.Ledger = (*DB)(nil)

// Open opens the ledger at path, creating the file and its parent folder
// when missing, and brings its schema up to date.
func Open(ctx context.Context, path string) (*DB, error) {
	if IsPostgres(path) {
		return openPostgres(ctx, path)
	}
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("open ledger %q: need a file path", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	db := &DB{path: abs, location: abs, Now: time.Now, Logger: slog.New(slog.DiscardHandler)}

	ms := BusyTimeout.Milliseconds()
	db.write, err = sql.Open("sqlite3", dsn(abs,
		"_foreign_keys=on",
		"_synchronous=NORMAL",
		fmt.Sprintf("_busy_timeout=%d", ms),
		"_txlock=immediate",
	))
	if err != nil {
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxIdleTime(0)
	db.write.SetConnMaxLifetime(0)

	if err := db.setWAL(ctx); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	if err := db.migrate(ctx); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}

	db.read, err = sql.Open("sqlite3", dsn(abs,
		"_foreign_keys=on",
		"_query_only=on",
		fmt.Sprintf("_busy_timeout=%d", ms),
	))
	if err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	db.read.SetMaxOpenConns(max(4, runtime.NumCPU()))
	db.hits = newHitCounter()
	go db.countHits()
	return db, nil
}

// setWAL puts the file in WAL mode, which then stays with the file.
// Switching takes an exclusive lock, and SQLite does not wait for it through
// the busy timeout when several processes create a ledger at once, so
// setWAL retries until BusyTimeout has passed.
func (db *DB) setWAL(ctx context.Context) error {
	deadline := time.Now().Add(BusyTimeout)
	for {
		var mode string
		err := db.write.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		switch {
		case err == nil && mode == "wal":
			return nil
		case err == nil:
			return fmt.Errorf("set WAL mode: journal mode is %s", mode)
		case !isBusy(err) || time.Now().After(deadline):
			return fmt.Errorf("set WAL mode: %w", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("set WAL mode: %w", ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var e sqlite3.Error
	return errors.As(err, &e) && (e.Code == sqlite3.ErrBusy || e.Code == sqlite3.ErrLocked)
}

// dsn returns a go-sqlite3 data source name for the file at abs.
func dsn(abs string, params ...string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows volume: file:/C:/…
	}
	u := url.URL{Scheme: "file", OmitHost: true, Path: p}
	return u.String() + "?" + strings.Join(params, "&")
}

// Close writes the cache hits still being counted and closes the ledger.
func (db *DB) Close() error {
	if db.hits != nil {
		db.hits.stop()
	}
	var errs []error
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil && db.write != db.read {
		errs = append(errs, db.write.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close ledger %s: %w", db.path, err)
	}
	return nil
}

// Path returns the ledger file's absolute path.
func (db *DB) Path() string { return db.path }

// writeTx is a write transaction with the fixed time it started at, so every row
// it writes carries the same timestamp.
type writeTx struct {
	*sql.Tx
	now time.Time
	// postgres is set on a PostgreSQL ledger's transactions.
	postgres bool
}

// ErrReadOnly is returned, wrapped, by writes to a ledger opened with
// OpenReadOnly.
var ErrReadOnly = errors.New("ledger opened read-only")

// OpenReadOnly opens the existing ledger at path for reading only: no file
// is created, no schema migrated, nothing written (a dry run's view of the
// ledger: what is done, the response cache, the history of estimates).
// A ledger of another schema version is an error: the next real run
// migrates it.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	return openReadOnly(ctx, path, false)
}

// OpenReadOnlyLive is OpenReadOnly for a long-lived reader, such as folio
// serve: it always reads through SQLite's shared memory, never as an
// immutable file, so that it sees what parses write after it opened.
func OpenReadOnlyLive(ctx context.Context, path string) (*DB, error) {
	return openReadOnly(ctx, path, true)
}

func openReadOnly(ctx context.Context, path string, live bool) (*DB, error) {
	if IsPostgres(path) {
		return openPostgresReadOnly(ctx, path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	db := &DB{path: abs, location: abs, Now: time.Now, Logger: slog.New(slog.DiscardHandler)}
	// A WAL reader needs the -shm and -wal files; when no writer has them
	// open, reading the file as immutable creates neither.
	mode := "immutable=1"
	if _, err := os.Stat(abs + "-wal"); err == nil || live {
		mode = "mode=ro"
	}
	db.read, err = sql.Open("sqlite3", dsn(abs,
		mode,
		"_query_only=on",
		fmt.Sprintf("_busy_timeout=%d", BusyTimeout.Milliseconds()),
	))
	if err != nil {
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	var have int
	if err := db.read.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		db.read.Close()
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	if want := SchemaVersion(); have != want {
		db.read.Close()
		return nil, fmt.Errorf("open ledger %s read-only: schema version %d, this folio reads %d", path, have, want)
	}
	return db, nil
}

// update runs fn in an immediate write transaction, committing when fn
// returns nil and rolling back otherwise.
func (db *DB) update(ctx context.Context, fn func(tx *writeTx) error) error {
	if db.write == nil {
		return ErrReadOnly
	}
	sqltx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	tx := &writeTx{Tx: sqltx, now: db.Now().UTC(), postgres: db.postgres}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the error that matters is fn's
		return err
	}
	// Deferred foreign keys (links between elements) are checked here; a
	// failed commit is rolled back by the driver.
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// IntegrityCheck runs SQLite's integrity and foreign key checks and returns
// an error describing the first problems found, or nil when the ledger is
// sound.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	if db.postgres {
		// PostgreSQL checks foreign keys as it writes and has no
		// integrity pragma: a connection that answers is the check.
		return db.read.PingContext(ctx)
	}
	var problems []string
	rows, err := db.read.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return fmt.Errorf("integrity check: %w", err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}

	rows, err = db.read.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return fmt.Errorf("foreign key check: %w", err)
		}
		problems = append(problems, fmt.Sprintf("%s row %d: missing %s", table, rowid.Int64, parent))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}

	if len(problems) == 0 {
		return nil
	}
	if len(problems) > 10 {
		problems = append(problems[:10], fmt.Sprintf("and %d more", len(problems)-10))
	}
	return fmt.Errorf("integrity check %s: %s", db.path, strings.Join(problems, "; "))
}

// formatTime returns t as stored in the ledger.
func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// parseTime reads a stored timestamp; NULL or empty gives the zero time.
func parseTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s.String)
}
