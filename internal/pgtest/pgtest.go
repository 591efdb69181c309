// Package pgtest runs throwaway PostgreSQL servers for tests: initdb into
// a temporary folder, a postgres on a free loopback port with durability
// turned off, and a stop at the end. Tests need nothing running
// beforehand, only Debian's postgresql package (make deps).
//
// Most tests share one server per test process (Shared, Database, with
// Main in the package's TestMain); tests that kill or restart a server
// start one of their own (New, or Start).
//
// initdb and postgres refuse to run as root: when the tests do, they run
// as the user nobody, and the folder given to Start is handed to it.
// Clients connect over TCP to 127.0.0.1 as the superuser folio without a
// password (trust), so any local user could too while a test runs.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	// User is the superuser the server is initialised with.
	User = "folio"
	// DefaultDatabase is the database Start creates, which DSN names.
	DefaultDatabase = "folio_test"
)

const (
	// portTries bounds the free ports tried: another process may take
	// the port between the probe that found it free and postgres's bind.
	portTries = 5
	// readyTimeout bounds a start, crash recovery included, when the
	// caller's context has no earlier deadline.
	readyTimeout = time.Minute
	// stopTimeout bounds a fast shutdown before the server is killed.
	stopTimeout = 30 * time.Second
	// logTail is how much of postgres.log a failure quotes.
	logTail = 2048
)

// settings make the server fast and small: a test's data need not
// survive a crash of the machine, and tests open few connections. A
// killed server still has every committed transaction: each commit
// writes its WAL to the operating system, which keeps it (no fsync);
// synchronous_commit stays on because off leaves the last commits in
// the server's memory, where Kill loses them (measured: a table created
// just before the kill was gone after recovery).
var settings = []string{
	"fsync=off",
	"full_page_writes=off",
	"max_connections=100",
	"shared_buffers=16MB",
}

// Server is one PostgreSQL server with its data folder. Its methods may
// be called from several goroutines.
type Server struct {
	dir  string // holds data/, postgres.log and the Unix socket
	port int
	bin  binaries
	cred *syscall.Credential // nil: programs run as this process

	mu   sync.Mutex
	proc *postmaster // nil when stopped
}

// postmaster is one run of the server's main process.
type postmaster struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once cmd.Wait returned
	err    error         // cmd.Wait's, set before exited is closed
}

func (p *postmaster) hasExited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// Start creates a cluster in dir/data (dir is created if missing), starts
// postgres on a free loopback port and creates DefaultDatabase. Its log
// is dir/postgres.log; a failure quotes its end. ErrNotFound means
// PostgreSQL is not installed. The server runs until Stop or Kill, or
// until this process exits; ctx bounds only the start.
func Start(ctx context.Context, dir string) (*Server, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	cred, err := serverUser()
	if err != nil {
		return nil, err
	}
	if cred != nil {
		if err := handOver(dir, cred); err != nil {
			return nil, err
		}
	}
	s := &Server{dir: dir, bin: bin, cred: cred}
	if err := s.initdb(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for try := 1; ; try++ {
		if s.port, err = freePort(); err != nil {
			return nil, err
		}
		err = s.start(ctx)
		if err == nil {
			break
		}
		if !errors.Is(err, errPortTaken) || try == portTries {
			return nil, err
		}
	}
	if _, err := s.createDatabase(ctx, DefaultDatabase); err != nil {
		_ = s.stop()
		return nil, err
	}
	return s, nil
}

// DSN returns the URL of DefaultDatabase.
func (s *Server) DSN() string { return s.dsn(DefaultDatabase) }

// Port returns the server's TCP port on 127.0.0.1; it stays the same
// across restarts.
func (s *Server) Port() int { return s.port }

// Dir returns the folder given to Start.
func (s *Server) Dir() string { return s.dir }

// PID returns the postmaster's process id, 0 when the server is stopped.
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return 0
	}
	return s.proc.cmd.Process.Pid
}

func (s *Server) dsn(db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", User, s.port, db)
}

// validName matches the database names CreateDatabase accepts: plain
// identifiers, which need no quoting in SQL nor escaping in a URL.
var validName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// CreateDatabase creates an empty database (from template0) and returns
// its URL. name is a lower-case identifier.
func (s *Server) CreateDatabase(ctx context.Context, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createDatabase(ctx, name)
}

func (s *Server) createDatabase(ctx context.Context, name string) (string, error) {
	if !validName.MatchString(name) {
		return "", fmt.Errorf("create database %q: want a lower-case identifier", name)
	}
	if _, err := s.Psql(ctx, s.dsn("postgres"), "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return s.dsn(name), nil
}

// DropDatabase drops a database, ending its connections first.
func (s *Server) DropDatabase(ctx context.Context, name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("drop database %q: want a lower-case identifier", name)
	}
	if _, err := s.Psql(ctx, s.dsn("postgres"), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// Psql runs SQL statements with psql on the database at dsn and returns
// what they print, unaligned, without headers ("1|a" a row). It stops at
// the first error, which carries psql's message. It is the client of
// tests that need one without a driver.
func (s *Server) Psql(ctx context.Context, dsn, sql string) (string, error) {
	cmd := exec.CommandContext(ctx, s.bin.psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-c", sql)
	cmd.Env = programEnv()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("psql: %w: %s", err, msg)
		}
		return "", fmt.Errorf("psql: %w", err)
	}
	return strings.TrimRight(string(out), "\n"), nil
}

// Stop shuts the server down (a fast shutdown: sessions are ended, their
// transactions rolled back) and waits until its processes are gone. It
// kills the server if it has not stopped within 30 seconds. Stopping a
// stopped server does nothing.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stop()
}

