package lineage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/folio/folio"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// IsPostgres reports whether a ledger location names a PostgreSQL server
// rather than a SQLite file.
func IsPostgres(location string) bool {
	return strings.HasPrefix(location, "postgres://") || strings.HasPrefix(location, "postgresql://")
}

// RedactDSN returns location with any password replaced, for logs, errors
// and runs.args; a location that is not a URL is returned as is.
func RedactDSN(location string) string {
	if !IsPostgres(location) {
		return location
	}
	u, err := url.Parse(location)
	if err != nil {
		return "postgres://(unparsable)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// openPostgres connects to the PostgreSQL ledger at dsn and brings its
// schema up to date. Queries are written once, with SQLite's "?"
// placeholders; the connections turn them into PostgreSQL's "$n".
func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	db, host, err := connectPostgres(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.migratePostgres(ctx); err != nil {
		db.read.Close()
		return nil, fmt.Errorf("open ledger at %s: %w", host, err)
	}
	db.hits = newHitCounter()
	go db.countHits()
	return db, nil
}

// openPostgresReadOnly connects to the PostgreSQL ledger at dsn for reading
// only: nothing is migrated or written, and a schema other than this
// folio's is refused.
func openPostgresReadOnly(ctx context.Context, dsn string) (*DB, error) {
	db, host, err := connectPostgres(ctx, dsn)
	if err != nil {
		return nil, err
	}
	var have int
	if err := db.read.QueryRowContext(ctx, `SELECT version FROM folio_schema`).Scan(&have); err != nil {
		db.read.Close()
		return nil, fmt.Errorf("open ledger at %s read-only: schema version: %w", host, err)
	}
	if want := SchemaVersion(); have != want {
		db.read.Close()
		return nil, fmt.Errorf("open ledger at %s read-only: schema version %d, this folio reads %d", host, have, want)
	}
	db.write = nil
	return db, nil
}

// connectPostgres opens a pool on dsn and checks that the server answers.
func connectPostgres(ctx context.Context, dsn string) (*DB, string, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, "", fmt.Errorf("open ledger %s: %w", RedactDSN(dsn), err)
	}
	host := net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port))
	// Arguments go in the statement's text: PostgreSQL cannot infer the
	// type of a parameter such as length(?), which SQLite never asks.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	pool := sql.OpenDB(rebinding{stdlib.GetConnector(*cfg)})
	pool.SetMaxOpenConns(16)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, BusyTimeout)
	defer cancel()
	if err := pool.PingContext(pctx); err != nil {
		pool.Close()
		// An unreachable server is folio.ErrLedgerUnavailable (lost).
		return nil, host, fmt.Errorf("open ledger at %s: %w", host, err)
	}
	db := &DB{path: RedactDSN(dsn), location: dsn, write: pool, read: pool, postgres: true, Now: time.Now, Logger: slog.New(slog.DiscardHandler)}
	return db, host, nil
}

// rebinding is a connector whose connections accept "?" placeholders.
type rebinding struct{ driver.Connector }

func (r rebinding) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := r.Connector.Connect(ctx)
	if err != nil {
		return nil, lost(err)
	}
	return &rebindConn{c.(*stdlib.Conn)}, nil
}

// rebindConn is a pgx connection that rewrites "?" placeholders.
type rebindConn struct{ *stdlib.Conn }

func (c *rebindConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.Conn.PrepareContext(ctx, rebind(query))
	if err != nil {
		return nil, lost(err)
	}
	return lostStmt{st}, nil
}

func (c *rebindConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	res, err := c.Conn.ExecContext(ctx, rebind(query), args)
	return res, lost(err)
}

func (c *rebindConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.Conn.QueryContext(ctx, rebind(query), args)
	return rows, lost(err)
}

func (c *rebindConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.Conn.BeginTx(ctx, opts)
	if err != nil {
		return nil, lost(err)
	}
	return lostTx{tx}, nil
}

// lostStmt and lostTx mark the errors of prepared statements and commits
// as lost does.
type lostStmt struct{ driver.Stmt }

func (s lostStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	res, err := s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
	return res, lost(err)
}

func (s lostStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	return rows, lost(err)
}

type lostTx struct{ driver.Tx }

func (t lostTx) Commit() error   { return lost(t.Tx.Commit()) }
func (t lostTx) Rollback() error { return lost(t.Tx.Rollback()) }

// lost marks an error that says the server went away (the connection
// failed, broke, or the server is shutting down or starting) as
// folio.ErrLedgerUnavailable, keeping the driver's error in the chain so
// that database/sql still sees a bad connection.
func lost(err error) error {
	if err == nil || errors.Is(err, folio.ErrLedgerUnavailable) {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P01-03: shutdown, crash,
		// cannot connect now.
		if strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03" {
			return fmt.Errorf("%w: %w", folio.ErrLedgerUnavailable, err)
		}
		return err
	}
	var netErr net.Error
	var connErr *pgconn.ConnectError
	if errors.Is(err, driver.ErrBadConn) || errors.As(err, &netErr) || errors.As(err, &connErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || pgconn.SafeToRetry(err) ||
		strings.Contains(err.Error(), "conn closed") {
		return fmt.Errorf("%w: %w", folio.ErrLedgerUnavailable, err)
	}
	return err
}

// rebind turns each "?" outside quotes and comments into "$1", "$2", …,
// and each "?NNN" into "$NNN".
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		ch := q[i]
		switch {
		case ch == '\'' || ch == '"':
			j := i + 1
			for j < len(q) && q[j] != ch {
				j++
			}
			b.WriteString(q[i:min(j+1, len(q))])
			i = j
		case ch == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j - 1
		case ch == '?' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9':
			b.WriteByte('$') // ?NNN, SQLite's numbered parameter, is $NNN
		case ch == '?':
			n++
			fmt.Fprintf(&b, "$%d", n)
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// Ping checks that the PostgreSQL ledger at dsn answers, without touching
// its schema; an error wraps folio.ErrLedgerUnavailable when it does not.
func Ping(ctx context.Context, dsn string) error {
	db, _, err := connectPostgres(ctx, dsn)
	if err != nil {
		return err
	}
	return db.read.Close()
}

// Reopen opens the ledger db was opened from again, for writing: a reader
// that must also record (folio serve's review decisions).
func (db *DB) Reopen(ctx context.Context) (*DB, error) { return Open(ctx, db.location) }
