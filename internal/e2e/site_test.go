package e2e_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// newsSite publishes articles over time in an RSS feed, plus inputs that
// are bad on purpose: pages that 404, an empty page, and a page that never
// answers.
type newsSite struct {
	*httptest.Server
	start   time.Time
	spacing time.Duration
	n       int
	bad     []string // paths of the bad inputs, listed first
	hang    chan struct{}
}

func newNewsSite(n int, spacing time.Duration) *newsSite {
	s := &newsSite{start: time.Now(), spacing: spacing, n: n, hang: make(chan struct{}),
		bad: []string{"/bad/missing-1", "/bad/missing-2", "/bad/empty", "/bad/hang"}}
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.xml", s.feed)
	mux.HandleFunc("/story/{i}", s.story)
	mux.HandleFunc("/bad/empty", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
	})
	mux.HandleFunc("/bad/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-s.hang:
		case <-r.Context().Done():
		}
	})
	s.Server = httptest.NewServer(mux)
	return s
}

// published is how many articles are out by now.
func (s *newsSite) published() int {
	return min(s.n, int(time.Since(s.start)/s.spacing)+1)
}

func (s *newsSite) url(i int) string { return fmt.Sprintf("%s/story/%d", s.URL, i) }

func (s *newsSite) feed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/rss+xml")
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Chaos Daily</title>`)
	for _, p := range s.bad {
		fmt.Fprintf(&b, "<item><title>bad</title><link>%s%s</link></item>", s.URL, p)
	}
	for i := s.published() - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "<item><title>Story %d</title><link>%s</link><pubDate>%s</pubDate></item>",
			i, s.url(i), s.start.Add(time.Duration(i)*s.spacing).UTC().Format(time.RFC1123Z))
	}
	b.WriteString("</channel></rss>")
	_, _ = w.Write([]byte(b.String()))
}

var places = []string{"Harbin", "Vladivostok", "Heihe", "Blagoveshchensk", "Khabarovsk", "Suifenhe", "Manzhouli", "Irkutsk"}
var goods = []string{"grain", "timber", "cars", "fertiliser", "seafood", "machine tools", "coal", "soybeans"}

func (s *newsSite) story(w http.ResponseWriter, r *http.Request) {
	var i int
	if _, err := fmt.Sscanf(r.PathValue("i"), "%d", &i); err != nil || i < 0 || i >= s.published() {
		http.NotFound(w, r)
		return
	}
	place, good := places[i%len(places)], goods[(i/len(places))%len(goods)]
	title := fmt.Sprintf("Story %d: %s traders expand %s shipments", i, place, good)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>%s | Chaos Daily</title>
<meta property="article:published_time" content="%s"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav><article><h1>%s</h1>
<p>Traders in %s said on day %d that shipments of %s across the border had risen again, helped by a new customs terminal that opened this spring.</p>
<p>Local officials expect volumes to keep growing as companies in both countries sign longer contracts, report number %d of the series noted.</p>
<p>Rail operators added %d extra trains a week to cope with demand, while trucking firms complained about queues at the crossing.</p>
</article><footer>Chaos Daily</footer></body></html>`,
		title, s.start.Add(time.Duration(i)*s.spacing).UTC().Format(time.RFC3339), title, place, i, good, i, i%7+2)
}
