// Package pgtest runs a real, throwaway PostgreSQL server for tests, from
// the binaries the Debian package installs (apt-get install postgresql):
// the highest version under /usr/lib/postgresql/*/bin, else pg_ctl on PATH.
//
// A test calls New for the DSN of a fresh, empty database. A package whose
// TestMain calls Main shares one server among all its tests (started on the
// first New, stopped after the last test); without Main every New starts
// and stops a server of its own. Without PostgreSQL binaries New skips the
// test, or fails it when the CI environment variable is set: CI must
// install them.
//
// The server keeps PostgreSQL's durable defaults (fsync on), so timings
// measured against it include the commit's flush, as in production. Its
// databases collate with ICU en-US where available, as most production
// databases collate by a language, not by byte: code that forgets
// COLLATE "C" shows up here rather than in production.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// startTimeout bounds how long initdb plus the server's startup may take.
const startTimeout = 60 * time.Second

var (
	sharing    atomic.Bool // Main is running: New uses the shared server
	sharedOnce sync.Once
	shared     *server
	sharedErr  error
	databases  atomic.Int64 // names databases uniquely within the process
)

// Main runs the package's tests (m.Run) with one PostgreSQL server for all
// of them and stops it afterwards. Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	sharing.Store(true)
	code := m.Run()
	if shared != nil {
		if err := shared.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// New returns the DSN of a new, empty database on a running server, which
// t's cleanup drops. It skips t (or, under CI, fails it) when PostgreSQL is
// not installed.
func New(t testing.TB) (dsn string) {
	t.Helper()
	bin, err := findBinDir()
	if err != nil {
		unavailable(t, err)
	}
	var srv *server
	if sharing.Load() {
		sharedOnce.Do(func() { shared, sharedErr = start(bin) })
		if sharedErr != nil {
			t.Fatalf("pgtest: %v", sharedErr)
		}
		srv = shared
	} else {
		srv, err = start(bin)
		if err != nil {
			t.Fatalf("pgtest: %v", err)
		}
		t.Cleanup(func() {
			if err := srv.stop(); err != nil {
				t.Errorf("pgtest: %v", err)
			}
		})
	}
	name := fmt.Sprintf("gloss_test_%d", databases.Add(1))
	if err := srv.admin(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		// Runs after the cleanups registered later, which close the
		// test's connections. DROP waits a few seconds for their server
		// processes to exit and fails if one stays: a leaked connection.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.admin(ctx, "DROP DATABASE "+name); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return srv.dsn(name)
}

// unavailable skips or fails t because PostgreSQL cannot run here.
func unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("pgtest: %v; CI must install PostgreSQL (Debian/Ubuntu: apt-get install -y postgresql)", err)
	}
	t.Skipf("pgtest: skipping: %v; install PostgreSQL (Debian/Ubuntu: apt-get install postgresql) to run this test", err)
}

// errNotInstalled is why New skips.
var errNotInstalled = errors.New("no PostgreSQL server binaries (initdb, postgres, pg_ctl) in /usr/lib/postgresql/*/bin or on PATH")

// findBinDir returns the directory of initdb, postgres and pg_ctl: the
// highest major version the Debian package installed, else PATH's.
func findBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	best, bestVersion := "", []int(nil)
	for _, d := range dirs {
		v, ok := parseVersion(filepath.Base(filepath.Dir(d)))
		if ok && hasServer(d) && newer(v, bestVersion) {
			best, bestVersion = d, v
		}
	}
	if best != "" {
		return best, nil
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil && hasServer(filepath.Dir(p)) {
		return filepath.Dir(p), nil
	}
	return "", errNotInstalled
}

func hasServer(dir string) bool {
	for _, name := range []string{"initdb", "postgres", "pg_ctl"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.IsDir() {
			return false
		}
	}
	return true
}

// parseVersion reads a directory name such as "15" or "9.6".
func parseVersion(s string) ([]int, bool) {
	var v []int
	for _, part := range strings.Split(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil {
			return nil, false
		}
		v = append(v, n)
	}
	return v, true
}

func newer(a, b []int) bool {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return len(a) > len(b)
}

// server is one running postgres process and its temporary directory:
// data/ (the cluster), the unix socket and server.log.
type server struct {
	bin, dir string
	port     int
	owner    *owner // the OS user postgres runs as, if not ourselves
	cmd      *exec.Cmd
	exited   chan struct{} // closed when the postgres process has exited
	waitErr  error         // its exit status, once exited is closed
}

