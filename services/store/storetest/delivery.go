package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/store"
)

// versions returns the versions an article goes through, oldest first:
// a draft; the same fetch re-extracted by a newer pipeline; a newer fetch
// (re-extracted by the older pipeline, which still wins: fetch time comes
// first). Article i has 1 + i%3 of them.
func versions(id string, i int) []proto.Article {
	at := base.Add(time.Duration(i) * time.Minute)
	v0 := simple(id, "Draft headline "+id, "The draftword version of the story.", 0)
	v0.FetchedAt, v0.PublishedAt = at, ptr(at.Add(-time.Hour))
	v0.PipelineVersion = "v1"
	v0.Fingerprint = fingerprint(id, 64, 0)
	v0.Entities = []proto.Entity{{Name: "Draft Person", Type: "person", Count: 1}}
	v0.FetchedSeq = uint64(1000 + i)
	v1 := v0
	v1.PipelineVersion, v1.Title, v1.Text = "v2", "Revised headline "+id, "The revisedword version of the story."
	v1.Entities = []proto.Entity{{Name: "Revised Person", Type: "person", Count: 2}}
	v2 := v0
	v2.FetchedAt, v2.FetchedSeq = at.Add(time.Hour), uint64(5000+i)
	v2.Title, v2.Text = "Final headline "+id, "The finalword version of the story, updated."
	v2.Fingerprint = fingerprint(id, 64, 2)
	v2.Entities = []proto.Entity{{Name: "Final Person", Type: "person", Count: 3}, {Name: "Velmora", Type: "place", Count: 1}}
	v2.Quotes = []proto.Quote{{Text: "It is final", Speaker: "Final Person"}}
	return []proto.Article{v0, v1, v2}[:1+i%3]
}

// deliveryCorpus is every version of n articles with ids prefix-NNN, in
// the order a pipeline would emit them, and the newest version of each.
func deliveryCorpus(prefix string, n int) (msgs []proto.Article, newest map[string]proto.Article) {
	newest = map[string]proto.Article{}
	for i := range n {
		id := fmt.Sprintf("%s-%03d", prefix, i)
		vs := versions(id, i)
		msgs = append(msgs, vs...)
		newest[id] = vs[len(vs)-1]
	}
	return msgs, newest
}

// deliverBatches upserts msgs in batches of size.
func deliverBatches(t *testing.T, st store.Store, msgs []proto.Article, size int) {
	t.Helper()
	for i := 0; i < len(msgs); i += size {
		mustUpsert(t, st, msgs[i:min(i+size, len(msgs))]...)
	}
}

