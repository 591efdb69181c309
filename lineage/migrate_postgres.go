package lineage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
)

// postgresFS holds the PostgreSQL dialect of the migrations, numbered as
// the SQLite ones: a PostgreSQL ledger starts at schema 7, its baseline.
//
//go:embed migrations/postgres/*.sql
var postgresFS embed.FS

func postgresMigrations() ([]migration, error) {
	ms, err := readMigrations(postgresFS, "migrations/postgres")
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 || ms[len(ms)-1].version != SchemaVersion() {
		return nil, fmt.Errorf("postgres migrations end at another version than SQLite's %d", SchemaVersion())
	}
	return ms, nil
}

// migrateLock keys the advisory lock that lets one process at a time
// migrate a PostgreSQL ledger.
const migrateLock = 0x666f6c696f // "folio"

// migratePostgres applies the migrations the database has not seen, in one
// transaction under an advisory lock, so that workers starting together
// apply each once. A database of a newer schema is left untouched.
func (db *DB) migratePostgres(ctx context.Context) error {
	ms, err := postgresMigrations()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return db.update(ctx, func(tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(migrateLock)); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS folio_schema (version bigint NOT NULL)`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		var have int
		err := tx.QueryRowContext(ctx, `SELECT version FROM folio_schema`).Scan(&have)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.ExecContext(ctx, `INSERT INTO folio_schema (version) VALUES (0)`); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
		case err != nil:
			return fmt.Errorf("migrate: read schema version: %w", err)
		}
		if want := SchemaVersion(); have > want {
			return fmt.Errorf("migrate: ledger has schema version %d, this folio knows %d: upgrade folio", have, want)
		}
		for _, m := range ms {
			if m.version <= have {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migrate %s: %w", m.name, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE folio_schema SET version = ?`, m.version); err != nil {
				return fmt.Errorf("migrate %s: set schema version: %w", m.name, err)
			}
		}
		return syncErrorClasses(ctx, tx)
	})
}
