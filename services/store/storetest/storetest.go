// Package storetest is the conformance suite every store.Store backend
// passes (SQLite and PostgreSQL). A backend's test calls Run with a
// function that opens an empty store.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/store"
)

// Run runs the suite. open must return a new, empty store for each call;
// Run closes it.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, st store.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"EmptySlices", testEmptySlices},
		{"NotFound", testNotFound},
		{"InvalidArticle", testInvalidArticle},
		{"Redelivery", testRedelivery},
		{"Versions", testVersions},
		{"SameIDInBatch", testSameIDInBatch},
		{"Search", testSearch},
		{"SearchSyntax", testSearchSyntax},
		{"SearchRussian", testSearchRussian},
		{"SearchChinese", testSearchChinese},
		{"Filters", testFilters},
		{"Pagination", testPagination},
		{"BadCursor", testBadCursor},
		{"Duplicates", testDuplicates},
		{"Entities", testEntities},
		{"Stats", testStats},
		{"Delivery", testDelivery},
		{"LargeCorpus", testLargeCorpus},
		{"Injection", testInjection},
		{"DirtyText", testDirtyText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := open(t)
			t.Cleanup(func() {
				if err := st.Close(); err != nil {
					t.Errorf("Close() = %v", err)
				}
			})
			tt.run(t, st)
		})
	}
}

// base is the time fixtures are placed around.
var base = time.Date(2031, 3, 10, 12, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// fullArticle returns an article with every field set.
func fullArticle(id string) proto.Article {
	text := "The harbor council of Velmora approved a new ferry line on Tuesday.\n\n" +
		"\"We will carry twelve thousand passengers a week,\" said Ilsa Brandt, the council chair.\n\n" +
		"The line costs 4.5 million crowns and opens in May."
	return proto.Article{
		ID:           id,
		URL:          "https://example.test/news/" + id + "?utm_source=x",
		CanonicalURL: "https://example.test/news/" + id,
		Source:       "example",
		Title:        "Velmora approves ferry line " + id,
		Authors:      []string{"Ana Reyes", "Tomas Lind"},
		PublishedAt:  ptr(base.Add(-2 * time.Hour)),
		ModifiedAt:   ptr(base.Add(-1 * time.Hour)),
		FetchedAt:    base,
		Language:     "en",
		Relevance:    0.75,
		OnTopic:      true,
		Summary:      "Velmora's harbor council approved a ferry line.",
		SiteName:     "Example News",
		Description:  "A ferry line for Velmora.",
		Image:        "https://example.test/img/" + id + ".jpg",
		WordCount:    42,
		Text:         text,
		Entities: []proto.Entity{
			{Name: "Velmora", Type: "place", Count: 3},
			{Name: "Ilsa Brandt", Type: "person", Count: 1},
			{Name: "Harbor Council", Type: "org", Count: 2},
		},
		Quotes: []proto.Quote{{Text: "We will carry twelve thousand passengers a week", Speaker: "Ilsa Brandt"}},
		Facts: []proto.Fact{
			{Kind: "money", Text: "4.5 million crowns", Value: 4.5e6, Unit: "crowns"},
			{Kind: "quantity", Text: "twelve thousand passengers", Value: 12000, Unit: "passengers"},
		},
		Keywords:        []string{"ferry", "harbor", "velmora"},
		PipelineVersion: "v1.2.0",
		Fingerprint:     fingerprint(id, 64, 0),
		ContentHash:     proto.ContentHash([]byte(text)),
		FetchedSeq:      1234567,
	}
}

// simple returns a small article, published at base+hours.
func simple(id, title, text string, hours int) proto.Article {
	return proto.Article{
		ID:              id,
		URL:             "https://example.test/" + id,
		CanonicalURL:    "https://example.test/" + id,
		Source:          "example",
		Title:           title,
		PublishedAt:     ptr(base.Add(time.Duration(hours) * time.Hour)),
		FetchedAt:       base.Add(time.Duration(hours)*time.Hour + time.Minute),
		Language:        "en",
		Text:            text,
		PipelineVersion: "v1",
	}
}

// fingerprint returns a MinHash-like hex signature of slots slots derived
// from seed; changed > 0 replaces that many slots with ones derived from
// "changed", giving a near-duplicate of the seed's signature.
func fingerprint(seed string, slots, changed int) string {
	var b strings.Builder
	for i := range slots {
		s := seed
		if i < changed {
			s = fmt.Sprintf("%s/changed%d", seed, changed)
		}
		fmt.Fprintf(&b, "%08x", hash32(fmt.Sprintf("%s#%d", s, i)))
	}
	return b.String()
}

// hash32 is FNV-1a.
func hash32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

func mustUpsert(t *testing.T, st store.Store, arts ...proto.Article) {
	t.Helper()
	if err := st.Upsert(context.Background(), arts); err != nil {
		t.Fatalf("Upsert(%d articles) = %v", len(arts), err)
	}
}

func mustGet(t *testing.T, st store.Store, id string) *proto.Article {
	t.Helper()
	a, err := st.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%q) = %v", id, err)
	}
	return a
}

