package store_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/encoding/json"
	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/store"
)

var apiBase = time.Date(2031, 5, 20, 9, 0, 0, 0, time.UTC)

// apiFixtures are the articles the API tests serve.
func apiFixtures() []proto.Article {
	pub := apiBase
	full := proto.Article{
		ID: "full", URL: "https://example.test/full", CanonicalURL: "https://example.test/full",
		Source: "example", Title: "Tidal barrier opens in Velmora", Authors: []string{"Ana Reyes"},
		PublishedAt: &pub, FetchedAt: apiBase.Add(time.Hour), Language: "en", Relevance: 0.8, OnTopic: true,
		Summary: "The tidal barrier opened.", SiteName: "Example", Text: "The tidal barrier opened on Monday.\n\nCrowds watched.",
		Entities:        []proto.Entity{{Name: "Velmora", Type: "place", Count: 2}},
		Quotes:          []proto.Quote{{Text: "A great day", Speaker: "Ilsa Brandt"}},
		Facts:           []proto.Fact{{Kind: "money", Text: "3 million crowns", Value: 3e6, Unit: "crowns"}},
		Keywords:        []string{"barrier"},
		PipelineVersion: "v1",
	}
	evilPub := apiBase.AddDate(0, 0, -3)
	evil := proto.Article{
		ID: "evil", URL: "https://example.test/evil", Source: "other", Title: `<script>alert("x")</script> Barrier news`,
		PublishedAt: &evilPub, FetchedAt: apiBase, Language: "de", Text: `Body with <b>tags</b> & the barrier.`,
		Entities: []proto.Entity{{Name: `<img src=x onerror=alert(1)>`, Type: "person", Count: 1}},
	}
	bare := proto.Article{ID: "bare", FetchedAt: apiBase.AddDate(0, 0, -10)}
	return []proto.Article{full, evil, bare}
}

func mustAPI(t *testing.T) *http.ServeMux {
	t.Helper()
	st := MustOpenSQLite(t)
	t.Cleanup(func() { st.Close() })
	if err := st.Upsert(context.Background(), apiFixtures()); err != nil {
		t.Fatalf("Upsert() = %v", err)
	}
	return mustMux(t, st)
}

func mustMux(t *testing.T, st store.Store) *http.ServeMux {
	mux := http.NewServeMux()
	store.NewAPI(st, zaptest.NewLogger(t)).Routes(mux)
	return mux
}

func do(t *testing.T, mux *http.ServeMux, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec
}

// doJSON requests target and decodes the JSON answer, checking the status.
func doJSON(t *testing.T, mux *http.ServeMux, target string, wantStatus int) map[string]any {
	t.Helper()
	rec := do(t, mux, target)
	if rec.Code != wantStatus {
		t.Fatalf("GET %s = %d %s; want %d", target, rec.Code, rec.Body, wantStatus)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET %s Content-Type = %q; want application/json", target, ct)
	}
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("GET %s: decode %q: %v", target, rec.Body, err)
	}
	return m
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// listFields are the list fields of design.md.
var listFields = []string{"id", "url", "canonical_url", "source", "title", "authors", "published_at",
	"fetched_at", "language", "relevance", "on_topic", "cluster_id", "summary"}

// detailFields are what design.md adds for one article.
var detailFields = []string{"text", "entities", "quotes", "facts", "keywords", "duplicates", "pipeline_version"}

func requireKeys(t *testing.T, what string, m map[string]any, want []string) {
	t.Helper()
	for _, k := range want {
		if _, ok := m[k]; !ok {
			t.Errorf("%s has no %q; keys %v", what, k, keys(m))
		}
	}
}

