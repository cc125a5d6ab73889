package web

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/store"
)

// fixtureNow is the fixed "now" of the page tests.
var fixtureNow = time.Date(2031, 5, 20, 12, 0, 0, 0, time.UTC)

// fingerprint returns a MinHash-shaped signature: equal seeds give equal
// signatures (one cluster), different seeds unrelated ones.
func fingerprint(seed uint64) string {
	r := rand.New(rand.NewPCG(seed, seed*7+1))
	var b strings.Builder
	for range 64 {
		fmt.Fprintf(&b, "%08x", r.Uint32())
	}
	return b.String()
}

func at(d time.Duration) *time.Time {
	t := fixtureNow.Add(-d)
	return &t
}

// xssTitle is an article title that must stay text.
const xssTitle = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2"> Barrier rumours`

// fixtureArticles are invented articles about a storm surge at an invented
// town, with one story covered by three outlets, a Russian article, an
// article full of markup, and an archive long enough to page through.
func fixtureArticles() []proto.Article {
	storm := fingerprint(1)
	arts := []proto.Article{
		{
			ID: "tide-1", URL: "https://harbor-times.test/2031/05/barrier-holds", CanonicalURL: "https://harbor-times.test/barrier-holds",
			Source: "harbor-times", Title: "Tidal barrier holds as storm surge hits Velmora", Authors: []string{"Ana Reyes", "Tom Okafor"},
			PublishedAt: at(5 * time.Hour), FetchedAt: fixtureNow.Add(-4 * time.Hour), Language: "en", Relevance: 0.92, OnTopic: true,
			Summary:  "Velmora's tidal barrier held back a record storm surge overnight.",
			SiteName: "Harbor Times", WordCount: 92,
			Text: "The tidal barrier at Velmora held back a record storm surge on Monday night, the Harbor Authority said.\n\n" +
				"Mayor Ilsa Brandt walked the sea wall at dawn. \"The barrier did exactly what it was built to do,\" Brandt said.\n\n" +
				"The barrier cost 340 million crowns and took six years to build. Engineers from the Harbor Authority will inspect the gates this week.",
			Entities: []proto.Entity{
				{Name: "Velmora", Type: "place", Count: 1}, {Name: "Ilsa Brandt", Type: "person", Count: 2},
				{Name: "Harbor Authority", Type: "org", Count: 2},
			},
			Quotes:          []proto.Quote{{Text: "The barrier did exactly what it was built to do", Speaker: "Ilsa Brandt"}},
			Facts:           []proto.Fact{{Kind: "money", Text: "340 million crowns", Value: 340e6, Unit: "crowns"}},
			Keywords:        []string{"barrier", "storm surge", "Velmora"},
			PipelineVersion: "2031.05-test", Fingerprint: storm, ContentHash: "c0ffee", FetchedSeq: 41,
		},
		{
			ID: "tide-2", URL: "https://coast-daily.test/velmora-surge", Source: "coast-daily",
			Title: "Velmora barrier withstands surge", PublishedAt: at(3 * time.Hour), FetchedAt: fixtureNow.Add(-2 * time.Hour),
			Language: "en", Relevance: 0.88, OnTopic: true, Summary: "The barrier withstood the surge.",
			Text:     "The Velmora barrier withstood the storm surge, Mayor Ilsa Brandt said on Tuesday.",
			Entities: []proto.Entity{{Name: "Velmora", Type: "place", Count: 1}, {Name: "Ilsa Brandt", Type: "person", Count: 1}},
			Quotes:   []proto.Quote{{Text: "We were ready", Speaker: "Ilsa Brandt"}}, PipelineVersion: "2031.05-test", Fingerprint: storm,
		},
		{
			ID: "tide-3", URL: "https://nordbote.test/sperrwerk", Source: "nordbote",
			Title: "Sturmflut: Sperrwerk von Velmora hält", PublishedAt: at(2 * time.Hour), FetchedAt: fixtureNow.Add(-90 * time.Minute),
			Language: "de", Relevance: 0.81, OnTopic: true, Summary: "Das Sperrwerk hat gehalten.",
			Text:     "Das Sperrwerk von Velmora hat der Sturmflut standgehalten.",
			Entities: []proto.Entity{{Name: "Velmora", Type: "place", Count: 1}}, PipelineVersion: "2031.05-test", Fingerprint: storm,
		},
		{
			ID: "ferry", URL: "https://harbor-times.test/ferry-strike", Source: "harbor-times",
			Title: "Ferry strike ends after pay talks", PublishedAt: at(26 * time.Hour), FetchedAt: fixtureNow.Add(-25 * time.Hour),
			Language: "en", Relevance: 0.55, OnTopic: true, Summary: "Ferry workers return after a pay deal.",
			Text:        "The Ferry Workers Union accepted a pay offer, ending a four-day strike at Velmora harbor.",
			Entities:    []proto.Entity{{Name: "Ferry Workers Union", Type: "org", Count: 1}, {Name: "Velmora", Type: "place", Count: 1}},
			Fingerprint: fingerprint(2), PipelineVersion: "2031.05-test",
		},
		{
			ID: "grain", URL: "https://coast-daily.test/grain", Source: "coast-daily",
			Title: "Grain exports rise for a third month", PublishedAt: at(50 * time.Hour), FetchedAt: fixtureNow.Add(-49 * time.Hour),
			Language: "en", Relevance: 0.1, OnTopic: false, Summary: "Exports grew 4 percent.",
			Text: "Grain exports rose 4 percent in April.", Fingerprint: fingerprint(3),
		},
		{
			ID: "evil", URL: "javascript:window.__xss=3", CanonicalURL: `https://evil.test/"><script>window.__xss=5</script>`,
			Source: `bad<script>window.__xss=6</script>`, Title: xssTitle,
			PublishedAt: at(1 * time.Hour), FetchedAt: fixtureNow.Add(-50 * time.Minute), Language: "en", Relevance: 0.7, OnTopic: true,
			Summary: `<b onmouseover="window.__xss=7">summary</b>`,
			Text:    "Rumours about the barrier <script>window.__xss=4</script> spread. <img src=x onerror=\"window.__xss=8\"> Ilsa Brandt denied them.",
			Entities: []proto.Entity{
				{Name: `<img src=x onerror="window.__xss=9">`, Type: "person", Count: 1},
				{Name: "Ilsa Brandt", Type: "person", Count: 1},
			},
			Quotes:   []proto.Quote{{Text: `<script>window.__xss=10</script>`, Speaker: `"><script>window.__xss=11</script>`}},
			Keywords: []string{`"><script>window.__xss=12</script>`}, Fingerprint: fingerprint(4),
		},
		{
			ID: "vesti", URL: "https://vesti.test/dambe", Source: "vesti",
			Title: "Дамба в Вельморе выдержала шторм", PublishedAt: at(6 * time.Hour), FetchedAt: fixtureNow.Add(-5 * time.Hour),
			Language: "ru", Relevance: 0.77, OnTopic: true, Summary: "Дамба выдержала.",
			Text:        "Мэр Ильза Брандт заявила, что дамба выдержала шторм. Брандтов в городе нет.",
			Entities:    []proto.Entity{{Name: "Ильза Брандт", Type: "person", Count: 1}},
			Fingerprint: fingerprint(5),
		},
	}
	for i := range 40 {
		arts = append(arts, proto.Article{
			ID: fmt.Sprintf("archive-%02d", i), URL: fmt.Sprintf("https://archive-wire.test/%d", i), Source: "archive-wire",
			Title:       fmt.Sprintf("Barrier archive note %d", i),
			PublishedAt: at(time.Duration(3+i/2) * 24 * time.Hour), FetchedAt: fixtureNow.Add(-time.Duration(3+i/2) * 24 * time.Hour),
			Language: "en", Relevance: 0.3, OnTopic: i%2 == 0, Summary: "An older note.",
			Text: fmt.Sprintf("Archive note %d about the barrier and the harbor.", i), Fingerprint: fingerprint(uint64(100 + i)),
		})
	}
	return arts
}

