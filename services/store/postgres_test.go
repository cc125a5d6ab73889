package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/internal/pgtest"
	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/store"
	"github.com/newsflow/newsflow/services/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// MustOpenPostgres opens a store on a new, empty PostgreSQL database.
func MustOpenPostgres(tb testing.TB) *store.Postgres {
	tb.Helper()
	st, err := store.OpenPostgres(context.Background(), pgtest.Start(tb), zaptest.NewLogger(tb))
	if err != nil {
		tb.Fatalf("OpenPostgres() = %v", err)
	}
	return st
}

func TestPostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return MustOpenPostgres(t) })
}

func TestPostgresOpen(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Start(t)
	// Both URL schemes, through the backend-neutral Open; two processes
	// migrating at once.
	errc := make(chan error, 2)
	for _, d := range []string{dsn, "postgresql" + strings.TrimPrefix(dsn, "postgres")} {
		go func() {
			st, err := store.Open(ctx, d, zaptest.NewLogger(t))
			if err == nil {
				err = st.Close()
			}
			errc <- err
		}()
	}
	for range 2 {
		if err := <-errc; err != nil {
			t.Fatalf("Open() = %v", err)
		}
	}
	st, err := store.Open(ctx, dsn, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("Open() again = %v", err)
	}
	defer st.Close()
	if err := st.Upsert(ctx, []proto.Article{{ID: "x", Title: "Kept across opens"}}); err != nil {
		t.Fatalf("Upsert() = %v", err)
	}
	ro, err := store.OpenReadOnly(ctx, dsn, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("OpenReadOnly() = %v", err)
	}
	defer ro.Close()
	if a, err := ro.Get(ctx, "x"); err != nil || a.Title != "Kept across opens" {
		t.Errorf("read-only Get(x) = %v, %v", a, err)
	}
	if err := ro.Upsert(ctx, []proto.Article{{ID: "y"}}); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("read-only Upsert() = %v; want ErrReadOnly", err)
	}
	// A read-only open of a database without the schema fails clearly.
	if ro2, err := store.OpenReadOnly(ctx, pgtest.Start(t), zaptest.NewLogger(t)); err == nil {
		ro2.Close()
		t.Errorf("OpenReadOnly(empty database) = nil error; want an error")
	} else if !strings.Contains(err.Error(), "no newsflow schema") {
		t.Errorf("OpenReadOnly(empty database) = %v; want \"no newsflow schema\"", err)
	}
}

// TestPostgresLanguages: stemming follows the article's language.
func TestPostgresLanguages(t *testing.T) {
	ctx := context.Background()
	st := MustOpenPostgres(t)
	defer st.Close()
	at := time.Date(2031, 4, 1, 0, 0, 0, 0, time.UTC)
	arts := []proto.Article{
		{ID: "ru", Language: "ru", FetchedAt: at, Title: "Путин прибыл в Пекин", Text: "Визит в Пекине продлится два дня."},
		{ID: "en", Language: "en", FetchedAt: at, Title: "Ministers criticized the plan", Text: "The harbors were closed."},
		{ID: "de", Language: "de-AT", FetchedAt: at, Title: "Die Häfen bleiben geschlossen", Text: "Hafenarbeiter streiken."},
		{ID: "xx", Language: "tlh", FetchedAt: at, Title: "Qapla batlh", Text: "unknown language words"},
	}
	if err := st.Upsert(ctx, arts); err != nil {
		t.Fatalf("Upsert() = %v", err)
	}
	for _, tt := range []struct {
		q    store.Query
		want []string
	}{
		{store.Query{Q: "Путина Пекине"}, []string{"ru"}},
		{store.Query{Q: "criticize harbor"}, []string{"en"}},
		{store.Query{Q: "hafen"}, []string{"de"}}, // Häfen: umlaut folded, plural stemmed
		{store.Query{Q: "words"}, []string{"xx"}},
		{store.Query{Q: "пекин", Language: "ru"}, []string{"ru"}},
		{store.Query{Q: "пекин", Language: "en"}, nil},
	} {
		p, err := st.List(ctx, tt.q)
		if err != nil {
			t.Fatalf("List(%+v) = %v", tt.q, err)
		}
		var got []string
		for _, a := range p.Articles {
			got = append(got, a.ID)
			if !strings.Contains(a.Snippet, "<mark>") {
				t.Errorf("List(%q) snippet of %s = %q; want a highlight", tt.q.Q, a.ID, a.Snippet)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("List(%+v) = %v; want %v", tt.q, got, tt.want)
		}
	}
}

// TestPostgresConcurrentWriters: writers racing on the same articles with
// different versions end with the newest version of each, and readers
// never fail.
func TestPostgresConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	st := MustOpenPostgres(t)
	defer st.Close()
	base := time.Date(2031, 4, 1, 0, 0, 0, 0, time.UTC)
	const ids, writers = 40, 4
	var wg sync.WaitGroup
	errc := make(chan error, writers+1)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 5 {
				var batch []proto.Article
				for i := range ids {
					// Writer w, round r writes version w*10+r; ids in a
					// different order per writer.
					id := fmt.Sprintf("c%02d", (i*[]int{1, 3, 7, 9}[w])%ids)
					v := w*10 + round
					batch = append(batch, proto.Article{ID: id, Title: fmt.Sprintf("version %02d", v),
						FetchedAt: base.Add(time.Duration(v) * time.Minute), Text: "racing writers",
						Entities: []proto.Entity{{Name: fmt.Sprintf("E%02d", v), Type: "org", Count: 1}}})
				}
				if err := st.Upsert(ctx, batch); err != nil {
					errc <- fmt.Errorf("Upsert() = %w", err)
					return
				}
				if _, err := st.List(ctx, store.Query{Q: "racing"}); err != nil {
					errc <- fmt.Errorf("List() = %w", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	for i := range ids {
		id := fmt.Sprintf("c%02d", i)
		a, err := st.Get(ctx, id)
		if err != nil {
			t.Fatalf("Get(%s) = %v", id, err)
		}
		want := (writers-1)*10 + 4
		if a.Title != fmt.Sprintf("version %02d", want) || len(a.Entities) != 1 || a.Entities[0].Name != fmt.Sprintf("E%02d", want) {
			t.Errorf("Get(%s) = %q %v; want version %02d", id, a.Title, a.Entities, want)
		}
	}
}

// TestPostgresRestart: a store survives a crash of the database server:
// calls fail while it is down and work again once it is back.
func TestPostgresRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second server")
	}
	ctx := context.Background()
	srv := pgtest.MustServer(t)
	dsn, err := srv.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenPostgres(ctx, dsn, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Date(2031, 4, 1, 0, 0, 0, 0, time.UTC)
	if err := st.Upsert(ctx, []proto.Article{{ID: "a", FetchedAt: at, Title: "Before the crash"}}); err != nil {
		t.Fatalf("Upsert() = %v", err)
	}
	if err := srv.Crash(); err != nil {
		t.Fatal(err)
	}
	if err := st.Upsert(ctx, []proto.Article{{ID: "b", FetchedAt: at}}); err == nil {
		t.Errorf("Upsert() with the server down = nil; want an error")
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	// The pool drops broken connections; within a few calls it works.
	var lastErr error
	for range 20 {
		if lastErr = st.Upsert(ctx, []proto.Article{{ID: "b", FetchedAt: at, Title: "After"}}); lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		t.Fatalf("Upsert() after restart = %v", lastErr)
	}
	for _, id := range []string{"a", "b"} {
		if _, err := st.Get(ctx, id); err != nil {
			t.Errorf("Get(%s) after restart = %v", id, err)
		}
	}
}