func (s *Server) stop() error {
	p := s.proc
	if p == nil {
		return nil
	}
	s.proc = nil
	if p.hasExited() {
		return fmt.Errorf("stop postgres: it had exited: %v", p.err)
	}
	_ = p.cmd.Process.Signal(syscall.SIGINT) // fast shutdown
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		killTree(p.cmd.Process.Pid)
		<-p.exited
		return fmt.Errorf("stop postgres: not stopped after %v, killed", stopTimeout)
	}
	if p.err != nil {
		return fmt.Errorf("stop postgres: %w", p.err)
	}
	return nil
}

// Kill kills the server's processes at once, without a shutdown, as a
// crash would, and waits until the postmaster is gone. Restart then
// recovers from the write-ahead log.
func (s *Server) Kill() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.proc
	if p == nil {
		return errors.New("kill postgres: not running")
	}
	s.proc = nil
	killTree(p.cmd.Process.Pid)
	<-p.exited
	return nil
}

// Restart stops the server if it runs and starts it again on the same
// data and port, waiting until it accepts connections.
func (s *Server) Restart(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.proc; p != nil && p.hasExited() {
		s.proc = nil // died on its own: nothing to stop
	}
	if err := s.stop(); err != nil {
		return err
	}
	return s.start(ctx)
}

// errPortTaken is a start that failed because the port was in use.
var errPortTaken = errors.New("port in use")

// initdb creates the cluster in dir/data.
func (s *Server) initdb(ctx context.Context) error {
	log, err := s.openLog()
	if err != nil {
		return err
	}
	defer log.Close()
	off, _ := log.Seek(0, io.SeekEnd)
	cmd := exec.CommandContext(ctx, s.bin.initdb, "-D", s.dataDir(), "-A", "trust", "-U", User,
		"--no-sync", "-E", "UTF8", "--locale=C")
	s.setUp(cmd, log)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("initdb %s: %w%s", s.dataDir(), err, s.tail(off))
	}
	return nil
}

// start starts postgres on s.port and waits until it accepts
// connections. The caller holds s.mu.
func (s *Server) start(ctx context.Context) error {
	log, err := s.openLog()
	if err != nil {
		return err
	}
	defer log.Close() // postgres has its own descriptor
	off, _ := log.Seek(0, io.SeekEnd)
	args := []string{"-D", s.dataDir(), "-h", "127.0.0.1", "-p", strconv.Itoa(s.port), "-k", s.socketDir()}
	for _, set := range settings {
		args = append(args, "-c", set)
	}
	// Not CommandContext: the server outlives the start's context.
	cmd := exec.Command(s.bin.postgres, args...)
	s.setUp(cmd, log)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	p := &postmaster{cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	if err := s.waitReady(ctx, p); err != nil {
		killTree(cmd.Process.Pid)
		<-p.exited
		tail := s.tail(off)
		if strings.Contains(tail, "Address already in use") {
			err = fmt.Errorf("%w: %w", errPortTaken, err)
		}
		return fmt.Errorf("start postgres on port %d: %w%s", s.port, err, tail)
	}
	s.proc = p
	return nil
}

// waitReady waits until the postmaster has written "ready" as its status
// in its lock file, as pg_ctl -w does: it then accepts connections.
func (s *Server) waitReady(ctx context.Context, p *postmaster) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	pid := strconv.Itoa(p.cmd.Process.Pid)
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready: %w", ctx.Err())
		case <-p.exited:
			return fmt.Errorf("postgres exited: %v", p.err)
		case <-tick.C:
		}
		b, err := os.ReadFile(filepath.Join(s.dataDir(), "postmaster.pid"))
		if err != nil {
			continue
		}
		// Lines: pid, data folder, start time, port, socket folder,
		// listen address, shared memory key, status.
		lines := strings.Split(string(b), "\n")
		if len(lines) >= 8 && lines[0] == pid && strings.TrimSpace(lines[7]) == "ready" {
			return nil
		}
	}
}

// setUp makes cmd run in the server's folder as the server's user, with
// its output appended to the log.
func (s *Server) setUp(cmd *exec.Cmd, log *os.File) {
	cmd.Dir = s.dir
	cmd.Env = programEnv()
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = procAttr(s.cred)
}

func (s *Server) dataDir() string { return filepath.Join(s.dir, "data") }

func (s *Server) logPath() string { return filepath.Join(s.dir, "postgres.log") }

// maxSocketPath is the longest Unix socket path Linux takes (108 bytes
// with the terminating zero).
const maxSocketPath = 107

// socketDir returns the folder of the Unix socket: the server's folder,
// or none ("") when the socket's path would be too long there.
// Clients here connect over TCP; the socket serves people looking in.
func (s *Server) socketDir() string {
	if len(s.dir)+len("/.s.PGSQL.65535") > maxSocketPath {
		return ""
	}
	return s.dir
}

func (s *Server) openLog() (*os.File, error) {
	f, err := os.OpenFile(s.logPath(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("postgres log: %w", err)
	}
	return f, nil
}

// tail returns the end of what was logged from offset off on, as an
// error's last lines.
func (s *Server) tail(off int64) string {
	b, err := os.ReadFile(s.logPath())
	if err != nil || int64(len(b)) <= off {
		return ""
	}
	b = b[off:]
	if len(b) > logTail {
		b = b[len(b)-logTail:]
	}
	return "\n" + s.logPath() + ":\n" + strings.TrimSpace(string(b))
}

// programEnv keeps of this process's environment what PostgreSQL's
// programs need: none of the PG* variables (PGPASSWORD, PGHOST, …) that
// would change where psql connects or how.
func programEnv() []string {
	var out []string
	for _, k := range []string{"PATH", "TMPDIR", "TZ"} {
		if v, ok := os.LookupEnv(k); ok {
			out = append(out, k+"="+v)
		}
	}
	return append(out, "LC_ALL=C")
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
