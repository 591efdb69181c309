-- Folio ledger, schema 1.
--
-- Timestamps are UTC text in a fixed-width RFC 3339 form
-- (2006-01-02T15:04:05.000000000Z) so they sort as text. Money is integer
-- micro-dollars; a call whose price is unknown has usd_micros NULL, never 0.
-- A baseline is what sending every page as an image to the policy's
-- baseline model would have cost: NULL when there is none or its price is
-- unknown.

CREATE TABLE runs (
	id            TEXT PRIMARY KEY,
	started       TEXT NOT NULL,
	finished      TEXT,
	version       TEXT NOT NULL,
	config        TEXT NOT NULL,
	args          TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
	ok            INTEGER NOT NULL DEFAULT 0,
	failed        INTEGER NOT NULL DEFAULT 0,
	skipped       INTEGER NOT NULL DEFAULT 0,
	pages         INTEGER NOT NULL DEFAULT 0,
	elements      INTEGER NOT NULL DEFAULT 0,
	usd_micros          INTEGER NOT NULL DEFAULT 0, -- sum of known prices
	unpriced            INTEGER NOT NULL DEFAULT 0, -- model calls with unknown price
	saved_usd_micros    INTEGER NOT NULL DEFAULT 0, -- what cache hits would have cost
	baseline_usd_micros INTEGER,
	input_tokens        INTEGER NOT NULL DEFAULT 0,
	output_tokens       INTEGER NOT NULL DEFAULT 0,
	calls               INTEGER NOT NULL DEFAULT 0,
	cache_hits          INTEGER NOT NULL DEFAULT 0,
	seconds             REAL NOT NULL DEFAULT 0
) STRICT;

-- Labels a run carries for cost allocation (folio parse --tag team=finance).
CREATE TABLE run_tags (
	run   TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	key   TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (run, key)
) STRICT;

-- A document row is one input under one configuration: a finished document
-- (status ok, id = folio document id) or a failed one (status failed, id
-- "fail_…" derived from content, run and path).
CREATE TABLE documents (
	id            TEXT PRIMARY KEY,
	sha256        TEXT NOT NULL,
	path          TEXT NOT NULL, -- relative to its input root, forward slashes
	bytes         INTEGER NOT NULL,
	format        TEXT NOT NULL,
	pages         INTEGER NOT NULL,
	config        TEXT NOT NULL,
	run           TEXT NOT NULL REFERENCES runs (id),
	status        TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
	error_kind    TEXT,
	error         TEXT,
	outputs       TEXT NOT NULL DEFAULT '[]', -- JSON array of paths
	usd_micros          INTEGER NOT NULL DEFAULT 0, -- sum of known prices
	unpriced            INTEGER NOT NULL DEFAULT 0, -- model calls with unknown price
	saved_usd_micros    INTEGER NOT NULL DEFAULT 0, -- what cache hits would have cost
	baseline_usd_micros INTEGER,
	input_tokens        INTEGER NOT NULL DEFAULT 0,
	output_tokens       INTEGER NOT NULL DEFAULT 0,
	calls               INTEGER NOT NULL DEFAULT 0,
	cache_hits          INTEGER NOT NULL DEFAULT 0,
	finished_at         TEXT NOT NULL
) STRICT;

CREATE INDEX documents_sha256_config ON documents (sha256, config);
CREATE INDEX documents_path ON documents (path);
CREATE INDEX documents_run ON documents (run);

