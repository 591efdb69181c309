package lineage

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/folio/folio"
)

// migrationFS holds the schema migrations, named NNNN_description.sql and
// applied in order. A migration is never edited once released; a change
// is a new file.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in version order, checking that
// they are numbered 1, 2, 3 … without gaps.
func migrations() ([]migration, error) {
	ms, err := readMigrations(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// readMigrations reads dir's NNNN_description.sql files in version order.
func readMigrations(fsys fs.FS, dir string) ([]migration, error) {
	names, err := fs.Glob(fsys, dir+"/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		num, _, ok := strings.Cut(path.Base(name), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name is not NNNN_description.sql", base)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// SchemaVersion is the schema version this package writes: the number of
// the last embedded migration, kept in the file's PRAGMA user_version.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// migrate applies the migrations the file has not seen, all in one immediate
// transaction, so concurrent openers apply each exactly once.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return db.update(ctx, func(tx *writeTx) error {
		var have int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
			return fmt.Errorf("migrate: read schema version: %w", err)
		}
		if want := len(ms); have > want {
			return fmt.Errorf("migrate: ledger has schema version %d, this folio knows %d: upgrade folio", have, want)
		}
		for _, m := range ms[have:] {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migrate %s: %w", m.name, err)
			}
			// PRAGMA takes no parameters; m.version is an integer.
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
				return fmt.Errorf("migrate %s: set schema version: %w", m.name, err)
			}
		}
		return syncErrorClasses(ctx, tx)
	})
}

// syncErrorClasses brings the error_classes table in step with the
// program's classes, so that the views count model calls by the same rule
// as folio.Call.Billable. Classes the program no longer knows stay, as
// calls of them may be on record.
func syncErrorClasses(ctx context.Context, tx *writeTx) error {
	for _, c := range folio.ErrorClasses() {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO error_classes (class, refused) VALUES (?, ?)
			ON CONFLICT (class) DO UPDATE SET refused = excluded.refused WHERE error_classes.refused != excluded.refused`,
			string(c), c.Refused()); err != nil {
			return fmt.Errorf("migrate: error class %s: %w", c, err)
		}
	}
	return nil
}
