-- Schema 7: an index of the model calls that cost money, for the cost and
-- spend reports of folio cost and folio serve.
--
-- Local specialist calls are most of the calls table (one or more per
-- element) and never cost anything, yet a report that scans calls reads
-- every one of them. This partial index holds only the other calls, with
-- every column the reports sum, so that a report reads the index and not
-- the table: on a ledger of 10,000 documents (350,000 calls, 54,000 of
-- them model calls), a cost report by model went from about 350 ms to
-- under 100 ms (BENCHMARKS.md). Its condition is the first term of
-- modelCall (lineage/cost.go), word for word, which SQLite needs to use
-- it; it leads with created for the time range of the spend reports.
CREATE INDEX calls_billable ON calls (created, model, rec, fragment, status, error_class, cache_hit,
	usd_micros, saved_usd_micros, input_tokens, cached_tokens, output_tokens)
	WHERE NOT (length(model) > 6 AND substr(model, 1, 6) = 'local/');