func mustList(t *testing.T, st store.Store, q store.Query) store.Page {
	t.Helper()
	p, err := st.List(context.Background(), q)
	if err != nil {
		t.Fatalf("List(%+v) = %v", q, err)
	}
	if p.Articles == nil {
		t.Fatalf("List(%+v).Articles = nil; want non-nil", q)
	}
	return p
}

func ids(p store.Page) []string {
	out := make([]string, len(p.Articles))
	for i, a := range p.Articles {
		out[i] = a.ID
	}
	return out
}

func testRoundTrip(t *testing.T, st store.Store) {
	in := fullArticle("a1")
	mustUpsert(t, st, in)
	got := mustGet(t, st, "a1")
	want := in
	want.ClusterID = "a1"
	want.Duplicates = []string{}
	if !reflect.DeepEqual(got, &want) {
		t.Errorf("Get(a1) =\n%+v\nwant\n%+v", *got, want)
	}
	// The list form carries the list fields.
	p := mustList(t, st, store.Query{})
	if len(p.Articles) != 1 {
		t.Fatalf("List() = %d articles; want 1", len(p.Articles))
	}
	s := p.Articles[0]
	wantSum := store.Summary{
		ID: in.ID, URL: in.URL, CanonicalURL: in.CanonicalURL, Source: in.Source, Title: in.Title,
		Authors: in.Authors, PublishedAt: in.PublishedAt, FetchedAt: in.FetchedAt, Language: in.Language,
		Relevance: in.Relevance, OnTopic: in.OnTopic, ClusterID: "a1", Summary: in.Summary,
	}
	if !reflect.DeepEqual(s, wantSum) {
		t.Errorf("List()[0] =\n%+v\nwant\n%+v", s, wantSum)
	}
	if p.NextCursor != "" {
		t.Errorf("List().NextCursor = %q; want \"\"", p.NextCursor)
	}
}

func testEmptySlices(t *testing.T, st store.Store) {
	in := proto.Article{ID: "bare", FetchedAt: base}
	mustUpsert(t, st, in)
	got := mustGet(t, st, "bare")
	if got.Authors == nil || got.Entities == nil || got.Quotes == nil || got.Facts == nil ||
		got.Keywords == nil || got.Duplicates == nil {
		t.Errorf("Get(bare) has nil slices: %+v", *got)
	}
	if got.PublishedAt != nil || got.ModifiedAt != nil {
		t.Errorf("Get(bare) times = %v, %v; want nil", got.PublishedAt, got.ModifiedAt)
	}
	if got.ClusterID != "bare" {
		t.Errorf("Get(bare).ClusterID = %q; want own id", got.ClusterID)
	}
	p := mustList(t, st, store.Query{})
	if len(p.Articles) != 1 || p.Articles[0].Authors == nil {
		t.Errorf("List() = %+v; want one article with non-nil authors", p.Articles)
	}
}

func testNotFound(t *testing.T, st store.Store) {
	_, err := st.Get(context.Background(), "missing")
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get(missing) = %v; want ErrNotFound", err)
	}
}

func testInvalidArticle(t *testing.T, st store.Store) {
	err := st.Upsert(context.Background(), []proto.Article{fullArticle("ok"), {URL: "https://example.test/x"}})
	if !errors.Is(err, store.ErrInvalidArticle) {
		t.Errorf("Upsert(no id) = %v; want ErrInvalidArticle", err)
	}
	if _, err := st.Get(context.Background(), "ok"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get(ok) after failed batch = %v; want ErrNotFound (batch is one transaction)", err)
	}
	if err := st.Upsert(context.Background(), nil); err != nil {
		t.Errorf("Upsert(nil) = %v; want nil", err)
	}
}

func testRedelivery(t *testing.T, st store.Store) {
	ctx := context.Background()
	batch := []proto.Article{fullArticle("r1"), fullArticle("r2"), simple("r3", "Plain", "plain text", 1)}
	mustUpsert(t, st, batch...)
	before, err := st.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats() = %v", err)
	}
	want := mustGet(t, st, "r1")
	// Let the clock move so that any rewrite would show in updated_at.
	time.Sleep(5 * time.Millisecond)
	mustUpsert(t, st, batch...)
	mustUpsert(t, st, batch[1])
	after, err := st.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats() = %v", err)
	}
	if after.Articles != 3 {
		t.Errorf("Stats().Articles = %d; want 3", after.Articles)
	}
	if before.LastUpdatedAt == nil || after.LastUpdatedAt == nil || !after.LastUpdatedAt.Equal(*before.LastUpdatedAt) {
		t.Errorf("LastUpdatedAt after redelivery = %v; want %v (unchanged)", after.LastUpdatedAt, before.LastUpdatedAt)
	}
	if got := mustGet(t, st, "r1"); !reflect.DeepEqual(got, want) {
		t.Errorf("Get(r1) after redelivery =\n%+v\nwant\n%+v", *got, *want)
	}
}

