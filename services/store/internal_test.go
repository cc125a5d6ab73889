package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/proto"
)

func TestSimilarity(t *testing.T) {
	a := strings.Repeat("0000000a", 10)
	b := strings.Repeat("0000000a", 7) + strings.Repeat("0000000b", 3)
	tests := []struct {
		a, b string
		want float64
	}{
		{a, a, 1},
		{a, strings.ToUpper(b), 0.7},
		{a, a[:72], 0}, // different lengths are unrelated
		{"", "", 0},
		{"abc", "abc", 0}, // shorter than a slot
	}
	for _, tt := range tests {
		if got := similarity(tt.a, tt.b); got != tt.want {
			t.Errorf("similarity(%q, %q) = %v; want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestFingerprintBands(t *testing.T) {
	fp := strings.Repeat("0123abcd", 64)
	if n := len(fingerprintBands(fp)); n != lshBands {
		t.Errorf("bands of 64 slots = %d; want %d", n, lshBands)
	}
	if n := len(fingerprintBands(fp[:8*5])); n != 5 {
		t.Errorf("bands of 5 slots = %d; want 5", n)
	}
	if n := len(fingerprintBands("xyz")); n != 0 {
		t.Errorf("bands of a short fingerprint = %d; want 0", n)
	}
	// Same band contents at different positions are different keys.
	bs := fingerprintBands(fp)
	if bs[0].Key == bs[1].Key {
		t.Errorf("bands 0 and 1 share key %d", bs[0].Key)
	}
	// Upper and lower case hex give the same keys.
	if up := fingerprintBands(strings.ToUpper(fp)); up[3] != bs[3] {
		t.Errorf("upper-case band = %v; want %v", up[3], bs[3])
	}
}

func TestFTS5Query(t *testing.T) {
	tests := []struct{ in, want string }{
		{"putin xi", `"putin" AND "xi"`},
		{`"state visit" beijing`, `"state visit" AND "beijing"`},
		{"energ* gas", `"energ"* AND "gas"`},
		{"putin xi OR jinping", `"putin" AND ("xi" OR "jinping")`},
		{`U.S. "Xi's*`, `"U S" AND "Xi s"*`},
		{`NEAR(a b) title:x`, `"NEAR a" AND "b" AND "title x"`},
		{"OR alone OR", `"alone"`},
		{"普京 Путина", `"普 京" AND "Путин"*`},
		{`"夜间航班" APEC峰会`, `"夜 间 航 班" AND "APEC 峰 会"`},
	}
	for _, tt := range tests {
		terms, err := parseSearch(tt.in)
		if err != nil {
			t.Errorf("parseSearch(%q) = %v", tt.in, err)
			continue
		}
		if got := fts5Query(terms); got != tt.want {
			t.Errorf("fts5Query(%q) = %s; want %s", tt.in, got, tt.want)
		}
	}
}

func TestHighlightHTML(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a " + markOpen + "b" + markClose + " <c>", "a <mark>b</mark> &lt;c&gt;"},
		{markOpen + "open", "<mark>open</mark>"},
		{"close" + markClose + markClose, "close"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := highlightHTML(tt.in); got != tt.want {
			t.Errorf("highlightHTML(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzSearch checks that no search text makes a query fail other than
// with ErrInvalidQuery.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"putin", `"a b" c*`, `a OR b`, `(`, `"`, `*`, `NEAR(`, `a:b`, `^x`, `-x`, `x"y`, "\x00", "é*", "OR", "OR OR"} {
		f.Add(s)
	}
	st, err := OpenSQLite(context.Background(), ":memory:", nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	f.Fuzz(func(t *testing.T, q string) {
		_, err := st.List(context.Background(), Query{Q: q})
		if err != nil && !errors.Is(err, ErrInvalidQuery) {
			t.Errorf("List(%q) = %v", q, err)
		}
		// Text with words must search, unless checkText refuses it by
		// design (invalid UTF-8, NUL, over MaxParamBytes).
		if err != nil && checkText("q", q) == nil && strings.TrimSpace(q) != "" && len(words(q)) > 0 {
			t.Errorf("List(%q) = %v; want success for text with words", q, err)
		}
	})
}

// tempSQLite opens a new SQLite store in a temporary directory, closed
// when the test ends.
func tempSQLite(t *testing.T) *SQLite {
	t.Helper()
	st, err := OpenSQLite(context.Background(), t.TempDir()+"/test.db", zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestSQLiteDuplicateCandidatesUseCoveringIndex(t *testing.T) {
	st := tempSQLite(t)
	args := make([]any, lshBands+1)
	for i := range lshBands {
		args[i] = int64(i)
	}
	args[lshBands] = "x"
	rows, err := st.r.Query("EXPLAIN QUERY PLAN "+sqliteCandidatesSQL, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if !strings.Contains(strings.Join(plan, "\n"), "COVERING INDEX articles_duplicate_candidates") {
		t.Errorf("candidate lookup reads the article rows; plan:\n%s", strings.Join(plan, "\n"))
	}
}

// TestSQLiteIndexFollowsBatches: the full-text index, written once per
// batch, follows new articles, articles rewritten in a later batch and an
// article written twice in one batch, and matches its content table.
func TestSQLiteIndexFollowsBatches(t *testing.T) {
	ctx := context.Background()
	st := tempSQLite(t)
	at := time.Date(2031, 3, 10, 12, 0, 0, 0, time.UTC)
	art := func(id, text, pv string, fetched time.Time) proto.Article {
		return proto.Article{ID: id, URL: "https://example.test/" + id, Title: "Harbour " + id, Text: text,
			FetchedAt: fetched, PublishedAt: &at, Language: "en", PipelineVersion: pv}
	}
	batches := [][]proto.Article{
		{art("a", "lighthouse keepers", "v1", at), art("b", "orchard growers", "v1", at)},
		{
			art("a", "ferry captains", "v2", at),                         // rewritten
			art("c", "tidal barrier", "v1", at),                          // new …
			art("c", "tidal gauge", "v1", at.Add(time.Minute)),           // … and rewritten in the same batch
			art("b", "orchard growers", "v2", at),                        // rewritten
			art("b", "vineyard pickers", "v3", at),                       // and again
			art("d", "velmora", "v1", at), art("d", "velmora", "v1", at), // redelivered within the batch
		},
	}
	for _, b := range batches {
		if err := st.Upsert(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	for q, want := range map[string][]string{
		"lighthouse": nil, "ferry": {"a"},
		"orchard": nil, "vineyard": {"b"},
		"barrier": nil, "gauge": {"c"},
		"velmora": {"d"}, "harbour": {"a", "b", "c", "d"},
	} {
		p, err := st.List(ctx, Query{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range p.Articles {
			got = append(got, a.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("search %q = %v; want %v", q, got, want)
		}
	}
	if _, err := st.w.ExecContext(ctx, `INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Errorf("full-text index does not match the articles: %v", err)
	}
}

// TestSQLiteChildRowChunks: child rows are written in chunks of 16, 4
// and 1; every count comes back whole and in order.
func TestSQLiteChildRowChunks(t *testing.T) {
	ctx := context.Background()
	st := tempSQLite(t)
	at := time.Date(2031, 3, 10, 12, 0, 0, 0, time.UTC)
	var arts []proto.Article
	for _, n := range []int{0, 1, 3, 4, 5, 16, 21, 37} {
		a := proto.Article{ID: fmt.Sprintf("n%d", n), URL: fmt.Sprintf("https://example.test/%d", n), Title: "Ferry",
			FetchedAt: at, Language: "en", PipelineVersion: "v1"}
		for i := range n {
			a.Entities = append(a.Entities, proto.Entity{Name: fmt.Sprintf("Entity %d", i), Type: "org", Count: i + 1})
			a.Quotes = append(a.Quotes, proto.Quote{Text: fmt.Sprintf("Quote %d", i), Speaker: "Anna Brandt"})
			a.Facts = append(a.Facts, proto.Fact{Kind: "money", Text: fmt.Sprintf("%d crowns", i), Value: float64(i), Unit: "SEK"})
		}
		arts = append(arts, a)
	}
	if err := st.Upsert(ctx, arts); err != nil {
		t.Fatal(err)
	}
	for _, want := range arts {
		got, err := st.Get(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Entities, want.Entities) || !slices.Equal(got.Quotes, want.Quotes) || !slices.Equal(got.Facts, want.Facts) {
			t.Errorf("%s: stored %d entities, %d quotes, %d facts; want %d each, in order",
				want.ID, len(got.Entities), len(got.Quotes), len(got.Facts), len(want.Entities))
		}
	}
}
