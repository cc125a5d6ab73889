package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"go.uber.org/zap/zaptest"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/newsflow/newsflow/internal/natstest"
	"github.com/newsflow/newsflow/internal/pipeline"
	"github.com/newsflow/newsflow/proto"
	"github.com/segmentio/encoding/json"
)

// site is a test website that records the requests it gets.
type site struct {
	*httptest.Server
	mux *http.ServeMux
	mu  sync.Mutex
	log []*http.Request
	at  map[string][]time.Time
}

func newSite(t *testing.T) *site {
	s := &site{mux: http.NewServeMux(), at: map[string][]time.Time{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.log = append(s.log, r.Clone(context.Background()))
		s.at[r.URL.Path] = append(s.at[r.URL.Path], time.Now())
		s.mu.Unlock()
		s.mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *site) requests(path string) []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*http.Request
	for _, r := range s.log {
		if r.URL.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func (s *site) serve(path, contentType, body string) {
	s.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write([]byte(body))
	})
}

func urls(items []item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.url)
	}
	sort.Strings(out)
	return out
}

func TestListSourceKinds(t *testing.T) {
	s := newSite(t)
	u := s.URL
	s.serve("/rss.xml", "application/rss+xml", `<?xml version="1.0"?><rss version="2.0"><channel><title>Example</title>
<item><title>Talks open</title><link>`+u+`/news/talks-open?utm_source=rss</link><pubDate>Thu, 16 May 2024 09:00:00 +0300</pubDate></item>
<item><title>Second</title><link>/news/second</link></item></channel></rss>`)
	s.serve("/atom.xml", "application/atom+xml", `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
<entry><title>Atom one</title><link rel="alternate" href="`+u+`/a/one"/><id>urn:1</id><published>2024-05-16T10:00:00Z</published><updated>2024-05-16T11:00:00Z</updated></entry></feed>`)
	s.serve("/feed.json", "application/feed+json", `{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"`+u+`/j/one","title":"JSON one","date_published":"2024-05-17T08:00:00Z"}]}`)
	s.serve("/sitemap_index.xml", "application/xml", `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>`+u+`/news-sitemap.xml.gz</loc></sitemap></sitemapindex>`)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>` + u + `/s/one</loc><news:news><news:publication_date>2024-05-16T12:00:00+08:00</news:publication_date><news:title>Sitemap one</news:title></news:news></url>
<url><loc>` + u + `/s/two#frag</loc><lastmod>2024-05-15</lastmod></url></urlset>`))
	_ = zw.Close()
	s.serve("/news-sitemap.xml.gz", "application/octet-stream", gz.String())
	s.serve("/", "text/html", `<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml"><link rel="stylesheet" href="/x.css"></head><body>home</body></html>`)
	s.serve("/robots.txt", "text/plain", "User-agent: *\nAllow: /\nSitemap: "+u+"/sitemap_index.xml\n")

	cfg := testConfig()
	f := New(cfg, nil, zaptest.NewLogger(t))
	tests := []struct {
		src  Source
		want []string
	}{
		{Source{Name: "rss", Feed: u + "/rss.xml"}, []string{u + "/news/second", u + "/news/talks-open"}},
		{Source{Name: "atom", Feed: u + "/atom.xml"}, []string{u + "/a/one"}},
		{Source{Name: "json", Feed: u + "/feed.json"}, []string{u + "/j/one"}},
		{Source{Name: "sitemap", Sitemap: u + "/sitemap_index.xml"}, []string{u + "/s/one", u + "/s/two"}},
		{Source{Name: "site", Site: u + "/"}, []string{u + "/news/second", u + "/news/talks-open", u + "/s/one", u + "/s/two"}},
		{Source{Name: "page", URL: u + "/p?utm_medium=x"}, []string{u + "/p"}},
	}
	for _, tt := range tests {
		t.Run(tt.src.Name, func(t *testing.T) {
			l, err := f.List(context.Background(), tt.src, "", "")
			if err != nil {
				t.Fatal(err)
			}
			if got := urls(l.items); strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("List(%s) = %v; want %v", tt.src.Name, got, tt.want)
			}
		})
	}
	l, _ := f.List(context.Background(), Source{Name: "s", Sitemap: u + "/sitemap_index.xml"}, "", "")
	for _, it := range l.items {
		if it.url == u+"/s/one" && (it.hints.Title != "Sitemap one" || it.hints.PublishedAt == nil || it.hints.PublishedAt.UTC().Hour() != 4) {
			t.Errorf("news sitemap hints = %+v", it.hints)
		}
	}
	for _, bad := range []string{"/atom.xml"} {
		s.serve("/broken"+bad, "application/xml", "<feed><entry>")
		if _, err := f.List(context.Background(), Source{Name: "b", Feed: u + "/broken" + bad}, "", ""); !errors.Is(err, ErrUnparseable) {
			t.Errorf("List(broken feed) = %v; want ErrUnparseable", err)
		}
	}
}