func testVersions(t *testing.T, st store.Store) {
	stored := fullArticle("v")
	stored.PipelineVersion = "v2"
	tests := []struct {
		name        string
		fetched     time.Duration // relative to the stored FetchedAt
		version     string
		wantReplace bool
	}{
		{"older fetch keeps stored", -time.Hour, "v9", false},
		{"newer fetch replaces", time.Hour, "v1", true},
		{"same fetch older pipeline keeps stored", 0, "v1", false},
		{"same fetch newer pipeline replaces", 0, "v3", true},
		{"same fetch same pipeline changed content replaces", 0, "v2", true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("v%d", i)
			old := stored
			old.ID = id
			old.Fingerprint = fingerprint(id, 64, 0)
			mustUpsert(t, st, old)
			in := old
			in.FetchedAt = old.FetchedAt.Add(tt.fetched)
			in.PipelineVersion = tt.version
			in.Title = "Replaced title"
			in.Entities = []proto.Entity{{Name: "Someone Else", Type: "person", Count: 1}}
			mustUpsert(t, st, in)
			got := mustGet(t, st, id)
			want := old
			if tt.wantReplace {
				want = in
			}
			want.ClusterID, want.Duplicates = id, []string{}
			if !reflect.DeepEqual(got, &want) {
				t.Errorf("Get(%s) =\n%+v\nwant\n%+v", id, *got, want)
			}
			// Search follows the stored version.
			p := mustList(t, st, store.Query{Q: "replaced"})
			found := slices.Contains(ids(p), id)
			if found != tt.wantReplace {
				t.Errorf("search for the new title finds %s = %v; want %v", id, found, tt.wantReplace)
			}
		})
	}
}

func testSameIDInBatch(t *testing.T, st store.Store) {
	a := simple("s", "First title", "first", 0)
	b := a
	b.FetchedAt = a.FetchedAt.Add(time.Hour)
	b.Title = "Second title"
	c := a // older than b, comes last
	c.Title = "Stale title"
	mustUpsert(t, st, a, b, c)
	if got := mustGet(t, st, "s").Title; got != "Second title" {
		t.Errorf("Get(s).Title = %q; want %q", got, "Second title")
	}
}

func searchCorpus() []proto.Article {
	return []proto.Article{
		simple("s-title", "Lighthouse keepers strike in Velmora",
			"Workers walked out on Monday over pay. The lighthouse keepers demand more.", 1),
		simple("s-text", "Council meets on budget",
			"Among other items, the council discussed the old lighthouse near the pier.", 2),
		simple("s-other", "Orchard harvest breaks record",
			"Apple growers reported a record season thanks to a mild spring.", 3),
		simple("s-diacritic", "Café owners protest rents",
			"Owners of the café district marched to the town hall. <script>alert(1)</script>", 4),
		simple("s-phrase", "Harvest festival returns",
			"The record attendance surprised organisers; the apple growers association sponsored it.", 5),
	}
}

