package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/newsflow/newsflow/internal/bus"
	"github.com/newsflow/newsflow/internal/natstest"
	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/fetch"
)

// newsSite is a local news website with a feed that can grow.
type newsSite struct {
	*httptest.Server
	mu    sync.Mutex
	items []string // paths listed in the feed
	flaky atomic.Int32
}

func articlePage(title, canonical string, paras ...string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + title + " | Border Post</title>")
	if canonical != "" {
		b.WriteString(`<link rel="canonical" href="` + canonical + `">`)
	}
	b.WriteString("</head><body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav><article><h1>" + title + "</h1>")
	for _, p := range paras {
		b.WriteString("<p>" + p + "</p>")
	}
	b.WriteString("</article><footer>Border Post</footer></body></html>")
	return b.String()
}

var filler = []string{
	"Officials from both countries met on Thursday to discuss new rail links across the border, according to a statement released after the talks.",
	"The delegations agreed to study a second bridge and to simplify customs checks for trucks carrying grain, timber and machinery.",
	"Trade through the crossing has grown quickly over the past two years as companies looked for new routes and new customers.",
}

func newNewsSite(t *testing.T) *newsSite {
	s := &newsSite{items: []string{"/world/talks?utm_source=feed", "/amp/world/talks", "/r/talks", "/world/flaky", "/world/missing", "/files/report.pdf", "/ru/summit", "/zh/summit"}}
	mux := http.NewServeMux()
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	html := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, body)
		}
	}
	mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<rss version="2.0"><channel><title>Border Post</title>`)
		for _, p := range s.items {
			fmt.Fprintf(w, "<item><title>%s</title><link>%s%s</link></item>", p, s.URL, strings.ReplaceAll(p, "&", "&amp;"))
		}
		fmt.Fprint(w, `</channel></rss>`)
	})
	mux.HandleFunc("/world/talks", html(articlePage("Rail talks at the border", "", filler...)))
	mux.HandleFunc("/amp/world/talks", html(articlePage("Rail talks at the border", s.URL+"/world/talks", filler...)))
	mux.HandleFunc("/r/talks", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/world/talks", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/world/flaky", func(w http.ResponseWriter, r *http.Request) {
		if s.flaky.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		html(articlePage("Ferry service resumes after repairs", "", "The river ferry resumed service on Monday after three weeks of repairs to its landing stage, the operator said.", "Traders on both banks welcomed the news, saying the closure had cost them business during the busiest season of the year."))(w, r)
	})
	mux.HandleFunc("/files/report.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		fmt.Fprint(w, "%PDF-1.4 not an article")
	})
	ru, _ := charmap.Windows1251.NewEncoder().String(articlePage("Саммит в Харбине", "", "Лидеры двух стран обсудили торговлю, энергетику и транспорт на встрече в Харбине.", "По словам участников, переговоры прошли в деловой и дружественной обстановке."))
	mux.HandleFunc("/ru/summit", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=windows-1251")
		fmt.Fprint(w, strings.Replace(ru, `charset="utf-8"`, `charset="windows-1251"`, 1))
	})
	zh, _ := simplifiedchinese.GBK.NewEncoder().String(articlePage("两国领导人在哈尔滨会晤", "", "两国领导人在哈尔滨举行会谈，讨论了贸易、能源和交通合作。", "双方表示，将继续扩大边境口岸和铁路运输的合作。"))
	mux.HandleFunc("/zh/summit", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=gbk")
		fmt.Fprint(w, zh)
	})
	mux.HandleFunc("/world/later", html(articlePage("A later story about the bridge", "", filler[1], filler[2], "Construction of the second bridge could start next spring if financing is agreed.")))
	return s
}

func (s *newsSite) add(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = append(s.items, path)
}

func listArticles(api string) (map[string]proto.Article, error) {
	var l struct {
		Articles []proto.Article `json:"articles"`
	}
	if err := getJSON(api+"/api/articles?limit=100", &l); err != nil {
		return nil, err
	}
	out := map[string]proto.Article{}
	for _, a := range l.Articles {
		out[a.Title] = a
	}
	if len(out) != len(l.Articles) {
		return out, fmt.Errorf("%d articles, %d distinct titles", len(l.Articles), len(out))
	}
	return out, nil
}

func TestMonitorFeed(t *testing.T) {
	site := newNewsSite(t)
	const interval = 2 * time.Second
	app, _ := MustRunApp(t, func(c *Config) {
		c.Fetch.AllowPrivate = true
		c.Fetch.PerHostRPS = 50
		c.Fetch.Timeout = 2 * time.Second
		c.Pipeline.BackoffBase = 50 * time.Millisecond
		c.Pipeline.BackoffMax = 200 * time.Millisecond
		c.Sources = []fetch.Source{{Name: "border-post", Feed: site.URL + "/rss.xml", Interval: interval}}
	})
	api := "http://" + app.HTTPAddr
	want := []string{"Rail talks at the border", "Ferry service resumes after repairs", "Саммит в Харбине", "两国领导人在哈尔滨会晤"}
	var got map[string]proto.Article
	natstest.Eventually(t, 30*time.Second, func() error {
		var err error
		if got, err = listArticles(api); err != nil {
			return err
		}
		if len(got) != len(want) {
			return fmt.Errorf("stored %d articles", len(got))
		}
		return nil
	})
	for _, title := range want {
		if _, ok := got[title]; !ok {
			t.Errorf("article %q not stored; have %v", title, got)
		}
	}
	// The tracking, AMP and redirect URLs are the same article.
	if a := got["Rail talks at the border"]; a.ID != proto.ArticleID(site.URL+"/world/talks") {
		t.Errorf("talks article id %s url %s; want the id of its canonical URL", a.ID, a.URL)
	}
	var ru, zh proto.Article
	if err := getJSON(api+"/api/articles/"+got["Саммит в Харбине"].ID, &ru); err != nil || !strings.Contains(ru.Text, "Лидеры двух стран обсудили торговлю") || ru.Language != "ru" {
		t.Errorf("windows-1251 article: %q (%s, %v)", ru.Text, ru.Language, err)
	}
	if err := getJSON(api+"/api/articles/"+got["两国领导人在哈尔滨会晤"].ID, &zh); err != nil || !strings.Contains(zh.Text, "讨论了贸易") || zh.Language != "zh" {
		t.Errorf("GBK article: %q (%s, %v)", zh.Text, zh.Language, err)
	}
	// The 404 is dead-lettered with its reason; the PDF is skipped, not.
	natstest.Eventually(t, 10*time.Second, func() error {
		dls, err := readDLQ(app, "fetch")
		if err != nil {
			return err
		}
		if len(dls) != 1 || !strings.Contains(dls[0].Error, "/world/missing: http 404") {
			return fmt.Errorf("fetch dead letters = %+v; want the 404 only", dls)
		}
		return nil
	})

	// A new item appears in the API within one poll interval and a few seconds.
	added := time.Now()
	site.add("/world/later")
	natstest.Eventually(t, interval+10*time.Second, func() error {
		got, err := listArticles(api)
		if err != nil {
			return err
		}
		if _, ok := got["A later story about the bridge"]; !ok {
			return fmt.Errorf("new item not stored after %s", time.Since(added))
		}
		return nil
	})
	t.Logf("new feed item stored %s after it was published (poll interval %s)", time.Since(added).Round(time.Millisecond), interval)
}

// readDLQ returns the dead letters of a stage from the running app's NATS.
func readDLQ(app *App, stage string) ([]proto.DeadLetter, error) {
	ctx := context.Background()
	b, err := dialPipeline(ctx, app.cfg, app.dataDir)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	c, err := b.JS.OrderedConsumer(ctx, bus.StreamDLQ, jetstream.OrderedConsumerConfig{FilterSubjects: []string{proto.SubjectDLQ(stage)}})
	if err != nil {
		return nil, err
	}
	batch, err := c.Fetch(100, jetstream.FetchMaxWait(300*time.Millisecond))
	if err != nil {
		return nil, err
	}
	var out []proto.DeadLetter
	for m := range batch.Messages() {
		var dl proto.DeadLetter
		if err := proto.Unmarshal(m.Data(), &dl, proto.SchemaDeadLetter); err != nil {
			return nil, err
		}
		out = append(out, dl)
	}
	return out, nil
}
