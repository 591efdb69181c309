package synth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"github.com/folio/folio"
)

// writeFile writes data to name under root atomically: a temp file in the
// same directory, written, synced, closed and renamed over name. On failure
// the temp file is removed and name is untouched. The caller syncs the
// directory.
func writeFile(root *os.Root, name string, data []byte) (err error) {
	tmp := tempName(name, rand.Text()[:12])
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create temp file for %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			if rerr := root.Remove(tmp); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
				err = errors.Join(err, fmt.Errorf("remove temp file: %w", rerr))
			}
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", name, err)
	}
	if err := root.Rename(tmp, name); err != nil {
		return fmt.Errorf("rename %s: %w", name, err)
	}
	return nil
}

// syncDir makes the entries of directory name under root durable.
func syncDir(root *os.Root, name string) error {
	d, err := root.Open(name)
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", name, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", name, err)
	}
	return nil
}

// written describes a file written with data.
func written(name string, data []byte) folio.Output {
	sum := sha256.Sum256(data)
	return folio.Output{Path: name, SHA256: hex.EncodeToString(sum[:])}
}
