package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/internal/pgtest"
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
	return benchFill(r, id, at, b.String())
}

// benchFill completes an article around its text.
func benchFill(r *rand.Rand, id string, at time.Time, text string) proto.Article {
	var fp strings.Builder
	for range 64 {
		fmt.Fprintf(&fp, "%08x", r.Uint32())
	}
	pub := at.Add(-time.Hour)
	a := proto.Article{
		ID: id, URL: "https://bench.test/" + id, CanonicalURL: "https://bench.test/" + id,
		Source: fmt.Sprintf("source%d", r.IntN(12)), Title: "Bench " + benchWords[r.IntN(len(benchWords))] + " " + id,
		Authors: []string{"Bench Writer"}, PublishedAt: &pub, FetchedAt: at, Language: "en",
		Relevance: r.Float64(), OnTopic: r.IntN(2) == 0, Summary: "A generated article.", Text: text,
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

// benchBackends open an empty store of each backend for a benchmark.
var benchBackends = []struct {
	name string
	open func(b *testing.B) store.Store
}{
	{"sqlite", func(b *testing.B) store.Store {
		st, err := store.OpenSQLite(context.Background(), b.TempDir()+"/bench.db", zap.NewNop())
		if err != nil {
			b.Fatalf("OpenSQLite() = %v", err)
		}
		return st
	}},
	{"postgres", func(b *testing.B) store.Store {
		st, err := store.OpenPostgres(context.Background(), pgtest.Start(b), zap.NewNop())
		if err != nil {
			b.Fatalf("OpenPostgres() = %v", err)
		}
		return st
	}},
}

func benchOpen(b *testing.B, open func(b *testing.B) store.Store) store.Store {
	b.Helper()
	st := open(b)
	b.Cleanup(func() { st.Close() })
	return st
}

// BenchmarkWrite writes batches of new ~400-word articles (10 entities,
// 3 quotes, 4 facts each), as the store stage does, in batches of 1, 50
// and 200; "rewritten" writes a batch of 200 again with a newer pipeline
// version (a replay); "redelivered" writes the same batch of 200 again
// (the no-change path). Targets: 2,000 articles/s to SQLite, 5,000/s to PostgreSQL.
func BenchmarkWrite(b *testing.B) {
	ctx := context.Background()
	for _, be := range benchBackends {
		for _, batch := range []int{1, 50, 200} {
			b.Run(fmt.Sprintf("%s/batch=%d", be.name, batch), func(b *testing.B) {
				st := benchOpen(b, be.open)
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
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "articles/s")
			})
		}
		// A stored batch of 200 written again: "rewritten" comes back with
		// a newer pipeline version each time (a replay), "redelivered"
		// unchanged.
		for _, again := range []struct {
			name  string
			newer bool
		}{{"rewritten", true}, {"redelivered", false}} {
			b.Run(be.name+"/"+again.name, func(b *testing.B) {
				st := benchOpen(b, be.open)
				r := rand.New(rand.NewPCG(3, 4))
				arts := make([]proto.Article, 200)
				for i := range arts {
					arts[i] = benchArticle(r, fmt.Sprintf("r%07d", i), time.Unix(1_900_000_000+int64(i), 0))
					arts[i].PipelineVersion = "newsflow bench clean/1 extract/0"
				}
				if err := st.Upsert(ctx, arts); err != nil {
					b.Fatalf("Upsert() = %v", err)
				}
				pass := 0
				for b.Loop() {
					if again.newer {
						b.StopTimer()
						pass++
						for i := range arts {
							arts[i].PipelineVersion = fmt.Sprintf("newsflow bench clean/1 extract/%d", pass)
							arts[i].Summary = fmt.Sprintf("A generated article, pass %d.", pass)
						}
						b.StartTimer()
					}
					if err := st.Upsert(ctx, arts); err != nil {
						b.Fatalf("Upsert() = %v", err)
					}
				}
				b.ReportMetric(float64(b.N*len(arts))/b.Elapsed().Seconds(), "articles/s")
			})
		}
	}
}

// BenchmarkWriteSyndicated writes batches of 100 copies of one wire story
// (fingerprints that differ in a few slots, so every copy shares bands
// with every other) into a store that already holds 5,000 of them: the
// duplicate lookup must not grow with the size of the cluster.
func BenchmarkWriteSyndicated(b *testing.B) {
	ctx := context.Background()
	for _, be := range benchBackends {
		b.Run(be.name, func(b *testing.B) {
			st := benchOpen(b, be.open)
			r := rand.New(rand.NewPCG(7, 8))
			var base []string
			for range 64 {
				base = append(base, fmt.Sprintf("%08x", r.Uint32()))
			}
			copyOf := func(n int) proto.Article {
				a := benchArticle(r, fmt.Sprintf("y%07d", n), time.Unix(1_900_000_000+int64(n), 0))
				slots := slices.Clone(base)
				for range 4 {
					slots[r.IntN(len(slots))] = fmt.Sprintf("%08x", r.Uint32())
				}
				a.Fingerprint = strings.Join(slots, "")
				return a
			}
			n := 0
			batch := func() []proto.Article {
				arts := make([]proto.Article, 100)
				for i := range arts {
					arts[i] = copyOf(n)
					n++
				}
				return arts
			}
			for n < 5000 {
				if err := st.Upsert(ctx, batch()); err != nil {
					b.Fatalf("Upsert() = %v", err)
				}
			}
			for b.Loop() {
				b.StopTimer()
				arts := batch()
				b.StartTimer()
				if err := st.Upsert(ctx, arts); err != nil {
					b.Fatalf("Upsert() = %v", err)
				}
			}
			b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "articles/s")
		})
	}
}