func testSearch(t *testing.T, st store.Store) {
	mustUpsert(t, st, searchCorpus()...)
	tests := []struct {
		name    string
		q       store.Query
		want    []string // in order
		anyWant []string // in any order
	}{
		{name: "word in title and text, ranked", q: store.Query{Q: "lighthouse", Sort: store.SortRelevance},
			want: []string{"s-title", "s-text"}},
		{name: "word, newest first", q: store.Query{Q: "lighthouse"}, want: []string{"s-text", "s-title"}},
		{name: "case insensitive", q: store.Query{Q: "ORCHARD"}, want: []string{"s-other"}},
		{name: "all words required", q: store.Query{Q: "apple spring"}, want: []string{"s-other"}},
		{name: "phrase", q: store.Query{Q: `"apple growers association"`}, want: []string{"s-phrase"}},
		{name: "words not phrase", q: store.Query{Q: "apple growers"}, anyWant: []string{"s-other", "s-phrase"}},
		{name: "prefix", q: store.Query{Q: "light*"}, anyWant: []string{"s-title", "s-text"}},
		{name: "or", q: store.Query{Q: "orchard OR lighthouse"}, anyWant: []string{"s-title", "s-text", "s-other"}},
		{name: "diacritics folded", q: store.Query{Q: "cafe"}, want: []string{"s-diacritic"}},
		{name: "diacritics in query", q: store.Query{Q: "café"}, want: []string{"s-diacritic"}},
		{name: "no match", q: store.Query{Q: "submarine"}, want: []string{}},
		{name: "search and filter", q: store.Query{Q: "lighthouse", Since: base.Add(90 * time.Minute)}, want: []string{"s-text"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustList(t, st, tt.q)
			got := ids(p)
			if tt.want != nil && !slices.Equal(got, tt.want) {
				t.Errorf("List(%q) = %v; want %v", tt.q.Q, got, tt.want)
			}
			if tt.anyWant != nil {
				slices.Sort(got)
				w := slices.Clone(tt.anyWant)
				slices.Sort(w)
				if !slices.Equal(got, w) {
					t.Errorf("List(%q) = %v; want %v in any order", tt.q.Q, got, w)
				}
			}
			for _, a := range p.Articles {
				if !strings.Contains(a.Snippet, "<mark>") || !strings.Contains(a.Snippet, "</mark>") {
					t.Errorf("List(%q) snippet of %s = %q; want <mark> highlights", tt.q.Q, a.ID, a.Snippet)
				}
			}
		})
	}
	t.Run("snippet escapes html", func(t *testing.T) {
		p := mustList(t, st, store.Query{Q: "town hall"})
		if len(p.Articles) != 1 {
			t.Fatalf("List(town hall) = %v; want one", ids(p))
		}
		sn := p.Articles[0].Snippet
		if strings.Contains(sn, "<script>") || !strings.Contains(sn, "&lt;script&gt;") {
			t.Errorf("snippet = %q; want the text HTML-escaped", sn)
		}
	})
	t.Run("snippet of a match far into a long text", func(t *testing.T) {
		// The only match comes after 3,000 characters of other words (a
		// store may look for snippets in the beginning first).
		filler := strings.Repeat("The harbour board met again and the ferry timetable stayed as it was. ", 45)
		for _, tt := range []struct{ id, text, word string }{
			{"s-far", filler + "At the very end the quarrymen unveiled a granite statue.", "quarrymen"},
			{"s-near", "The masons unveiled a sandstone statue first. " + filler, "sandstone"},
		} {
			mustUpsert(t, st, simple(tt.id, "Long report", tt.text, 6))
			p := mustList(t, st, store.Query{Q: tt.word})
			if len(p.Articles) != 1 || p.Articles[0].ID != tt.id {
				t.Fatalf("List(%s) = %v; want [%s]", tt.word, ids(p), tt.id)
			}
			if sn := p.Articles[0].Snippet; !strings.Contains(sn, "<mark>"+tt.word+"</mark>") {
				t.Errorf("List(%s) snippet = %q; want %q highlighted", tt.word, sn, tt.word)
			}
		}
	})
	t.Run("no snippet without q", func(t *testing.T) {
		for _, a := range mustList(t, st, store.Query{}).Articles {
			if a.Snippet != "" {
				t.Errorf("List() snippet of %s = %q; want \"\"", a.ID, a.Snippet)
			}
		}
	})
}

// expectSearch checks that each search text finds exactly its articles,
// newest first.
func expectSearch(t *testing.T, st store.Store, want map[string][]string) {
	t.Helper()
	for q, w := range want {
		if got := ids(mustList(t, st, store.Query{Q: q})); !slices.Equal(got, w) {
			t.Errorf("List(%q) = %v; want %v", q, got, w)
		}
	}
}

// testSearchRussian: a Russian word finds its other case forms, on both
// backends (PostgreSQL's Russian stemmer, SQLite's stem prefix).
func testSearchRussian(t *testing.T, st store.Store) {
	a := simple("ru-1", "Паром снова ходит через реку",
		"Паромная переправа возобновила работу. Глава района Ильза Брандт встретила первый паром у причала.", 1)
	a.Language = "ru"
	b := simple("ru-2", "Причал закрыт на ремонт",
		"Ремонт причала продлится месяц, сообщили в администрации.", 2)
	b.Language = "ru"
	mustUpsert(t, st, a, b)
	expectSearch(t, st, map[string][]string{
		"Брандт":         {"ru-1"},
		"Брандта":        {"ru-1"},
		"переправы":      {"ru-1"},
		"администрацией": {"ru-2"},
		"ремонта":        {"ru-2"},
		"лодка":          {},
	})
}

// testSearchChinese: Chinese text, written without spaces, is found by
// any word inside it, and only where its characters stand together.
func testSearchChinese(t *testing.T, st store.Store) {
	a := simple("zh-1", "渡轮恢复夜间航班",
		"港口管理局表示，渡轮将于周一恢复夜间航班。市长布兰特在码头迎接了第一班渡轮。", 1)
	a.Language = "zh"
	b := simple("zh-2", "码头维修工程开始",
		"维修工程将持续一个月，管理局表示码头暂时关闭。", 2)
	b.Language = "zh"
	c := simple("en-1", "Ferry resumes night service",
		"The harbour authority said the ferry would resume night service on Monday.", 3)
	mustUpsert(t, st, a, b, c)
	expectSearch(t, st, map[string][]string{
		"布兰特":        {"zh-1"},
		"码头":         {"zh-2", "zh-1"},
		"管理局 维修":     {"zh-2"},
		`"夜间航班"`:     {"zh-1"},
		"特兰布":        {},
		"渡轮 ferry":   {},
		"ferry":      {"en-1"},
		"渡轮 OR 维修工程": {"zh-2", "zh-1"},
	})
}

