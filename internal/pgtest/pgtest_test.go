package pgtest_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/newsflow/newsflow/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func query(t *testing.T, dsn, sql string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	defer conn.Close(ctx)
	var s string
	if stmt, rest, ok := strings.Cut(sql, "; "); ok {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
		sql = rest
	}
	if err := conn.QueryRow(ctx, sql).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

func TestStartIsolates(t *testing.T) {
	a, b := pgtest.Start(t), pgtest.Start(t)
	if a == b {
		t.Fatalf("Start() twice = %q both times; want two databases", a)
	}
	if v := query(t, a, "SHOW server_version_num"); v < "150000" {
		t.Errorf("server_version_num = %s; want PostgreSQL 15 or newer", v)
	}
	want := "off"
	if os.Getenv(pgtest.DurableEnv) != "" {
		want = "on"
	}
	if v := query(t, a, "SHOW fsync"); v != want {
		t.Errorf("fsync = %s; want %s", v, want)
	}
	query(t, a, "CREATE TABLE only_here AS SELECT 'x'::text AS v; SELECT v FROM only_here")
	if got := query(t, b, "SELECT count(*)::text FROM pg_tables WHERE tablename = 'only_here'"); got != "0" {
		t.Errorf("table of database a seen in database b (%s)", got)
	}
}

func TestStopStart(t *testing.T) {
	s := pgtest.MustServer(t)
	dsn, err := s.CreateDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := query(t, dsn, "CREATE TABLE kept AS SELECT 'kept'::text AS v; SELECT v FROM kept"); got != "kept" {
		t.Fatalf("got %q", got)
	}
	if err := s.Crash(); err != nil {
		t.Fatalf("Crash() = %v", err)
	}
	if conn, err := pgx.Connect(context.Background(), dsn); err == nil {
		conn.Close(context.Background())
		t.Fatalf("connect after Crash() succeeded; want an error")
	}
	if err := s.Start(); err != nil {
		t.Fatalf("Start() = %v", err)
	}
	if got := query(t, dsn, "SELECT v FROM kept"); got != "kept" {
		t.Errorf("after restart SELECT v = %q; want kept", got)
	}
	if err := s.Stop(); err != nil {
		t.Fatalf("Stop() = %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatalf("Start() again = %v", err)
	}
	if got := query(t, dsn, "SELECT v FROM kept"); got != "kept" {
		t.Errorf("after clean restart SELECT v = %q; want kept", got)
	}
}