// memPublisher collects what a poller publishes.
type memPublisher struct {
	mu   sync.Mutex
	msgs []*proto.Discovered
}

func (m *memPublisher) publish(_ context.Context, d *proto.Discovered) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, d)
	return false, nil
}

func (m *memPublisher) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.msgs)
}

func TestPollerConditionalGetAndOneReplicaPerSource(t *testing.T) {
	s := newSite(t)
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<rss version="2.0"><channel><item><link>%s/a</link></item><item><link>%s/b</link></item></channel></rss>`, s.URL, s.URL)
	})
	b := natstest.Start(t).Connect(t)
	ctx := context.Background()
	state, err := b.KeyValue(ctx, proto.SourcesBucket, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	f := New(testConfig(), nil, zaptest.NewLogger(t))
	src := []Source{{Name: "feed", Feed: s.URL + "/rss.xml", Interval: 300 * time.Millisecond}}
	var pub memPublisher
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, owner := range []string{"replica-1", "replica-2"} {
		p := NewPoller(f, src, state, owner, pub.publish, zaptest.NewLogger(t))
		p.Tick = 10 * time.Millisecond
		wg.Add(1)
		go func() { defer wg.Done(); _ = p.Run(runCtx) }()
	}
	natstest.Eventually(t, 10*time.Second, func() error {
		if n := len(s.requests("/rss.xml")); n < 4 {
			return fmt.Errorf("%d polls", n)
		}
		return nil
	})
	cancel()
	wg.Wait()
	reqs := s.requests("/rss.xml")
	if reqs[0].Header.Get("If-None-Match") != "" {
		t.Errorf("first poll was conditional")
	}
	for i, r := range reqs[1:] {
		if r.Header.Get("If-None-Match") != `"v1"` {
			t.Errorf("poll %d sent If-None-Match %q; want the stored ETag", i+2, r.Header.Get("If-None-Match"))
		}
	}
	if got := pub.count(); got != 2 {
		t.Errorf("published %d; want 2 (the unchanged feed publishes nothing more)", got)
	}
	// Two replicas, one poll per interval: consecutive polls are an
	// interval apart, never two at once.
	times := s.at["/rss.xml"]
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < 250*time.Millisecond {
			t.Errorf("polls %d and %d only %s apart; want one per 300ms interval", i, i+1, gap)
		}
	}
}

// TestPollerLease: a poll that outlasts the lease renews it, so a second
// replica does not poll the source at the same time; a lease left by a
// replica that died expires after LeaseTTL and another replica polls.
func TestPollerLease(t *testing.T) {
	s := newSite(t)
	s.mux.HandleFunc("/slow.xml", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(700 * time.Millisecond)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<rss version="2.0"><channel><item><link>%s/a</link></item></channel></rss>`, s.URL)
	})
	s.serve("/quick.xml", "application/rss+xml", `<rss version="2.0"><channel></channel></rss>`)
	b := natstest.Start(t).Connect(t)
	ctx := context.Background()
	state, err := b.KeyValue(ctx, proto.SourcesBucket, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	// A replica died holding the quick source's lease.
	ghost, _ := json.Marshal(proto.SourceState{Name: "quick", Kind: "feed", URL: s.URL + "/quick.xml",
		LeaseOwner: "ghost", LeaseUntil: time.Now().UTC().Add(300 * time.Millisecond)})
	if _, ok, err := state.Put(ctx, "quick", ghost, 0); err != nil || !ok {
		t.Fatalf("write the ghost lease: %v %v", ok, err)
	}
	f := New(testConfig(), nil, zaptest.NewLogger(t))
	src := []Source{{Name: "slow", Feed: s.URL + "/slow.xml", Interval: time.Minute}, {Name: "quick", Feed: s.URL + "/quick.xml", Interval: time.Minute}}
	var pub memPublisher
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	start := time.Now()
	for _, owner := range []string{"replica-1", "replica-2"} {
		p := NewPoller(f, src, state, owner, pub.publish, zaptest.NewLogger(t))
		p.Tick, p.LeaseTTL = 10*time.Millisecond, 150*time.Millisecond
		wg.Add(1)
		go func() { defer wg.Done(); _ = p.Run(runCtx) }()
	}
	natstest.Eventually(t, 10*time.Second, func() error {
		if pub.count() == 0 || len(s.requests("/quick.xml")) == 0 {
			return errors.New("not polled yet")
		}
		return nil
	})
	time.Sleep(300 * time.Millisecond) // long enough for a second, concurrent poll if the lease lapsed
	cancel()
	wg.Wait()
	if n := len(s.requests("/slow.xml")); n != 1 {
		t.Errorf("slow source polled %d times; want once (its lease renewed while the poll ran)", n)
	}
	if at := s.at["/quick.xml"][0].Sub(start); at < 250*time.Millisecond {
		t.Errorf("quick source polled %s after start, under the ghost's lease", at)
	}
}