CREATE TABLE elements (
	id         TEXT PRIMARY KEY,
	document   TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
	ord        INTEGER NOT NULL, -- 0-based reading order
	type       TEXT NOT NULL,
	level      INTEGER NOT NULL DEFAULT 0,
	page       INTEGER NOT NULL,
	x0         REAL NOT NULL,
	y0         REAL NOT NULL,
	x1         REAL NOT NULL,
	y1         REAL NOT NULL,
	layer      TEXT NOT NULL,
	-- Links between elements of a document may point forward in reading
	-- order, so they are checked at commit.
	parent     TEXT REFERENCES elements (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
	caption    TEXT REFERENCES elements (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
	text       TEXT NOT NULL, -- first 2000 characters
	confidence REAL NOT NULL,
	fragment   TEXT,
	model      TEXT,
	status     TEXT,
	UNIQUE (document, ord)
) STRICT;

CREATE INDEX elements_parent ON elements (parent);
CREATE INDEX elements_caption ON elements (caption);

CREATE TABLE fragments (
	id      TEXT PRIMARY KEY,
	element TEXT NOT NULL REFERENCES elements (id) ON DELETE CASCADE,
	model   TEXT NOT NULL,
	status  TEXT NOT NULL
) STRICT;

CREATE INDEX fragments_element ON fragments (element);

-- One row per attempt at a fragment: a local specialist run or a model
-- request, escalations and retries included. A cache hit is a row with
-- cache_hit 1, costing what it cost (normally 0), and saved_usd_micros what
-- the answer cost when it was bought. No credentials are stored.
CREATE TABLE calls (
	id               INTEGER PRIMARY KEY,
	fragment         TEXT NOT NULL REFERENCES fragments (id) ON DELETE CASCADE,
	attempt          INTEGER NOT NULL,
	rule             TEXT NOT NULL DEFAULT '',
	model            TEXT NOT NULL,
	endpoint         TEXT NOT NULL DEFAULT '',
	input_tokens     INTEGER NOT NULL DEFAULT 0,
	cached_tokens    INTEGER NOT NULL DEFAULT 0,
	output_tokens    INTEGER NOT NULL DEFAULT 0,
	usd_micros       INTEGER, -- NULL when the price is unknown
	saved_usd_micros INTEGER CHECK (saved_usd_micros IS NULL OR cache_hit = 1),
	latency_us       INTEGER NOT NULL DEFAULT 0,
	cache_hit        INTEGER NOT NULL DEFAULT 0 CHECK (cache_hit IN (0, 1)),
	status           TEXT NOT NULL,
	error_class      TEXT NOT NULL DEFAULT '',
	error            TEXT NOT NULL DEFAULT '', -- why an attempt was not kept
	retries          INTEGER NOT NULL DEFAULT 0 CHECK (retries >= 0), -- requests retried within the attempt
	prompt           TEXT NOT NULL DEFAULT '',
	prompt_version   INTEGER NOT NULL DEFAULT 0,
	request_hash     TEXT NOT NULL DEFAULT '',
	created          TEXT NOT NULL
) STRICT;

CREATE INDEX calls_fragment ON calls (fragment);
CREATE INDEX calls_model ON calls (model);

-- Elements waiting for a person to look at them.
CREATE TABLE review (
	element TEXT NOT NULL REFERENCES elements (id) ON DELETE CASCADE,
	reason  TEXT NOT NULL,
	created TEXT NOT NULL,
	PRIMARY KEY (element, reason)
) STRICT;

-- The prices used to cost calls, per million tokens, as seen at a time.
CREATE TABLE prices (
	model                        TEXT NOT NULL,
	input_per_mtok_micros        INTEGER,
	cached_input_per_mtok_micros INTEGER,
	output_per_mtok_micros       INTEGER,
	source                       TEXT NOT NULL,
	seen                         TEXT NOT NULL,
	PRIMARY KEY (model, source, seen)
) STRICT;

-- Model answers by request key (a hash of the whole request and its prompt
-- template version), so that a re-run pays nothing twice. hits and
-- last_used are kept up to date on a best-effort basis.
CREATE TABLE cache (
	key       TEXT PRIMARY KEY,
	value     BLOB NOT NULL,
	created   TEXT NOT NULL,
	last_used TEXT NOT NULL,
	hits      INTEGER NOT NULL DEFAULT 0
) STRICT;
