package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/newsflow/newsflow/proto"
)

// The browser test drives Debian's chromium through chromedp. It skips
// only when no chromium binary is found. Screenshots go to the directory in
// SCREENSHOT_DIR, or to a temporary directory; their paths are logged.

// chromiumPath finds the browser: $CHROMIUM, else the usual names on PATH.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a headless chromium with a new profile and returns its
// context; the browser stops when the test ends.
func newBrowser(tb testing.TB) context.Context {
	tb.Helper()
	path := chromiumPath()
	if path == "" {
		tb.Skip("browser test skipped: no chromium binary on PATH and CHROMIUM is unset (Debian: apt-get install -y chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	tb.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc() // waits for the browser to exit, before its profile is removed
	})
	return ctx
}

// screenshotDir is where the test saves its screenshots.
func screenshotDir(tb testing.TB) string {
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		return tb.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatalf("screenshot dir: %v", err)
	}
	return dir
}

func mustDo(tb testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

func mustEval[T any](tb testing.TB, ctx context.Context, expr string) T {
	tb.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func mustScreenshot(tb testing.TB, ctx context.Context, dir, name string) {
	tb.Helper()
	b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 gives a PNG
	if err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	tb.Logf("screenshot: %s", p)
}

// consoleLog collects what pages write to the console.
type consoleLog struct {
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
}

func watchConsole(ctx context.Context) *consoleLog {
	c := &consoleLog{}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			c.mu.Lock()
			c.msgs = append(c.msgs, m)
			c.mu.Unlock()
		}
	}()
	return c
}

// problems are the exceptions and policy violations seen so far.
func (c *consoleLog) problems() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, m := range c.msgs {
		if m.IsException() || strings.Contains(m.Text, "Content Security Policy") || m.Type == chromedp.ConsoleError {
			out = append(out, m.String()+" ("+m.URL+")")
		}
	}
	return out
}