func TestAPIListArticles(t *testing.T) {
	mux := mustAPI(t)
	m := doJSON(t, mux, "/api/articles", http.StatusOK)
	requireKeys(t, "list", m, []string{"articles", "next_cursor"})
	arts, _ := m["articles"].([]any)
	if len(arts) != 3 {
		t.Fatalf("articles = %d; want 3", len(arts))
	}
	for _, a := range arts {
		am := a.(map[string]any)
		requireKeys(t, "list article", am, listFields)
		if am["authors"] == nil {
			t.Errorf("article %v authors = null; want []", am["id"])
		}
	}
	if id := arts[0].(map[string]any)["id"]; id != "full" {
		t.Errorf("first article = %v; want full (newest)", id)
	}
	if arts[2].(map[string]any)["published_at"] != nil {
		t.Errorf("bare published_at = %v; want null", arts[2].(map[string]any)["published_at"])
	}
}

func TestAPIListParams(t *testing.T) {
	mux := mustAPI(t)
	tests := []struct {
		query string
		want  []string
	}{
		{"q=barrier&source=example&sort=relevance", []string{"full"}},
		{"q=barrier", []string{"full", "evil"}},
		{"source=other", []string{"evil"}},
		{"language=de", []string{"evil"}},
		{"entity=velmora", []string{"full"}},
		{"on_topic=true", []string{"full"}},
		{"on_topic=0", []string{"evil", "bare"}},
		{"min_relevance=0.5", []string{"full"}},
		{"since=2031-05-17", []string{"full", "evil"}},
		{"since=2031-05-18T00:00:00Z", []string{"full"}},
		{"until=2031-05-17", []string{"evil", "bare"}}, // a date-only until includes the day
		{"until=2031-05-17T00:00:00Z", []string{"bare"}},
		{"sort=relevance", []string{"full", "bare", "evil"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			m := doJSON(t, mux, "/api/articles?"+tt.query, http.StatusOK)
			var got []string
			for _, a := range m["articles"].([]any) {
				got = append(got, a.(map[string]any)["id"].(string))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("GET /api/articles?%s = %v; want %v", tt.query, got, tt.want)
			}
		})
	}
	t.Run("snippet", func(t *testing.T) {
		m := doJSON(t, mux, "/api/articles?q=crowds", http.StatusOK)
		a := m["articles"].([]any)[0].(map[string]any)
		if s, _ := a["snippet"].(string); !strings.Contains(s, "<mark>Crowds</mark>") {
			t.Errorf("snippet = %q; want <mark>Crowds</mark>", s)
		}
	})
	t.Run("pages", func(t *testing.T) {
		var got []string
		target := "/api/articles?limit=1"
		for range 10 {
			m := doJSON(t, mux, target, http.StatusOK)
			for _, a := range m["articles"].([]any) {
				got = append(got, a.(map[string]any)["id"].(string))
			}
			next, _ := m["next_cursor"].(string)
			if next == "" {
				break
			}
			target = "/api/articles?limit=1&cursor=" + url.QueryEscape(next)
		}
		if want := []string{"full", "evil", "bare"}; !slices.Equal(got, want) {
			t.Errorf("paged = %v; want %v", got, want)
		}
	})
}

func TestAPIGetArticle(t *testing.T) {
	mux := mustAPI(t)
	m := doJSON(t, mux, "/api/articles/full", http.StatusOK)
	requireKeys(t, "article", m, append(slices.Clone(listFields), detailFields...))
	check := func(field string, want []string) {
		t.Helper()
		list, ok := m[field].([]any)
		if !ok || len(list) == 0 {
			t.Fatalf("%s = %v; want a non-empty list", field, m[field])
		}
		requireKeys(t, field, list[0].(map[string]any), want)
	}
	check("entities", []string{"name", "type", "count"})
	check("quotes", []string{"text", "speaker"})
	check("facts", []string{"kind", "text", "value", "unit"})
	if m["pipeline_version"] != "v1" || m["text"] == "" {
		t.Errorf("article = %v", m)
	}

	bare := doJSON(t, mux, "/api/articles/bare", http.StatusOK)
	for _, f := range []string{"authors", "entities", "quotes", "facts", "keywords", "duplicates"} {
		if l, ok := bare[f].([]any); !ok || len(l) != 0 {
			t.Errorf("bare %s = %#v; want []", f, bare[f])
		}
	}
}

