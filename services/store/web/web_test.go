package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/encoding/json"

	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/store"
)

// scriptPayload matches any of the fixtures' script payloads left as
// markup: every one of them must come out escaped.
var scriptPayload = regexp.MustCompile(`(?i)<script>window|<img src=x|<b onmouseover`)

func TestOverview(t *testing.T) {
	st := mustStore(t, fixtureArticles())
	_, mux := mustServer(t, st, nil)
	rec := get(t, mux, "/", http.StatusOK)
	body := rec.Body.String()

	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy = %q; want script-src 'self' and no unsafe-inline", csp)
	}
	for _, want := range []string{
		`id="chart"`, `data-chart="{`,
		`href="/articles/tide-3"`,                                                               // newest on-topic list
		`Tidal barrier holds as storm surge hits Velmora`,                                       // the story's first article names the cluster row
		`class="ent ent-person" href="/search?entity=Ilsa&#43;Brandt"`,                          // top people
		`harbor-times</span>, <span class="src">coast-daily</span>, <span class="src">nordbote`, // outlets in order
	} {
		if !strings.Contains(body, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	if strings.Contains(body, `href="/articles/grain"`) {
		t.Error("overview lists the off-topic article among the newest on-topic ones")
	}
	if m := scriptPayload.FindString(body); m != "" {
		t.Errorf("overview contains unescaped markup %q", m)
	}

	// The chart's data is the window's articles per bucket.
	m := regexp.MustCompile(`data-chart="([^"]*)"`).FindStringSubmatch(body)
	var cd chartData
	if err := json.Unmarshal([]byte(htmlUnescape(m[1])), &cd); err != nil {
		t.Fatalf("chart data: %v", err)
	}
	total := 0
	for _, n := range cd.Total {
		total += n
	}
	// 7 days back from the end of today's bucket: the 7 recent articles
	// and the archive notes of days 3 to 6.
	if cd.Bucket != 86400 || len(cd.Times) != 7 || total != 7+8 {
		t.Errorf("chart: bucket %d, %d buckets, %d articles; want 86400, 7, 15", cd.Bucket, len(cd.Times), total)
	}
	if cd.Groups[0].Name != "archive-wire" {
		t.Errorf("largest stack = %q; want archive-wire", cd.Groups[0].Name)
	}
}

func htmlUnescape(s string) string {
	r := strings.NewReplacer("&#34;", `"`, "&quot;", `"`, "&lt;", "<", "&gt;", ">", "&#39;", "'", "&amp;", "&")
	return r.Replace(s)
}

func TestOverviewParams(t *testing.T) {
	st := mustStore(t, fixtureArticles())
	_, mux := mustServer(t, st, nil)
	tests := []struct {
		target string
		status int
		want   string
	}{
		{"/?window=24h", http.StatusOK, `Articles per hour`},
		{"/?window=all&stack=language", http.StatusOK, `&#34;stack&#34;:&#34;language&#34;`},
		{"/?stack=topic&scope=all", http.StatusOK, `href="/articles/grain"`},
		{"/?window=1y", http.StatusBadRequest, "want one of 24h, 7d, 30d, 90d, all"},
		{"/?stack=colour", http.StatusBadRequest, "want source, language or topic"},
		{"/?scope=some", http.StatusBadRequest, "want topic or all"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			body := get(t, mux, tt.target, tt.status).Body.String()
			if !strings.Contains(body, tt.want) {
				t.Errorf("GET %s lacks %q", tt.target, tt.want)
			}
		})
	}
}

func TestOverviewEmptyWindow(t *testing.T) {
	st := mustStore(t, fixtureArticles())
	s, mux := mustServer(t, st, nil)
	s.now = func() time.Time { return fixtureNow.AddDate(1, 0, 0) }
	body := get(t, mux, "/?window=24h", http.StatusOK).Body.String()
	if !strings.Contains(body, "No articles in this window.") || !strings.Contains(body, `href="/?scope=topic&amp;window=all"`) {
		t.Errorf("empty window: no hint to show all time:\n%s", body)
	}
}

