package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	"github.com/newsflow/newsflow/internal/pipeline"
	"github.com/newsflow/newsflow/proto"
)

// Limits of one poll.
const (
	// maxItems is how many article URLs one poll lists at most.
	maxItems = 5000
	// maxChildSitemaps is how many sitemaps of an index one poll reads.
	maxChildSitemaps = 50
	// maxSiteFeeds is how many autodiscovered feeds of a site one poll reads.
	maxSiteFeeds = 5
)

// ErrUnparseable means a feed or sitemap could not be read.
var ErrUnparseable = errors.New("unparseable listing")

// item is an article URL a listing named, with what it said about it.
type item struct {
	url   string
	hints proto.Hints
}

// parseFeed reads RSS 0.9x/1.0/2.0, Atom or JSON Feed.
func parseFeed(body []byte, base *url.URL) ([]item, error) {
	p := gofeed.NewParser()
	// gofeed would parse every item's content and description as an HTML
	// document to look for an image the fetcher never reads.
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	feed, err := p.Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: feed: %v", ErrUnparseable, err)
	}
	var out []item
	for _, it := range feed.Items {
		link := it.Link
		if link == "" && len(it.Links) > 0 {
			link = it.Links[0]
		}
		if link == "" && strings.HasPrefix(it.GUID, "http") {
			link = it.GUID
		}
		u, ok := resolve(base, link)
		if !ok {
			continue
		}
		h := proto.Hints{Title: strings.TrimSpace(it.Title), Feed: base.String()}
		switch {
		case it.PublishedParsed != nil:
			t := *it.PublishedParsed
			h.PublishedAt = &t
		case it.UpdatedParsed != nil:
			t := *it.UpdatedParsed
			h.PublishedAt = &t
		}
		out = append(out, item{url: u, hints: h})
		if len(out) >= maxItems {
			break
		}
	}
	return out, nil
}

// sitemap is a urlset or a sitemapindex, with the Google News extension.
type sitemap struct {
	XMLName  xml.Name
	URLs     []sitemapURL `xml:"url"`
	Sitemaps []struct {
		Loc string `xml:"loc"`
	} `xml:"sitemap"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod"`
	News    struct {
		Title           string `xml:"title"`
		PublicationDate string `xml:"publication_date"`
	} `xml:"http://www.google.com/schemas/sitemap-news/0.9 news"`
}

// parseSitemap reads a urlset or sitemapindex, gzipped or not. It returns
// the article URLs and, for an index, the child sitemaps.
func parseSitemap(body []byte, base *url.URL) (items []item, children []string, err error) {
	if sniffGzip(body) {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, nil, fmt.Errorf("%w: sitemap gzip: %v", ErrUnparseable, err)
		}
		body, err = io.ReadAll(io.LimitReader(zr, 64<<20))
		if err != nil {
			return nil, nil, fmt.Errorf("%w: sitemap gzip: %v", ErrUnparseable, err)
		}
	}
	var sm sitemap
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	if err := dec.Decode(&sm); err != nil {
		return nil, nil, fmt.Errorf("%w: sitemap: %v", ErrUnparseable, err)
	}
	switch sm.XMLName.Local {
	case "urlset":
		for _, u := range sm.URLs {
			loc, ok := resolve(base, u.Loc)
			if !ok {
				continue
			}
			h := proto.Hints{Title: strings.TrimSpace(u.News.Title), Feed: base.String()}
			if t, ok := parseW3CDate(u.News.PublicationDate); ok {
				h.PublishedAt = &t
			} else if t, ok := parseW3CDate(u.LastMod); ok {
				h.PublishedAt = &t
			}
			items = append(items, item{url: loc, hints: h})
			if len(items) >= maxItems {
				break
			}
		}
	case "sitemapindex":
		for _, s := range sm.Sitemaps {
			if loc, ok := resolve(base, s.Loc); ok && len(children) < maxChildSitemaps {
				children = append(children, loc)
			}
		}
	default:
		return nil, nil, fmt.Errorf("%w: <%s> is not a sitemap", ErrUnparseable, sm.XMLName.Local)
	}
	return items, children, nil
}

// parseW3CDate reads the date formats sitemaps use.
func parseW3CDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// feedTypes are the link types of autodiscoverable feeds.
var feedTypes = map[string]bool{
	"application/rss+xml": true, "application/atom+xml": true, "application/feed+json": true,
	"application/json": true, "application/rdf+xml": true, "text/xml": true, "application/xml": true,
}

// discoverFeeds finds <link rel="alternate" type="…feed…" href> on a page.
func discoverFeeds(page []byte, base *url.URL) []string {
	z := html.NewTokenizer(bytes.NewReader(page))
	var out []string
	seen := map[string]bool{}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) == "body" {
				return out
			}
			if string(name) != "link" || !hasAttr {
				continue
			}
			var rel, typ, href string
			for {
				k, v, more := z.TagAttr()
				switch string(k) {
				case "rel":
					rel = strings.ToLower(string(v))
				case "type":
					typ = strings.ToLower(strings.TrimSpace(string(v)))
				case "href":
					href = string(v)
				}
				if !more {
					break
				}
			}
			if !strings.Contains(" "+rel+" ", " alternate ") || !feedTypes[typ] {
				continue
			}
			if u, ok := resolve(base, href); ok && !seen[u] && len(out) < maxSiteFeeds {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
}

