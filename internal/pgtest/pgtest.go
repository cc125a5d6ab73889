// Package pgtest runs a throwaway PostgreSQL server for tests: initdb into
// a temporary directory, pg_ctl start on a free loopback port, one database
// per test. PostgreSQL refuses to run as root, so a root process runs the
// server as the postgres OS user (runuser -u postgres --).
//
// A test binary shares one server when its TestMain calls Main:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// Without Main, Start runs a private server per test and stops it at the
// test's cleanup.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DurableEnv names the environment variable that, when set (to anything),
// keeps fsync and full_page_writes on, as in production, so that
// benchmarks can report durable figures. Without it the servers run with
// both off: faster, and a crash of the machine loses their data, which
// tests never keep.
const DurableEnv = "PGTEST_DURABLE"

// ErrNoPostgres means the PostgreSQL server binaries were not found.
var ErrNoPostgres = errors.New("postgresql server binaries (initdb, pg_ctl) not found in PATH or /usr/lib/postgresql/*/bin")

// Server is a PostgreSQL cluster in a temporary directory, listening on
// 127.0.0.1 with trust authentication for the superuser "postgres".
type Server struct {
	// Port is the TCP port; it stays the same across Stop and Start.
	Port int
	// Dir holds the data directory, the socket and the log.
	Dir string

	bin    string // directory of initdb and pg_ctl
	asUser string // OS user to run the server as; "" for the current user

	mu      sync.Mutex
	running bool
	dbSeq   atomic.Int64
}

var (
	shared     *Server
	sharedErr  error
	sharedOnce sync.Once
	useShared  atomic.Bool
)

// Main runs the tests of m with one shared server, started on first use,
// and stops it before exiting. Call it from TestMain.
func Main(m *testing.M) {
	useShared.Store(true)
	code := m.Run()
	if shared != nil {
		if err := shared.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	os.Exit(code)
}

// Start returns the DSN of a new, empty database for the test. It skips
// the test when the PostgreSQL binaries are absent and fails it when the
// server cannot be started.
func Start(tb testing.TB) string {
	tb.Helper()
	var s *Server
	if useShared.Load() {
		sharedOnce.Do(func() { shared, sharedErr = NewServer() })
		if errors.Is(sharedErr, ErrNoPostgres) {
			tb.Skip("skipping: ", sharedErr)
		}
		if sharedErr != nil {
			tb.Fatalf("pgtest: %v", sharedErr)
		}
		s = shared
	} else {
		s = MustServer(tb)
	}
	dsn, err := s.CreateDatabase(context.Background())
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	return dsn
}

// MustServer starts a private server for the test, which it may Stop and
// Start (crash and recovery tests), and removes it at cleanup. It skips
// the test when the PostgreSQL binaries are absent.
func MustServer(tb testing.TB) *Server {
	tb.Helper()
	s, err := NewServer()
	if errors.Is(err, ErrNoPostgres) {
		tb.Skip("skipping: ", err)
	}
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("pgtest: %v", err)
		}
	})
	return s
}

// FindBin returns the directory holding initdb and pg_ctl: that of initdb
// in PATH, else the newest /usr/lib/postgresql/*/bin.
func FindBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", ErrNoPostgres
}