func TestOverviewEmptyStore(t *testing.T) {
	st := mustStore(t, nil)
	_, mux := mustServer(t, st, nil)
	body := get(t, mux, "/", http.StatusOK).Body.String()
	for _, want := range []string{"0 articles stored", "No articles yet.", "No story was covered more than once"} {
		if !strings.Contains(body, want) {
			t.Errorf("empty overview lacks %q", want)
		}
	}
}

func TestSearch(t *testing.T) {
	st := mustStore(t, fixtureArticles())
	_, mux := mustServer(t, st, nil)

	body := get(t, mux, "/search?q=%22storm+surge%22", http.StatusOK).Body.String()
	if !strings.Contains(body, `href="/articles/tide-1"`) || !strings.Contains(body, "<mark>") {
		t.Errorf("search for a phrase: no result with a highlighted snippet:\n%s", body)
	}
	if !strings.Contains(body, `value="&#34;storm surge&#34;"`) {
		t.Error("search form does not keep the search text")
	}

	// Filters narrow the results and stay in the form.
	body = get(t, mux, "/search?q=barrier&language=de", http.StatusOK).Body.String()
	if strings.Contains(body, `href="/articles/tide-1"`) {
		t.Error("language=de lists an English article")
	}
	body = get(t, mux, "/search?entity=Ilsa+Brandt&on_topic=true&since=2031-05-19&until=2031-05-20", http.StatusOK).Body.String()
	for _, id := range []string{"tide-1", "tide-2", "evil"} {
		if !strings.Contains(body, `href="/articles/`+id+`"`) {
			t.Errorf("entity filter lacks %s", id)
		}
	}
	if !strings.Contains(body, `<option value="true" selected>`) {
		t.Error("the on-topic filter is not kept in the form")
	}

	// Paging: the next page link carries the filters and a cursor.
	body = get(t, mux, "/search?q=barrier&source=archive-wire", http.StatusOK).Body.String()
	m := regexp.MustCompile(`href="(/search\?[^"]*cursor=[^"]*)" rel="next"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no next page link for 40 results")
	}
	next := htmlUnescape(m[1])
	u, err := url.Parse(next)
	if err != nil {
		t.Fatal(err)
	}
	if u.Query().Get("q") != "barrier" || u.Query().Get("source") != "archive-wire" {
		t.Errorf("next page %s drops the search", next)
	}
	body = get(t, mux, next, http.StatusOK).Body.String()
	if n := strings.Count(body, `<a class="title"`); n != 40-searchLimit {
		t.Errorf("second page has %d results; want %d", n, 40-searchLimit)
	}
	if !strings.Contains(body, "First page") || strings.Contains(body, `rel="next"`) {
		t.Error("last page: want a first page link and no next link")
	}
}

func TestSearchBadInput(t *testing.T) {
	st := mustStore(t, fixtureArticles())
	_, mux := mustServer(t, st, nil)
	tests := []struct{ target, want string }{
		{"/search?since=yesterday", "since: want a date"},
		{"/search?since=2031-05-20&until=2031-05-01", "the date range is empty"},
		{"/search?on_topic=maybe", "on_topic: want true or false"},
		{"/search?min_relevance=2", "min_relevance: want a number from 0 to 1"},
		{"/search?sort=random", "sort: want published or relevance"},
		{"/search?q=%21%21%21", "nothing to search for"},
		{"/search?q=barrier&cursor=garbage", "bad cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			body := get(t, mux, tt.target, http.StatusBadRequest).Body.String()
			if !strings.Contains(body, tt.want) || !strings.Contains(body, `<form class="search card"`) {
				t.Errorf("GET %s: want the form and %q:\n%s", tt.target, tt.want, body)
			}
		})
	}
}

func TestArticle(t *testing.T) {
	st := mustStore(t, fixtureArticles())
	_, mux := mustServer(t, st, nil)
	body := get(t, mux, "/articles/tide-1", http.StatusOK).Body.String()
	for _, want := range []string{
		`<h1 id="article-title">Tidal barrier holds as storm surge hits Velmora</h1>`,
		`by Ana Reyes, Tom Okafor`,
		// Entities, their surname alias, linked to their filter.
		`<a class="ent ent-place" href="/search?entity=Velmora" title="Place: Velmora">Velmora</a>`,
		`Mayor <a class="ent ent-person" href="/search?entity=Ilsa&#43;Brandt" title="Person: Ilsa Brandt">Ilsa Brandt</a>`,
		`<a class="ent ent-person" href="/search?entity=Ilsa&#43;Brandt" title="Person: Ilsa Brandt">Brandt</a> said`,
		`<a class="ent ent-org" href="/search?entity=Harbor&#43;Authority" title="Organization: Harbor Authority">Harbor Authority</a>`,
		`<blockquote><p>The barrier did exactly what it was built to do</p></blockquote>`,
		`340 million crowns`,
		`href="/articles/tide-2"`, `href="/articles/tide-3"`, `This article was published first.`,
		`https://harbor-times.test/barrier-holds`, `2031.05-test`, `news.fetched #41`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("article page lacks %q", want)
		}
	}

	body = get(t, mux, "/articles/tide-3", http.StatusOK).Body.String()
	if !strings.Contains(body, `<span class="badge">first</span>`) {
		t.Error("a later article of the cluster does not name who published first")
	}

	// Cyrillic names match at word boundaries only ("Брандтов" is not "Брандт").
	body = get(t, mux, "/articles/vesti", http.StatusOK).Body.String()
	if !strings.Contains(body, `title="Person: Ильза Брандт">Ильза Брандт</a> заявила`) || strings.Contains(body, `>Брандт</a>ов`) {
		t.Errorf("Cyrillic entity not highlighted at word boundaries:\n%s", body)
	}

	get(t, mux, "/articles/no-such-article", http.StatusNotFound)
}