func testSearchSyntax(t *testing.T, st store.Store) {
	mustUpsert(t, st, searchCorpus()...)
	// User text is never FTS syntax: none of these may fail.
	for _, q := range []string{
		`"unbalanced quote`, `lighthouse AND`, `NOT lighthouse`, `(lighthouse`, `title:lighthouse`,
		`light* *`, `"" lighthouse`, `lighthouse ^ - + NEAR(a b)`, `OR lighthouse OR`, `l'ighthouse`,
		`lighthouse"*`, `😀 lighthouse`,
	} {
		if _, err := st.List(context.Background(), store.Query{Q: q}); err != nil {
			t.Errorf("List(%q) = %v; want nil", q, err)
		}
	}
	for _, q := range []string{`"`, `***`, `!!! ???`, `()`} {
		if _, err := st.List(context.Background(), store.Query{Q: q}); !errors.Is(err, store.ErrInvalidQuery) {
			t.Errorf("List(%q) = %v; want ErrInvalidQuery", q, err)
		}
	}
	if _, err := st.List(context.Background(), store.Query{Sort: "bogus"}); !errors.Is(err, store.ErrInvalidQuery) {
		t.Errorf("List(sort bogus) = %v; want ErrInvalidQuery", err)
	}
}

func filterCorpus() []proto.Article {
	mk := func(id, source, lang string, hours int, rel float64, onTopic bool, ents ...string) proto.Article {
		a := simple(id, "Story "+id, "Text of story "+id, hours)
		a.Source, a.Language, a.Relevance, a.OnTopic = source, lang, rel, onTopic
		for _, e := range ents {
			a.Entities = append(a.Entities, proto.Entity{Name: e, Type: "person", Count: 1})
		}
		return a
	}
	noPub := mk("f-nopub", "gamma", "en", 0, 0.1, false)
	noPub.PublishedAt = nil
	noPub.FetchedAt = base.Add(30 * time.Hour) // filters use fetched_at when unpublished
	return []proto.Article{
		mk("f1", "alpha", "en", 0, 0.9, true, "Ilsa Brandt"),
		mk("f2", "alpha", "de", 10, 0.5, true, "Ilsa Brandt", "Oskar Veil"),
		mk("f3", "beta", "en", 20, 0.2, false, "Oskar Veil"),
		mk("f4", "beta", "fr", 40, 0.7, true),
		noPub,
	}
}

func testFilters(t *testing.T, st store.Store) {
	mustUpsert(t, st, filterCorpus()...)
	tests := []struct {
		name string
		q    store.Query
		want []string // newest first
	}{
		{"none", store.Query{}, []string{"f4", "f-nopub", "f3", "f2", "f1"}},
		{"since inclusive", store.Query{Since: base.Add(10 * time.Hour)}, []string{"f4", "f-nopub", "f3", "f2"}},
		{"until exclusive", store.Query{Until: base.Add(20 * time.Hour)}, []string{"f2", "f1"}},
		{"since and until", store.Query{Since: base.Add(5 * time.Hour), Until: base.Add(35 * time.Hour)}, []string{"f-nopub", "f3", "f2"}},
		{"source", store.Query{Source: "beta"}, []string{"f4", "f3"}},
		{"language", store.Query{Language: "en"}, []string{"f-nopub", "f3", "f1"}},
		{"entity", store.Query{Entity: "Oskar Veil"}, []string{"f3", "f2"}},
		{"entity case-insensitive", store.Query{Entity: "ilsa brandt"}, []string{"f2", "f1"}},
		{"on topic", store.Query{OnTopic: ptr(true)}, []string{"f4", "f2", "f1"}},
		{"off topic", store.Query{OnTopic: ptr(false)}, []string{"f-nopub", "f3"}},
		{"min relevance", store.Query{MinRelevance: 0.5}, []string{"f4", "f2", "f1"}},
		{"combined", store.Query{Source: "alpha", Language: "en", OnTopic: ptr(true)}, []string{"f1"}},
		{"unknown source", store.Query{Source: "nope"}, []string{}},
		{"sort by relevance", store.Query{Sort: store.SortRelevance}, []string{"f1", "f4", "f2", "f3", "f-nopub"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(mustList(t, st, tt.q)); !slices.Equal(got, tt.want) {
				t.Errorf("List(%+v) = %v; want %v", tt.q, got, tt.want)
			}
		})
	}
}

