package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/store"
)

// benchWords is an invented vocabulary for generated article text.
var benchWords = strings.Fields(`harbor council ferry lighthouse orchard barrier tidal velmora budget
	minister delegation summit treaty pipeline grain export tariff railway bridge port festival
	growers record season mild spring workers strike pay talks agreement cooperation energy
	gas oil trade visit state president premier ministry spokesman statement crowns million
	billion percent increase decline market investment infrastructure border security region`)

// benchArticle returns a generated article of realistic size (~400 words).
func benchArticle(r *rand.Rand, id string, at time.Time) proto.Article {
	var b strings.Builder
	for p := range 6 {
		if p > 0 {
			b.WriteString("\n\n")
		}
		for range 65 {
			b.WriteString(benchWords[r.IntN(len(benchWords))])
			b.WriteByte(' ')
		}
	}
	var fp strings.Builder
	for range 64 {
		fmt.Fprintf(&fp, "%08x", r.Uint32())
	}
	pub := at.Add(-time.Hour)
	a := proto.Article{
		ID: id, URL: "https://bench.test/" + id, CanonicalURL: "https://bench.test/" + id,
		Source: fmt.Sprintf("source%d", r.IntN(12)), Title: "Bench " + benchWords[r.IntN(len(benchWords))] + " " + id,
		Authors: []string{"Bench Writer"}, PublishedAt: &pub, FetchedAt: at, Language: "en",
		Relevance: r.Float64(), OnTopic: r.IntN(2) == 0, Summary: "A generated article.", Text: b.String(),
		Keywords: []string{"bench", "generated"}, PipelineVersion: "bench", Fingerprint: fp.String(),
	}
	for i := range 10 {
		a.Entities = append(a.Entities, proto.Entity{Name: fmt.Sprintf("Entity %d", r.IntN(300)), Type: "person", Count: i + 1})
	}
	for range 3 {
		a.Quotes = append(a.Quotes, proto.Quote{Text: "A generated quote of some length.", Speaker: "Bench Speaker"})
	}
	for i := range 4 {
		a.Facts = append(a.Facts, proto.Fact{Kind: "money", Text: "5 million crowns", Value: float64(i), Unit: "crowns"})
	}
	return a
}

func benchStore(b *testing.B) *store.SQLite {
	b.Helper()
	st, err := store.OpenSQLite(context.Background(), b.TempDir()+"/bench.db", zap.NewNop())
	if err != nil {
		b.Fatalf("OpenSQLite() = %v", err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// BenchmarkUpsert writes batches of 200 new articles; "redelivered" writes
// the same batch again (the no-change path).
func BenchmarkUpsert(b *testing.B) {
	const batch = 200
	ctx := context.Background()
	b.Run("new", func(b *testing.B) {
		st := benchStore(b)
		r := rand.New(rand.NewPCG(1, 2))
		n := 0
		for b.Loop() {
			b.StopTimer()
			arts := make([]proto.Article, batch)
			for i := range arts {
				arts[i] = benchArticle(r, fmt.Sprintf("a%07d", n), time.Unix(1_900_000_000+int64(n), 0))
				n++
			}
			b.StartTimer()
			if err := st.Upsert(ctx, arts); err != nil {
				b.Fatalf("Upsert() = %v", err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "articles/s")
	})
	b.Run("redelivered", func(b *testing.B) {
		st := benchStore(b)
		r := rand.New(rand.NewPCG(3, 4))
		arts := make([]proto.Article, batch)
		for i := range arts {
			arts[i] = benchArticle(r, fmt.Sprintf("r%07d", i), time.Unix(1_900_000_000+int64(i), 0))
		}
		if err := st.Upsert(ctx, arts); err != nil {
			b.Fatalf("Upsert() = %v", err)
		}
		for b.Loop() {
			if err := st.Upsert(ctx, arts); err != nil {
				b.Fatalf("Upsert() = %v", err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "articles/s")
	})
}

// BenchmarkSearch runs full-text searches (one page of 20 with snippets)
// over 5,000 articles.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	st := benchStore(b)
	r := rand.New(rand.NewPCG(5, 6))
	for n := 0; n < 5000; {
		arts := make([]proto.Article, 200)
		for i := range arts {
			arts[i] = benchArticle(r, fmt.Sprintf("s%07d", n), time.Unix(1_900_000_000+int64(n)*60, 0))
			n++
		}
		if err := st.Upsert(ctx, arts); err != nil {
			b.Fatalf("Upsert() = %v", err)
		}
	}
	queries := []store.Query{
		{Q: "lighthouse"},
		{Q: "tidal barrier", Sort: store.SortRelevance},
		{Q: `"state visit"`},
		{Q: "infra*", OnTopic: new(bool)},
		{Q: "summit treaty energy"},
		{Q: "s0004321"}, // selective: one article
	}
	for _, q := range queries {
		b.Run(q.Q, func(b *testing.B) {
			for b.Loop() {
				if _, err := st.List(ctx, q); err != nil {
					b.Fatalf("List(%q) = %v", q.Q, err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}