func TestArticleEscapesContent(t *testing.T) {
	st := mustStore(t, fixtureArticles())
	_, mux := mustServer(t, st, nil)
	for _, target := range []string{"/articles/evil", "/", "/search?q=rumours", "/search?q=barrier", "/live/newest"} {
		body := get(t, mux, target, http.StatusOK).Body.String()
		if m := scriptPayload.FindString(body); m != "" {
			t.Errorf("GET %s contains unescaped markup %q", target, m)
		}
		if strings.Contains(body, `href="javascript:`) {
			t.Errorf("GET %s links to a javascript: URL", target)
		}
	}
	body := get(t, mux, "/articles/evil", http.StatusOK).Body.String()
	if !strings.Contains(body, `&lt;script&gt;window.__xss=1&lt;/script&gt;`) {
		t.Error("the title's markup is not shown as text")
	}
	if !strings.Contains(body, `javascript:window.__xss=3</span> <span class="meta">(not a web address; not linked)`) {
		t.Error("a javascript: URL is not shown as unlinked text")
	}
	if !strings.Contains(body, `>Ilsa Brandt</a> denied`) {
		t.Error("entity highlighting fails next to escaped markup")
	}
}

func TestLiveNewest(t *testing.T) {
	st := mustStore(t, fixtureArticles())
	_, mux := mustServer(t, st, nil)
	rec := get(t, mux, "/live/newest", http.StatusOK)
	var got struct {
		Now      string        `json:"now"`
		Articles []liveArticle `json:"articles"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Articles) != newestLimit || got.Articles[0].ID != "evil" || got.Articles[0].Href != "/articles/evil" {
		t.Errorf("live list: %d articles, first %+v; want %d, evil", len(got.Articles), got.Articles[0], newestLimit)
	}
	for _, a := range got.Articles {
		if !a.OnTopic {
			t.Errorf("live list (on topic) has %s, which is off topic", a.ID)
		}
	}
	get(t, mux, "/live/newest?scope=bogus", http.StatusBadRequest)
	get(t, mux, "/live/newest?limit=0", http.StatusBadRequest)
}

type fakeStatus struct {
	p   Pipeline
	err error
}

func (f *fakeStatus) Status(context.Context) (Pipeline, error) { return f.p, f.err }

func TestPipeline(t *testing.T) {
	st := mustStore(t, nil)
	_, mux := mustServer(t, st, nil)
	body := get(t, mux, "/pipeline", http.StatusOK).Body.String()
	if !strings.Contains(body, "not available in this process") {
		t.Error("pipeline page without a status source does not say so")
	}

	last := fixtureNow.Add(-2 * time.Minute)
	fs := &fakeStatus{p: Pipeline{
		CollectedAt: fixtureNow,
		Stages: []Stage{
			{Name: "fetch", Subject: "news.discovered", Backlog: 120, InFlight: 4, Processed: 1000, LastActive: &last},
			{Name: "clean", Subject: "news.fetched", Backlog: 3, Rate: 2.5},
			{Name: "extract", Subject: "news.cleaned", Err: "consumer not found"},
		},
		DeadLetters: []DeadLetters{{Stage: "clean", Subject: "news.dlq.clean", Count: 7, Last: &last}},
		Sources: []Source{
			{Name: "harbor-times", Kind: "feed", URL: "https://harbor-times.test/feed", LastPoll: &last, Discovered: 40},
			{Name: "<b>broken</b>", Kind: "sitemap", LastError: "GET https://x.test/sitemap.xml: 503", LastErrorAt: &last},
		},
	}}
	s, mux := mustServer(t, st, fs)
	body = get(t, mux, "/pipeline", http.StatusOK).Body.String()
	for _, want := range []string{
		`<th scope="row">fetch</th>`, `120 <meter`, `<td class="num">2.5</td>`, `consumer not found`,
		`news.dlq.clean`, `(7 in all)`, `1 failing`, `&lt;b&gt;broken&lt;/b&gt;`, `503`, `2 min ago`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("pipeline page lacks %q", want)
		}
	}
	// The failing source is listed first.
	if strings.Index(body, "broken") > strings.Index(body, ">harbor-times<") {
		t.Error("failing source not listed first")
	}

	// A rate derived from two snapshots of the processed counter.
	s.now = func() time.Time { return fixtureNow.Add(10 * time.Second) }
	fs.p.CollectedAt = fixtureNow.Add(10 * time.Second)
	fs.p.Stages[0].Processed = 1050
	body = get(t, mux, "/pipeline", http.StatusOK).Body.String()
	if !strings.Contains(body, `<td class="num">5.0</td>`) {
		t.Error("fetch rate from two snapshots: want 5.0 msg/s")
	}

	fs.err = errors.New("nats: timeout")
	body = get(t, mux, "/pipeline", http.StatusServiceUnavailable).Body.String()
	if !strings.Contains(body, "could not be read: nats: timeout") {
		t.Error("pipeline page does not show the status error")
	}
}

func TestStaticAndErrors(t *testing.T) {
	st := mustStore(t, nil)
	s, mux := mustServer(t, st, nil)
	rec := get(t, mux, "/static/vendor/uplot/uPlot.iife.min.js?v="+s.assetVersion, http.StatusOK)
	if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("versioned asset Cache-Control = %q; want immutable", cc)
	}
	if !strings.Contains(rec.Body.String(), "uPlot") {
		t.Error("uPlot not served")
	}
	rec = get(t, mux, "/static/app.js", http.StatusOK)
	if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("unversioned asset Cache-Control = %q; want no-cache", cc)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("app.js Content-Type = %q", ct)
	}
	get(t, mux, "/static/nope.js", http.StatusNotFound)
	body := get(t, mux, "/", http.StatusOK).Body.String()
	if !strings.Contains(body, `src="/static/app.js?v=`+s.assetVersion+`"`) {
		t.Error("pages do not reference versioned assets")
	}
}

func TestHighlighter(t *testing.T) {
	ents := []proto.Entity{
		{Name: "Ilsa Brandt", Type: "person", Count: 3},
		{Name: "Otto Brandt", Type: "person", Count: 1}, // shares the surname: no alias
		{Name: "New York", Type: "place", Count: 2},
		{Name: "York", Type: "place", Count: 1},
		{Name: "C++ Guild", Type: "org", Count: 1}, // regexp metacharacters
		{Name: "X", Type: "org", Count: 9},         // too short to match safely
	}
	h := newHighlighter(ents)
	tests := []struct{ text, want string }{
		{"Ilsa Brandt met Otto Brandt.", "[Ilsa Brandt] met [Otto Brandt]."},
		{"Brandt spoke.", "Brandt spoke."},
		{"In New  York and York.", "In [New  York] and [York]."},
		{"new york, NEW YORK", "[new york], [NEW YORK]"},
		{"Yorkshire and the C++ Guild", "Yorkshire and the [C++ Guild]"},
		{"X marks", "X marks"},
		{"", ""},
	}
	for _, tt := range tests {
		var b strings.Builder
		for _, s := range h.segments(tt.text) {
			if s.Entity != nil {
				b.WriteString("[" + s.Text + "]")
			} else {
				b.WriteString(s.Text)
			}
		}
		if b.String() != tt.want {
			t.Errorf("segments(%q) = %q; want %q", tt.text, b.String(), tt.want)
		}
	}
	if segs := newHighlighter(nil).segments("text"); len(segs) != 1 || segs[0].Text != "text" {
		t.Errorf("no entities: segments = %+v", segs)
	}
}

func TestSafeSnippet(t *testing.T) {
	tests := []struct{ in, want string }{
		{"the <mark>barrier</mark> held", "the <mark>barrier</mark> held"},
		{"a &amp; b &lt;i&gt;", "a &amp; b &lt;i&gt;"},
		{"<script>x</script><mark>y", "&lt;script&gt;x&lt;/script&gt;<mark>y</mark>"},
		{"</mark>z<mark><mark>w", "z<mark>w</mark>"},
		{`<mark onclick="x">q</mark>`, `&lt;mark onclick=&#34;x&#34;&gt;q`},
	}
	for _, tt := range tests {
		if got := string(safeSnippet(tt.in)); got != tt.want {
			t.Errorf("safeSnippet(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestResolveWindow(t *testing.T) {
	now := time.Date(2031, 5, 20, 12, 30, 0, 0, time.UTC)
	w, err := resolveWindow("24h", now, time.Time{}, time.Time{})
	if err != nil || w.Bucket != time.Hour || !w.Until.Equal(now.Truncate(time.Hour).Add(time.Hour)) || w.Until.Sub(w.Since) != 24*time.Hour {
		t.Errorf("24h = %+v, %v", w, err)
	}
	first := now.AddDate(-2, 0, 0)
	w, err = resolveWindow("all", now, first, now)
	if err != nil || w.Bucket != week || w.Since.After(first) {
		t.Errorf("all over 2 years = %+v, %v; want weekly buckets from %v", w, err, first)
	}
	if _, err := resolveWindow("2d", now, time.Time{}, time.Time{}); !errors.Is(err, errBadParam) {
		t.Errorf("resolveWindow(2d) error = %v; want errBadParam", err)
	}
}

func TestBuildChartGroups(t *testing.T) {
	w := window{Since: fixtureNow.Add(-2 * time.Hour), Until: fixtureNow, Bucket: time.Hour}
	ws := &windowScan{}
	for i := range 20 {
		ws.Articles = append(ws.Articles, scanned{
			ID: strconv.Itoa(i), Source: "s" + strconv.Itoa(i%10), OnTopic: i%2 == 0,
			At: fixtureNow.Add(-time.Duration(1+i%2) * 30 * time.Minute),
		})
	}
	ws.Articles = append(ws.Articles, scanned{ID: "old", Source: "s0", At: fixtureNow.Add(-3 * time.Hour)})
	cd := buildChart(ws, w, stackSource)
	if len(cd.Groups) != maxGroups+1 || cd.Groups[maxGroups].Name != "other" {
		t.Fatalf("groups = %d, last %q; want %d with other", len(cd.Groups), cd.Groups[len(cd.Groups)-1].Name, maxGroups+1)
	}
	sum := 0
	for _, g := range cd.Groups {
		for _, n := range g.Counts {
			sum += n
		}
	}
	if sum != 20 || cd.Total[0]+cd.Total[1] != 20 || cd.OnTopic[0]+cd.OnTopic[1] != 10 {
		t.Errorf("chart counts: stacks %d, total %v, on topic %v; want 20, 20, 10 (the old article left out)", sum, cd.Total, cd.OnTopic)
	}
}

func TestEntityCache(t *testing.T) {
	var c entityCache
	lists := []entityList{{Type: "person"}}
	c.put("k", lists, fixtureNow)
	if _, ok := c.get("k", fixtureNow.Add(entityTTL)); !ok {
		t.Error("entry missing within its TTL")
	}
	if _, ok := c.get("k", fixtureNow.Add(entityTTL+time.Second)); ok {
		t.Error("entry reused after its TTL")
	}
	if _, ok := c.get("other", fixtureNow); ok {
		t.Error("unknown key found")
	}
}

// failingStore fails every read, or panics.
type failingStore struct {
	store.Store
	panic bool
}

func (f failingStore) fail() error {
	if f.panic {
		panic("store exploded")
	}
	return errors.New("disk on fire at /secret/path")
}

func (f failingStore) Stats(context.Context) (store.Stats, error) { return store.Stats{}, f.fail() }
func (f failingStore) List(context.Context, store.Query) (store.Page, error) {
	return store.Page{}, f.fail()
}
func (f failingStore) Get(context.Context, string) (*proto.Article, error) { return nil, f.fail() }
func (f failingStore) Entities(context.Context, store.EntityQuery) ([]store.EntityCount, error) {
	return nil, f.fail()
}

func TestStoreFailure(t *testing.T) {
	for _, panics := range []bool{false, true} {
		_, mux := mustServer(t, failingStore{panic: panics}, nil)
		for _, target := range []string{"/", "/search?q=x", "/articles/a", "/live/newest"} {
			rec := get(t, mux, target, http.StatusInternalServerError)
			if strings.Contains(rec.Body.String(), "secret") || strings.Contains(rec.Body.String(), "exploded") {
				t.Errorf("GET %s (panic %v) leaks the cause: %s", target, panics, rec.Body)
			}
		}
	}
}

func TestUntitledArticleListedByItsLead(t *testing.T) {
	arts := fixtureArticles()
	a := arts[0]
	a.ID, a.URL, a.CanonicalURL, a.Title = "lead-only", "https://harbor-times.test/lead-only", "", ""
	a.Summary = "Harbour pilots resumed night work on Sunday. Ships queued outside."
	a.Fingerprint = fingerprint(99)
	st := mustStore(t, append(arts, a))
	_, mux := mustServer(t, st, nil)
	for _, target := range []string{"/articles/lead-only", "/search?q=pilots"} {
		body := get(t, mux, target, http.StatusOK).Body.String()
		if !strings.Contains(body, "Harbour pilots resumed night work on Sunday …") {
			t.Errorf("%s does not show the untitled article by its lead:\n%s", target, body)
		}
	}
}
