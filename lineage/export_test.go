package lineage

import (
	"database/sql"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// DashQueries are the control plane's queries whose plans
// TestDashQueriesUseIndexes checks, with arguments to run them.
var DashQueries = map[string][]any{
	runDocumentsQuery: {"run_1", 50, 0},
	runSumsQuery:      {"run_1", "deferred"},
	`SELECT id FROM runs ORDER BY started DESC, id DESC LIMIT ? OFFSET ?`: {50, 0},
}

// SetMinSplitCalls sets the window from which the quality reports read in
// two halves, until restore.
func SetMinSplitCalls(n int64) (restore func()) {
	old := minSplitCalls
	minSplitCalls = n
	return func() { minSplitCalls = old }
}

// WindowsSplit counts the quality windows read in two halves.
func WindowsSplit() int64 { return windowsSplit.Load() }

// OpenRawPostgres opens dsn with plain database/sql, "?" placeholders
// allowed, for checks the API does not offer.
func OpenRawPostgres(dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(rebinding{stdlib.GetConnector(*cfg)}), nil
}

// Rebind is rebind.
var Rebind = rebind