// start creates a cluster in a new temporary directory and starts a server
// on a free loopback port.
func start(bin string) (*server, error) {
	own, err := serverOwner()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, fmt.Errorf("create directory: %w", err)
	}
	s := &server{bin: bin, dir: dir, owner: own}
	if err := s.chown(dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := s.initdb(ctx); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	// The free port may be taken between our check and the server's bind;
	// then the server exits at once and we try another.
	for attempt := 1; ; attempt++ {
		err = s.run(ctx)
		if err == nil {
			return s, nil
		}
		if attempt == 3 || !strings.Contains(s.logText(), "could not bind") {
			os.RemoveAll(dir)
			return nil, err
		}
	}
}

// initdb creates the cluster, trusting every local connection (it is a
// throwaway on loopback). It prefers ICU en-US collation (see the package
// comment) and falls back to the C locale where ICU is unavailable
// (PostgreSQL before 15, or built without it).
func (s *server) initdb(ctx context.Context) error {
	data := filepath.Join(s.dir, "data")
	base := []string{"-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"}
	out, err := s.command(ctx, "initdb", append(base, "--locale-provider=icu", "--icu-locale=en-US")...).CombinedOutput()
	if err == nil {
		return nil
	}
	os.RemoveAll(data)
	out2, err2 := s.command(ctx, "initdb", base...).CombinedOutput()
	if err2 != nil {
		return fmt.Errorf("initdb: %v\n%s\nwithout ICU: %v\n%s", err, out, err2, out2)
	}
	return nil
}

// run starts postgres on a free port and waits until it accepts
// connections or exits.
func (s *server) run(ctx context.Context) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	return s.runOn(ctx, port)
}

// runOn starts postgres on port and waits until it accepts connections
// or exits.
func (s *server) runOn(ctx context.Context, port int) error {
	s.port = port
	logFile, err := os.Create(filepath.Join(s.dir, "server.log"))
	if err != nil {
		return fmt.Errorf("create log: %w", err)
	}
	defer logFile.Close() // the child has its own descriptor
	s.cmd = s.command(context.Background(), "postgres", "-D", filepath.Join(s.dir, "data"),
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+s.dir,
		"-c", "fsync=on")
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	s.cmd.SysProcAttr = dieWithParent(s.cmd.SysProcAttr)
	s.exited = make(chan struct{})
	started := make(chan error, 1)
	go func() {
		// On Linux the server gets SIGINT (fast shutdown) if the thread
		// that started it exits, so that a test binary that dies (a
		// timeout's panic) leaves no server behind. Pin this goroutine to
		// its thread and keep it there for the server's lifetime.
		runtime.LockOSThread()
		if err := s.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	if err := s.awaitReady(ctx); err != nil {
		s.cmd.Process.Kill()
		<-s.exited
		return err
	}
	return nil
}

// awaitReady polls a connection, with backoff, until the server answers,
// exits, or ctx ends.
func (s *server) awaitReady(ctx context.Context) error {
	delay := 5 * time.Millisecond
	for {
		err := s.admin(ctx, "SELECT 1")
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("postgres exited during startup (%v):\n%s", s.waitErr, s.logText())
		case <-ctx.Done():
			return fmt.Errorf("postgres not ready after %v: %v\n%s", startTimeout, err, s.logText())
		case <-time.After(delay):
		}
		delay = min(2*delay, 200*time.Millisecond)
	}
}

// stop shuts the server down (fast: disconnecting clients) and removes
// its directory.
func (s *server) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := s.command(ctx, "pg_ctl", "stop", "-D", filepath.Join(s.dir, "data"), "-m", "fast", "-w").CombinedOutput()
	if err != nil {
		err = fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
		s.cmd.Process.Kill()
	}
	<-s.exited
	return errors.Join(err, os.RemoveAll(s.dir))
}

// command prepares one of the server binaries, run as the server's owner.
func (s *server) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, name), args...)
	cmd.SysProcAttr = s.owner.sysProcAttr()
	return cmd
}

func (s *server) dsn(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, database)
}

// admin runs one statement on the maintenance database.
func (s *server) admin(ctx context.Context, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.dsn("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}

// logText returns the end of the server's log, for error messages.
func (s *server) logText() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
	const max = 4000
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
