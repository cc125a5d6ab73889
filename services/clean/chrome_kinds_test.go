package clean

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/proto"
)

// storyParas are the paragraphs of the test article; every chrome test
// page must keep all of them.
var storyParas = []string{
	"Harbour masters from the eleven reef states met in Port Valen on Tuesday and agreed to share the cost of new lamps on the outer reefs, ending a dispute that had run for six winters.",
	"The fund will pay for automated beacons on forty headlands. Each state will pay according to the tonnage it moves through the reef channels, the ministers said in a joint statement.",
	"Pilots welcomed the deal but warned that several towers have been dark since the storms, and that ships have had to be guided by radio alone on the worst nights of the season.",
	"The ministers will meet again in June to agree on who audits the accounts. Until then the harbour masters will keep their emergency lamps on standby, a spokesman said.",
}

// chromePage wraps the story in a page with extra markup inside the
// article (inside) and around it (outside).
func chromePage(inside, outside string) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="en"><head><title>Reef states agree lamp fund | Ledger</title></head><body>`)
	b.WriteString(`<header><a href="/">Ledger</a></header><main><article><h1>Reef states agree lamp fund</h1>`)
	for i, p := range storyParas {
		b.WriteString("<p>" + p + "</p>\n")
		if i == 1 {
			b.WriteString(inside)
		}
	}
	b.WriteString(`</article>` + outside + `</main></body></html>`)
	return b.String()
}

func cleanPage(t *testing.T, page string) *proto.Cleaned {
	t.Helper()
	c := newTestCleaner(t)
	in := &proto.Fetched{Envelope: proto.Envelope{URL: "https://ledger.example/reefs/lamp-fund"}, Kind: proto.KindHTML, Body: []byte(page)}
	out, err := c.Clean(context.Background(), in)
	if err != nil {
		t.Fatalf("Clean error: %v", err)
	}
	return out
}

// TestChromeKinds checks one kind of page furniture at a time: the
// article stays whole and the furniture goes.
func TestChromeKinds(t *testing.T) {
	tests := []struct {
		name, inside, outside string
		gone                  []string
	}{
		{name: "navigation", outside: `<nav><ul><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li><li><a href="/weather">Weather desk</a></li></ul></nav>`,
			gone: []string{"Sport", "Weather desk"}},
		{name: "byline and dateline in the body", inside: ``, gone: []string{"By Ilse Marrow", "14 April 2031"}},
		{name: "caption", inside: `<figure><img src="/reef.jpg" alt=""><figcaption>The north reef tower at dusk. Photo: Ledger archive</figcaption></figure>`,
			gone: []string{"north reef tower at dusk"}},
		{name: "share widget", inside: `<div class="share-tools"><a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">WhatsApp</a> <a href="#">Copy link</a></div>`,
			gone: []string{"WhatsApp", "Copy link"}},
		{name: "read more line", inside: `<p><strong>READ MORE:</strong> <a href="/x">Ferry strike ends after late talks</a></p><p>Also read: <a href="/y">New tide tables for the capes</a></p>`,
			gone: []string{"Ferry strike ends", "New tide tables"}},
		{name: "teaser cards", outside: `<section class="related"><h2>More from Ledger</h2><div class="card"><a href="/a">Ferry strike ends after late talks</a></div><div class="card"><a href="/b">New tide tables for the capes</a></div><div class="card"><a href="/c">Island school wins robotics prize</a></div></section>`,
			gone: []string{"Ferry strike ends", "Island school wins"}},
		{name: "newsletter box", inside: `<div class="newsletter"><p>Sign up for our newsletter and get the reef report delivered to your inbox every morning.</p><form><input type="email"><button>Subscribe</button></form></div>`,
			gone: []string{"Sign up for our newsletter", "Subscribe"}},
		{name: "cookie box", outside: `<div id="cookie-consent"><p>We use cookies to improve your experience on our site.</p><button>Accept all</button></div>`,
			gone: []string{"We use cookies", "Accept all"}},
		{name: "comment section and form", outside: `<section id="comments"><h3>3 Comments</h3><div class="comment"><p>Finally some sense from the ministers on this.</p></div><div class="comment"><p>About time the lamps were fixed, my cousin is a pilot.</p></div><h3>Leave a Reply</h3><form><p>Your email address will not be published. Required fields are marked *</p><textarea></textarea></form></section>`,
			gone: []string{"Finally some sense", "About time the lamps", "Your email address"}},
		{name: "author box", outside: `<aside class="author-bio"><p>Ilse Marrow covers shipping and the reef states for the Ledger. Follow her on Twitter.</p></aside>`,
			gone: []string{"covers shipping and the reef states"}},
		{name: "tag list", inside: ``, outside: `<div class="tags"><p>Tags: reefs, lamps, Port Valen</p></div>`,
			gone: []string{"Tags:", "Port Valen</"}},
		{name: "event promo", outside: `<div class="promo"><p>Location: Port Valen Maritime Hall. Tickets for the Reef Lights festival are on sale now.</p></div>`,
			gone: []string{"Maritime Hall", "Tickets for the Reef"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inside := tt.inside
			if tt.name == "byline and dateline in the body" {
				// The byline and dateline sit above the first paragraph.
				page := strings.Replace(chromePage("", ""), "<h1>Reef states agree lamp fund</h1>",
					`<h1>Reef states agree lamp fund</h1><p>By Ilse Marrow</p><p>14 April 2031</p>`, 1)
				checkStory(t, cleanPage(t, page), tt.gone)
				return
			}
			checkStory(t, cleanPage(t, chromePage(inside, tt.outside)), tt.gone)
		})
	}
}

