package lineage

// DashQueries are the control plane's queries whose plans
// TestDashQueriesUseIndexes checks, with arguments to run them.
var DashQueries = map[string][]any{
	runDocumentsQuery: {"run_1", 50, 0},
	runSumsQuery:      {"run_1", "deferred"},
	`SELECT id FROM runs ORDER BY started DESC, id DESC LIMIT ? OFFSET ?`: {50, 0},
}