func testPagination(t *testing.T, st store.Store) {
	var arts []proto.Article
	for i := range 50 {
		// Pairs share a time and triples a relevance, so ties are broken by id.
		a := simple(fmt.Sprintf("p%02d", i), fmt.Sprintf("Page story %d", i),
			fmt.Sprintf("Every story mentions the tidal barrier; this is number %d.", i), i/2)
		a.Relevance = float64(i%17) / 16
		if i%5 == 0 {
			a.PublishedAt = nil
			a.FetchedAt = base.Add(time.Duration(i/2) * time.Hour)
		}
		arts = append(arts, a)
	}
	mustUpsert(t, st, arts...)
	for _, tt := range []struct {
		name string
		q    store.Query
	}{
		{"published", store.Query{Limit: 7}},
		{"relevance", store.Query{Limit: 7, Sort: store.SortRelevance}},
		{"search published", store.Query{Limit: 6, Q: "tidal barrier"}},
		{"search ranked", store.Query{Limit: 9, Q: "tidal", Sort: store.SortRelevance}},
		{"one per page", store.Query{Limit: 1, Sort: store.SortRelevance}},
		{"all in one", store.Query{Limit: 200}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			seen := map[string]bool{}
			var order []string
			q := tt.q
			for pages := 0; ; pages++ {
				if pages > 60 {
					t.Fatalf("more than 60 pages; cursor does not advance")
				}
				p := mustList(t, st, q)
				if len(p.Articles) > q.Limit {
					t.Fatalf("page of %d; want at most %d", len(p.Articles), q.Limit)
				}
				for _, a := range p.Articles {
					if seen[a.ID] {
						t.Errorf("%s seen twice", a.ID)
					}
					seen[a.ID] = true
					order = append(order, a.ID)
				}
				if p.NextCursor == "" {
					break
				}
				if len(p.Articles) < q.Limit {
					t.Errorf("short page of %d with a next cursor", len(p.Articles))
				}
				q.Cursor = p.NextCursor
			}
			if len(seen) != 50 {
				t.Errorf("visited %d articles; want 50", len(seen))
			}
			// The pages together are the same order as one big page.
			all := tt.q
			all.Limit, all.Cursor = 200, ""
			if want := ids(mustList(t, st, all)); !slices.Equal(order, want) {
				t.Errorf("paged order =\n%v\nwant\n%v", order, want)
			}
		})
	}
	t.Run("order", func(t *testing.T) {
		p := mustList(t, st, store.Query{Limit: 200})
		for i := 1; i < len(p.Articles); i++ {
			if sortTime(p.Articles[i]).After(sortTime(p.Articles[i-1])) {
				t.Errorf("article %d (%s) is newer than the one before it", i, p.Articles[i].ID)
			}
		}
		p = mustList(t, st, store.Query{Limit: 200, Sort: store.SortRelevance})
		for i := 1; i < len(p.Articles); i++ {
			if p.Articles[i].Relevance > p.Articles[i-1].Relevance {
				t.Errorf("article %d (%s) is more relevant than the one before it", i, p.Articles[i].ID)
			}
		}
	})
	t.Run("limits", func(t *testing.T) {
		if n := len(mustList(t, st, store.Query{}).Articles); n != store.DefaultLimit {
			t.Errorf("default page = %d; want %d", n, store.DefaultLimit)
		}
	})
}

func sortTime(s store.Summary) time.Time {
	if s.PublishedAt != nil {
		return *s.PublishedAt
	}
	return s.FetchedAt
}

func testBadCursor(t *testing.T, st store.Store) {
	ctx := context.Background()
	var arts []proto.Article
	for i := range 5 {
		arts = append(arts, simple(fmt.Sprintf("c%d", i), "Cursor story", "text", i))
	}
	mustUpsert(t, st, arts...)
	p := mustList(t, st, store.Query{Limit: 2})
	if p.NextCursor == "" {
		t.Fatal("List(limit 2) has no next cursor")
	}
	for _, tt := range []struct {
		name string
		q    store.Query
	}{
		{"garbage", store.Query{Cursor: "!!not-a-cursor!!"}},
		{"base64 garbage", store.Query{Cursor: "aGVsbG8"}},
		{"other sort", store.Query{Cursor: p.NextCursor, Sort: store.SortRelevance}},
	} {
		if _, err := st.List(ctx, tt.q); !errors.Is(err, store.ErrInvalidQuery) {
			t.Errorf("%s: List(cursor %q) = %v; want ErrInvalidQuery", tt.name, tt.q.Cursor, err)
		}
	}
}

