-- Folio ledger, schema 4: spend is append-only; a redone document
-- supersedes its earlier recording instead of deleting it.
--
-- A document may also be partial: written, but some of its pages could not
-- be read (error_kind and error say which); it is done as an ok one is.
--
-- Elements say why they are in review or degraded (reason, fell_back_from),
-- and every element in review has a review row with that reason.
--
-- Every recording of a document (a finished document or a failure) is a row
-- of documents with its own number, rec. Recording the same document id
-- again marks the earlier row superseded (when, and by which rec) and adds a
-- new one, so at most one row per id is current (superseded IS NULL).
-- elements, fragments, calls and review rows belong to one recording by
-- rec; element and fragment ids repeat across recordings of a document.
--
-- Nothing cascades any more: a DELETE of a row that others point at fails,
-- and triggers refuse any DELETE or UPDATE of calls, which are the billing
-- record. Rows written under schemas 1-3 keep their values; each document
-- gets the rec of its old rowid.

CREATE TABLE documents_v4 (
	rec           INTEGER PRIMARY KEY,
	id            TEXT NOT NULL,
	sha256        TEXT NOT NULL,
	path          TEXT NOT NULL,
	bytes         INTEGER NOT NULL,
	format        TEXT NOT NULL,
	pages         INTEGER NOT NULL,
	config        TEXT NOT NULL,
	run           TEXT NOT NULL REFERENCES runs (id),
	status        TEXT NOT NULL CHECK (status IN ('ok', 'partial', 'failed')),
	error_kind    TEXT,
	error         TEXT,
	outputs       TEXT NOT NULL DEFAULT '[]',
	usd_micros          INTEGER NOT NULL DEFAULT 0,
	unpriced            INTEGER NOT NULL DEFAULT 0,
	saved_usd_micros    INTEGER NOT NULL DEFAULT 0,
	baseline_usd_micros INTEGER,
	cheap_baseline_usd_micros INTEGER,
	input_tokens        INTEGER NOT NULL DEFAULT 0,
	output_tokens       INTEGER NOT NULL DEFAULT 0,
	calls               INTEGER NOT NULL DEFAULT 0,
	cache_hits          INTEGER NOT NULL DEFAULT 0,
	finished_at         TEXT NOT NULL,
	pruned              TEXT,
	superseded          TEXT,    -- when a later recording of id replaced this one
	superseded_by       INTEGER, -- that recording's rec
	CHECK ((superseded IS NULL) = (superseded_by IS NULL))
) STRICT;

INSERT INTO documents_v4 (rec, id, sha256, path, bytes, format, pages, config, run,
	status, error_kind, error, outputs, usd_micros, unpriced, saved_usd_micros,
	baseline_usd_micros, input_tokens, output_tokens, calls, cache_hits, finished_at, pruned)
SELECT rowid, id, sha256, path, bytes, format, pages, config, run,
	status, error_kind, error, outputs, usd_micros, unpriced, saved_usd_micros,
	baseline_usd_micros, input_tokens, output_tokens, calls, cache_hits, finished_at, pruned
FROM documents;