// apiError checks an error answer.
func apiError(t *testing.T, mux *http.ServeMux, target string, status int, code string) string {
	t.Helper()
	m := doJSON(t, mux, target, status)
	e, ok := m["error"].(map[string]any)
	if !ok {
		t.Fatalf("GET %s = %v; want an error object", target, m)
	}
	if e["code"] != code {
		t.Errorf("GET %s error code = %v; want %s", target, e["code"], code)
	}
	msg, _ := e["message"].(string)
	if msg == "" {
		t.Errorf("GET %s error message is empty", target)
	}
	return msg
}

func TestAPIErrors(t *testing.T) {
	mux := mustAPI(t)
	tests := []struct {
		target string
		status int
		code   string
	}{
		{"/api/articles/missing", http.StatusNotFound, "not_found"},
		{"/api/nothing-here", http.StatusNotFound, "not_found"},
		{"/api/articles?cursor=bogus!", http.StatusBadRequest, "invalid"},
		// "p:1:full" is a cursor of the published order only.
		{"/api/articles?sort=relevance&cursor=cDoxOmZ1bGw", http.StatusBadRequest, "invalid"},
		{"/api/articles?since=yesterday", http.StatusBadRequest, "invalid"},
		{"/api/articles?until=2031-13-01", http.StatusBadRequest, "invalid"},
		{"/api/articles?on_topic=maybe", http.StatusBadRequest, "invalid"},
		{"/api/articles?min_relevance=NaN", http.StatusBadRequest, "invalid"},
		{"/api/articles?limit=-1", http.StatusBadRequest, "invalid"},
		{"/api/articles?limit=x", http.StatusBadRequest, "invalid"},
		{"/api/articles?sort=random", http.StatusBadRequest, "invalid"},
		{"/api/articles?q=" + url.QueryEscape(`"*"`), http.StatusBadRequest, "invalid"},
		{"/api/entities?since=never", http.StatusBadRequest, "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			apiError(t, mux, tt.target, tt.status, tt.code)
		})
	}
	// A valid hand-made cursor works.
	doJSON(t, mux, "/api/articles?cursor=cDoxOmZ1bGw", http.StatusOK)
}

// failingStore fails or panics in List, to check internal errors.
type failingStore struct {
	store.Store
	panic bool
}

func (f failingStore) List(context.Context, store.Query) (store.Page, error) {
	if f.panic {
		panic("boom")
	}
	return store.Page{}, errors.New("disk on fire at /secret/path")
}

func TestAPIInternalError(t *testing.T) {
	mux := mustMux(t, failingStore{})
	msg := apiError(t, mux, "/api/articles", http.StatusInternalServerError, "internal")
	if strings.Contains(msg, "secret") {
		t.Errorf("internal error message %q leaks details", msg)
	}
	mux = mustMux(t, failingStore{panic: true})
	if rec := do(t, mux, "/api/articles"); rec.Code != http.StatusInternalServerError {
		t.Errorf("GET /api/articles with a panicking store = %d; want 500", rec.Code)
	}
}

func TestAPIEntitiesAndStats(t *testing.T) {
	mux := mustAPI(t)
	m := doJSON(t, mux, "/api/entities?type=place&limit=5", http.StatusOK)
	ents, _ := m["entities"].([]any)
	if len(ents) != 1 {
		t.Fatalf("entities = %v; want one place", m)
	}
	requireKeys(t, "entity", ents[0].(map[string]any), []string{"name", "type", "articles", "mentions"})
	m = doJSON(t, mux, "/api/entities?type=planet", http.StatusOK)
	if l, ok := m["entities"].([]any); !ok || len(l) != 0 {
		t.Errorf("entities of no type = %v; want []", m["entities"])
	}

	m = doJSON(t, mux, "/api/stats", http.StatusOK)
	requireKeys(t, "stats", m, []string{"articles", "on_topic", "clusters", "entities", "sources", "languages", "days", "last_fetched_at"})
	if m["articles"] != 3.0 {
		t.Errorf("stats articles = %v; want 3", m["articles"])
	}
}