func checkStory(t *testing.T, out *proto.Cleaned, gone []string) {
	t.Helper()
	for _, p := range storyParas {
		if !strings.Contains(out.Text, p) {
			t.Errorf("text lacks the paragraph %q; got:\n%s", p[:40], out.Text)
		}
	}
	for _, g := range gone {
		if strings.Contains(out.Text, g) {
			t.Errorf("text keeps furniture %q; got:\n%s", g, out.Text)
		}
	}
}

// TestMetadataSources checks each metadata source on its own page, and the
// source recorded for it.
func TestMetadataSources(t *testing.T) {
	body := `<body><article><p>` + strings.Join(storyParas, "</p><p>") + `</p></article></body></html>`
	tests := []struct {
		name, head, field, want, src string
	}{
		{"json-ld headline", `<script type="application/ld+json">{"@type":"NewsArticle","headline":"Lamp fund agreed"}</script>`, "title", "Lamp fund agreed", srcJSONLD},
		{"json-ld authors", `<script type="application/ld+json">{"@graph":[{"@type":"NewsArticle","author":[{"@type":"Person","name":"Ilse Marrow"},{"name":"Tomas Quill"}]}]}</script>`, "authors", "Ilse Marrow, Tomas Quill", srcJSONLD},
		{"json-ld author by reference", `<script type="application/ld+json">{"@graph":[{"@type":"Article","author":{"@id":"https://ledger.example/#/person/1"}},` +
			`{"@type":"Person","@id":"https://ledger.example/#/person/1","name":"Ilse Marrow"}]}</script>`, "authors", "Ilse Marrow", srcJSONLD},
		{"json-ld date", `<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2031-04-14T09:30:00+02:00"}</script>`, "published_at", "2031-04-14T09:30:00+02:00", srcJSONLD},
		{"og title", `<meta property="og:title" content="Lamp fund agreed">`, "title", "Lamp fund agreed", srcOG},
		{"og date", `<meta property="article:published_time" content="2031-04-14T09:30:00+02:00">`, "published_at", "2031-04-14T09:30:00+02:00", srcOG},
		{"og modified", `<meta property="article:modified_time" content="2031-04-15T10:00:00+02:00">`, "modified_at", "2031-04-15T10:00:00+02:00", srcOG},
		{"og site name", `<meta property="og:site_name" content="The Ledger">`, "site_name", "The Ledger", srcOG},
		{"og image", `<meta property="og:image" content="/img/reef.jpg">`, "image", "https://ledger.example/img/reef.jpg", srcOG},
		{"meta author", `<meta name="author" content="By Ilse Marrow and Tomas Quill, Staff">`, "authors", "Ilse Marrow, Tomas Quill", srcMeta},
		{"twitter card author", `<meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="Ilse Marrow">` +
			`<meta name="twitter:label2" content="Est. reading time"><meta name="twitter:data2" content="3 minutes">`, "authors", "Ilse Marrow", srcMeta},
		{"meta date", `<meta name="pubdate" content="2031-04-14T09:30:00+02:00">`, "published_at", "2031-04-14T09:30:00+02:00", srcMeta},
		{"meta description", `<meta name="description" content="Reef states share lamp costs.">`, "description", "Reef states share lamp costs.", srcMeta},
		{"meta language", `<meta http-equiv="content-language" content="en-GB">`, "language", "en", srcMeta},
		{"title element without site suffix", `<title>Lamp fund agreed | The Ledger</title>`, "title", "Lamp fund agreed", srcHTML},
		{"canonical link", `<link rel="canonical" href="/reefs/lamp-fund-agreed">`, "canonical_url", "https://ledger.example/reefs/lamp-fund-agreed", srcHTML},
		{"time element", ``, "published_at", "2031-04-14T09:30:00+02:00", srcTime},
		{"time element after a box of related stories", ``, "published_at", "2031-04-14T09:30:00+02:00", srcTime},
		{"byline element", ``, "authors", "Ilse Marrow", srcByline},
		{"author element", ``, "authors", "Ilse Marrow", srcByline},
		{"commenters are no authors", ``, "authors", "", ""},
		{"a publisher named as author gives way to the byline", `<script type="application/ld+json">{"@type":"NewsArticle",` +
			`"author":{"@type":"Organization","name":"The Ledger"}}</script>`, "authors", "Ilse Marrow", srcByline},
		{"a publisher named by reference gives way to the byline", `<script type="application/ld+json">{"@graph":[{"@type":"NewsArticle",` +
			`"author":{"@id":"#org"}},{"@type":"NewsMediaOrganization","@id":"#org","name":"The Ledger"}]}</script>`, "authors", "Ilse Marrow", srcByline},
		{"the site's name as author gives way to the byline", `<meta name="author" content="ledger.example">`, "authors", "Ilse Marrow", srcByline},
		{"the site named beside its people is no author", `<meta property="og:site_name" content="The Ledger"><meta name="author" content="Ilse Marrow, The Ledger">`,
			"authors", "Ilse Marrow", srcMeta},
		{"byline written as text", ``, "authors", "Ilse Marrow", srcByline},
		{"a sentence starting with by is no byline", ``, "authors", "", ""},
		{"a dateline below a text byline is no name", ``, "authors", "Ilse Marrow, Tomas Quill", srcByline},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := body
			switch tt.name {
			case "time element":
				b = strings.Replace(b, "<article>", `<article><time datetime="2031-04-14T09:30:00+02:00">14 April</time>`, 1)
			case "time element after a box of related stories":
				b = strings.Replace(b, "<article>", `<div class="related-posts"><h4><a href="/older">Harbour fees rise</a></h4>`+
					`<time datetime="2029-01-02T08:00:00+01:00">2 January 2029</time></div>`+
					`<article><time datetime="2031-04-14T09:30:00+02:00">14 April</time>`, 1)
			case "byline element":
				b = strings.Replace(b, "<article>", `<article><span class="byline">By Ilse Marrow</span>`, 1)
			case "author element":
				b = strings.Replace(b, "<article>", `<article><div class="entry-meta__author">Posted by Ilse Marrow</div>`, 1)
			case "byline written as text":
				b = strings.Replace(b, "<article>", `<article><p class="x">Ein Artikel von <strong>Ilse Marrow</strong> | 14.04.2031</p>`, 1)
			case "a dateline below a text byline is no name":
				b = strings.Replace(b, "<article>", `<article><p>Von <strong>Ilse Marrow</strong> und <strong>Tomas Quill</strong><br>`+
					"\n"+`Harbour Wall / Reef Isles</p>`, 1)
			case "a sentence starting with by is no byline":
				b = strings.Replace(b, "<article>", `<article><p>By the time the Lamps were lit</p><p>By Harbour Wall, the crowd waited for an hour.</p>`, 1)
			case "a publisher named as author gives way to the byline", "a publisher named by reference gives way to the byline",
				"the site's name as author gives way to the byline":
				b = strings.Replace(b, "<article>", `<article><p class="autorenzeile">Ilse Marrow</p>`, 1)
			case "commenters are no authors":
				b = strings.Replace(b, "</article>", `</article><div id="comments"><div class="c1"><span class="author">Tomas Quill</span>`+
					`<p>Good news for the reef.</p></div><form><p class="comment-form-author"><label>Name *</label></p></form></div>`, 1)
			}
			out := cleanPage(t, `<!DOCTYPE html><html><head>`+tt.head+`</head>`+b)
			m := out.Meta
			got := map[string]string{"title": m.Title, "authors": strings.Join(m.Authors, ", "), "published_at": fmtTime(m.PublishedAt),
				"modified_at": fmtTime(m.ModifiedAt), "site_name": m.SiteName, "image": m.Image, "description": m.Description,
				"language": m.Language, "canonical_url": m.CanonicalURL}[tt.field]
			if got != tt.want || m.Sources[tt.field] != tt.src {
				t.Errorf("%s = %q from %q; want %q from %q", tt.field, got, m.Sources[tt.field], tt.want, tt.src)
			}
		})
	}
}

