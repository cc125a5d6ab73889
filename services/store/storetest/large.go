package storetest

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/store"
)

// largeN is the size of the corpus of testLargeCorpus.
const largeN = 10_000

// inventedWords returns n distinct made-up words. They end in "k", which no
// stemmer of the languages used here strips, so every backend indexes them
// as written.
func inventedWords(r *rand.Rand, n int) []string {
	const cons, vows = "bdfglmnprstvz", "aeiou"
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		var b strings.Builder
		for range 2 + r.IntN(2) {
			b.WriteByte(cons[r.IntN(len(cons))])
			b.WriteByte(vows[r.IntN(len(vows))])
		}
		b.WriteByte('k')
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// largeDoc is a generated article with what the expected sets need.
type largeDoc struct {
	a      proto.Article
	words  []string // the text, tokenized
	sortAt time.Time
	ents   map[string]bool // entity names, lower case
}

// testLargeCorpus stores 10,000 generated articles and checks a phrase
// search, an entity filter, a date window and their combinations, paged
// with cursors, against expected sets computed here from the articles.
func testLargeCorpus(t *testing.T, st store.Store) {
	if testing.Short() {
		t.Skip("skipping the 10,000-article corpus in short mode")
	}
	r := rand.New(rand.NewPCG(21, 22))
	vocab := inventedWords(r, 600)
	langs := []string{"en", "en", "en", "de", "fr", "es", "ru", ""}
	start := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	docs := make([]largeDoc, largeN)
	arts := make([]proto.Article, largeN)
	for i := range docs {
		id := fmt.Sprintf("L%05d", r.IntN(1_000_000)*100+i%100) // ids not in time order
		words := make([]string, 20+r.IntN(30))
		for j := range words {
			// Skewed: low indexes are common words, high ones rare.
			k := r.IntN(len(vocab))
			words[j] = vocab[k*k/len(vocab)]
		}
		if i%25 == 0 { // plant the phrase in some articles
			j := r.IntN(len(words) - 1)
			words[j], words[j+1] = vocab[5], vocab[7]
		}
		// Minutes, so that times tie now and then.
		at := start.Add(time.Duration(r.IntN(60*24*90)) * time.Minute)
		a := proto.Article{
			ID: id, URL: "https://large.test/" + id, Source: fmt.Sprintf("src%d", r.IntN(6)),
			Title: "Report " + id, FetchedAt: at.Add(time.Duration(r.IntN(120)) * time.Minute),
			Language: langs[r.IntN(len(langs))], Relevance: float64(r.IntN(21)) / 20, OnTopic: r.IntN(3) == 0,
			Text: strings.Join(words, " "), PipelineVersion: "v1",
		}
		sortAt := a.FetchedAt
		if r.IntN(10) > 0 {
			a.PublishedAt = ptr(at)
			sortAt = at
		}
		ents := map[string]bool{}
		for range r.IntN(4) {
			name := fmt.Sprintf("Person %d", r.IntN(150))
			if !ents[strings.ToLower(name)] {
				ents[strings.ToLower(name)] = true
				a.Entities = append(a.Entities, proto.Entity{Name: name, Type: "person", Count: 1 + r.IntN(3)})
			}
		}
		docs[i] = largeDoc{a: a, words: words, sortAt: sortAt, ents: ents}
		arts[i] = a
	}
	// Ids are random: drop the rare repeats so each doc is one article.
	seen := map[string]bool{}
	docs = slices.DeleteFunc(docs, func(d largeDoc) bool {
		dup := seen[d.a.ID]
		seen[d.a.ID] = true
		return dup
	})
	arts = arts[:0]
	for _, d := range docs {
		arts = append(arts, d.a)
	}
	deliverBatches(t, st, arts, 500)

	hasPhrase := func(d largeDoc, w1, w2 string) bool {
		for j := 0; j+1 < len(d.words); j++ {
			if d.words[j] == w1 && d.words[j+1] == w2 {
				return true
			}
		}
		return false
	}
	byPublished := func(x, y largeDoc) int {
		return cmp.Or(y.sortAt.Compare(x.sortAt), strings.Compare(y.a.ID, x.a.ID))
	}
	byRelevance := func(x, y largeDoc) int {
		return cmp.Or(cmp.Compare(y.a.Relevance, x.a.Relevance), strings.Compare(x.a.ID, y.a.ID))
	}
	since, until := start.AddDate(0, 0, 20), start.AddDate(0, 0, 41).Add(17*time.Minute)
	inWindow := func(d largeDoc) bool { return !d.sortAt.Before(since) && d.sortAt.Before(until) }
	phrase := `"` + vocab[5] + " " + vocab[7] + `"`
	tests := []struct {
		name  string
		q     store.Query
		match func(d largeDoc) bool
		order func(x, y largeDoc) int // nil: any order (search rank)
	}{
		{"phrase", store.Query{Q: phrase}, func(d largeDoc) bool { return hasPhrase(d, vocab[5], vocab[7]) }, byPublished},
		{"phrase ranked", store.Query{Q: phrase, Sort: store.SortRelevance},
			func(d largeDoc) bool { return hasPhrase(d, vocab[5], vocab[7]) }, nil},
		{"entity", store.Query{Entity: "PERSON 42"}, func(d largeDoc) bool { return d.ents["person 42"] }, byPublished},
		{"entity by relevance", store.Query{Entity: "person 7", Sort: store.SortRelevance},
			func(d largeDoc) bool { return d.ents["person 7"] }, byRelevance},
		{"date window", store.Query{Since: since, Until: until}, inWindow, byPublished},
		{"date window by relevance", store.Query{Since: since, Until: until, Sort: store.SortRelevance}, inWindow, byRelevance},
		{"phrase in window", store.Query{Q: phrase, Since: since, Until: until},
			func(d largeDoc) bool { return inWindow(d) && hasPhrase(d, vocab[5], vocab[7]) }, byPublished},
		{"entity in window on topic", store.Query{Entity: "person 3", Since: since, Until: until, OnTopic: ptr(true)},
			func(d largeDoc) bool { return d.ents["person 3"] && inWindow(d) && d.a.OnTopic }, byPublished},
		{"rare word and source", store.Query{Q: vocab[590], Source: "src2", MinRelevance: 0.5},
			func(d largeDoc) bool {
				return d.a.Source == "src2" && d.a.Relevance >= 0.5 && slices.Contains(d.words, vocab[590])
			}, byPublished},
	}
	// A word in most articles: newest-first listings walk the sort order
	// and test each article, falling back to reading every match when the
	// other filters make matches sparse.
	common := vocab[0]
	hasPrefix := func(d largeDoc, p string) bool {
		return slices.ContainsFunc(d.words, func(w string) bool { return strings.HasPrefix(w, p) })
	}
	tests = append(tests, []struct {
		name  string
		q     store.Query
		match func(d largeDoc) bool
		order func(x, y largeDoc) int
	}{
		{"common word", store.Query{Q: common}, func(d largeDoc) bool { return slices.Contains(d.words, common) }, byPublished},
		{"common word in window", store.Query{Q: common, Since: since, Until: until},
			func(d largeDoc) bool { return inWindow(d) && slices.Contains(d.words, common) }, byPublished},
		{"common word and entity", store.Query{Q: common, Entity: "person 3"},
			func(d largeDoc) bool { return d.ents["person 3"] && slices.Contains(d.words, common) }, byPublished},
		{"common word and source", store.Query{Q: common, Source: "src2", OnTopic: ptr(true)},
			func(d largeDoc) bool {
				return d.a.Source == "src2" && d.a.OnTopic && slices.Contains(d.words, common)
			}, byPublished},
		{"common prefix", store.Query{Q: common[:3] + "*"}, func(d largeDoc) bool { return hasPrefix(d, common[:3]) }, byPublished},
	}...)
	testRankedCommonWord(t, st, docs, common)
	testEverySnippet(t, st, []store.Query{
		{Q: common[:3] + "*", Limit: 97},
		{Q: common, Sort: store.SortRelevance, Limit: 150},
		{Q: phrase, Since: since, Until: until, Limit: 7},
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []string
			var matched []largeDoc
			for _, d := range docs {
				if tt.match(d) {
					matched = append(matched, d)
				}
			}
			if len(matched) == 0 {
				t.Fatalf("no article matches; the fixture is wrong")
			}
			if tt.order != nil {
				slices.SortFunc(matched, tt.order)
			}
			for _, d := range matched {
				want = append(want, d.a.ID)
			}
			q := tt.q
			q.Limit = 97
			got := allIDs(t, st, q)
			if tt.order == nil {
				got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
			}
			if !slices.Equal(got, want) {
				t.Errorf("List(%+v) paged = %d articles; want %d\n%s", tt.q, len(got), len(want), firstDiff(got, want))
			}
		})
	}
}

