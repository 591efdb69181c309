package lineage_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
)

// A PostgreSQL ledger that does not answer is a temporary failure naming
// the host, never the password.
func TestOpenPostgres_unreachable(t *testing.T) {
	_, err := lineage.Open(context.Background(), "postgres://folio:s3cret@127.0.0.1:1/ledger?sslmode=disable&connect_timeout=2")
	if !errors.Is(err, folio.ErrLedgerUnavailable) || !strings.Contains(err.Error(), "127.0.0.1:1") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("Open of a closed port: %v; want ErrLedgerUnavailable naming the host, without the password", err)
	}
}

func TestRedactDSN(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://folio:s3cret@db.internal:5432/ledger?sslmode=require": "postgres://folio:xxxxx@db.internal:5432/ledger?sslmode=require",
		"postgresql://u@h/d?password=s3cret&sslmode=disable":              "postgresql://u@h/d?password=xxxxx&sslmode=disable",
		"postgres://u@h/d":         "postgres://u@h/d",
		"out/folio.db":             "out/folio.db",
		"postgres://u:p@h:bad:/d%": "postgres://(unparsable)",
	} {
		if got := lineage.RedactDSN(in); got != want {
			t.Errorf("RedactDSN(%q) = %q, want %q", in, got, want)
		}
	}
}

// The placeholders of a query written for SQLite become PostgreSQL's,
// outside quotes and comments.
func TestRebind(t *testing.T) {
	for in, want := range map[string]string{
		"SELECT ? , ?":                                "SELECT $1 , $2",
		"VALUES (?1, ?2, ?3, ?3)":                     "VALUES ($1, $2, $3, $3)",
		"WHERE a = '?' AND b = ? -- why?\n AND c = ?": "WHERE a = '?' AND b = $1 -- why?\n AND c = $2",
		`SELECT "a?" FROM t WHERE x = ?`:              `SELECT "a?" FROM t WHERE x = $1`,
		"SELECT 1":                                    "SELECT 1",
	} {
		if got := lineage.Rebind(in); got != want {
			t.Errorf("rebind(%q) = %q, want %q", in, got, want)
		}
	}
}