func TestBrowser(t *testing.T) {
	ctx := newBrowser(t)
	shots := screenshotDir(t)
	st := mustStore(t, fixtureArticles())
	last := fixtureNow.Add(-3 * time.Minute)
	status := &fakeStatus{p: Pipeline{
		Stages: []Stage{
			{Name: "fetch", Subject: "news.discovered", Backlog: 42, InFlight: 3, Rate: 1.5, LastActive: &last},
			{Name: "clean", Subject: "news.fetched", Backlog: 7, InFlight: 1, Rate: 1.2, LastActive: &last},
			{Name: "extract", Subject: "news.cleaned", Backlog: 0, Rate: 1.1, LastActive: &last},
			{Name: "store", Subject: "news.extracted", Backlog: 0, Rate: 1.1, LastActive: &last},
		},
		DeadLetters: []DeadLetters{{Stage: "clean", Subject: "news.dlq.clean", Count: 2, Last: &last}},
		Sources: []Source{
			{Name: "harbor-times", Kind: "feed", URL: "https://harbor-times.test/rss", LastPoll: &last, Discovered: 12},
			{Name: "coast-daily", Kind: "sitemap", URL: "https://coast-daily.test/sitemap.xml", LastPoll: &last,
				LastError: "GET https://coast-daily.test/sitemap.xml: 503 Service Unavailable", LastErrorAt: &last},
		},
	}}
	s, mux := mustServer(t, st, status)
	s.livePoll = time.Second
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	console := watchConsole(ctx)

	// Overview: the chart is drawn and the newest articles are listed.
	mustDo(t, ctx, "load overview",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#chart canvas")),
	)
	if n := mustEval[int](t, ctx, `document.querySelectorAll("#chart .u-legend .u-series").length`); n < 2 {
		t.Errorf("chart legend has %d series; want the stacks and the on-topic line", n)
	}
	if n := mustEval[int](t, ctx, `document.querySelectorAll("#newest li a").length`); n != newestLimit {
		t.Errorf("newest list has %d articles; want %d", n, newestLimit)
	}
	if got := mustEval[string](t, ctx, `document.querySelector("#newest li a").textContent`); got != xssTitle {
		t.Errorf("newest article title = %q; want the title as text %q", got, xssTitle)
	}
	if n := mustEval[int](t, ctx, `document.querySelectorAll("table.clusters tbody tr").length`); n != 1 {
		t.Errorf("story clusters: %d rows; want 1", n)
	}
	// Keyboard: the first Tab reaches the skip link.
	mustDo(t, ctx, "tab", chromedp.KeyEvent("\t"))
	if got := mustEval[string](t, ctx, `document.activeElement.className`); got != "skip" {
		t.Errorf("first Tab focuses %q; want the skip link", got)
	}
	mustScreenshot(t, ctx, shots, "overview.png")

	// A new article arrives: the live list shows it, marked as new since
	// the last look (the first visit counts as a look).
	breaking := proto.Article{
		ID: "breaking", URL: "https://harbor-times.test/gates", Source: "harbor-times",
		Title: "Barrier gates reopen to shipping", PublishedAt: at(-time.Minute), FetchedAt: fixtureNow.Add(time.Minute),
		Language: "en", Relevance: 0.9, OnTopic: true, Text: "The gates reopened.", Fingerprint: fingerprint(99),
	}
	if err := st.Upsert(context.Background(), []proto.Article{breaking}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('#newest li.new a[href="/articles/breaking"]')`,
		chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("the new article is not listed as new: %v; status %q, hidden %v, first %q, poll %q", err,
			mustEval[string](t, ctx, `document.getElementById("live-status").textContent`),
			mustEval[bool](t, ctx, `document.hidden`),
			mustEval[string](t, ctx, `document.querySelector("#newest li").outerHTML`),
			mustEval[string](t, ctx, `document.getElementById("newest").getAttribute("data-poll")`))
	}
	if got := mustEval[string](t, ctx, `document.getElementById("live-status").textContent`); !strings.Contains(got, "1 new since you looked") {
		t.Errorf("live status = %q; want 1 new since you looked", got)
	}
	if n := mustEval[int](t, ctx, `document.querySelectorAll("#newest li.new").length`); n != 1 {
		t.Errorf("%d articles marked new; want 1", n)
	}
	mustScreenshot(t, ctx, shots, "overview-live.png")

	// Search for a phrase and open the result.
	mustDo(t, ctx, "search",
		chromedp.Navigate(srv.URL+"/search"),
		chromedp.SendKeys(chromedp.ID("q"), `"storm surge"`+kb.Enter),
		// Only a search's results have highlighted snippets.
		chromedp.WaitVisible(chromedp.CSS(`ol.results mark`)),
		chromedp.WaitVisible(chromedp.CSS(`ol.results a[href="/articles/tide-1"]`)),
	)
	// The URL is shareable: it holds the search, without the empty fields.
	if got := mustEval[string](t, ctx, `location.search`); got != "?q=%22storm+surge%22" {
		t.Errorf("search URL query = %q; want ?q=%%22storm+surge%%22", got)
	}
	if got := mustEval[string](t, ctx, `document.querySelector("ol.results mark").textContent.toLowerCase()`); got != "storm" && got != "storm surge" {
		t.Errorf("highlighted snippet mark = %q; want the phrase", got)
	}
	mustScreenshot(t, ctx, shots, "search.png")
	mustDo(t, ctx, "open result",
		chromedp.Click(chromedp.CSS(`ol.results a[href="/articles/tide-1"]`)),
		chromedp.WaitVisible(chromedp.ID("article-title")),
	)

	// The article: entities highlighted and linked, the quote and speaker.
	if got := mustEval[string](t, ctx, `document.querySelector("#text a.ent.ent-person").textContent`); got != "Ilsa Brandt" {
		t.Errorf("first person highlight = %q; want Ilsa Brandt", got)
	}
	if got := mustEval[string](t, ctx, `document.querySelector("#text a.ent.ent-person").getAttribute("href")`); got != "/search?entity=Ilsa+Brandt" {
		t.Errorf("person link = %q; want the entity filter", got)
	}
	if got := mustEval[string](t, ctx, `getComputedStyle(document.querySelector("#text a.ent.ent-place")).backgroundColor`); got == "rgba(0, 0, 0, 0)" {
		t.Error("place highlight has no background colour")
	}
	if got := mustEval[string](t, ctx, `document.querySelector(".quote blockquote").textContent.trim()`); got != "The barrier did exactly what it was built to do" {
		t.Errorf("quote = %q", got)
	}
	if got := mustEval[string](t, ctx, `document.querySelector(".quote figcaption").textContent`); !strings.Contains(got, "Ilsa Brandt") {
		t.Errorf("quote speaker = %q; want Ilsa Brandt", got)
	}
	mustScreenshot(t, ctx, shots, "article.png")

	// The entity link leads to the filtered search.
	mustDo(t, ctx, "follow entity link",
		chromedp.Click(chromedp.CSS("#text a.ent.ent-person")),
		chromedp.WaitVisible(chromedp.CSS(`ol.results a[href="/articles/tide-2"]`)),
	)
	if got := mustEval[string](t, ctx, `document.getElementById("entity").value`); got != "Ilsa Brandt" {
		t.Errorf("entity filter field = %q; want Ilsa Brandt", got)
	}

	// Markup in an article is inert: nothing ran, the title is text.
	mustDo(t, ctx, "open the article with markup",
		chromedp.Navigate(srv.URL+"/articles/evil"),
		chromedp.WaitVisible(chromedp.ID("article-title")),
	)
	if got := mustEval[bool](t, ctx, `typeof window.__xss === "undefined"`); !got {
		t.Errorf("a script payload ran: window.__xss = %v", mustEval[any](t, ctx, `window.__xss`))
	}
	if got := mustEval[string](t, ctx, `document.getElementById("article-title").textContent`); got != xssTitle {
		t.Errorf("title = %q; want %q as text", got, xssTitle)
	}
	if n := mustEval[int](t, ctx, `document.querySelectorAll("main script, main img").length`); n != 0 {
		t.Errorf("article content became %d script or img elements", n)
	}
	mustScreenshot(t, ctx, shots, "article-markup.png")

	// Pipeline view.
	mustDo(t, ctx, "pipeline",
		chromedp.Navigate(srv.URL+"/pipeline"),
		chromedp.WaitVisible(chromedp.CSS("table.stages")),
	)
	if n := mustEval[int](t, ctx, `document.querySelectorAll("table.stages tbody tr").length`); n != 4 {
		t.Errorf("pipeline stages: %d rows; want 4", n)
	}
	if got := mustEval[string](t, ctx, `document.querySelector("table.sources tr.warn").textContent`); !strings.Contains(got, "503") {
		t.Errorf("failing source row = %q; want its error", got)
	}
	mustScreenshot(t, ctx, shots, "pipeline.png")

	// A narrow screen: the layout reflows without horizontal scrolling.
	mustDo(t, ctx, "narrow overview",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#chart canvas")),
	)
	if w := mustEval[int](t, ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); w > 0 {
		t.Errorf("narrow overview scrolls sideways by %d px", w)
	}
	mustScreenshot(t, ctx, shots, "overview-narrow.png")

	if p := console.problems(); len(p) > 0 {
		t.Errorf("console errors or policy violations:\n%s", strings.Join(p, "\n"))
	}
}

// BenchmarkBrowserLoad10k measures how long the overview takes to load in
// chromium over a store of 10,000 articles: from navigation to the chart
// drawn. "cold" is the first load of a window (the server reads the
// window's articles); the loop measures reloads.
func BenchmarkBrowserLoad10k(b *testing.B) {
	ctx := newBrowser(b)
	st := mustStore(b, manyArticles(10000))
	_, mux := mustServer(b, st, nil)
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	// Start the browser first: its start-up is not the page's load time.
	mustDo(b, ctx, "start the browser", chromedp.Navigate("about:blank"))
	for _, window := range []string{"7d", "all"} {
		b.Run("window="+window, func(b *testing.B) {
			url := srv.URL + "/?window=" + window
			load := func() time.Duration {
				start := time.Now()
				mustDo(b, ctx, "load", chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#chart canvas")))
				return time.Since(start)
			}
			cold := load()
			coldNav := mustEval[float64](b, ctx, `performance.getEntriesByType("navigation")[0].loadEventEnd`)
			var total time.Duration
			n := 0
			for b.Loop() {
				total += load()
				n++
			}
			// Metrics are reported after the loop, which resets them.
			b.ReportMetric(float64(cold.Microseconds())/1000, "cold-ms")
			b.ReportMetric(coldNav, "cold-loadEventEnd-ms")
			b.ReportMetric(float64(total.Microseconds())/1000/float64(n), "warm-ms")
		})
	}
}

// BenchmarkOverview10k measures the server side of the overview over
// 10,000 articles: "cold" with an empty cache (every window read from
// the store), "warm" with the window's articles cached.
func BenchmarkOverview10k(b *testing.B) {
	st := mustStore(b, manyArticles(10000))
	for _, window := range []string{"7d", "all"} {
		target := "/?window=" + window
		b.Run("cold/window="+window, func(b *testing.B) {
			for b.Loop() {
				_, mux := mustServer(b, st, nil)
				get(b, mux, target, http.StatusOK)
			}
		})
		b.Run("warm/window="+window, func(b *testing.B) {
			_, mux := mustServer(b, st, nil)
			get(b, mux, target, http.StatusOK)
			for b.Loop() {
				get(b, mux, target, http.StatusOK)
			}
		})
	}
}