func testDuplicates(t *testing.T, st store.Store) {
	orig := simple("d-orig", "Original report", "The original wording of the report.", 0)
	orig.Fingerprint = fingerprint("story", 64, 0)
	copy1 := simple("d-copy1", "Syndicated copy", "The original wording of the report, syndicated.", 1)
	copy1.Fingerprint = fingerprint("story", 64, 6) // ~0.9 similar
	copy2 := simple("d-copy2", "Another copy", "Mostly the original wording.", 2)
	copy2.Fingerprint = strings.ToUpper(fingerprint("story", 64, 20)) // ~0.69, case ignored
	far := simple("d-far", "Loosely related", "Different text.", 3)
	far.Fingerprint = fingerprint("story", 64, 40) // ~0.38: shares bands, not similar enough
	other := simple("d-other", "Unrelated", "Unrelated text.", 4)
	other.Fingerprint = fingerprint("other", 64, 0)
	none := simple("d-none", "No fingerprint", "No fingerprint.", 5)
	long := simple("d-long", "Longer signature", "128 slots.", 6)
	long.Fingerprint = fingerprint("long", 128, 0)
	longCopy := simple("d-longcopy", "Longer signature copy", "128 slots.", 7)
	longCopy.Fingerprint = fingerprint("long", 128, 30)

	mustUpsert(t, st, orig)
	mustUpsert(t, st, copy1, copy2, far, other, none, long, longCopy) // copies in a later batch
	tests := []struct {
		id          string
		wantCluster string
		wantDups    []string
	}{
		{"d-orig", "d-orig", []string{"d-copy1", "d-copy2"}},
		{"d-copy1", "d-orig", []string{"d-orig", "d-copy2"}},
		{"d-copy2", "d-orig", []string{"d-orig", "d-copy1"}},
		{"d-far", "d-far", []string{}},
		{"d-other", "d-other", []string{}},
		{"d-none", "d-none", []string{}},
		{"d-long", "d-long", []string{"d-longcopy"}},
		{"d-longcopy", "d-long", []string{"d-long"}},
	}
	for _, tt := range tests {
		a := mustGet(t, st, tt.id)
		if a.ClusterID != tt.wantCluster {
			t.Errorf("Get(%s).ClusterID = %q; want %q", tt.id, a.ClusterID, tt.wantCluster)
		}
		got, want := slices.Clone(a.Duplicates), slices.Clone(tt.wantDups)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("Get(%s).Duplicates = %v; want %v", tt.id, a.Duplicates, tt.wantDups)
		}
	}
	// Clusters in the same batch, and stable on redelivery.
	t.Run("same batch", func(t *testing.T) {
		x := simple("d-x", "X", "x", 10)
		x.Fingerprint = fingerprint("xstory", 64, 0)
		y := simple("d-y", "Y", "y", 11)
		y.Fingerprint = fingerprint("xstory", 64, 3)
		mustUpsert(t, st, x, y)
		mustUpsert(t, st, y, x)
		if got := mustGet(t, st, "d-y").ClusterID; got != "d-x" {
			t.Errorf("Get(d-y).ClusterID = %q; want d-x", got)
		}
		if got := mustGet(t, st, "d-x").ClusterID; got != "d-x" {
			t.Errorf("Get(d-x).ClusterID = %q; want d-x", got)
		}
	})
	// A story copied more often than the lookup reads candidates for a
	// band: every copy still joins the first one's cluster.
	t.Run("large cluster", func(t *testing.T) {
		const copies = 150
		var batch []proto.Article
		for i := range copies {
			a := simple(fmt.Sprintf("d-big-%03d", i), "Wire story", "The wire story.", 20+i/30)
			a.Fingerprint = fingerprint("wire", 64, i%8)
			batch = append(batch, a)
			if len(batch) == 30 || i == 0 || i == copies-1 {
				mustUpsert(t, st, batch...)
				batch = batch[:0]
			}
		}
		lone := simple("d-lone", "Lone story", "Unrelated.", 30)
		lone.Fingerprint = fingerprint("lone", 64, 0)
		mustUpsert(t, st, lone)
		for i := range copies {
			id := fmt.Sprintf("d-big-%03d", i)
			if got := mustGet(t, st, id).ClusterID; got != "d-big-000" {
				t.Errorf("Get(%s).ClusterID = %q; want d-big-000", id, got)
			}
		}
		if got := mustGet(t, st, "d-lone").ClusterID; got != "d-lone" {
			t.Errorf("Get(d-lone).ClusterID = %q; want d-lone", got)
		}
	})
	// The list shows cluster ids too.
	for _, a := range mustList(t, st, store.Query{Limit: 200}).Articles {
		if a.ClusterID == "" {
			t.Errorf("List() %s has no cluster id", a.ID)
		}
	}
}

