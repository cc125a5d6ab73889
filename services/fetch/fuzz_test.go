package fetch

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/temoto/robotstxt"
)

var fuzzBase, _ = url.Parse("https://news.example/section/")

func FuzzParseFeed(f *testing.F) {
	f.Add([]byte(`<rss version="2.0"><channel><item><title>T</title><link>/a</link><pubDate>Thu, 16 May 2024 09:00:00 +0300</pubDate></item></channel></rss>`))
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="b"/></entry></feed>`))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"url":"c"}]}`))
	f.Add([]byte(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><item><link>d</link></item></rdf:RDF>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := parseFeed(b, fuzzBase)
		if err == nil && len(items) > maxItems {
			t.Fatalf("%d items; limit %d", len(items), maxItems)
		}
		for _, it := range items {
			if u, err := url.Parse(it.url); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
				t.Fatalf("item url %q is not http(s)", it.url)
			}
		}
	})
}

func FuzzParseSitemap(f *testing.F) {
	f.Add([]byte(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/a</loc><lastmod>2024-05-16</lastmod></url></urlset>`))
	f.Add([]byte(`<sitemapindex><sitemap><loc>https://news.example/s.xml.gz</loc></sitemap></sitemapindex>`))
	f.Add([]byte{0x1f, 0x8b, 0x08, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		items, children, err := parseSitemap(b, fuzzBase)
		if err != nil {
			return
		}
		if len(items) > maxItems || len(children) > maxChildSitemaps {
			t.Fatalf("%d items, %d children: over the limits", len(items), len(children))
		}
	})
}

func FuzzDiscoverFeeds(f *testing.F) {
	f.Add([]byte(`<html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head></html>`))
	f.Add([]byte(`<link rel=alternate type=application/atom+xml href=javascript:alert(1)>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		feeds := discoverFeeds(b, fuzzBase)
		if len(feeds) > maxSiteFeeds {
			t.Fatalf("%d feeds; limit %d", len(feeds), maxSiteFeeds)
		}
		_ = robotsSitemaps(b, fuzzBase)
	})
}

func FuzzRobots(f *testing.F) {
	f.Add([]byte("User-agent: *\nDisallow: /private/\nCrawl-delay: 2\nSitemap: https://a.example/s.xml\n"), "/private/x")
	f.Add([]byte("User-agent: newsflow\nAllow: /\n\nUser-agent: *\nDisallow: /\n"), "/")
	f.Fuzz(func(t *testing.T, b []byte, path string) {
		data, err := robotstxt.FromStatusAndBytes(http.StatusOK, b)
		if err != nil {
			return
		}
		if g := data.FindGroup(DefaultConfig().UserAgent); g != nil {
			_ = g.Test(path)
		}
	})
}

func FuzzNumericHost(f *testing.F) {
	for _, s := range []string{"2130706433", "0177.0.0.1", "0x7f.1", "127.0.0.1", "news.example", "cafe.de", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		_ = numericHost(host)
	})
}
