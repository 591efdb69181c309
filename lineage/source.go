package lineage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Source returns where the input of document docID was read when its
// newest recording (the current one when there is one) was made, an
// absolute path, and the SHA-256 of the bytes read then, so that a caller
// can check the file is still the one parsed before drawing its pages.
// The path is empty for recordings made before schema 6 or of an input
// read from standard input. An unknown id gives an error wrapping
// ErrNotFound.
func (db *DB) Source(ctx context.Context, docID string) (path, sha256 string, err error) {
	var src sql.NullString
	err = db.read.QueryRowContext(ctx, `
		SELECT d.source, d.sha256 FROM documents d WHERE d.id = ? `+newest, docID).Scan(&src, &sha256)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("source of %s: %w", docID, ErrNotFound)
	} else if err != nil {
		return "", "", fmt.Errorf("source of %s: %w", docID, err)
	}
	return src.String, sha256, nil
}

// PageElements returns the elements of document docID's newest recording
// (the current one when there is one) on page, in reading order, refused
// candidates included (they come after the body, Layer "candidate"). An
// element spanning several pages is on the page it starts on. An unknown
// id gives an error wrapping ErrNotFound; a page without elements, none.
func (db *DB) PageElements(ctx context.Context, docID string, page int) ([]ElementRecord, error) {
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("elements of %s page %d: %w", docID, page, err)
	}
	defer tx.Rollback() // read only

	var rec int64
	err = tx.QueryRowContext(ctx, `SELECT d.rec FROM documents d WHERE d.id = ? `+newest, docID).Scan(&rec)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("elements of %s: %w", docID, ErrNotFound)
	} else if err != nil {
		return nil, fmt.Errorf("elements of %s: %w", docID, err)
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT id, ord, type, level, page, x0, y0, x1, y1, layer,
			COALESCE(parent, ''), COALESCE(caption, ''), text, confidence,
			COALESCE(fragment, ''), COALESCE(model, ''), COALESCE(status, ''),
			COALESCE(reason, ''), COALESCE(fell_back_from, '')
		FROM elements WHERE rec = ? AND page = ? ORDER BY ord`, rec, page)
	if err != nil {
		return nil, fmt.Errorf("elements of %s page %d: %w", docID, page, err)
	}
	defer rows.Close()
	els := []ElementRecord{}
	for rows.Next() {
		var e ElementRecord
		if err := rows.Scan(&e.ID, &e.Ord, &e.Type, &e.Level, &e.Page, &e.Box[0], &e.Box[1], &e.Box[2], &e.Box[3], &e.Layer,
			&e.Parent, &e.Caption, &e.Text, &e.Confidence,
			&e.Fragment, &e.Model, &e.Status, &e.Reason, &e.FellBackFrom); err != nil {
			return nil, fmt.Errorf("elements of %s page %d: %w", docID, page, err)
		}
		els = append(els, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("elements of %s page %d: %w", docID, page, err)
	}
	return els, nil
}
