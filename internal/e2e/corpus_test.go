package e2e_test

import (
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// corpus generates realistic article pages: varied page templates and
// chrome (navigation, share widgets, related stories, newsletter boxes,
// comments), 400 to 1,500 words of text with people, places, quotes and
// figures. Everything is generated; nothing is copied from anywhere.
type corpus struct {
	pages []page
}

type page struct {
	title     string
	html      string
	published time.Time
}

var (
	people  = []string{"Vladimir Putin", "Xi Jinping", "Sergei Lavrov", "Wang Yi", "Li Qiang", "Mikhail Mishustin", "Alexander Novak", "Elvira Nabiullina", "Antony Blinken", "Ursula von der Leyen"}
	cities  = []string{"Beijing", "Moscow", "Harbin", "Vladivostok", "Shanghai", "Khabarovsk", "Heihe", "Irkutsk", "Tianjin", "Novosibirsk"}
	orgs    = []string{"Gazprom", "China National Petroleum Corporation", "Rosneft", "the Bank of China", "the Kremlin", "the State Council", "the Eurasian Economic Union", "the Shanghai Cooperation Organisation"}
	topics  = []string{"energy", "trade", "transport", "agriculture", "finance", "technology", "security", "tourism"}
	verbs   = []string{"discussed", "signed agreements on", "reviewed progress on", "pledged to expand", "announced new projects in", "agreed to deepen cooperation on"}
	closers = []string{"according to officials familiar with the talks", "the statement said", "state media reported", "analysts noted", "the ministry said in a statement"}
	// Words for the free sentences that make each article's text its own,
	// as real coverage of one topic is: shared names, different prose.
	nouns      = []string{"pipeline", "railway", "bridge", "port", "loan", "tariff", "harvest", "factory", "exhibition", "summit", "visa", "contract", "reactor", "satellite", "warehouse", "currency", "airline", "border crossing", "grain terminal", "university", "hospital", "shipyard", "data centre", "customs office", "power line", "trade fair", "film festival", "logistics hub", "coal mine", "wind farm"}
	adjectives = []string{"new", "delayed", "joint", "costly", "ambitious", "modest", "controversial", "long-awaited", "regional", "northern", "eastern", "private", "state-owned", "smaller", "second", "temporary", "expanded", "revised", "unfinished", "record"}
	actions    = []string{"would open", "could delay", "had stalled", "will double", "might replace", "was expected to cut", "had already lifted", "would finance", "risked slowing", "was meant to connect", "could raise", "had quietly reduced"}
	sayers     = []string{"a local official", "a freight broker", "an economist in the city", "a retired diplomat", "the regional governor", "a factory manager", "a shop owner near the station", "a spokeswoman for the operator", "one of the engineers", "a banker who asked not to be named"}
	teasers    = []string{"Markets close higher on Friday", "Storm warning for the coast", "New phone goes on sale", "Cup final tickets sold out", "Ten recipes for summer", "Festival opens downtown"}
)

func newCorpus(n int, seed uint64, start time.Time, spacing time.Duration) *corpus {
	rng := rand.New(rand.NewPCG(seed, 11))
	c := &corpus{}
	for i := range n {
		c.pages = append(c.pages, genPage(rng, i, start.Add(time.Duration(i)*spacing)))
	}
	return c
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func sentence(rng *rand.Rand) string {
	switch rng.IntN(12) {
	case 6, 7, 8:
		return fmt.Sprintf("The %s %s in %s %s the %s %s by %d, %s said.", pick(rng, adjectives), pick(rng, nouns), pick(rng, cities), pick(rng, actions), pick(rng, adjectives), pick(rng, nouns), 2025+rng.IntN(10), pick(rng, sayers))
	case 9, 10:
		return fmt.Sprintf("%s said the %s %s %s a %s %s, and that the %s %s next.", capitalize(pick(rng, sayers)), pick(rng, nouns), pick(rng, actions), pick(rng, nouns), pick(rng, adjectives), pick(rng, nouns), pick(rng, nouns), pick(rng, actions))
	case 11:
		return fmt.Sprintf("Near the %s, a %s %s and a %s %s stood %d kilometres apart.", pick(rng, nouns), pick(rng, adjectives), pick(rng, nouns), pick(rng, adjectives), pick(rng, nouns), 2+rng.IntN(400))
	case 0:
		return fmt.Sprintf("%s and %s %s %s in %s, %s.", pick(rng, people), pick(rng, people), pick(rng, verbs), pick(rng, topics), pick(rng, cities), pick(rng, closers))
	case 1:
		return fmt.Sprintf("Trade between the two countries reached $%d.%d billion last year, up %d.%d percent, %s.", 100+rng.IntN(200), rng.IntN(10), rng.IntN(30), rng.IntN(10), pick(rng, closers))
	case 2:
		return fmt.Sprintf("“We will continue to work on %s and %s,” %s said during a visit to %s.", pick(rng, topics), pick(rng, topics), pick(rng, people), pick(rng, cities))
	case 3:
		return fmt.Sprintf("Officials from %s met representatives of %s to review %s projects worth %d million yuan.", pick(rng, orgs), pick(rng, orgs), pick(rng, topics), 50+rng.IntN(900))
	case 4:
		return fmt.Sprintf("The delegation travelled from %s to %s on %s %d, where local authorities showed new %s facilities.", pick(rng, cities), pick(rng, cities), pick(rng, []string{"May", "June", "April"}), 1+rng.IntN(28), pick(rng, topics))
	default:
		return fmt.Sprintf("Critics in %s warned that closer ties in %s could draw new sanctions, while supporters pointed to the benefits for companies in %s.", pick(rng, cities), pick(rng, topics), pick(rng, cities))
	}
}

func capitalize(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

func genPage(rng *rand.Rand, i int, published time.Time) page {
	words := 400 + rng.IntN(1100)
	var paras []string
	for n := 0; n < words; {
		var p []string
		for range 2 + rng.IntN(4) {
			s := sentence(rng)
			p = append(p, s)
			n += strings.Count(s, " ") + 1
		}
		paras = append(paras, strings.Join(p, " "))
	}
	title := fmt.Sprintf("%s talks in %s focus on %s (%d)", pick(rng, []string{"Russia–China", "Putin–Xi", "Border", "Ministerial"}), pick(rng, cities), pick(rng, topics), i)
	author := pick(rng, []string{"Anna Petrova", "Li Wei", "James Miller", "Olga Smirnova", "Chen Jing"})
	var b strings.Builder
	esc := html.EscapeString
	ts := published.UTC().Format(time.RFC3339)
	switch i % 3 {
	case 0: // semantic markup with JSON-LD, related stories and comments
		fmt.Fprintf(&b, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>%s | Eastern Herald</title>
<meta property="og:title" content="%s"><meta property="article:published_time" content="%s">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":%q,"datePublished":%q,"author":{"@type":"Person","name":%q}}</script>
</head><body><header><nav>`, esc(title), esc(title), ts, title, ts, author)
		for _, s := range []string{"Home", "World", "Business", "Sport", "Culture", "Opinion"} {
			fmt.Fprintf(&b, `<a href="/%s">%s</a> `, strings.ToLower(s), s)
		}
		fmt.Fprintf(&b, `</nav></header><div class="share"><a href="#">Share</a> <a href="#">Tweet</a></div><main><article><h1>%s</h1><p class="byline">By %s</p><time datetime="%s">%s</time>`, esc(title), esc(author), ts, published.Format("2 January 2006"))
		for j, p := range paras {
			fmt.Fprintf(&b, "<p>%s</p>\n", esc(p))
			if j == 2 {
				fmt.Fprintf(&b, `<p class="read-more">READ MORE: %s</p>`, esc(pick(rng, teasers)))
			}
		}
		b.WriteString(`</article><aside class="related"><h3>Related</h3><ul>`)
		for range 6 {
			fmt.Fprintf(&b, `<li><a href="/r/%d">%s</a></li>`, rng.IntN(1e6), esc(pick(rng, teasers)))
		}
		b.WriteString(`</ul></aside><section class="comments"><h3>Comments</h3>`)
		for range rng.IntN(12) {
			fmt.Fprintf(&b, `<div class="comment"><p>%s</p></div>`, esc(sentence(rng)))
		}
		b.WriteString(`</section></main><footer>© Eastern Herald</footer></body></html>`)
	case 1: // div soup without semantic tags
		fmt.Fprintf(&b, `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>%s - Border Times</title><meta name="author" content="%s"><meta name="date" content="%s"></head><body><div class="top"><div class="menu">`, esc(title), esc(author), ts)
		for _, s := range teasers {
			fmt.Fprintf(&b, `<div><a href="/m">%s</a></div>`, esc(s))
		}
		fmt.Fprintf(&b, `</div></div><div class="wrap"><div class="hd">%s</div><div class="txt">`, esc(title))
		for _, p := range paras {
			fmt.Fprintf(&b, "<div>%s</div>\n", esc(p))
		}
		b.WriteString(`</div><div class="newsletter">Sign up for our newsletter<form><input name="e"></form></div></div><div class="ft">Border Times</div></body></html>`)
	default: // a blog-like page with a cookie banner and a sidebar
		fmt.Fprintf(&b, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>%s</title><link rel="canonical" href="/story/%d"></head><body>
<div id="cookie-banner">We use cookies. <button>Accept</button></div><div class="sidebar"><h4>Most read</h4><ol>`, esc(title), i)
		for range 5 {
			fmt.Fprintf(&b, `<li>%s</li>`, esc(pick(rng, teasers)))
		}
		fmt.Fprintf(&b, `</ol></div><div class="post"><h2 class="entry-title">%s</h2><span class="author">%s</span><div class="entry-content">`, esc(title), esc(author))
		for j, p := range paras {
			if j > 0 && j%4 == 0 {
				fmt.Fprintf(&b, "<h3>%s</h3>\n", esc(capitalize(pick(rng, topics))))
			}
			fmt.Fprintf(&b, "<p>%s</p>\n", esc(p))
		}
		b.WriteString(`</div></div><div class="share-bar">Share this article</div></body></html>`)
	}
	return page{title: title, html: b.String(), published: published}
}

// corpusSites serves a corpus from several hosts, each with its own RSS
// feed listing the pages published so far.
type corpusSites struct {
	c       *corpus
	servers []*httptest.Server
	mu      sync.Mutex
	// released is how many pages are out, in order.
	released int
	// releasedAt records when each page went out.
	releasedAt []time.Time
}

func newCorpusSites(c *corpus, hosts int) *corpusSites {
	s := &corpusSites{c: c, releasedAt: make([]time.Time, len(c.pages))}
	for h := range hosts {
		mux := http.NewServeMux()
		mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) { s.feed(w, r, h, hosts) })
		mux.HandleFunc("/story/{i}", func(w http.ResponseWriter, r *http.Request) {
			var i int
			if _, err := fmt.Sscanf(r.PathValue("i"), "%d", &i); err != nil || i < 0 || i >= s.out() {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(c.pages[i].html))
		})
		s.servers = append(s.servers, httptest.NewServer(mux))
	}
	return s
}

func (s *corpusSites) out() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.released
}

// release puts out pages up to n.
func (s *corpusSites) release(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for ; s.released < n && s.released < len(s.c.pages); s.released++ {
		s.releasedAt[s.released] = now
	}
}

func (s *corpusSites) url(i int) string {
	return fmt.Sprintf("%s/story/%d", s.servers[i%len(s.servers)].URL, i)
}

// feed serves a host's feed of every page put out so far, with an ETag
// that changes when pages are put out, as news sites do.
func (s *corpusSites) feed(w http.ResponseWriter, r *http.Request, host, hosts int) {
	out := s.out()
	etag := fmt.Sprintf(`"%d"`, out)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/rss+xml")
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>`)
	for i := out - 1; i >= 0; i-- {
		if i%hosts != host {
			continue
		}
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s</link></item>", html.EscapeString(s.c.pages[i].title), s.url(i))
	}
	b.WriteString("</channel></rss>")
	_, _ = w.Write([]byte(b.String()))
}

func (s *corpusSites) close() {
	for _, srv := range s.servers {
		srv.Close()
	}
}
