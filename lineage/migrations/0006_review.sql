-- Folio ledger, schema 6: human review.
--
-- documents.source is where the input was read from when it was recorded
-- (an absolute path), so that its pages can be drawn again for a reviewer;
-- NULL for rows written before schema 6.
--
-- answers keeps, for an element left in review, every answer a person may
-- choose between: the one the element kept and each rejected model answer
-- that could be read. n orders them as they were produced.
--
-- decisions are what reviewers decided, append-only like calls: a later
-- decision on the same element of the same content supersedes an earlier
-- one by being later (higher id). A decision is keyed by the content
-- (sha256) and the element's place (page, type, box) as well as its id, so
-- that it outlives a change of configuration; it is dropped only when the
-- source document changes. fragment is the human fragment's id, model is
-- "human/<reviewer>".
ALTER TABLE documents ADD COLUMN source TEXT;

CREATE TABLE answers (
	rec        INTEGER NOT NULL REFERENCES documents (rec),
	element    TEXT NOT NULL,
	n          INTEGER NOT NULL,
	model      TEXT NOT NULL,
	status     TEXT NOT NULL, -- ok (kept) or rejected
	reason     TEXT NOT NULL DEFAULT '',
	text       TEXT NOT NULL DEFAULT '',
	table_json TEXT, -- folio.Table as JSON
	PRIMARY KEY (rec, element, n),
	FOREIGN KEY (rec, element) REFERENCES elements (rec, id)
) STRICT;

CREATE TABLE decisions (
	id         INTEGER PRIMARY KEY,
	rec        INTEGER NOT NULL REFERENCES documents (rec), -- the recording decided on
	document   TEXT NOT NULL,
	sha256     TEXT NOT NULL,
	path       TEXT NOT NULL,
	element    TEXT NOT NULL,
	page       INTEGER NOT NULL,
	type       TEXT NOT NULL,
	x0         REAL NOT NULL,
	y0         REAL NOT NULL,
	x1         REAL NOT NULL,
	y1         REAL NOT NULL,
	fragment   TEXT NOT NULL,
	reviewer   TEXT NOT NULL,
	action     TEXT NOT NULL CHECK (action IN ('accept', 'correct', 'reject')),
	answer     TEXT NOT NULL DEFAULT '', -- accept: the model whose answer was taken
	text       TEXT NOT NULL DEFAULT '',
	table_json TEXT,
	note       TEXT NOT NULL DEFAULT '',
	created    TEXT NOT NULL
) STRICT;

CREATE INDEX decisions_sha256 ON decisions (sha256);
CREATE INDEX decisions_element ON decisions (element);

CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;

CREATE INDEX elements_status ON elements (status);
CREATE INDEX calls_created ON calls (created);