// mustStore opens a SQLite store in a temporary directory holding arts.
func mustStore(tb testing.TB, arts []proto.Article) *store.SQLite {
	tb.Helper()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(tb.TempDir(), "news.db"), zaptest.NewLogger(tb))
	if err != nil {
		tb.Fatalf("OpenSQLite() = %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	for i := 0; i < len(arts); i += 500 {
		if err := st.Upsert(context.Background(), arts[i:min(i+500, len(arts))]); err != nil {
			tb.Fatalf("Upsert() = %v", err)
		}
	}
	return st
}

// mustServer returns the pages over st, at fixtureNow, on a new mux.
func mustServer(tb testing.TB, st store.Store, status PipelineStatus) (*Server, *http.ServeMux) {
	tb.Helper()
	s := New(st, status, zaptest.NewLogger(tb))
	s.now = func() time.Time { return fixtureNow }
	mux := http.NewServeMux()
	s.Routes(mux)
	return s, mux
}

// get requests target and checks the status.
func get(tb testing.TB, h http.Handler, target string, wantStatus int) *httptest.ResponseRecorder {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	if rec.Code != wantStatus {
		tb.Fatalf("GET %s = %d; want %d\n%s", target, rec.Code, wantStatus, rec.Body)
	}
	return rec
}

// manyArticles returns n generated articles spread over the last 30 days
// of fixtureNow, in a dozen sources and three languages, some clustered.
func manyArticles(n int) []proto.Article {
	r := rand.New(rand.NewPCG(7, 11))
	words := strings.Fields(`harbor council ferry lighthouse orchard barrier tidal velmora budget minister
		delegation summit treaty grain export tariff railway bridge port festival growers season workers
		strike pay talks agreement energy trade visit statement crowns market investment border region`)
	langs := []string{"en", "en", "en", "de", "ru"}
	arts := make([]proto.Article, n)
	for i := range arts {
		var text strings.Builder
		for p := range 5 {
			if p > 0 {
				text.WriteString("\n\n")
			}
			for range 60 {
				text.WriteString(words[r.IntN(len(words))])
				text.WriteByte(' ')
			}
		}
		pub := fixtureNow.Add(-time.Duration(r.Int64N(int64(30 * 24 * time.Hour))))
		fp := fingerprint(uint64(1000 + i))
		if i%10 == 0 {
			fp = fingerprint(uint64(500 + i%300)) // some stories in several outlets
		}
		a := proto.Article{
			ID: fmt.Sprintf("gen-%05d", i), URL: fmt.Sprintf("https://gen.test/%d", i),
			Source: fmt.Sprintf("outlet-%02d", r.IntN(12)), Title: fmt.Sprintf("Generated %s story %d", words[r.IntN(len(words))], i),
			PublishedAt: &pub, FetchedAt: pub.Add(time.Duration(r.IntN(3600)) * time.Second), Language: langs[r.IntN(len(langs))],
			Relevance: r.Float64(), OnTopic: r.IntN(3) > 0, Summary: "A generated article.", Text: text.String(),
			Fingerprint: fp, PipelineVersion: "gen",
		}
		for j := range 6 {
			typ := []string{"person", "org", "place"}[j%3]
			a.Entities = append(a.Entities, proto.Entity{Name: fmt.Sprintf("%s %d", typ, r.IntN(200)), Type: typ, Count: j + 1})
		}
		a.Quotes = []proto.Quote{{Text: "A generated quote.", Speaker: "person 1"}}
		arts[i] = a
	}
	return arts
}
