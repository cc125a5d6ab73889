package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/store"
	"github.com/newsflow/newsflow/services/store/storetest"
)

// MustOpenSQLite opens a new SQLite store in a temporary directory.
func MustOpenSQLite(tb testing.TB) *store.SQLite {
	tb.Helper()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(tb.TempDir(), "newsflow.db"), zaptest.NewLogger(tb))
	if err != nil {
		tb.Fatalf("OpenSQLite() = %v", err)
	}
	return st
}

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return MustOpenSQLite(t) })
}

func TestSQLiteMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		st, err := store.OpenSQLite(context.Background(), ":memory:", zaptest.NewLogger(t))
		if err != nil {
			t.Fatalf("OpenSQLite(:memory:) = %v", err)
		}
		return st
	})
}

func TestSQLiteReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db", "newsflow.db")
	st, err := store.OpenSQLite(ctx, path, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("OpenSQLite() = %v", err)
	}
	if err := st.Upsert(ctx, []proto.Article{{ID: "x", Title: "Kept across opens"}}); err != nil {
		t.Fatalf("Upsert() = %v", err)
	}
	// A read-only store sees the data while the writer is open.
	ro, err := store.OpenReadOnly(ctx, "sqlite:"+path, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("OpenReadOnly() = %v", err)
	}
	if a, err := ro.Get(ctx, "x"); err != nil || a.Title != "Kept across opens" {
		t.Errorf("read-only Get(x) = %v, %v", a, err)
	}
	if err := ro.Upsert(ctx, []proto.Article{{ID: "y"}}); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("read-only Upsert() = %v; want ErrReadOnly", err)
	}
	if err := ro.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	// Migrations are idempotent: opening again keeps the data.
	st2, err := store.Open(ctx, "sqlite:"+path, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("Open() again = %v", err)
	}
	defer st2.Close()
	if a, err := st2.Get(ctx, "x"); err != nil || a.Title != "Kept across opens" {
		t.Errorf("Get(x) after reopen = %v, %v", a, err)
	}
}

func TestOpenDSN(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		dsn     string
		wantErr string
	}{
		{"postgres://user@127.0.0.1:1/newsflow?connect_timeout=5", "open postgres"},
		{"postgresql://127.0.0.1:1/newsflow?connect_timeout=5", "open postgres"},
		{"postgres://user:s3cret@127.0.0.1:notaport/newsflow", "invalid dsn"},
		{"mysql://localhost/x", "unsupported dsn scheme"},
		{"/just/a/path", "unsupported dsn scheme"},
		{"sqlite:", "empty path"},
	} {
		st, err := store.Open(ctx, tt.dsn, zaptest.NewLogger(t))
		if err == nil {
			st.Close()
			t.Errorf("Open(%q) = nil error; want %q", tt.dsn, tt.wantErr)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Open(%q) = %v; want %q", tt.dsn, err, tt.wantErr)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open(%q) = %v; the error shows the password", tt.dsn, err)
		}
	}
	if _, err := store.OpenReadOnly(ctx, "sqlite:"+filepath.Join(t.TempDir(), "missing.db"), nil); err == nil {
		t.Errorf("OpenReadOnly(missing) = nil error; want an error")
	}
}

// TestSQLiteConcurrent reads while batches are written: readers never see
// an error (WAL, busy timeout, one writer).
func TestSQLiteConcurrent(t *testing.T) {
	ctx := context.Background()
	st := MustOpenSQLite(t)
	defer st.Close()
	const batches, perBatch = 10, 50
	errc := make(chan error, 8)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range batches {
			arts := make([]proto.Article, perBatch)
			for i := range arts {
				id := fmt.Sprintf("c%02d-%02d", b, i)
				arts[i] = proto.Article{ID: id, Title: "Concurrent story " + id, Text: "tidal barrier news",
					FetchedAt: time.Unix(1_900_000_000+int64(b*perBatch+i), 0)}
			}
			if err := st.Upsert(ctx, arts); err != nil {
				errc <- fmt.Errorf("Upsert() = %w", err)
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := st.List(ctx, store.Query{Q: "barrier", Limit: 5}); err != nil {
					errc <- fmt.Errorf("List() = %w", err)
					return
				}
				if _, err := st.Stats(ctx); err != nil {
					errc <- fmt.Errorf("Stats() = %w", err)
					return
				}
			}
		}()
	}
	<-done
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if s, err := st.Stats(ctx); err != nil || s.Articles != batches*perBatch {
		t.Errorf("Stats() = %d articles, %v; want %d", s.Articles, err, batches*perBatch)
	}
}