// version is the major version in /usr/lib/postgresql/N/bin.
func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// NewServer creates and starts a server. The caller must Close it.
func NewServer() (*Server, error) {
	bin, err := FindBin()
	if err != nil {
		return nil, err
	}
	// Not t.TempDir: its parents may not be traversable by the postgres user.
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, fmt.Errorf("create temp dir: %w", err)
	}
	s := &Server{Dir: dir, bin: bin}
	if err := s.init(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := s.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := s.watch(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// watch starts a watchdog process that stops the server and removes its
// directory if this process dies without Close (killed, timed out, or a
// broken pipe). It runs in its own process group, so that signals sent to
// the test's group do not reach it, and ends once the directory is gone.
func (s *Server) watch() error {
	pgCtl := "'" + filepath.Join(s.bin, "pg_ctl") + "'"
	if s.asUser != "" {
		pgCtl = "runuser -u " + s.asUser + " -- " + pgCtl
	}
	script := fmt.Sprintf(`while kill -0 %d 2>/dev/null && [ -d '%s' ]; do sleep 1; done
if [ -d '%s' ]; then %s stop -m immediate -D '%s' >/dev/null 2>&1; rm -rf '%s'; fi`,
		os.Getpid(), s.Dir, s.Dir, pgCtl, s.dataDir(), s.Dir)
	cmd := exec.Command("sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start watchdog: %w", err)
	}
	go cmd.Wait() //nolint:errcheck // reaps the watchdog if it ends first
	return nil
}

func (s *Server) init() error {
	if err := os.Chmod(s.Dir, 0o755); err != nil {
		return fmt.Errorf("chmod %s: %w", s.Dir, err)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root needs a postgres OS user to run the server: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(s.Dir, uid, gid); err != nil {
			return fmt.Errorf("chown %s: %w", s.Dir, err)
		}
		s.asUser = "postgres"
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	s.Port = port
	out, err := s.command(filepath.Join(s.bin, "initdb"), "-D", s.dataDir(), "-U", "postgres",
		"-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions").CombinedOutput()
	if err != nil && strings.Contains(string(out), "C.UTF-8") {
		// No C.UTF-8 locale on this system: plain C still works.
		out, err = s.command(filepath.Join(s.bin, "initdb"), "-D", s.dataDir(), "-U", "postgres",
			"-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions").CombinedOutput()
	}
	if err != nil {
		return fmt.Errorf("initdb: %w: %s", err, out)
	}
	return nil
}

func (s *Server) dataDir() string { return filepath.Join(s.Dir, "data") }

// command runs a server program, as the postgres user when we are root.
func (s *Server) command(name string, args ...string) *exec.Cmd {
	if s.asUser != "" {
		return exec.Command("runuser", append([]string{"-u", s.asUser, "--", name}, args...)...)
	}
	return exec.Command(name, args...)
}

// freePort returns a TCP port that was free on 127.0.0.1 a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start starts the server (again) and waits until it accepts connections.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return nil
	}
	args := []string{
		"-c listen_addresses=127.0.0.1",
		"-c port=" + strconv.Itoa(s.Port),
		"-c unix_socket_directories=" + s.Dir,
		"-c max_connections=200",
		"-c shared_buffers=128MB",
	}
	if os.Getenv(DurableEnv) == "" {
		args = append(args, "-c fsync=off", "-c full_page_writes=off")
	}
	opts := strings.Join(args, " ")
	out, err := s.command(filepath.Join(s.bin, "pg_ctl"), "start", "-w", "-t", "60",
		"-D", s.dataDir(), "-l", filepath.Join(s.Dir, "server.log"), "-o", opts).CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(s.Dir, "server.log"))
		return fmt.Errorf("pg_ctl start: %w: %s\n%s", err, out, tail(string(log), 2000))
	}
	s.running = true
	return nil
}

// Stop shuts the server down ("fast" mode: open connections are cut,
// committed data is kept); Start brings it back.
func (s *Server) Stop() error { return s.stop("fast") }

// Crash stops the server without a clean shutdown ("immediate" mode), as
// a power cut of the process would; Start recovers it from its WAL.
func (s *Server) Crash() error { return s.stop("immediate") }

func (s *Server) stop(mode string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running {
		return nil
	}
	out, err := s.command(filepath.Join(s.bin, "pg_ctl"), "stop", "-w", "-t", "60", "-m", mode,
		"-D", s.dataDir()).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %w: %s", err, out)
	}
	s.running = false
	return nil
}

// Close stops the server and removes its directory.
func (s *Server) Close() error {
	err := s.Stop()
	return errors.Join(err, os.RemoveAll(s.Dir))
}

// DSN returns the URL of database db on this server.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.Port, db)
}

// CreateDatabase creates a new, empty database and returns its DSN.
func (s *Server) CreateDatabase(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		return "", fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	name := fmt.Sprintf("test_%d", s.dbSeq.Add(1))
	// FILE_COPY (PostgreSQL 15+) copies the template's files instead of
	// logging every page: much faster with fsync off.
	_, err = conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 STRATEGY FILE_COPY")
	if err != nil && strings.Contains(err.Error(), "STRATEGY") {
		_, err = conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0")
	}
	if err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return s.DSN(name), nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
