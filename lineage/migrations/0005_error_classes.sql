-- Folio ledger, schema 5: the error classes of calls, as the program knows
-- them (folio.ErrorClasses), kept in step at every open that may write.
-- refused marks the classes of calls refused before any request was sent
-- (budget, open breaker): they cost nothing and are not model calls. The
-- model_calls view, and through it spend_by_run, reads the rule from here,
-- as folio cost does, instead of naming the classes itself.
CREATE TABLE error_classes (
	class   TEXT PRIMARY KEY,
	refused INTEGER NOT NULL CHECK (refused IN (0, 1))
);
INSERT INTO error_classes (class, refused) VALUES ('budget', 1), ('breaker_open', 1);

DROP VIEW model_calls;
CREATE VIEW model_calls AS
SELECT c.*, d.run AS run, d.id AS document, d.path AS path,
	e.type AS element_type, d.superseded IS NULL AS current
FROM calls c
JOIN documents d ON d.rec = c.rec
JOIN fragments f ON f.rec = c.rec AND f.id = c.fragment
JOIN elements e ON e.rec = f.rec AND e.id = f.element
WHERE NOT (length(c.model) > 6 AND substr(c.model, 1, 6) = 'local/')
	AND c.status != 'estimated'
	AND c.error_class NOT IN (SELECT class FROM error_classes WHERE refused);