// testDelivery checks at-least-once delivery: duplicated batches, newer
// versions arriving first, shuffled redeliveries and a replay of the whole
// corpus each leave exactly one row per article, holding its newest
// version.
func testDelivery(t *testing.T, st store.Store) {
	ctx := context.Background()
	const n = 60
	want := map[string]proto.Article{}
	var all []proto.Article
	scenario := func(prefix string, deliver func(msgs []proto.Article)) {
		msgs, newest := deliveryCorpus(prefix, n)
		deliver(msgs)
		all = append(all, msgs...)
		for id, a := range newest {
			want[id] = a
		}
	}
	// Every batch delivered twice, then everything again in one batch.
	scenario("dup", func(msgs []proto.Article) {
		for i := 0; i < len(msgs); i += 7 {
			b := msgs[i:min(i+7, len(msgs))]
			mustUpsert(t, st, b...)
			mustUpsert(t, st, b...)
		}
		mustUpsert(t, st, msgs...)
	})
	// Newest first: the whole stream reversed, in batches and one by one.
	scenario("rev", func(msgs []proto.Article) {
		rev := slices.Clone(msgs)
		slices.Reverse(rev)
		deliverBatches(t, st, rev[:len(rev)/2], 5)
		deliverBatches(t, st, rev[len(rev)/2:], 1)
	})
	// Shuffled, each message one to three times, in batches of 1 to 40.
	scenario("shuf", func(msgs []proto.Article) {
		r := rand.New(rand.NewPCG(11, 12))
		var stream []proto.Article
		for _, m := range msgs {
			for range 1 + r.IntN(3) {
				stream = append(stream, m)
			}
		}
		r.Shuffle(len(stream), func(i, j int) { stream[i], stream[j] = stream[j], stream[i] })
		for len(stream) > 0 {
			k := min(len(stream), 1+r.IntN(40))
			mustUpsert(t, st, stream[:k]...)
			stream = stream[k:]
		}
	})

	check := func(t *testing.T) {
		t.Helper()
		for id, w := range want {
			got := mustGet(t, st, id)
			w.ClusterID, w.Duplicates = id, []string{}
			w.Normalize()
			if !reflect.DeepEqual(got, &w) {
				t.Fatalf("Get(%s) =\n%+v\nwant the newest version\n%+v", id, *got, w)
			}
		}
		stats, err := st.Stats(ctx)
		if err != nil {
			t.Fatalf("Stats() = %v", err)
		}
		if stats.Articles != len(want) || stats.Clusters != len(want) {
			t.Errorf("Stats() = %d articles in %d clusters; want %d and %d", stats.Articles, stats.Clusters, len(want), len(want))
		}
		// One row per article in listings too.
		seen := map[string]bool{}
		q := store.Query{Limit: store.MaxLimit}
		for {
			p := mustList(t, st, q)
			for _, a := range p.Articles {
				if seen[a.ID] {
					t.Errorf("List() shows %s twice", a.ID)
				}
				seen[a.ID] = true
			}
			if q.Cursor = p.NextCursor; q.Cursor == "" {
				break
			}
		}
		if len(seen) != len(want) {
			t.Errorf("List() pages hold %d articles; want %d", len(seen), len(want))
		}
		// Search and entities see only the newest versions.
		for word, version := range map[string]int{"draftword": 0, "revisedword": 1, "finalword": 2} {
			var wantIDs []string
			for id, a := range want {
				if len(versionsOf(a)) == version+1 {
					wantIDs = append(wantIDs, id)
				}
			}
			slices.Sort(wantIDs)
			got := allIDs(t, st, store.Query{Q: word})
			slices.Sort(got)
			if !slices.Equal(got, wantIDs) {
				t.Errorf("List(q=%s) = %d articles %v; want %d", word, len(got), got, len(wantIDs))
			}
		}
		ents, err := st.Entities(ctx, store.EntityQuery{Type: "person"})
		if err != nil {
			t.Fatalf("Entities() = %v", err)
		}
		wantEnts := []store.EntityCount{
			{Name: "Final Person", Type: "person", Articles: len(want) / 3, Mentions: 3 * len(want) / 3},
			{Name: "Revised Person", Type: "person", Articles: len(want) / 3, Mentions: 2 * len(want) / 3},
			{Name: "Draft Person", Type: "person", Articles: len(want) / 3, Mentions: len(want) / 3},
		}
		if !reflect.DeepEqual(ents, wantEnts) {
			t.Errorf("Entities(person) = %+v; want %+v", ents, wantEnts)
		}
	}
	check(t)
	before, err := st.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats() = %v", err)
	}
	t.Run("replay", func(t *testing.T) {
		time.Sleep(2 * time.Millisecond) // a rewrite would show in LastUpdatedAt
		deliverBatches(t, st, all, 200)
		slices.Reverse(all)
		deliverBatches(t, st, all, 33)
		check(t)
		after, err := st.Stats(ctx)
		if err != nil {
			t.Fatalf("Stats() = %v", err)
		}
		if !reflect.DeepEqual(after.LastUpdatedAt, before.LastUpdatedAt) {
			t.Errorf("LastUpdatedAt after replay = %v; want %v (nothing rewritten)", after.LastUpdatedAt, before.LastUpdatedAt)
		}
	})
}

// versionsOf returns the version list the article a was the newest of.
func versionsOf(a proto.Article) []proto.Article {
	var i int
	if _, err := fmt.Sscanf(a.ID[len(a.ID)-3:], "%03d", &i); err != nil {
		panic(err)
	}
	return versions(a.ID, i)
}

// allIDs pages through q and returns every id, in order.
func allIDs(t *testing.T, st store.Store, q store.Query) []string {
	t.Helper()
	var out []string
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatalf("List(%+v): more than 10000 pages", q)
		}
		p := mustList(t, st, q)
		out = append(out, ids(p)...)
		if p.NextCursor == "" {
			return out
		}
		if len(p.Articles) == 0 {
			t.Fatalf("List(%+v): empty page with a next cursor", q)
		}
		q.Cursor = p.NextCursor
	}
}
