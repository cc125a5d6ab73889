package fetch

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
)

// rssFeed returns an RSS 2.0 feed of n items whose descriptions and
// content are HTML with images, as many publishers' feeds are.
func rssFeed(n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Wire</title><link>https://wire.example/</link><description><![CDATA[<p>The <img src="/logo.png"> wire</p>]]></description>`)
	for i := range n {
		fmt.Fprintf(&b, `<item><title>Talks, day %d</title><link>https://wire.example/a/%d</link><guid>w-%d</guid><pubDate>Tue, 21 May 2024 10:%02d:00 +0300</pubDate>`+
			`<description><![CDATA[<div><img src="/img/%d.jpg"><p>Delegations met for a %d-th round of talks on trade and energy.</p></div>]]></description>`+
			`<content:encoded><![CDATA[<article><p>Officials said the talks would continue.</p><figure><img src="/img/%d-big.jpg"></figure></article>]]></content:encoded></item>`,
			i, i, i, i%60, i, i, i)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

func TestParseFeedIgnoresItemHTML(t *testing.T) {
	base, _ := url.Parse("https://wire.example/feed.xml")
	items, err := parseFeed(rssFeed(3), base)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 {
		t.Fatalf("got %d items, want 3", len(items))
	}
	for i, it := range items {
		if want := fmt.Sprintf("https://wire.example/a/%d", i); it.url != want {
			t.Errorf("item %d: url %q, want %q", i, it.url, want)
		}
		if want := fmt.Sprintf("Talks, day %d", i); it.hints.Title != want {
			t.Errorf("item %d: title %q, want %q", i, it.hints.Title, want)
		}
		if it.hints.PublishedAt == nil || it.hints.PublishedAt.UTC().Format("15:04") != fmt.Sprintf("07:%02d", i) {
			t.Errorf("item %d: published %v", i, it.hints.PublishedAt)
		}
	}
}

// BenchmarkParseFeed compares parsing a 1,000-item feed with HTML item
// text through parseFeed and through gofeed's default translation, which
// parses every item's HTML to look for an image.
func BenchmarkParseFeed(b *testing.B) {
	body := rssFeed(1000)
	base, _ := url.Parse("https://wire.example/feed.xml")
	b.Run("newsflow", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parseFeed(body, base); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gofeed-default", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := gofeed.NewParser().Parse(bytes.NewReader(body)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
