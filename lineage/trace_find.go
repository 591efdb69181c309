package lineage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
)

// MinIDPrefix is the fewest hex digits after the underscore an id prefix
// needs to be resolved: fewer would match most of a large ledger.
const MinIDPrefix = 4

// MaxCandidates is how many matching ids an AmbiguousError lists.
const MaxCandidates = 5

// AmbiguousError is the error of Trace when an id prefix matches several
// ids. Candidates holds up to MaxCandidates of them, sorted; More reports
// that there were others.
type AmbiguousError struct {
	Prefix     string
	Candidates []string
	More       bool
}

func (e *AmbiguousError) Error() string {
	more := ""
	if e.More {
		more = ", …"
	}
	return fmt.Sprintf("ambiguous id prefix %s: matches %s%s", e.Prefix, strings.Join(e.Candidates, ", "), more)
}

// idPrefix is an id kind followed by at least MinIDPrefix hex digits.
var idPrefix = regexp.MustCompile(`^(el|fr|doc|fail)_[0-9a-f]{` + fmt.Sprint(MinIDPrefix) + `,}$`)

// idTable names the table holding the ids of a kind.
func idTable(id string) string {
	switch {
	case strings.HasPrefix(id, "el_"):
		return "elements"
	case strings.HasPrefix(id, "fr_"):
		return "fragments"
	}
	return "documents"
}

// idsWithPrefix returns up to limit distinct ids of table starting with
// prefix, sorted. Ids are ASCII letters, digits and "_", all below "~", so
// the range is the prefix's and uses the table's index on id.
func idsWithPrefix(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, table, prefix string, limit int) ([]string, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT DISTINCT id FROM `+table+` WHERE id >= ? AND id < ? ORDER BY id LIMIT ?`,
		prefix, prefix+"~", limit)
	if err != nil {
		return nil, fmt.Errorf("ids starting with %s: %w", prefix, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("ids starting with %s: %w", prefix, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ids starting with %s: %w", prefix, err)
	}
	return ids, nil
}

// resolvePrefix returns the one id, among current and past recordings,
// that id is a prefix of; an *AmbiguousError when there are several, and
// ErrNotFound when there is none or id is no id prefix.
func resolvePrefix(ctx context.Context, tx *sql.Tx, id string) (string, error) {
	if !idPrefix.MatchString(id) {
		return "", ErrNotFound
	}
	ids, err := idsWithPrefix(ctx, tx, idTable(id), id, MaxCandidates+1)
	if err != nil {
		return "", err
	}
	switch len(ids) {
	case 0:
		return "", ErrNotFound
	case 1:
		return ids[0], nil
	}
	e := &AmbiguousError{Prefix: id, Candidates: ids, More: len(ids) > MaxCandidates}
	if e.More {
		e.Candidates = ids[:MaxCandidates]
	}
	return "", e
}

// CompleteIDs returns up to limit element, fragment and document ids of
// current or past recordings that start with prefix, sorted, for shell
// completion.
func (db *DB) CompleteIDs(ctx context.Context, prefix string, limit int) ([]string, error) {
	var ids []string
	for _, table := range []string{"documents", "elements", "fragments"} {
		got, err := idsWithPrefix(ctx, db.read, table, prefix, limit)
		if err != nil {
			return nil, err
		}
		ids = append(ids, got...)
	}
	slices.Sort(ids)
	return ids[:min(len(ids), limit)], nil
}

// outputPath selects each output path of each recording: documents.outputs
// holds {"path", "sha256"} objects, or under schema 1 bare paths.
func outputPath(postgres bool) string {
	if postgres {
		return `CASE jsonb_typeof(o.value) WHEN 'string' THEN o.value #>> '{}' ELSE o.value ->> 'path' END`
	}
	return `CASE o.type WHEN 'text' THEN o.value ELSE json_extract(o.value, '$.path') END`
}

// outputsOf is the documents joined with their outputs, one row per
// output as o(value).
func outputsOf(postgres bool) string {
	if postgres {
		return `documents d, jsonb_array_elements(d.outputs::jsonb) AS o(value)`
	}
	return `documents d, json_each(d.outputs) o`
}

// traceOutput finds the documents whose outputs include p, a path to an
// output file (OUT/<rel>.json, .md or an asset) from anywhere: the stored
// output path p ends with at a "/" boundary (the longest such, newest
// recording first); failing that, every document with an output path
// ending in "/"+p.
func traceOutput(ctx context.Context, tx *sql.Tx, p string, postgres bool) ([]Trace, error) {
	p, ok := cleanPath(p)
	if !ok {
		return nil, ErrNotFound
	}
	suffixes := pathSuffixes(p)
	var id string
	err := tx.QueryRowContext(ctx, `
		SELECT d.id FROM `+outputsOf(postgres)+`
		WHERE `+outputPath(postgres)+` IN (?`+strings.Repeat(", ?", len(suffixes)-1)+`)
		ORDER BY length(`+outputPath(postgres)+`) DESC, d.superseded IS NULL DESC, d.rec DESC
		LIMIT 1`, suffixes...).Scan(&id)
	switch {
	case err == nil:
		return one(traceDocument(ctx, tx, id))
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("find output: %w", err)
	}

	rows, err := tx.QueryContext(ctx, `
		SELECT d.id FROM `+outputsOf(postgres)+`
		WHERE length(`+outputPath(postgres)+`) > length(?) AND substr(`+outputPath(postgres)+`, length(`+outputPath(postgres)+`) - length(?)) = '/' || ?
		ORDER BY `+outputPath(postgres)+`, d.superseded IS NULL DESC, d.rec DESC`, p, p, p)
	if err != nil {
		return nil, fmt.Errorf("find output: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find output: %w", err)
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("find output: %w", err)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find output: %w", err)
	}
	return traceDocuments(ctx, tx, ids)
}

// cleanPath puts a path given by a user in the form of the ledger's
// relative paths: slashes, no dots, no leading "/". It reports false for
// a path naming no file.
func cleanPath(p string) (string, bool) {
	p = strings.TrimLeft(path.Clean(strings.ReplaceAll(p, `\`, "/")), "/")
	return p, p != "" && p != "."
}

// pathSuffixes returns p and each part of it after a "/", longest first,
// as query arguments.
func pathSuffixes(p string) []any {
	suffixes := []any{p}
	for i := range len(p) {
		if p[i] == '/' && i+1 < len(p) {
			suffixes = append(suffixes, p[i+1:])
		}
	}
	return suffixes
}