// robotsSitemaps returns the Sitemap: lines of a robots.txt.
func robotsSitemaps(robots []byte, base *url.URL) []string {
	var out []string
	for _, line := range strings.Split(string(robots), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "sitemap") {
			continue
		}
		if u, ok := resolve(base, strings.TrimSpace(v)); ok && len(out) < maxChildSitemaps {
			out = append(out, u)
		}
	}
	return out
}

// resolve makes ref absolute against base and normalizes it; only http(s)
// URLs pass.
func resolve(base *url.URL, ref string) (string, bool) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", false
	}
	r, err := url.Parse(ref)
	if err != nil {
		return "", false
	}
	abs := base.ResolveReference(r)
	if abs.Scheme != "http" && abs.Scheme != "https" {
		return "", false
	}
	n, err := proto.NormalizeURL(abs.String())
	if err != nil {
		return "", false
	}
	return n, true
}

// listing is what one poll of a source found.
type listing struct {
	items              []item
	etag, lastModified string
	notModified        bool
}

// List polls one source: conditional GET of its URL, then the URLs it
// lists. An unchanged feed or sitemap (304) lists nothing.
func (f *Fetcher) List(ctx context.Context, src Source, etag, lastModified string) (listing, error) {
	switch src.Kind() {
	case KindURL:
		u, err := proto.NormalizeURL(src.URL)
		if err != nil {
			return listing{}, pipeline.Permanent(err)
		}
		return listing{items: []item{{url: u}}}, nil
	case KindFeed:
		return f.listFeed(ctx, src.Feed, etag, lastModified)
	case KindSitemap:
		return f.listSitemap(ctx, src.Sitemap, etag, lastModified)
	case KindSite:
		return f.listSite(ctx, src.Site)
	}
	return listing{}, fmt.Errorf("source %s: unknown kind", src.Name)
}

const feedAccept = "application/rss+xml,application/atom+xml,application/feed+json,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"

func (f *Fetcher) listFeed(ctx context.Context, u, etag, lastModified string) (listing, error) {
	resp, err := f.get(ctx, request{url: u, etag: etag, lastModified: lastModified, accept: feedAccept})
	if err != nil {
		return listing{}, err
	}
	l := listing{etag: resp.Header.Get("ETag"), lastModified: resp.Header.Get("Last-Modified"), notModified: resp.NotModified}
	if resp.NotModified {
		l.etag, l.lastModified = etag, lastModified
		return l, nil
	}
	l.items, err = parseFeed(resp.Body, resp.URL)
	return l, err
}

func (f *Fetcher) listSitemap(ctx context.Context, u, etag, lastModified string) (listing, error) {
	resp, err := f.get(ctx, request{url: u, etag: etag, lastModified: lastModified, accept: "application/xml,text/xml;q=0.9,*/*;q=0.5"})
	if err != nil {
		return listing{}, err
	}
	l := listing{etag: resp.Header.Get("ETag"), lastModified: resp.Header.Get("Last-Modified"), notModified: resp.NotModified}
	if resp.NotModified {
		l.etag, l.lastModified = etag, lastModified
		return l, nil
	}
	items, children, err := parseSitemap(resp.Body, resp.URL)
	if err != nil {
		return l, err
	}
	l.items = items
	for _, c := range children {
		if len(l.items) >= maxItems {
			break
		}
		child, err := f.get(ctx, request{url: c, accept: "application/xml,text/xml;q=0.9,*/*;q=0.5"})
		if err != nil {
			return l, fmt.Errorf("child sitemap %s: %w", c, err)
		}
		items, _, err := parseSitemap(child.Body, child.URL)
		if err != nil {
			return l, fmt.Errorf("child sitemap %s: %w", c, err)
		}
		l.items = append(l.items, items...)
	}
	if len(l.items) > maxItems {
		l.items = l.items[:maxItems]
	}
	return l, nil
}

// listSite reads a homepage's autodiscovered feeds and the sitemaps its
// robots.txt names.
func (f *Fetcher) listSite(ctx context.Context, home string) (listing, error) {
	resp, err := f.get(ctx, request{url: home, accept: "text/html,*/*;q=0.5"})
	if err != nil {
		return listing{}, err
	}
	var l listing
	var errs []error
	for _, feed := range discoverFeeds(resp.Body, resp.URL) {
		fl, err := f.listFeed(ctx, feed, "", "")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		l.items = append(l.items, fl.items...)
	}
	if status, robots, err := f.getRobots(ctx, resp.URL.Scheme+"://"+resp.URL.Host+"/robots.txt"); err == nil && status == 200 {
		for _, sm := range robotsSitemaps(robots, resp.URL) {
			sl, err := f.listSitemap(ctx, sm, "", "")
			if err != nil {
				errs = append(errs, err)
				continue
			}
			l.items = append(l.items, sl.items...)
		}
	}
	if len(l.items) == 0 && len(errs) > 0 {
		return l, errors.Join(errs...)
	}
	return l, nil
}
