package storetest

import (
	"context"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/store"
)

// attacks are SQL (and search syntax) injection attempts.
var attacks = []string{
	`' OR '1'='1`,
	`' OR 1=1 --`,
	`'; DROP TABLE articles; --`,
	`"; DROP TABLE articles; --`,
	`') OR ('x'='x`,
	`1; DELETE FROM articles`,
	`' UNION SELECT id, id, id FROM articles --`,
	`'||(SELECT pg_sleep(5))||'`,
	`x' COLLATE "C" OR 'a'='a`,
	`%`, `_`, `*`, `\`, `\'`, `$1`, `?`, `?1`, `:name`, `@p1`,
	`articles_fts MATCH '*'`,
	`example' --`,
	"ex\u2019ample",
}

// testInjection sends every attack in every text field of a query: each
// is taken literally (it matches nothing, or is rejected as an invalid
// query) and the data are untouched.
func testInjection(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustUpsert(t, st, filterCorpus()...)
	mustUpsert(t, st, searchCorpus()...)
	before, err := st.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats() = %v", err)
	}
	empty := func(t *testing.T, what string, q store.Query) {
		t.Helper()
		p, err := st.List(ctx, q)
		if err != nil {
			t.Errorf("List(%s) = %v; want no error", what, err)
			return
		}
		if len(p.Articles) != 0 {
			t.Errorf("List(%s) = %v; want nothing", what, ids(p))
		}
	}
	invalid := func(t *testing.T, what string, q store.Query) {
		t.Helper()
		if _, err := st.List(ctx, q); !errors.Is(err, store.ErrInvalidQuery) {
			t.Errorf("List(%s) = %v; want ErrInvalidQuery", what, err)
		}
	}
	for _, a := range attacks {
		t.Run(a, func(t *testing.T) {
			empty(t, "source", store.Query{Source: a})
			empty(t, "entity", store.Query{Entity: a})
			empty(t, "language", store.Query{Language: a})
			invalid(t, "sort", store.Query{Sort: a})
			invalid(t, "cursor", store.Query{Cursor: a})
			// Search text: only its words count, and these words are in
			// no article.
			if _, err := st.List(ctx, store.Query{Q: a}); err != nil && !errors.Is(err, store.ErrInvalidQuery) {
				t.Errorf("List(q) = %v; want results or ErrInvalidQuery", err)
			}
			empty(t, "q and source", store.Query{Q: "lighthouse " + a, Source: "nope"})
			// A well-formed cursor carrying the attack as its id.
			for _, c := range []string{"p:1900000000000000:" + a, "r:0.5:" + a} {
				q := store.Query{Cursor: base64.RawURLEncoding.EncodeToString([]byte(c))}
				if c[0] == 'r' {
					q.Sort = store.SortRelevance
				}
				if _, err := st.List(ctx, q); err != nil {
					t.Errorf("List(cursor %q) = %v; want no error", c, err)
				}
			}
			ents, err := st.Entities(ctx, store.EntityQuery{Type: a})
			if err != nil || len(ents) != 0 {
				t.Errorf("Entities(type) = %v, %v; want none", ents, err)
			}
			if _, err := st.Get(ctx, a); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Get() = %v; want ErrNotFound", err)
			}
		})
	}
	t.Run("bad text", func(t *testing.T) {
		for _, a := range []string{"nul\x00byte", "bad utf8 \xff\xfe", string(make([]byte, store.MaxParamBytes+1))} {
			for _, q := range []store.Query{{Q: a}, {Source: a}, {Entity: a}, {Language: a}} {
				invalid(t, "bad text", q)
			}
			if _, err := st.Entities(ctx, store.EntityQuery{Type: a}); !errors.Is(err, store.ErrInvalidQuery) {
				t.Errorf("Entities(type %q) = %v; want ErrInvalidQuery", a, err)
			}
		}
	})
	after, err := st.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats() = %v", err)
	}
	if after.Articles != before.Articles || after.Entities != before.Entities || after.Clusters != before.Clusters {
		t.Errorf("Stats() after attacks = %+v; want %+v", after, before)
	}
	if got := ids(mustList(t, st, store.Query{Source: "alpha"})); len(got) != 2 {
		t.Errorf("List(source alpha) after attacks = %v; want 2 articles", got)
	}
}

// testDirtyText stores text that some databases refuse (NUL characters,
// invalid UTF-8): it is cleaned, not rejected, except in ids.
func testDirtyText(t *testing.T, st store.Store) {
	ctx := context.Background()
	a := simple("dirty", "Bad \xff title", "Text with a NUL\x00 inside.", 0)
	a.Entities = []proto.Entity{{Name: "Nul\x00 Person", Type: "person", Count: 1}}
	a.Authors = []string{"Ok Author", "Bad \xfe Author"}
	mustUpsert(t, st, a)
	got := mustGet(t, st, "dirty")
	if got.Title != "Bad \uFFFD title" || got.Text != "Text with a NUL inside." || got.Entities[0].Name != "Nul Person" ||
		got.Authors[1] != "Bad \uFFFD Author" {
		t.Errorf("Get(dirty) = title %q, text %q, entity %q, authors %q; want them cleaned",
			got.Title, got.Text, got.Entities[0].Name, got.Authors)
	}
	if a.Authors[1] != "Bad \xfe Author" {
		t.Errorf("Upsert changed the caller's authors: %q", a.Authors)
	}
	for _, id := range []string{"nul\x00id", "bad\xffid"} {
		if err := st.Upsert(ctx, []proto.Article{simple(id, "x", "x", 0)}); !errors.Is(err, store.ErrInvalidArticle) {
			t.Errorf("Upsert(id %q) = %v; want ErrInvalidArticle", id, err)
		}
		if _, err := st.Get(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get(%q) = %v; want ErrNotFound", id, err)
		}
	}
}