func TestPollerBacksOffFailingSource(t *testing.T) {
	s := newSite(t)
	s.mux.HandleFunc("/down.xml", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusBadGateway) })
	b := natstest.Start(t).Connect(t)
	state, err := b.KeyValue(context.Background(), proto.SourcesBucket, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	var pub memPublisher
	p := NewPoller(New(testConfig(), nil, zaptest.NewLogger(t)), []Source{{Name: "down", Feed: s.URL + "/down.xml", Interval: 100 * time.Millisecond}},
		state, "r1", pub.publish, zaptest.NewLogger(t))
	p.Tick = 10 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(ctx) }()
	natstest.Eventually(t, 10*time.Second, func() error {
		if n := len(s.requests("/down.xml")); n < 3 {
			return fmt.Errorf("%d polls", n)
		}
		return nil
	})
	cancel()
	<-done
	times := s.at["/down.xml"]
	if g1, g2 := times[1].Sub(times[0]), times[2].Sub(times[1]); g2 < g1*3/2 {
		t.Errorf("gaps between failing polls %s, %s; want growing", g1, g2)
	}
	val, _, _, err := state.Get(context.Background(), "down")
	if err != nil || !strings.Contains(string(val), `"failures":`) || !strings.Contains(string(val), "http 502") {
		t.Errorf("state = %s (%v); want failures and the last error", val, err)
	}
}