// testRankedCommonWord ranks a word found in most of the corpus. A store
// may rank only a bounded set of candidates (the newest matches) for such
// a word, so the pages must hold only matches, each once, and at least
// the first thousand of them.
func testRankedCommonWord(t *testing.T, st store.Store, docs []largeDoc, word string) {
	t.Run("common word ranked", func(t *testing.T) {
		match := map[string]bool{}
		for _, d := range docs {
			if slices.Contains(d.words, word) {
				match[d.a.ID] = true
			}
		}
		got := allIDs(t, st, store.Query{Q: word, Sort: store.SortRelevance, Limit: 150})
		seen := map[string]bool{}
		for _, id := range got {
			if !match[id] || seen[id] {
				t.Fatalf("List(q=%s ranked) lists %s: a non-match or a repeat", word, id)
			}
			seen[id] = true
		}
		if want := min(len(match), 1000); len(got) < want {
			t.Errorf("List(q=%s ranked) paged = %d articles; want at least %d of %d matches", word, len(got), want, len(match))
		}
	})
}

// testEverySnippet pages through searches and checks that every article
// listed has a snippet with the match highlighted (snippets are made a
// page at a time).
func testEverySnippet(t *testing.T, st store.Store, qs []store.Query) {
	t.Run("every snippet", func(t *testing.T) {
		for _, q := range qs {
			n := 0
			for pages := 0; pages < 1000; pages++ {
				p := mustList(t, st, q)
				for _, a := range p.Articles {
					n++
					if !strings.Contains(a.Snippet, "<mark>") {
						t.Fatalf("List(%+v) page %d: snippet of %s = %q; want a <mark> highlight", q, pages, a.ID, a.Snippet)
					}
				}
				if p.NextCursor == "" {
					break
				}
				q.Cursor = p.NextCursor
			}
			if n == 0 {
				t.Errorf("List(%+v) listed nothing; the fixture is wrong", q)
			}
		}
	})
}

// firstDiff describes where two id lists first differ.
func firstDiff(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("first difference at %d: got %s, want %s", i, got[i], want[i])
		}
	}
	return fmt.Sprintf("one is a prefix of the other (%d vs %d)", len(got), len(want))
}
