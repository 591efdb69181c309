package pgtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// query runs sql on dsn with psql and fails the test on an error.
func query(t *testing.T, s *Server, dsn, sql string) string {
	t.Helper()
	out, err := s.Psql(testContext(t), dsn, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func TestStartServesTheTestDatabase(t *testing.T) {
	t.Parallel()
	s := New(t)
	got := query(t, s, s.DSN(), "SELECT current_database(), current_user, current_setting('port'), current_setting('fsync'), current_setting('server_encoding')")
	want := strings.Join([]string{DefaultDatabase, User, strconv.Itoa(s.Port()), "off", "UTF8"}, "|")
	if got != want {
		t.Errorf("server settings: got %q, want %q", got, want)
	}
	if want := "postgres://folio@127.0.0.1:" + strconv.Itoa(s.Port()) + "/folio_test?sslmode=disable"; s.DSN() != want {
		t.Errorf("DSN() = %q, want %q", s.DSN(), want)
	}
	// As root, the server runs as nobody, which it requires.
	if os.Geteuid() == 0 {
		var st syscall.Stat_t
		if err := syscall.Stat("/proc/"+strconv.Itoa(s.PID()), &st); err != nil {
			t.Fatal(err)
		}
		if st.Uid == 0 {
			t.Errorf("postmaster %d runs as root", s.PID())
		}
	}
	if _, err := os.Stat(s.Dir() + "/postgres.log"); err != nil {
		t.Errorf("no server log: %v", err)
	}
}

func TestCreateDatabaseIsSeparate(t *testing.T) {
	t.Parallel()
	s := New(t)
	ctx := testContext(t)
	dsn, err := s.CreateDatabase(ctx, "second")
	if err != nil {
		t.Fatal(err)
	}
	query(t, s, dsn, "CREATE TABLE only_here (x int); INSERT INTO only_here VALUES (7)")
	if got := query(t, s, dsn, "SELECT current_database(), x FROM only_here"); got != "second|7" {
		t.Errorf("second database: got %q, want %q", got, "second|7")
	}
	if _, err := s.Psql(ctx, s.DSN(), "SELECT x FROM only_here"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("table of the second database seen in %s: err = %v", DefaultDatabase, err)
	}
	if _, err := s.CreateDatabase(ctx, "second"); err == nil {
		t.Error("creating a database twice: no error")
	}
	for _, name := range []string{"", "Upper", "a-b", "x; DROP DATABASE folio_test", strings.Repeat("a", 64)} {
		if _, err := s.CreateDatabase(ctx, name); err == nil || !strings.Contains(err.Error(), "identifier") {
			t.Errorf("CreateDatabase(%q): err = %v, want a rejected name", name, err)
		}
	}
	if err := s.DropDatabase(ctx, "second"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Psql(ctx, dsn, "SELECT 1"); err == nil {
		t.Error("dropped database still accepts connections")
	}
}

func TestKillThenRestartRecovers(t *testing.T) {
	t.Parallel()
	s := New(t)
	ctx := testContext(t)
	// An open session, so that the kill has a backend to take down too.
	query(t, s, s.DSN(), "CREATE TABLE kept (x int); INSERT INTO kept VALUES (1), (2)")
	pid, kids := s.PID(), children(s.PID())
	if len(kids) == 0 && hasProc() {
		t.Fatalf("postmaster %d has no children", pid)
	}
	if err := s.Kill(); err != nil {
		t.Fatal(err)
	}
	assertGone(t, append(kids, pid))
	if _, err := s.Psql(ctx, s.DSN(), "SELECT 1"); err == nil {
		t.Fatal("killed server still answers")
	}
	if err := s.Kill(); err == nil {
		t.Error("killing a killed server: no error")
	}
	port := s.Port()
	if err := s.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Port() != port || s.PID() == pid || s.PID() == 0 {
		t.Errorf("after restart: port %d (was %d), pid %d (was %d)", s.Port(), port, s.PID(), pid)
	}
	// Committed rows survive the crash: the WAL was written (not synced)
	// at each commit.
	if got := query(t, s, s.DSN(), "SELECT sum(x) FROM kept"); got != "3" {
		t.Errorf("rows after crash recovery: sum %q, want 3", got)
	}
	if log, _ := os.ReadFile(s.Dir() + "/postgres.log"); !strings.Contains(string(log), "not properly shut down") {
		t.Error("the restart did not recover from a crash, by its log")
	}
}

func TestStopLeavesNoProcess(t *testing.T) {
	t.Parallel()
	s := New(t)
	ctx := testContext(t)
	query(t, s, s.DSN(), "SELECT 1")
	pid, kids := s.PID(), children(s.PID())
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	assertGone(t, append(kids, pid))
	if s.PID() != 0 {
		t.Errorf("PID() = %d after Stop", s.PID())
	}
	if err := s.Stop(); err != nil {
		t.Errorf("stopping a stopped server: %v", err)
	}
	if _, err := s.Psql(ctx, s.DSN(), "SELECT 1"); err == nil {
		t.Error("stopped server still answers")
	}
	// A start on a port another process holds fails, saying so, with
	// the server's log.
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(s.Port()))
	if err != nil {
		t.Skipf("port %d taken meanwhile: %v", s.Port(), err)
	}
	err = s.Restart(ctx)
	l.Close()
	if !errors.Is(err, errPortTaken) || !strings.Contains(err.Error(), "postgres.log") {
		t.Errorf("start on a taken port: err = %v, want errPortTaken with the log", err)
	}
	if err := s.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if got := query(t, s, s.DSN(), "SELECT 1"); got != "1" {
		t.Errorf("after restart: %q", got)
	}
}

func TestDatabasePerTest(t *testing.T) {
	var first string
	t.Run("create", func(t *testing.T) {
		first = Database(t)
		s := Shared(t)
		query(t, s, first, "CREATE TABLE t (x int)")
		second := Database(t)
		if second == first {
			t.Fatalf("two tests got the same database %s", first)
		}
		if _, err := s.Psql(testContext(t), second, "SELECT * FROM t"); err == nil {
			t.Error("a table of one test's database is seen in another's")
		}
	})
	s := Shared(t)
	name := first[strings.LastIndexByte(first, '/')+1 : strings.IndexByte(first, '?')]
	if got := query(t, s, s.DSN(), "SELECT count(*) FROM pg_database WHERE datname = '"+name+"'"); got != "0" {
		t.Errorf("database %s left after its test", name)
	}
	if Shared(t) != s {
		t.Error("Shared started a second server")
	}
}

// fakeTB records how notStarted ends a test.
type fakeTB struct {
	testing.TB
	skipped, failed bool
}

func (f *fakeTB) Helper()                  {}
func (f *fakeTB) Skipf(string, ...any)     { f.skipped = true }
func (f *fakeTB) Fatal(...any)             { f.failed = true }
func (f *fakeTB) Fatalf(string, ...any)    { f.failed = true }
func (f *fakeTB) Skip(...any)              { f.skipped = true }
func (f *fakeTB) Errorf(string, ...any)    { f.failed = true }
func (f *fakeTB) Error(...any)             { f.failed = true }
func (f *fakeTB) Logf(string, ...any)      {}
func (f *fakeTB) Cleanup(func())           {}
func (f *fakeTB) Setenv(k, v string)       {}
func (f *fakeTB) TempDir() string          { return "" }
func (f *fakeTB) Name() string             { return "fake" }
func (f *fakeTB) Failed() bool             { return f.failed }
func (f *fakeTB) Skipped() bool            { return f.skipped }
func (f *fakeTB) Log(...any)               {}
func (f *fakeTB) SkipNow()                 { f.skipped = true }
func (f *fakeTB) FailNow()                 { f.failed = true }
func (f *fakeTB) Fail()                    { f.failed = true }
func (f *fakeTB) Chdir(string)             {}
func (f *fakeTB) Context() context.Context { return context.Background() }

func TestNotStartedSkipsOnlyWhenMissing(t *testing.T) {
	missing := errors.New("wrapped: " + ErrNotFound.Error())
	for _, tc := range []struct {
		name    string
		err     error
		require string
		skip    bool
	}{
		{"missing", errors.Join(ErrNotFound, missing), "", true},
		{"missing but required", errors.Join(ErrNotFound, missing), "1", false},
		{"failed start", errors.New("initdb: exit status 1"), "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(RequireEnv, tc.require)
			var f fakeTB
			notStarted(&f, tc.err)
			if f.skipped != tc.skip || f.failed == tc.skip {
				t.Errorf("skipped %v failed %v, want skipped %v", f.skipped, f.failed, tc.skip)
			}
		})
	}
}

// hasProc reports whether processes can be listed (Linux's /proc).
func hasProc() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
}