func TestRobotsAndRateLimit(t *testing.T) {
	s := newSite(t)
	s.serve("/robots.txt", "text/plain", "User-agent: *\nDisallow: /private/\n")
	s.serve("/private/secret", "text/html", "<p>secret</p>")
	for i := range 4 {
		s.serve(fmt.Sprintf("/pub/%d", i), "text/html", "<p>public</p>")
	}
	cfg := testConfig()
	cfg.PerHostRPS = 5
	f := New(cfg, nil, zaptest.NewLogger(t))
	_, err := f.Fetch(context.Background(), discovered(s.URL+"/private/secret"))
	if !errors.Is(err, ErrDisallowed) {
		t.Errorf("Fetch(disallowed) = %v; want ErrDisallowed", err)
	}
	out, err := f.Handle(context.Background(), discovered(s.URL+"/private/secret"))
	if err != nil || len(out) != 0 {
		t.Errorf("Handle(disallowed) = %v, %v; want skipped without error", out, err)
	}
	if n := len(s.requests("/private/secret")); n != 0 {
		t.Errorf("disallowed page requested %d times", n)
	}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.Fetch(context.Background(), discovered(fmt.Sprintf("%s/pub/%d", s.URL, i))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var times []time.Time
	for i := range 4 {
		times = append(times, s.at[fmt.Sprintf("/pub/%d", i)]...)
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < 150*time.Millisecond {
			t.Errorf("requests %d and %d to one host %s apart; want >= 200ms at 5/s", i, i+1, gap)
		}
	}
	// A redirect into a disallowed path is refused before it is followed.
	s.mux.HandleFunc("/go", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/private/secret", http.StatusFound) })
	if _, err := f.Fetch(context.Background(), discovered(s.URL+"/go")); !errors.Is(err, ErrDisallowed) {
		t.Errorf("Fetch(redirect to disallowed) = %v; want ErrDisallowed", err)
	}
	if n := len(s.requests("/private/secret")); n != 0 {
		t.Errorf("disallowed page requested %d times after a redirect", n)
	}
}

func TestEncodingsAndCharsets(t *testing.T) {
	s := newSite(t)
	text := "<html><body><p>%s</p></body></html>"
	enc := func(e encoding.Encoding, str string) string {
		b, err := e.NewEncoder().Bytes([]byte(str))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	pages := []struct {
		path, ctype, body, want string
	}{
		{"/gbk", "text/html; charset=GBK", fmt.Sprintf(text, enc(simplifiedchinese.GBK, "两国领导人举行会谈")), "两国领导人举行会谈"},
		{"/koi8", "text/html; charset=koi8-r", fmt.Sprintf(text, enc(charmap.KOI8R, "Переговоры в Пекине")), "Переговоры в Пекине"},
		{"/sjis", "text/html; charset=Shift_JIS", fmt.Sprintf(text, enc(japanese.ShiftJIS, "首脳会談が行われた")), "首脳会談が行われた"},
		{"/cp1251", "text/html", `<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">` + fmt.Sprintf(text, enc(charmap.Windows1251, "Саммит в Харбине")), "Саммит в Харбине"},
	}
	for _, p := range pages {
		s.serve(p.path, p.ctype, p.body)
	}
	compressed := map[string]func([]byte) []byte{
		"gzip": func(b []byte) []byte {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			_, _ = zw.Write(b)
			_ = zw.Close()
			return buf.Bytes()
		},
		"br": func(b []byte) []byte {
			var buf bytes.Buffer
			bw := brotli.NewWriter(&buf)
			_, _ = bw.Write(b)
			_ = bw.Close()
			return buf.Bytes()
		},
	}
	for name, comp := range compressed {
		s.mux.HandleFunc("/enc/"+name, func(w http.ResponseWriter, r *http.Request) {
			if !strings.Contains(r.Header.Get("Accept-Encoding"), name) {
				t.Errorf("Accept-Encoding %q lacks %s", r.Header.Get("Accept-Encoding"), name)
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Encoding", name)
			_, _ = w.Write(comp([]byte(fmt.Sprintf(text, "compressed with "+name))))
		})
		pages = append(pages, struct{ path, ctype, body, want string }{"/enc/" + name, "", "", "compressed with " + name})
	}
	s.mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(compressed["gzip"](bytes.Repeat([]byte("a"), 1<<20)))
	})
	f := New(testConfig(), nil, zaptest.NewLogger(t))
	for _, p := range pages {
		out, err := f.Fetch(context.Background(), discovered(s.URL+p.path))
		if err != nil {
			t.Errorf("Fetch(%s): %v", p.path, err)
			continue
		}
		body, _ := out.RawBody(0)
		if !strings.Contains(string(body), p.want) {
			t.Errorf("Fetch(%s) body = %q; want %q", p.path, body, p.want)
		}
	}
	if _, err := f.Fetch(context.Background(), discovered(s.URL+"/bomb")); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Fetch(gzip bomb) = %v; want ErrTooLarge", err)
	}
}

func TestValidateSources(t *testing.T) {
	err := ValidateSources("sources", []Source{
		{Name: "ok", Feed: "https://a.example/rss"},
		{Name: "ok", URL: "https://a.example/x"},
		{Name: "two", Feed: "https://a.example/rss", Sitemap: "https://a.example/s.xml"},
		{Name: "bad url", Site: "ftp://a.example/"},
		{Name: "fast", Feed: "https://a.example/rss", Interval: time.Millisecond},
	})
	for _, want := range []string{`sources[1].name: "ok" is used twice`, "sources[2]: exactly one", "sources[3].name", "sources[3].site", "sources[4].interval"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidateSources error %v; want it to contain %q", err, want)
		}
	}
}

