package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/encoding/json"

	"github.com/newsflow/newsflow/internal/natstest"
	"github.com/newsflow/newsflow/proto"
)

// MustRunApp starts `newsflow run` in-process on a temporary data directory
// and a free port, and stops it (checking it stops cleanly) at cleanup.
func MustRunApp(t *testing.T, configure ...func(*Config)) (app *App, dataDir string) {
	t.Helper()
	dataDir = t.TempDir()
	app, _ = startApp(t, dataDir, nil, configure...)
	return app, dataDir
}

func getJSON(url string, v any) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func runMain(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := Main(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("newsflow %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

// junk are chrome lines of the fixtures that must not reach an article's text.
var junk = []string{"Share.", "READ MORE", "Leave a Comment", "Exit mobile version", "Comments\n",
	"Local team wins the cup", "Celebrity chef", "Sign up for our newsletter", "Recipes for a summer picnic", "Share this article"}

func TestIngestToAPIAndSearch(t *testing.T) {
	app, dataDir := MustRunApp(t)
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "articles", "*.txt"))
	if err != nil || len(files) != 5 {
		t.Fatalf("fixtures: %v, %v", files, err)
	}
	out := runMain(t, append([]string{"ingest", "-data", dataDir}, files...)...)
	if strings.Count(out, "queued") != 5 {
		t.Fatalf("ingest output:\n%s", out)
	}

	api := "http://" + app.HTTPAddr
	var list struct {
		Articles []map[string]any `json:"articles"`
	}
	natstest.Eventually(t, 60*time.Second, func() error {
		if err := getJSON(api+"/api/articles?limit=50", &list); err != nil {
			return err
		}
		if len(list.Articles) != 5 {
			return fmt.Errorf("%d articles stored", len(list.Articles))
		}
		return nil
	})
	for _, field := range []string{"id", "url", "canonical_url", "source", "title", "authors", "published_at", "fetched_at",
		"language", "relevance", "on_topic", "cluster_id", "summary"} {
		if _, ok := list.Articles[0][field]; !ok {
			t.Errorf("list article has no %q field: %v", field, list.Articles[0])
		}
	}
	for _, a := range list.Articles {
		var d proto.Article
		if err := getJSON(api+"/api/articles/"+a["id"].(string), &d); err != nil {
			t.Fatal(err)
		}
		if d.Title == "" || d.Language != "en" || len(d.Text) < 200 || d.PipelineVersion == "" {
			t.Errorf("article %s: title %q, language %q, %d chars, version %q", d.ID, d.Title, d.Language, len(d.Text), d.PipelineVersion)
		}
		for _, j := range junk {
			if strings.Contains(d.Text, j) {
				t.Errorf("article %q keeps the junk line %q:\n%s", d.Title, j, d.Text)
			}
		}
		if !d.OnTopic {
			t.Errorf("article %q: on_topic = false (relevance %.2f); want true", d.Title, d.Relevance)
		}
	}

	out = runMain(t, "search", "-data", dataDir, "Harbin")
	if !strings.Contains(out, "Harbin trade fair draws record crowd") {
		t.Errorf("search Harbin:\n%s", out)
	}
	out = runMain(t, "search", "-data", dataDir, "-json", "pipeline")
	var page struct {
		Articles []struct {
			Title string `json:"title"`
		} `json:"articles"`
	}
	if err := json.Unmarshal([]byte(out), &page); err != nil || len(page.Articles) == 0 || !strings.Contains(page.Articles[0].Title, "pipeline") {
		t.Errorf("search -json pipeline = %s (%v)", out, err)
	}

	// Ingesting the same files again changes nothing: still five articles.
	runMain(t, append([]string{"ingest", "-data", dataDir}, files...)...)
	runMain(t, "ingest", "-data", dataDir, files[0])
	natstest.Eventually(t, 10*time.Second, func() error {
		var l struct {
			Articles []map[string]any `json:"articles"`
		}
		if err := getJSON(api+"/api/articles?limit=50", &l); err != nil {
			return err
		}
		if len(l.Articles) != 5 {
			return fmt.Errorf("%d articles after re-ingest; want 5", len(l.Articles))
		}
		return nil
	})
}

func TestInspectGzippedHTML(t *testing.T) {
	html, err := os.ReadFile(filepath.Join("testdata", "summit.html"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(html)
	_ = zw.Close()
	path := filepath.Join(t.TempDir(), "summit.html.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runMain(t, "inspect", path)
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("inspect output %q: %v", out, err)
	}
	want := map[string]any{
		"file":          path,
		"title":         "Leaders open border summit in Harbin",
		"canonical_url": "https://ledger.example/world/2024/05/17/harbin-summit",
		"language":      "en",
		"id":            proto.ArticleID("https://ledger.example/world/2024/05/17/harbin-summit"),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("inspect %s = %v; want %v", k, got[k], v)
		}
	}
	for _, field := range []string{"text", "entities", "quotes", "facts", "keywords", "duplicates", "pipeline_version", "summary", "authors", "published_at"} {
		if _, ok := got[field]; !ok {
			t.Errorf("inspect output has no %q", field)
		}
	}
	text, _ := got["text"].(string)
	if !strings.Contains(text, "Harbin Institute of Technology") || strings.Contains(text, "Leave a comment") || strings.Contains(text, "Cup final") {
		t.Errorf("inspect text = %q", text)
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, fmt.Sprintf("c%d.yaml", time.Now().UnixNano()))
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, yaml string
		env        []string
		want       string
	}{
		{"unknown key", "fetch:\n  user_agnet: x\n", nil, "user_agnet"},
		{"bad value", "fetch:\n  per_host_rps: -1\n", nil, "fetch.per_host_rps"},
		{"bad duration", "fetch:\n  timeout: soon\n", nil, "timeout"},
		{"bad source", "sources:\n  - name: a\n    feed: ftp://x\n", nil, "sources[0].feed"},
		{"unknown env", "", []string{"NEWSFLOW_NATS_ULR=x"}, "NEWSFLOW_NATS_ULR"},
		{"bad env", "", []string{"NEWSFLOW_FETCH_ALLOW_PRIVATE=maybe"}, "NEWSFLOW_FETCH_ALLOW_PRIVATE"},
		{"bad store", "store:\n  dsn: mysql://x\n", nil, "store.dsn"},
		{"bad memory limit", "runtime:\n  memory_limit: lots\n", nil, "runtime.memory_limit"},
		{"bad memory limit env", "", []string{"NEWSFLOW_RUNTIME_MEMORY_LIMIT=120%"}, "runtime.memory_limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := loadConfig(write(tt.yaml), tt.env)
			if err == nil {
				err = cfg.Validate()
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v; want one naming %q", err, tt.want)
			}
		})
	}
	cfg, err := loadConfig("", []string{"NEWSFLOW_NATS_URL=nats://a:4222", "NEWSFLOW_FETCH_TIMEOUT=5s", "NEWSFLOW_TOPIC_THRESHOLD=0.5", "NEWSFLOW_RUNTIME_MEMORY_LIMIT=1GiB"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.NATS.URL != "nats://a:4222" || cfg.Fetch.Timeout != 5*time.Second || cfg.Topic.Threshold != 0.5 || cfg.Runtime.MemoryLimit != "1GiB" {
		t.Errorf("env overrides not applied: %+v %+v %+v", cfg.NATS, cfg.Fetch, cfg.Topic)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("default config invalid: %v", err)
	}
}

func TestAPIToken(t *testing.T) {
	app, _ := MustRunApp(t, func(c *Config) { c.HTTP.APIToken = "t0ken" })
	get := func(path, auth string) int {
		req, _ := http.NewRequest(http.MethodGet, "http://"+app.HTTPAddr+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tests := []struct {
		path, auth string
		want       int
	}{
		{"/api/articles", "", http.StatusUnauthorized},
		{"/api/articles", "Bearer wrong", http.StatusUnauthorized},
		{"/api/articles", "Bearer t0ken", http.StatusOK},
		{"/healthz", "", http.StatusOK},
	}
	for _, tt := range tests {
		if got := get(tt.path, tt.auth); got != tt.want {
			t.Errorf("GET %s with %q = %d; want %d", tt.path, tt.auth, got, tt.want)
		}
	}
}

func TestWebPageAndStatusMounted(t *testing.T) {
	app, dataDir := MustRunApp(t)
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "articles", "*.txt"))
	runMain(t, append([]string{"ingest", "-data", dataDir}, files...)...)
	api := "http://" + app.HTTPAddr
	natstest.Eventually(t, 60*time.Second, func() error {
		var rep struct {
			Streams   []map[string]any `json:"streams"`
			Consumers []struct {
				Stage string `json:"stage"`
				Lane  string `json:"lane"`
			} `json:"consumers"`
			Store *struct {
				Articles int `json:"articles"`
			} `json:"store"`
		}
		if err := getJSON(api+"/api/status", &rep); err != nil {
			return err
		}
		if rep.Store == nil || rep.Store.Articles != 5 || len(rep.Consumers) < 4 {
			return fmt.Errorf("status: %+v", rep)
		}
		return nil
	})
	for _, path := range []string{"/", "/search?q=Harbin", "/pipeline"} {
		resp, err := http.Get(api + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<html") {
			t.Errorf("GET %s = %d", path, resp.StatusCode)
		}
		if path == "/search?q=Harbin" && !strings.Contains(string(body), "Harbin trade fair") {
			t.Errorf("search page lacks the Harbin article")
		}
		if path == "/pipeline" && !strings.Contains(string(body), "extract") {
			t.Errorf("pipeline page lacks the stages")
		}
	}
}

func TestPprofOnlyWhenEnabled(t *testing.T) {
	status := func(app *App) int {
		resp, err := http.Get("http://" + app.HTTPAddr + "/debug/pprof/goroutine?debug=1")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	off, _ := MustRunApp(t)
	if got := status(off); got != http.StatusNotFound {
		t.Errorf("pprof off by default: GET /debug/pprof/goroutine = %d; want 404", got)
	}
	on, _ := MustRunApp(t, func(c *Config) { c.HTTP.Pprof = true })
	if got := status(on); got != http.StatusOK {
		t.Errorf("http.pprof on: GET /debug/pprof/goroutine = %d; want 200", got)
	}
}
