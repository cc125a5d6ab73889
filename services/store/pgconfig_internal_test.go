package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/newsflow/newsflow/internal/pgtest"
	"github.com/newsflow/newsflow/proto"
)

// TestPostgresTSConfig: the writer picks the search configuration of a
// language tag as newsflow_ts_config does in SQL.
func TestPostgresTSConfig(t *testing.T) {
	ctx := context.Background()
	st, err := OpenPostgres(ctx, pgtest.Start(t), zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tags := []string{"", "en", "EN", "en-GB", "en_US", "pt-BR", "de", "fr-CA", "nb", "zz", "x", "123", "-en",
		" en", "en ", "ru", "el", "zh-Hans", "tlh", "Fi", "e", "ja", "sr-Latn", "ta", "yi", "ga", "hy", "eu"}
	for _, tag := range tags {
		var want uint32
		if err := st.pool.with(ctx, func(c *pgx.Conn) error {
			return c.QueryRow(ctx, `SELECT newsflow_ts_config($1)::oid`, tag).Scan(&want)
		}); err != nil {
			t.Fatal(err)
		}
		if got := st.tsConfig(tag); got != want {
			t.Errorf("tsConfig(%q) = %d; want %d (newsflow_ts_config)", tag, got, want)
		}
	}
}

// TestPostgresSearchVectors: whichever connection builds an article's
// search vector (the writing transaction, or a second connection for
// large batches), it is the one the schema defines, in the configuration
// of the article's language; and no write falls back for lack of one.
func TestPostgresSearchVectors(t *testing.T) {
	ctx := context.Background()
	core, logs := observer.New(zap.WarnLevel)
	st, err := OpenPostgres(ctx, pgtest.Start(t), zap.New(core))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	langs := []string{"en", "de", "fr-CA", "", "xx", "ru"}
	texts := []string{"The harbours were flooding <b>quickly</b>", "Die Häfen überfluteten schnell", "Les ports débordaient",
		"plain words 42", "ünïcödé wörds", "Порты быстро затопило"}
	at := time.Date(2031, 4, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{1, pgChunk + 1, pgChunks*pgChunk + 3} {
		arts := make([]proto.Article, n)
		for i := range arts {
			arts[i] = proto.Article{ID: fmt.Sprintf("v%d-%03d", n, i), FetchedAt: at, Language: langs[i%len(langs)],
				Title: "Title " + texts[(i+1)%len(texts)], Summary: "Summary " + texts[(i+2)%len(texts)],
				Text: strings.Repeat(texts[i%len(texts)]+". ", 1+i%7)}
		}
		if err := st.Upsert(ctx, arts); err != nil {
			t.Fatalf("Upsert(%d) = %v", n, err)
		}
	}
	var bad []string
	var total int
	if err := st.pool.with(ctx, func(c *pgx.Conn) error {
		if err := c.QueryRow(ctx, `SELECT count(*) FROM articles`).Scan(&total); err != nil {
			return err
		}
		rows, err := c.Query(ctx, `SELECT id FROM articles WHERE ts_config <> newsflow_ts_config(language) OR
			tsv IS DISTINCT FROM setweight(to_tsvector(newsflow_ts_config(language), title), 'A') ||
			setweight(to_tsvector(newsflow_ts_config(language), summary), 'B') ||
			setweight(to_tsvector(newsflow_ts_config(language), text), 'C') ORDER BY id`)
		if err != nil {
			return err
		}
		bad, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if want := 1 + pgChunk + 1 + pgChunks*pgChunk + 3; total != want {
		t.Errorf("%d articles stored; want %d", total, want)
	}
	if len(bad) > 0 {
		t.Errorf("articles with a wrong search vector or configuration: %v", bad)
	}
	for _, e := range logs.All() {
		t.Errorf("logged %s: %s %v", e.Level, e.Message, e.ContextMap())
	}
}