func testEntities(t *testing.T, st store.Store) {
	ctx := context.Background()
	ent := func(name, typ string, n int) proto.Entity { return proto.Entity{Name: name, Type: typ, Count: n} }
	a := simple("e1", "One", "one", 0)
	a.Entities = []proto.Entity{ent("Ilsa Brandt", "person", 3), ent("Velmora", "place", 1), ent("Harbor Council", "org", 2)}
	b := simple("e2", "Two", "two", 10)
	b.Entities = []proto.Entity{ent("Ilsa Brandt", "person", 1), ent("Velmora", "place", 5)}
	b.OnTopic = true
	c := simple("e3", "Three", "three", 20)
	c.Entities = []proto.Entity{ent("Velmora", "place", 1), ent("Oskar Veil", "person", 7)}
	c.OnTopic = true
	mustUpsert(t, st, a, b, c)
	tests := []struct {
		name string
		q    store.EntityQuery
		want []store.EntityCount
	}{
		{"all", store.EntityQuery{}, []store.EntityCount{
			{Name: "Velmora", Type: "place", Articles: 3, Mentions: 7},
			{Name: "Ilsa Brandt", Type: "person", Articles: 2, Mentions: 4},
			{Name: "Oskar Veil", Type: "person", Articles: 1, Mentions: 7},
			{Name: "Harbor Council", Type: "org", Articles: 1, Mentions: 2},
		}},
		{"type", store.EntityQuery{Type: "person"}, []store.EntityCount{
			{Name: "Ilsa Brandt", Type: "person", Articles: 2, Mentions: 4},
			{Name: "Oskar Veil", Type: "person", Articles: 1, Mentions: 7},
		}},
		{"since", store.EntityQuery{Since: base.Add(5 * time.Hour), Type: "person"}, []store.EntityCount{
			{Name: "Oskar Veil", Type: "person", Articles: 1, Mentions: 7},
			{Name: "Ilsa Brandt", Type: "person", Articles: 1, Mentions: 1},
		}},
		{"on topic", store.EntityQuery{OnTopic: ptr(true), Limit: 1}, []store.EntityCount{
			{Name: "Velmora", Type: "place", Articles: 2, Mentions: 6},
		}},
		{"limit", store.EntityQuery{Limit: 2}, []store.EntityCount{
			{Name: "Velmora", Type: "place", Articles: 3, Mentions: 7},
			{Name: "Ilsa Brandt", Type: "person", Articles: 2, Mentions: 4},
		}},
		{"none", store.EntityQuery{Type: "planet"}, []store.EntityCount{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.Entities(ctx, tt.q)
			if err != nil {
				t.Fatalf("Entities(%+v) = %v", tt.q, err)
			}
			if got == nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Entities(%+v) =\n%+v\nwant\n%+v", tt.q, got, tt.want)
			}
		})
	}
}

func testStats(t *testing.T, st store.Store) {
	ctx := context.Background()
	empty, err := st.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats() = %v", err)
	}
	if empty.Articles != 0 || empty.LastFetchedAt != nil || empty.Sources == nil || empty.Days == nil || empty.Languages == nil {
		t.Errorf("Stats() of empty store = %+v", empty)
	}
	mustUpsert(t, st, filterCorpus()...)
	dup := simple("f1-copy", "Copy", "copy", 1)
	dup.Fingerprint = fingerprint("f1", 64, 1)
	orig := mustGet(t, st, "f1")
	orig.Fingerprint = fingerprint("f1", 64, 0)
	orig.PipelineVersion = "v2"
	mustUpsert(t, st, *orig, dup)
	got, err := st.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats() = %v", err)
	}
	if got.Articles != 6 || got.OnTopic != 3 || got.Clusters != 5 || got.Entities != 2 {
		t.Errorf("Stats() counts = articles %d, on topic %d, clusters %d, entities %d; want 6, 3, 5, 2",
			got.Articles, got.OnTopic, got.Clusters, got.Entities)
	}
	if want := base.Add(40*time.Hour + time.Minute); got.LastFetchedAt == nil || !got.LastFetchedAt.Equal(want) {
		t.Errorf("Stats().LastFetchedAt = %v; want %v", got.LastFetchedAt, want)
	}
	wantSources := []store.SourceCount{{Source: "alpha", Articles: 2}, {Source: "beta", Articles: 2}, {Source: "example", Articles: 1}, {Source: "gamma", Articles: 1}}
	if !reflect.DeepEqual(got.Sources, wantSources) {
		t.Errorf("Stats().Sources = %+v; want %+v", got.Sources, wantSources)
	}
	wantLangs := []store.LangCount{{Language: "en", Articles: 4}, {Language: "de", Articles: 1}, {Language: "fr", Articles: 1}}
	if !reflect.DeepEqual(got.Languages, wantLangs) {
		t.Errorf("Stats().Languages = %+v; want %+v", got.Languages, wantLangs)
	}
	wantDays := []store.DayCount{{Day: "2031-03-10", Articles: 3}, {Day: "2031-03-11", Articles: 2}, {Day: "2031-03-12", Articles: 1}}
	if !reflect.DeepEqual(got.Days, wantDays) {
		t.Errorf("Stats().Days = %+v; want %+v", got.Days, wantDays)
	}
}