CREATE TABLE elements_v4 (
	rec        INTEGER NOT NULL REFERENCES documents_v4 (rec),
	id         TEXT NOT NULL,
	ord        INTEGER NOT NULL,
	type       TEXT NOT NULL,
	level      INTEGER NOT NULL DEFAULT 0,
	page       INTEGER NOT NULL,
	x0         REAL NOT NULL,
	y0         REAL NOT NULL,
	x1         REAL NOT NULL,
	y1         REAL NOT NULL,
	layer      TEXT NOT NULL,
	parent     TEXT,
	caption    TEXT,
	text       TEXT NOT NULL,
	confidence REAL NOT NULL,
	fragment   TEXT,
	model      TEXT,
	status     TEXT,
	reason     TEXT, -- why status is review or degraded
	fell_back_from TEXT, -- degraded: the model wanted but not reached
	PRIMARY KEY (rec, id),
	UNIQUE (rec, ord),
	FOREIGN KEY (rec, parent) REFERENCES elements_v4 (rec, id) DEFERRABLE INITIALLY DEFERRED,
	FOREIGN KEY (rec, caption) REFERENCES elements_v4 (rec, id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

INSERT INTO elements_v4 (rec, id, ord, type, level, page, x0, y0, x1, y1, layer,
	parent, caption, text, confidence, fragment, model, status)
SELECT d.rowid, e.id, e.ord, e.type, e.level, e.page, e.x0, e.y0, e.x1, e.y1, e.layer,
	e.parent, e.caption, e.text, e.confidence, e.fragment, e.model, e.status
FROM elements e JOIN documents d ON d.id = e.document;

CREATE TABLE fragments_v4 (
	rec     INTEGER NOT NULL,
	id      TEXT NOT NULL,
	element TEXT NOT NULL,
	model   TEXT NOT NULL,
	status  TEXT NOT NULL,
	PRIMARY KEY (rec, id),
	FOREIGN KEY (rec, element) REFERENCES elements_v4 (rec, id)
) STRICT;

INSERT INTO fragments_v4 (rec, id, element, model, status)
SELECT d.rowid, f.id, f.element, f.model, f.status
FROM fragments f JOIN elements e ON e.id = f.element JOIN documents d ON d.id = e.document;

CREATE TABLE calls_v4 (
	id               INTEGER PRIMARY KEY,
	rec              INTEGER NOT NULL REFERENCES documents_v4 (rec),
	fragment         TEXT NOT NULL,
	attempt          INTEGER NOT NULL,
	rule             TEXT NOT NULL DEFAULT '',
	model            TEXT NOT NULL,
	endpoint         TEXT NOT NULL DEFAULT '',
	input_tokens     INTEGER NOT NULL DEFAULT 0,
	cached_tokens    INTEGER NOT NULL DEFAULT 0,
	output_tokens    INTEGER NOT NULL DEFAULT 0,
	usd_micros       INTEGER,
	saved_usd_micros INTEGER CHECK (saved_usd_micros IS NULL OR cache_hit = 1),
	latency_us       INTEGER NOT NULL DEFAULT 0,
	cache_hit        INTEGER NOT NULL DEFAULT 0 CHECK (cache_hit IN (0, 1)),
	status           TEXT NOT NULL,
	error_class      TEXT NOT NULL DEFAULT '',
	error            TEXT NOT NULL DEFAULT '',
	retries          INTEGER NOT NULL DEFAULT 0 CHECK (retries >= 0),
	prompt           TEXT NOT NULL DEFAULT '',
	prompt_version   INTEGER NOT NULL DEFAULT 0,
	request_hash     TEXT NOT NULL DEFAULT '',
	created          TEXT NOT NULL,
	image_width            INTEGER NOT NULL DEFAULT 0 CHECK (image_width >= 0),
	image_height           INTEGER NOT NULL DEFAULT 0 CHECK (image_height >= 0),
	image_detail           TEXT NOT NULL DEFAULT '',
	estimated_image_tokens INTEGER NOT NULL DEFAULT 0 CHECK (estimated_image_tokens >= 0),
	estimated_usd_micros   INTEGER, -- what the call was expected to cost; NULL when unknown
	FOREIGN KEY (rec, fragment) REFERENCES fragments_v4 (rec, id)
) STRICT;

INSERT INTO calls_v4 (id, rec, fragment, attempt, rule, model, endpoint,
	input_tokens, cached_tokens, output_tokens, usd_micros, saved_usd_micros,
	latency_us, cache_hit, status, error_class, error, retries, prompt,
	prompt_version, request_hash, created, image_width, image_height,
	image_detail, estimated_image_tokens)
SELECT c.id, d.rowid, c.fragment, c.attempt, c.rule, c.model, c.endpoint,
	c.input_tokens, c.cached_tokens, c.output_tokens, c.usd_micros, c.saved_usd_micros,
	c.latency_us, c.cache_hit, c.status, c.error_class, c.error, c.retries, c.prompt,
	c.prompt_version, c.request_hash, c.created, c.image_width, c.image_height,
	c.image_detail, c.estimated_image_tokens
FROM calls c JOIN fragments f ON f.id = c.fragment
JOIN elements e ON e.id = f.element JOIN documents d ON d.id = e.document;

CREATE TABLE review_v4 (
	rec     INTEGER NOT NULL,
	element TEXT NOT NULL,
	reason  TEXT NOT NULL,
	created TEXT NOT NULL,
	PRIMARY KEY (rec, element, reason),
	FOREIGN KEY (rec, element) REFERENCES elements_v4 (rec, id)
) STRICT;

INSERT INTO review_v4 (rec, element, reason, created)
SELECT d.rowid, r.element, r.reason, r.created
FROM review r JOIN elements e ON e.id = r.element JOIN documents d ON d.id = e.document;

-- A run's summary also counts partial documents and the elements of its
-- documents in review and degraded.
ALTER TABLE runs ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN elements_review INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN elements_degraded INTEGER NOT NULL DEFAULT 0;

-- The same modelled baseline with the policy's cheapest vision model: what
-- sending every page to a cheap model would have cost. NULL when there is
-- none.
ALTER TABLE runs ADD COLUMN cheap_baseline_usd_micros INTEGER;

-- Nothing is left behind: a row that cannot be carried over (an orphan,
-- written with foreign keys off) fails the migration, which then changes
-- nothing.
CREATE TEMP TABLE migration_check (
	name TEXT NOT NULL,
	kept INTEGER NOT NULL,
	CONSTRAINT every_row_carried_over CHECK (kept = 1)
);
INSERT INTO migration_check (name, kept) VALUES
	('documents', (SELECT count(*) FROM documents) = (SELECT count(*) FROM documents_v4)),
	('elements', (SELECT count(*) FROM elements) = (SELECT count(*) FROM elements_v4)),
	('fragments', (SELECT count(*) FROM fragments) = (SELECT count(*) FROM fragments_v4)),
	('calls', (SELECT count(*) FROM calls) = (SELECT count(*) FROM calls_v4)),
	('review', (SELECT count(*) FROM review) = (SELECT count(*) FROM review_v4));
DROP TABLE temp.migration_check;

-- Children first, so that no drop cascades into a table still being read.
DROP TABLE review;
DROP TABLE calls;
DROP TABLE fragments;
DROP TABLE elements;
DROP TABLE documents;

ALTER TABLE documents_v4 RENAME TO documents;
ALTER TABLE elements_v4 RENAME TO elements;
ALTER TABLE fragments_v4 RENAME TO fragments;
ALTER TABLE calls_v4 RENAME TO calls;
ALTER TABLE review_v4 RENAME TO review;

CREATE UNIQUE INDEX documents_current ON documents (id) WHERE superseded IS NULL;
CREATE INDEX documents_sha256_config ON documents (sha256, config);
CREATE INDEX documents_path ON documents (path);
CREATE INDEX documents_run ON documents (run);
CREATE INDEX elements_id ON elements (id);
CREATE INDEX fragments_id ON fragments (id);
CREATE INDEX calls_rec_fragment ON calls (rec, fragment);
CREATE INDEX calls_model ON calls (model);

CREATE TRIGGER calls_no_delete BEFORE DELETE ON calls
BEGIN
	SELECT RAISE(ABORT, 'calls are append-only: a call row is never deleted');
END;

CREATE TRIGGER calls_no_update BEFORE UPDATE ON calls
BEGIN
	SELECT RAISE(ABORT, 'calls are append-only: a call row is never changed');
END;

-- Views for the common questions; docs/ledger.md explains them.

-- Every model call ever made, with the run, document and element type it
-- was made for and whether that recording is still the current one. Local
-- specialists (free), dry-run estimates and calls refused before a request
-- was sent (budget, open breaker) are left out, as in folio cost.
CREATE VIEW model_calls AS
SELECT c.*, d.run AS run, d.id AS document, d.path AS path,
	e.type AS element_type, d.superseded IS NULL AS current
FROM calls c
JOIN documents d ON d.rec = c.rec
JOIN fragments f ON f.rec = c.rec AND f.id = c.fragment
JOIN elements e ON e.rec = f.rec AND e.id = f.element
WHERE NOT (length(c.model) > 6 AND substr(c.model, 1, 6) = 'local/')
	AND c.status != 'estimated' AND c.error_class NOT IN ('budget', 'breaker_open');

-- Money spent per run: every model call, whatever was redone since.
CREATE VIEW spend_by_run AS
SELECT r.id AS run, r.started AS started, count(c.id) AS calls,
	COALESCE(sum(c.cache_hit), 0) AS cache_hits,
	count(c.id) - count(c.usd_micros) AS unpriced,
	COALESCE(sum(c.input_tokens), 0) AS input_tokens,
	COALESCE(sum(c.cached_tokens), 0) AS cached_tokens,
	COALESCE(sum(c.output_tokens), 0) AS output_tokens,
	COALESCE(sum(c.usd_micros), 0) AS usd_micros,
	COALESCE(sum(c.usd_micros) FILTER (WHERE c.status = 'rejected'), 0) AS rejected_usd_micros,
	COALESCE(sum(c.saved_usd_micros), 0) AS saved_usd_micros
FROM runs r LEFT JOIN model_calls c ON c.run = r.id
GROUP BY r.id;

-- The documents whose outputs are live: the current recording of each id,
-- finished (ok, or partial: some pages could not be read) and not pruned.
CREATE VIEW current_documents AS
SELECT * FROM documents
WHERE superseded IS NULL AND status != 'failed' AND pruned IS NULL;
