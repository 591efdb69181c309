package lineage

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of a run tag, in characters.
const (
	MaxTagKey   = 64
	MaxTagValue = 256
)

// CheckTag reports whether key=value can be a run tag: a non-empty key of
// at most MaxTagKey characters without "=", a value of at most MaxTagValue
// characters, both valid UTF-8 without control characters.
func CheckTag(key, value string) error {
	switch {
	case key == "":
		return errors.New("tag: empty key")
	case !utf8.ValidString(key):
		return fmt.Errorf("tag %q: key is not UTF-8", key)
	case utf8.RuneCountInString(key) > MaxTagKey:
		return fmt.Errorf("tag %q: key longer than %d characters", key, MaxTagKey)
	case strings.Contains(key, "="):
		return fmt.Errorf("tag %q: key contains \"=\"", key)
	case strings.IndexFunc(key, unicode.IsControl) >= 0:
		return fmt.Errorf("tag %q: key contains a control character", key)
	case !utf8.ValidString(value):
		return fmt.Errorf("tag %s: value is not UTF-8", key)
	case utf8.RuneCountInString(value) > MaxTagValue:
		return fmt.Errorf("tag %s: value longer than %d characters", key, MaxTagValue)
	case strings.IndexFunc(value, unicode.IsControl) >= 0:
		return fmt.Errorf("tag %s: value contains a control character", key)
	}
	return nil
}

// SetRunTags makes tags the tags of a started run, replacing any it had,
// for cost allocation (Cost by "tag"). Every tag must pass CheckTag; if one
// does not, nothing changes. An unknown run gives an error wrapping
// ErrNotFound.
func (db *DB) SetRunTags(ctx context.Context, run string, tags map[string]string) error {
	keys := slices.Sorted(maps.Keys(tags))
	for _, k := range keys {
		if err := CheckTag(k, tags[k]); err != nil {
			return fmt.Errorf("set tags of run %s: %w", run, err)
		}
	}
	err := db.update(ctx, func(tx *writeTx) error {
		var ok bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?)`, run).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM run_tags WHERE run = ?`, run); err != nil {
			return err
		}
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO run_tags (run, key, value) VALUES (?, ?, ?)`, run, k, tags[k]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set tags of run %s: %w", run, err)
	}
	return nil
}
