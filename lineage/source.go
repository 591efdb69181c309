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