// BenchmarkSearch runs full-text searches (one page of 20 with snippets)
// over 5,000 articles.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	for _, be := range benchBackends {
		b.Run(be.name, func(b *testing.B) {
			st := benchOpen(b, be.open)
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
				})
			}
		})
	}
}

// searchBenchEnv sets the corpus size of BenchmarkSearchLatency, which
// only runs when it is set (loading 100,000 articles takes minutes):
//
//	BENCH_SEARCH_ARTICLES=100000 go test -run '^$' -bench SearchLatency ./services/store
const searchBenchEnv = "BENCH_SEARCH_ARTICLES"

// searchBenchWordsEnv sets the words per article of BenchmarkSearchLatency
// (default 250).
const searchBenchWordsEnv = "BENCH_SEARCH_WORDS"

// zipfWords is a large invented vocabulary: generated text draws from it
// with a Zipf distribution, so some words are in most articles and most
// words in few, as in real text.
func zipfWords(n int) []string {
	r := rand.New(rand.NewPCG(9, 10))
	const cons, vows = "bcdfghjklmnprstvwz", "aeiouy"
	seen := map[string]bool{}
	out := make([]string, 0, n)
	for len(out) < n {
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteByte(cons[r.IntN(len(cons))])
			b.WriteByte(vows[r.IntN(len(vows))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// BenchmarkSearchLatency measures List latency over a large corpus (size
// from BENCH_SEARCH_ARTICLES) with a mix of searches and filtered
// listings, and reports p50 and p99 in milliseconds. Target: p99 under
// 50 ms at 100,000 articles.
func BenchmarkSearchLatency(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv(searchBenchEnv))
	if n <= 0 {
		b.Skipf("set %s (e.g. 100000) to run the large search benchmark", searchBenchEnv)
	}
	words, _ := strconv.Atoi(os.Getenv(searchBenchWordsEnv))
	if words <= 0 {
		words = 250
	}
	ctx := context.Background()
	vocab := zipfWords(20000)
	for _, be := range benchBackends {
		b.Run(fmt.Sprintf("%s/articles=%d", be.name, n), func(b *testing.B) {
			st := benchOpen(b, be.open)
			r := rand.New(rand.NewPCG(7, 8))
			z := rand.NewZipf(r, 1.1, 2, uint64(len(vocab)-1))
			start := time.Unix(1_900_000_000, 0)
			loadStart := time.Now()
			for i := 0; i < n; {
				arts := make([]proto.Article, min(500, n-i))
				for j := range arts {
					text := make([]string, words)
					for k := range text {
						text[k] = vocab[z.Uint64()]
					}
					arts[j] = benchFill(r, fmt.Sprintf("z%07d", i), start.Add(time.Duration(i)*time.Minute), strings.Join(text, " "))
					i++
				}
				if err := st.Upsert(ctx, arts); err != nil {
					b.Fatalf("Upsert() = %v", err)
				}
			}
			if pg, ok := st.(*store.Postgres); ok {
				if err := pg.Analyze(ctx); err != nil {
					b.Fatalf("Analyze() = %v", err)
				}
			}
			b.Logf("%s: loaded %d articles in %s", be.name, n, time.Since(loadStart).Round(time.Second))
			since := start.Add(time.Duration(n/2) * time.Minute)
			queries := []store.Query{
				{Q: vocab[0]},                              // in most articles
				{Q: vocab[0], Sort: store.SortRelevance},   // rank every match
				{Q: vocab[40]},                             // common
				{Q: vocab[3000]},                           // rare
				{Q: vocab[12] + " " + vocab[250]},          // two words
				{Q: `"` + vocab[1] + " " + vocab[2] + `"`}, // phrase
				{Q: vocab[300][:3] + "*"},                  // prefix
				{Q: vocab[100], Since: since, Source: "source3"},
				{Q: vocab[500], Entity: "Entity 17"},
				{Entity: "entity 42"},
				{Since: since, Until: since.Add(24 * time.Hour)},
				{OnTopic: new(bool), MinRelevance: 0.5, Sort: store.SortRelevance},
			}
			// Each round runs every query once.
			var lat []time.Duration
			perQuery := make([][]time.Duration, len(queries))
			for b.Loop() {
				for i, q := range queries {
					t0 := time.Now()
					if _, err := st.List(ctx, q); err != nil {
						b.Fatalf("List(%+v) = %v", q, err)
					}
					d := time.Since(t0)
					lat = append(lat, d)
					perQuery[i] = append(perQuery[i], d)
				}
			}
			// One line, as benchmark logs are cut after a few lines.
			var per []string
			for i, q := range queries {
				slices.Sort(perQuery[i])
				per = append(per, fmt.Sprintf("[q=%q entity=%q since=%v sort=%q: median %v max %v]", q.Q, q.Entity,
					!q.Since.IsZero(), q.Sort, perQuery[i][len(perQuery[i])/2].Round(10*time.Microsecond),
					perQuery[i][len(perQuery[i])-1].Round(10*time.Microsecond)))
			}
			b.Logf("%s: %s", be.name, strings.Join(per, " "))
			slices.Sort(lat)
			pct := func(p float64) float64 {
				return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / float64(time.Millisecond)
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(float64(lat[len(lat)-1])/float64(time.Millisecond), "max-ms")
		})
	}
}