// TestHardPages checks pages that defeat simple extractors.
func TestHardPages(t *testing.T) {
	t.Run("no semantic tags", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`<html><body><div class="a"><div><a href="/">Home</a> <a href="/w">World</a></div></div><div class="b"><div class="t">Reef states agree lamp fund</div>`)
		for _, p := range storyParas {
			b.WriteString(`<div class="x">` + p + `</div>`)
		}
		b.WriteString(`</div><div class="f">© 2031 Ledger. All rights reserved.</div></body></html>`)
		checkStory(t, cleanPage(t, b.String()), []string{"All rights reserved", "World"})
	})
	t.Run("mostly comments", func(t *testing.T) {
		var cm strings.Builder
		cm.WriteString(`<div class="comments"><h3>Comments</h3>`)
		for i := 0; i < 40; i++ {
			cm.WriteString(`<div class="comment"><p class="who">reader` + strings.Repeat("x", i%5) + `</p><p>I have been sailing these channels for years and the lamps have been a disgrace, so this fund is welcome news for all of us on the water.</p></div>`)
		}
		cm.WriteString(`</div>`)
		checkStory(t, cleanPage(t, chromePage("", cm.String())), []string{"sailing these channels"})
	})
}

func TestBadBodies(t *testing.T) {
	c := newTestCleaner(t)
	for _, tt := range []struct {
		name string
		body []byte
		want error
	}{
		{"empty", nil, ErrEmptyBody},
		{"binary", []byte{0x89, 'P', 'N', 'G', 0, 0, 0, 0x0d, 0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x80, 0x81}, ErrNoText},
	} {
		in := &proto.Fetched{Envelope: proto.Envelope{URL: "https://bad.example/x"}, Body: tt.body}
		out, err := c.Clean(context.Background(), in)
		if out != nil || !errors.Is(err, tt.want) {
			t.Errorf("Clean(%s) = %v, %v; want nil, %v", tt.name, out, err, tt.want)
		}
	}
}

func TestDateLine(t *testing.T) {
	for _, s := range []string{"14 April 2031", "21 May 2031, 10:00", "21.05.2031", "Updated: May 21, 2031 10:04 a.m. EDT",
		"Published 2031-05-21 10:00", "Tuesday, 21 May 2031 | 10:00", "21 мая 2031, 10:00"} {
		if !isChrome(s) {
			t.Errorf("isChrome(%q) = false; want true (a dateline)", s)
		}
	}
	for _, s := range []string{"On 21 May 2031 the fund opened.", "The vote is set for May 21, 2031, officials said."} {
		if isChrome(s) {
			t.Errorf("isChrome(%q) = true; want false", s)
		}
	}
}
