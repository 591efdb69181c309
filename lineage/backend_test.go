package lineage_test

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/folio/folio/internal/pgtest"
	"github.com/folio/folio/lineage"
)

// The ledger suite runs on SQLite, and on PostgreSQL when
// FOLIO_TEST_LEDGER=postgres: each ledger file a test names is then a
// database of its own on the test server, the same one for the same path.
var (
	onPostgres = os.Getenv("FOLIO_TEST_LEDGER") == "postgres"
	pgMu       sync.Mutex
	pgMade     = map[string]string{}
)

// ledgerAt is the ledger location a test's file path stands for: on
// PostgreSQL, a fresh database on the test server, the same one for the
// same path.
func ledgerAt(tb testing.TB, path string) string {
	if !onPostgres || lineage.IsPostgres(path) {
		return path
	}
	tb.Helper()
	pgMu.Lock()
	defer pgMu.Unlock()
	if dsn, ok := pgMade[path]; ok {
		return dsn
	}
	dsn := pgtest.Database(tb)
	pgMade[path] = dsn
	return dsn
}

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// sqliteOnly marks a test about the SQLite file itself (pragmas, the
// journal, read-only file modes, migrations from schemas before 7, which
// no PostgreSQL ledger ever had): it does not run on PostgreSQL.
func sqliteOnly(t *testing.T) {
	t.Helper()
	if onPostgres {
		t.Skip("about the SQLite file; the PostgreSQL ledger has its own test")
	}
}

// schemaVersionSQL sets the ledger's schema version, as a newer folio would.
func schemaVersionSQL(v int) string {
	if onPostgres {
		return fmt.Sprintf("UPDATE folio_schema SET version = %d", v)
	}
	return fmt.Sprintf("PRAGMA user_version = %d", v)
}

// schemaVersionQuery reads the ledger's schema version.
func schemaVersionQuery() string {
	if onPostgres {
		return "SELECT version FROM folio_schema"
	}
	return "PRAGMA user_version"
}

// columnsQuery lists every table column as rows of m.name (the table) and
// c.name (the column), for a WHERE clause to follow.
func columnsQuery() string {
	if onPostgres {
		return `SELECT m.name || '.' || c.name FROM
			(SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE') m
			JOIN (SELECT table_name, column_name AS name FROM information_schema.columns WHERE table_schema = 'public') c
			ON c.table_name = m.name WHERE true`
	}
	return `SELECT m.name || '.' || c.name FROM sqlite_schema m, pragma_table_info(m.name) c WHERE m.type = 'table'`
}

// beginWriting starts a transaction that holds the ledger's write lock.
func beginWriting() string {
	if onPostgres {
		return "BEGIN; LOCK TABLE cache IN EXCLUSIVE MODE"
	}
	return "BEGIN IMMEDIATE"
}