func TestResolveAndDiscover(t *testing.T) {
	base, _ := url.Parse("https://news.example/section/")
	feeds := discoverFeeds([]byte(`<html><head>
<link rel="alternate" type="application/atom+xml" href="atom.xml">
<link rel="alternate" type="application/rss+xml" href="https://news.example/rss">
<link rel="alternate" hreflang="fr" href="/fr/">
</head><body><link rel="alternate" type="application/rss+xml" href="/ignored"></body></html>`), base)
	want := []string{"https://news.example/section/atom.xml", "https://news.example/rss"}
	if strings.Join(feeds, " ") != strings.Join(want, " ") {
		t.Errorf("discoverFeeds = %v; want %v", feeds, want)
	}
	if _, ok := resolve(base, "javascript:alert(1)"); ok {
		t.Error("resolve accepted a javascript: url")
	}
}

func TestResourceLimits(t *testing.T) {
	s := newSite(t)
	chunk := []byte(strings.Repeat("<p>endless</p>", 4096))
	s.mux.HandleFunc("/endless", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	s.mux.HandleFunc("/bigheaders", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Padding", strings.Repeat("a", 1<<20))
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<p>x</p>"))
	})
	s.mux.HandleFunc("/huge-feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(`<rss version="2.0"><channel>`))
		item := []byte(`<item><title>filler</title><link>/x</link><description>` + strings.Repeat("lorem ipsum ", 400) + `</description></item>`)
		for written := 0; written < 50<<20 && r.Context().Err() == nil; written += len(item) {
			if _, err := w.Write(item); err != nil {
				return
			}
		}
	})
	f := New(testConfig(), nil, zaptest.NewLogger(t))
	for _, path := range []string{"/endless", "/bigheaders"} {
		_, err := f.Fetch(context.Background(), discovered(s.URL+path))
		if err == nil || !pipeline.IsPermanent(err) {
			t.Errorf("Fetch(%s) = %v; want a permanent error", path, err)
		}
	}
	if _, err := f.List(context.Background(), Source{Name: "huge", Feed: s.URL + "/huge-feed.xml"}, "", ""); !errors.Is(err, ErrTooLarge) {
		t.Errorf("List(50 MB feed) = %v; want ErrTooLarge", err)
	}
}

// countingKV counts the reads that reach a real bucket.
type countingKV struct {
	KV
	mu   sync.Mutex
	gets int
}

func (c *countingKV) Get(ctx context.Context, key string) ([]byte, uint64, bool, error) {
	c.mu.Lock()
	c.gets++
	c.mu.Unlock()
	return c.KV.Get(ctx, key)
}

func TestSeenAsksTheBucketOncePerKnownArticle(t *testing.T) {
	b := natstest.Start(t).Connect(t)
	ctx := context.Background()
	bucket, err := b.KeyValue(ctx, proto.SeenBucket, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := bucket.Set(ctx, "marked-elsewhere", []byte("x")); err != nil {
		t.Fatal(err)
	}
	kv := &countingKV{KV: bucket}
	f := New(testConfig(), kv, zaptest.NewLogger(t))
	for range 3 {
		if seen, err := f.Seen(ctx, "marked-elsewhere"); err != nil || !seen {
			t.Fatalf("Seen(marked-elsewhere) = %v, %v; want true", seen, err)
		}
		if seen, err := f.Seen(ctx, "new"); err != nil || seen {
			t.Fatalf("Seen(new) = %v, %v; want false", seen, err)
		}
	}
	// The known id is asked about once; the unknown one every time, since
	// another replica may fetch it meanwhile.
	if kv.gets != 1+3 {
		t.Errorf("bucket reads = %d; want 4", kv.gets)
	}
	if err := bucket.Set(ctx, "new", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if seen, _ := f.Seen(ctx, "new"); !seen {
		t.Error("an id marked by another replica is not seen")
	}
}

func TestSeenCacheBounded(t *testing.T) {
	var c seenCache
	for i := range 3 * seenCacheSize {
		c.add(strconv.Itoa(i))
	}
	if n := len(c.cur) + len(c.old); n > 2*seenCacheSize {
		t.Errorf("cache holds %d ids; want at most %d", n, 2*seenCacheSize)
	}
	if !c.has(strconv.Itoa(3*seenCacheSize-1)) || c.has("0") {
		t.Error("cache keeps the oldest id or lost the newest")
	}
}
