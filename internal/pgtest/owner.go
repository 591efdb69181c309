package pgtest

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// unprivileged is the user initdb and postgres run as when the tests run
// as root, which both refuse.
const unprivileged = "nobody"

// serverUser returns the credentials initdb and postgres run with: nil
// (this process's) unless this process is root.
func serverUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(unprivileged)
	if err != nil {
		return nil, fmt.Errorf("look up user %s to run postgres as (it refuses root): %w", unprivileged, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("user %s: uid %q gid %q", unprivileged, u.Uid, u.Gid)
	}
	// No Groups: the server keeps none of root's supplementary groups.
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// handOver gives dir to cred's user, who creates the data folder and the
// socket in it, and lets that user reach it. Test folders are 0700 (so
// is the folder t.TempDir makes per test): those of its parents that are
// under the temporary folder get the others' search bit, which lets the
// user pass through without listing them. A folder elsewhere that the
// user cannot pass is an error rather than a change outside the tests'
// own folders.
func handOver(dir string, cred *syscall.Credential) error {
	if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
		return fmt.Errorf("give %s to %s: %w", dir, unprivileged, err)
	}
	tmp, err := filepath.Abs(os.TempDir())
	if err != nil {
		return err
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		if mode := fi.Mode().Perm(); mode&0o001 == 0 {
			if !strings.HasPrefix(p, tmp+string(filepath.Separator)) {
				return fmt.Errorf("%s cannot reach %s (%s is %v): use a folder under %s", unprivileged, dir, p, mode, tmp)
			}
			if err := os.Chmod(p, mode|0o001); err != nil {
				return fmt.Errorf("let %s through %s: %w", unprivileged, p, err)
			}
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}
