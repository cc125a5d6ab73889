package store_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/segmentio/encoding/json"

	"github.com/newsflow/newsflow/services/store"
)

// TestAPIBadParams: every malformed parameter gets 400 with a JSON error
// naming it.
func TestAPIBadParams(t *testing.T) {
	mux := mustAPI(t)
	long := strings.Repeat("x", store.MaxParamBytes+1)
	tests := []struct {
		query string
		param string
	}{
		{"q=" + url.QueryEscape(`"*"`), "q"},
		{"q=" + url.QueryEscape("!!! ???"), "q"},
		{"q=%00", "q"},
		{"q=" + long, "q"},
		{"cursor=bogus!", "cursor"},
		{"cursor=aGVsbG8", "cursor"},
		{"sort=relevance&cursor=cDoxOmZ1bGw", "cursor"},
		{"sort=random", "sort"},
		{"sort=%27%3B+DROP+TABLE+articles", "sort"},
		{"since=yesterday", "since"},
		{"since=2031-02-30", "since"},
		{"until=2031-13-01", "until"},
		{"until=1%27+OR+1%3D1", "until"},
		{"on_topic=maybe", "on_topic"},
		{"on_topic=%27", "on_topic"},
		{"min_relevance=NaN", "min_relevance"},
		{"min_relevance=Inf", "min_relevance"},
		{"min_relevance=0.5x", "min_relevance"},
		{"limit=-1", "limit"},
		{"limit=0", "limit"},
		{"limit=x", "limit"},
		{"limit=1e3", "limit"},
		{"limit=99999999999999999999", "limit"},
		{"source=%00", "source"},
		{"source=%FF%FE", "source"},
		{"entity=a%00b", "entity"},
		{"entity=" + long, "entity"},
		{"language=%C3", "language"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			checkParamError(t, mux, "/api/articles?"+tt.query, tt.param)
		})
	}
	for _, tt := range []struct{ query, param string }{
		{"since=never", "since"},
		{"until=2031-00-10", "until"},
		{"on_topic=2", "on_topic"},
		{"limit=0", "limit"},
		{"type=%00", "type"},
		{"type=" + long, "type"},
	} {
		t.Run("entities "+tt.query, func(t *testing.T) {
			checkParamError(t, mux, "/api/entities?"+tt.query, tt.param)
		})
	}
}

// checkParamError checks a 400 answer naming param.
func checkParamError(t *testing.T, mux *http.ServeMux, target, param string) {
	t.Helper()
	m := doJSON(t, mux, target, http.StatusBadRequest)
	e, _ := m["error"].(map[string]any)
	if e["code"] != "invalid" || e["param"] != param {
		t.Errorf("GET %s error = %v; want code invalid, param %s", target, e, param)
	}
	if msg, _ := e["message"].(string); !strings.Contains(msg, param) {
		t.Errorf("GET %s error message %q does not name %s", target, msg, param)
	}
}

// TestAPIInjection sends SQL injection attempts in every parameter, over
// HTTP, to both backends: each answer is 200 or a 400 naming the
// parameter, never a 500, and the data are untouched.
func TestAPIInjection(t *testing.T) {
	attacks := []string{
		`' OR '1'='1`, `' OR 1=1 --`, `'; DROP TABLE articles; --`, `"; DROP TABLE articles; --`,
		`') OR ('x'='x`, `1; DELETE FROM articles`, `' UNION SELECT id FROM articles --`,
		`'||(SELECT pg_sleep(5))||'`, `%`, `_`, `\`, `$1`, `?`, `*`, `full' --`, `"full"`,
	}
	backends := map[string]func(t *testing.T) store.Store{
		"sqlite":   func(t *testing.T) store.Store { return MustOpenSQLite(t) },
		"postgres": func(t *testing.T) store.Store { return MustOpenPostgres(t) },
	}
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			t.Cleanup(func() { st.Close() })
			if err := st.Upsert(context.Background(), apiFixtures()); err != nil {
				t.Fatalf("Upsert() = %v", err)
			}
			mux := mustMux(t, st)
			endpoints := map[string][]string{
				"/api/articles": {"q", "since", "until", "source", "entity", "language", "on_topic", "min_relevance",
					"sort", "limit", "cursor"},
				"/api/entities": {"type", "since", "until", "on_topic", "limit"},
			}
			for path, params := range endpoints {
				for _, p := range params {
					for _, a := range attacks {
						target := path + "?" + url.Values{p: {a}}.Encode()
						rec := do(t, mux, target)
						switch rec.Code {
						case http.StatusOK:
							if p == "source" || p == "entity" || p == "language" {
								if !strings.Contains(rec.Body.String(), `"articles":[]`) {
									t.Errorf("GET %s = %s; want no articles", target, rec.Body)
								}
							}
						case http.StatusBadRequest:
							var m map[string]map[string]any
							if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil || m["error"]["param"] != p {
								t.Errorf("GET %s = 400 %s; want the error to name %s", target, rec.Body, p)
							}
						default:
							t.Errorf("GET %s = %d %s; want 200 or 400", target, rec.Code, rec.Body)
						}
					}
				}
			}
			for _, a := range attacks {
				target := "/api/articles/" + url.PathEscape(a)
				if rec := do(t, mux, target); rec.Code != http.StatusNotFound {
					t.Errorf("GET %s = %d; want 404", target, rec.Code)
				}
			}
			s, err := st.Stats(context.Background())
			if err != nil || s.Articles != len(apiFixtures()) {
				t.Errorf("Stats() after attacks = %d articles, %v; want %d", s.Articles, err, len(apiFixtures()))
			}
			doJSON(t, mux, "/api/articles/full", http.StatusOK)
		})
	}
}