// assertGone checks that none of pids is alive; a killed child may take
// a moment to be reaped.
func assertGone(t *testing.T, pids []int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if alive(pid) {
			t.Errorf("process %d still runs", pid)
		}
	}
}

// alive reports whether pid is a running process, not counting a zombie
// (dead, waiting for its new parent to reap it).
func alive(pid int) bool {
	if hasProc() {
		state, _ := procStat(pid)
		return state != "" && state != "Z"
	}
	return syscall.Kill(pid, 0) == nil
}

// helperEnv, set to a folder, makes TestHelperServer start a server
// there, print its pid and wait to be killed.
const helperEnv = "FOLIO_PGTEST_HELPER_DIR"

func TestHelperServer(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		t.Skip("helper of TestDyingTestLeavesNoServer")
	}
	s, err := Start(testContext(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("pid %d\n", s.PID())
	time.Sleep(time.Minute)
}

// A test process that dies without stopping its server takes the server
// with it.
func TestDyingTestLeavesNoServer(t *testing.T) {
	t.Parallel()
	if _, err := findBinaries(); err != nil {
		notStarted(t, err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServer$", "-test.v")
	cmd.Env = append(os.Environ(), helperEnv+"="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	pid := 0
	sc := bufio.NewScanner(out)
	for pid == 0 && sc.Scan() {
		fmt.Sscanf(sc.Text(), "pid %d", &pid)
	}
	if pid == 0 {
		t.Fatal("the helper printed no server pid")
	}
	kids := children(pid)
	if !alive(pid) {
		t.Fatalf("server %d is not running", pid)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	assertGone(t, append(kids, pid))
}
