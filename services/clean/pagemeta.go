package clean

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"

	"github.com/newsflow/newsflow/proto"
)

// pageMeta resolves the page's metadata from what scanPage found, field by
// field in order of trust: JSON-LD, OpenGraph, other meta tags, then the
// markup itself. declared reports whether the page names its canonical URL.
func (c *Cleaner) pageMeta(info *pageInfo, base *url.URL) (m proto.PageMeta, declared bool) {
	m.Sources = make(map[string]string)
	now := c.now()
	ld, ldSite := parseJSONLD(info.jsonLD)
	if ld == nil {
		ld = &ldArticle{}
	}
	set := func(field string, dst *string, val, src string) {
		if *dst == "" && strings.TrimSpace(val) != "" {
			*dst, m.Sources[field] = normSpace(val), src
		}
	}

	// Site name first: the title's suffix is stripped with it.
	v, src := info.meta("og:site_name")
	set("site_name", &m.SiteName, v, src)
	set("site_name", &m.SiteName, ld.site, srcJSONLD)
	set("site_name", &m.SiteName, ldSite, srcJSONLD)
	v, src = info.meta("application-name", "apple-mobile-web-app-title")
	set("site_name", &m.SiteName, v, src)

	host := ""
	if base != nil {
		host = base.Hostname()
	}
	set("title", &m.Title, ld.headline, srcJSONLD)
	v, src = info.meta("og:title")
	set("title", &m.Title, v, src)
	v, src = info.meta("twitter:title", "title", "dc.title", "headline")
	set("title", &m.Title, v, src)
	set("title", &m.Title, info.title, srcHTML)
	set("title", &m.Title, info.h1, srcHTML)
	m.Title = stripSiteSuffix(m.Title, m.SiteName, host)
	og, ogSrc := info.meta("og:title")
	if t, ok := pickTitle(m.Title, stripSiteSuffix(og, m.SiteName, host), info.h1); ok {
		m.Title, m.Sources["title"] = t, ogSrc
	}
	// The page's heading inside the title: the first h1, else one of the
	// first headings (a site's logo is often the first h1) set off by a
	// separator that never splits a headline and making at least half
	// the title (a shorter one is more likely the site's name).
	if t, ok := headlineWithin(m.Title, info.h1, m.SiteName, host); ok {
		m.Title, m.Sources["title"] = t, srcHTML
	} else {
		for _, h := range info.headings {
			if t, ok := headingWithin(m.Title, h, m.SiteName, host, siteSepRunes); ok && 2*len(t) >= len(m.Title) {
				m.Title, m.Sources["title"] = t, srcHTML
				break
			}
		}
	}
	if m.Sources["title"] == srcJSONLD && outvoted(m.Title, info.h1, stripSiteSuffix(info.title, m.SiteName, host), m.SiteName, host) {
		m.Title, m.Sources["title"] = normSpace(info.h1), srcHTML
	}
	// A title that only names the site ("Time 4 talks" on time4talks.com)
	// or is one word (a section: "Pressemitteilungen") gives way to the
	// page's heading.
	if h := normSpace(info.h1); (matchesSite(m.Title, m.SiteName, host) && wordCount(h) >= 2 || wordCount(m.Title) == 1 && wordCount(h) >= 3) &&
		!matchesSite(h, m.SiteName, host) {
		m.Title, m.Sources["title"] = h, srcHTML
	}

	switch {
	case len(ld.authors) > 0:
		m.Authors, m.Sources["authors"] = ld.authors, srcJSONLD
	default:
		for _, k := range []string{"author", "article:author", "dc.creator", "parsely-author", "sailthru.author", "byl", "twitter:creator"} {
			var names []string
			for _, v := range info.metas[k] {
				if k == "twitter:creator" && strings.HasPrefix(v, "@") {
					continue
				}
				names = appendUnique(names, splitAuthors(v)...)
			}
			if len(names) > 0 {
				src := srcMeta
				if strings.HasPrefix(k, "article:") {
					src = srcOG
				}
				m.Authors, m.Sources["authors"] = names, src
				break
			}
		}
	}
	// A publisher named as the author (an Organization in JSON-LD, the
	// site's own name in a meta tag) gives way to the people a byline on
	// the page names.
	if len(m.Authors) > 0 && (m.Sources["authors"] == srcJSONLD && ld.orgAuthors || allSite(m.Authors, m.SiteName, host)) {
		if names := info.bylineNames(); len(names) > 0 && !allSite(names, m.SiteName, host) {
			m.Authors, m.Sources["authors"] = names, srcByline
		}
	}
	if len(m.Authors) == 0 {
		if names := info.twitterAuthors(); len(names) > 0 {
			m.Authors, m.Sources["authors"] = names, srcMeta
		}
	}
	if len(m.Authors) == 0 {
		names := info.bylineNames()
		if len(names) > 0 {
			m.Authors, m.Sources["authors"] = names, srcByline
		}
	}
	if len(m.Authors) == 0 {
		for _, t := range info.textBylines {
			if names := splitAuthors(t); len(names) > 0 {
				m.Authors, m.Sources["authors"] = names, srcByline
				break
			}
		}
	}
	if len(m.Authors) == 0 {
		if names := hanBylineNames(info.src); len(names) > 0 {
			m.Authors, m.Sources["authors"] = names, srcText
		}
	}
	// The site named beside its people ("Jane Doe, CNN") is no author.
	if !allSite(m.Authors, m.SiteName, host) {
		m.Authors = slices.DeleteFunc(m.Authors, func(n string) bool { return matchesSite(n, m.SiteName, host) })
	}

	// The page's own offset, when its stated dates agree on one: visible
	// dates are read in it, and times stated in UTC are given in it.
	loc, _ := pageOffset(pageDates(info, ld), now)
	pub, pubZoned := c.pickPublished(&m, now, info, ld.published)
	m.PublishedAt = pub
	if m.PublishedAt == nil {
		if t := shownDate(info.shownDates, loc, now); t != nil {
			m.PublishedAt, m.Sources["published_at"] = t, srcText
		}
	}
	if m.PublishedAt == nil {
		shown := classDate(info.classDates, loc, now)
		if t, ok := pageURLDate(info, base, now); ok {
			m.PublishedAt, m.Sources["published_at"] = &t, srcURL
			// The page's date-marked elements may give the time of that
			// day ("16 мая 2024, 04:12").
			if shown != nil && shown.Format(time.DateOnly) == t.Format(time.DateOnly) && !shown.Equal(t) {
				m.PublishedAt, m.Sources["published_at"] = shown, srcText
			}
		} else if shown != nil {
			m.PublishedAt, m.Sources["published_at"] = shown, srcText
		}
	}
	var modZoned bool
	m.ModifiedAt, modZoned = c.pickTime(&m, "modified_at", now, info, ld.modified, modifiedOGKeys, modifiedMetaKeys,
		func(t timeTag) bool {
			return strings.Contains(t.itemprop, "modified") || strings.Contains(t.class, "updated")
		})

	// Canonical URL: only what the page declares moves the article's identity.
	if cu := resolveURL(base, info.canonical); cu != "" && !isHomeOf(cu, base) {
		if n, err := proto.NormalizeURL(cu); err == nil {
			m.CanonicalURL, m.Sources["canonical_url"], declared = n, srcHTML, true
		}
	}
	if m.CanonicalURL == "" {
		if v, _ := info.meta("og:url"); v != "" {
			if cu := resolveURL(base, v); cu != "" && !isHomeOf(cu, base) {
				if n, err := proto.NormalizeURL(cu); err == nil {
					m.CanonicalURL, m.Sources["canonical_url"], declared = n, srcOG, true
				}
			}
		}
	}

	if l := normLang(info.lang); l != "" {
		m.Language, m.Sources["language"] = l, srcHTML
	} else if v, src := info.meta("content-language", "dc.language", "language", "og:locale"); normLang(v) != "" {
		m.Language, m.Sources["language"] = normLang(v), src
	} else if l := normLang(ld.lang); l != "" {
		m.Language, m.Sources["language"] = l, srcJSONLD
	}

	// Times stated in UTC are given in the page's own offset.
	if m.PublishedAt != nil {
		if loc == nil && pubZoned {
			loc, _ = clockOffset(info.src, *m.PublishedAt)
		}
		t := localize(*m.PublishedAt, pubZoned, loc)
		m.PublishedAt = &t
	}
	if m.ModifiedAt != nil {
		t := localize(*m.ModifiedAt, modZoned, loc)
		m.ModifiedAt = &t
	}

	v, src = info.meta("og:description")
	set("description", &m.Description, v, src)
	v, src = info.meta("description", "twitter:description", "dc.description")
	set("description", &m.Description, v, src)
	set("description", &m.Description, ld.description, srcJSONLD)

	for _, k := range []string{"og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"} {
		if v, src := info.meta(k); v != "" {
			if u := resolveURL(base, v); u != "" {
				m.Image, m.Sources["image"] = u, src
				break
			}
		}
	}
	if m.Image == "" {
		if u := resolveURL(base, ld.image); u != "" {
			m.Image, m.Sources["image"] = u, srcJSONLD
		}
	}
	return m, declared
}

// Where pages state the publication time, in order of trust.
var (
	publishedOGKeys   = []string{"article:published_time", "og:published_time", "og:article:published_time"}
	publishedMetaKeys = []string{"datepublished", "article.published", "pubdate", "publishdate", "publish-date", "publish_date",
		"parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.created",
		"date", "article_date_original", "original-publish-date", "cxenseparse:recs:publishtime"}
)

// Where pages state the time of their last update, in order of trust.
var (
	modifiedOGKeys   = []string{"article:modified_time", "og:updated_time", "og:modified_time"}
	modifiedMetaKeys = []string{"datemodified", "article.updated", "last-modified", "lastmod", "dc.date.modified", "dcterms.modified",
		"parsely-updated", "revised"}
)

// bylineNames returns the names in the page's first byline that has any,
// and in the bylines beside it (the same parent): later bylines elsewhere
// belong to comments, related stories or boxes about other writers.
func (p *pageInfo) bylineNames() []string {
	var names []string
	var anchor *html.Node
	for i, b := range p.bylines {
		if names != nil && p.bylineParents[i] != anchor {
			continue
		}
		found := splitAuthors(b)
		if len(found) > 0 && names == nil {
			anchor = p.bylineParents[i]
		}
		names = appendUnique(names, found...)
	}
	return names
}

// pickPublished resolves the publication time from every source that
// states one (see bestPublished); <time datetime> elements count only
// when no metadata does.
func (c *Cleaner) pickPublished(m *proto.PageMeta, now time.Time, info *pageInfo, ldVal string) (*time.Time, bool) {
	var cands []dateCand
	add := func(s, src string) {
		if t, ok := parseTime(s, now); ok {
			cands = append(cands, dateCand{t: t, src: src, dateOnly: isDateOnly(s), zoned: hasZone(s)})
		}
	}
	add(ldVal, srcJSONLD)
	for _, k := range publishedOGKeys {
		for _, v := range info.metas[k] {
			add(v, srcOG)
		}
	}
	for _, k := range publishedMetaKeys {
		for _, v := range info.metas[k] {
			add(v, srcMeta)
		}
	}
	if best, ok := bestPublished(cands); ok {
		m.Sources["published_at"] = best.src
		return &best.t, best.zoned
	}
	for _, tt := range info.times {
		if tt.itemprop == "" || strings.Contains(tt.itemprop, "published") || strings.Contains(tt.itemprop, "created") {
			if t, ok := parseTime(tt.datetime, now); ok {
				m.Sources["published_at"] = srcTime
				return &t, hasZone(tt.datetime)
			}
		}
	}
	return nil, false
}

// shownDate returns the first date read from the texts of date-marked
// elements, in the page's offset loc (nil when its dates state none).
func shownDate(texts []string, loc *time.Location, now time.Time) *time.Time {
	for _, s := range texts {
		if c, ok := visibleDate(s, loc, now); ok {
			return &c.t
		}
	}
	return nil
}

// classDate returns the date that the elements with date-like classes
// show, when they all show the same day: several different days are a
// list of other stories or a clock in the page header, not the article's
// date.
func classDate(texts []string, loc *time.Location, now time.Time) *time.Time {
	var first *dateCand
	for _, s := range texts {
		c, ok := visibleDate(s, loc, now)
		if !ok {
			continue
		}
		if first == nil {
			first = &c
			continue
		}
		if c.t.Format(time.DateOnly) != first.t.Format(time.DateOnly) {
			return nil
		}
	}
	if first == nil {
		return nil
	}
	return &first.t
}

// pageDates lists every date string the page's metadata and <time>
// elements state, for pageOffset.
func pageDates(info *pageInfo, ld *ldArticle) []string {
	out := []string{ld.published, ld.modified}
	for _, keys := range [][]string{publishedOGKeys, publishedMetaKeys, modifiedOGKeys, modifiedMetaKeys} {
		for _, k := range keys {
			out = append(out, info.metas[k]...)
		}
	}
	for _, tt := range info.times {
		out = append(out, tt.datetime)
	}
	return out
}

// pickTime returns the first parseable date from JSON-LD, OpenGraph keys,
// other meta keys, then <time datetime> elements that pass ok.
func (c *Cleaner) pickTime(m *proto.PageMeta, field string, now time.Time, info *pageInfo,
	ldVal string, ogKeys, metaKeys []string, ok func(timeTag) bool) (at *time.Time, zoned bool) {
	try := func(s, src string) *time.Time {
		if t, good := parseTime(s, now); good {
			m.Sources[field], zoned = src, hasZone(s)
			return &t
		}
		return nil
	}
	if t := try(ldVal, srcJSONLD); t != nil {
		return t, zoned
	}
	for _, k := range ogKeys {
		for _, v := range info.metas[k] {
			if t := try(v, srcOG); t != nil {
				return t, zoned
			}
		}
	}
	for _, k := range metaKeys {
		for _, v := range info.metas[k] {
			if t := try(v, srcMeta); t != nil {
				return t, zoned
			}
		}
	}
	for _, tt := range info.times {
		if ok(tt) {
			if t := try(tt.datetime, srcTime); t != nil {
				return t, zoned
			}
		}
	}
	return nil, false
}

// isHomeOf reports whether u is the root of a site while base is a deeper
// page: a canonical link that points to the home page is a template bug,
// not the article's identity.
func isHomeOf(u string, base *url.URL) bool {
	p, err := url.Parse(u)
	if err != nil {
		return true
	}
	root := p.Path == "" || p.Path == "/"
	return root && p.RawQuery == "" && base != nil && base.Path != "" && base.Path != "/"
}

// mergeTrafilatura fills fields the page's own metadata left empty from
// what trafilatura found (its date is the day only, so it comes last).
func mergeTrafilatura(m *proto.PageMeta, res *trafilatura.ExtractResult, now time.Time) {
	md := res.Metadata
	fill := func(field string, dst *string, val string) {
		if *dst == "" && strings.TrimSpace(val) != "" {
			*dst, m.Sources[field] = normSpace(val), srcTrafilatura
		}
	}
	fill("title", &m.Title, md.Title)
	fill("site_name", &m.SiteName, md.Sitename)
	fill("description", &m.Description, md.Description)
	if m.Language == "" {
		if l := normLang(md.Language); l != "" {
			m.Language, m.Sources["language"] = l, srcTrafilatura
		}
	}
	if len(m.Authors) == 0 && md.Author != "" {
		// Trafilatura also makes names of web addresses ("Www Example
		// Com", "Example De").
		names := slices.DeleteFunc(splitAuthors(md.Author), looksLikeHost)
		if len(names) > 0 {
			m.Authors, m.Sources["authors"] = names, srcTrafilatura
		}
	}
	if m.PublishedAt == nil && !md.Date.IsZero() && md.Date.Year() >= 1990 && !md.Date.After(now.Add(48*time.Hour)) {
		t := md.Date
		m.PublishedAt, m.Sources["published_at"] = &t, srcTrafilatura
	}
}

// writtenByLabel matches the label of a Twitter card's data field that
// names the author ("Written by", "Verfasst von"), as WordPress SEO
// plugins set it.
var writtenByLabel = regexp.MustCompile(`(?i)^(?:written|posted|geschrieben|verfasst|escrito|écrit|scritto)\s+(?:by|von|por|par|da)$|^(?:author|autor|auteur|автор)$`)

// twitterAuthors returns the names a Twitter card gives in the data field
// whose label says it is the author (twitter:label1 "Written by",
// twitter:data1 "Jane Doe").
func (p *pageInfo) twitterAuthors() []string {
	for i := 1; i <= 4; i++ {
		n := strconv.Itoa(i)
		labels, data := p.metas["twitter:label"+n], p.metas["twitter:data"+n]
		if len(labels) > 0 && len(data) > 0 && writtenByLabel.MatchString(strings.TrimSpace(labels[0])) {
			return splitAuthors(data[0])
		}
	}
	return nil
}

// allSite reports whether every name is the site's own (its name or its
// host's).
func allSite(names []string, site, host string) bool {
	for _, n := range names {
		if !matchesSite(n, site, host) {
			return false
		}
	}
	return len(names) > 0
}

// hostWords are the top-level domains seen at the end of a host written
// as words.
var hostWords = map[string]bool{"com": true, "net": true, "org": true, "de": true, "at": true, "ch": true,
	"fr": true, "info": true, "eu": true, "io": true, "ru": true, "uk": true}

// looksLikeHost reports whether a name is a host name written as words:
// "Www …", or several words ending in a top-level domain.
func looksLikeHost(name string) bool {
	ws := strings.Fields(strings.ToLower(name))
	return len(ws) >= 2 && (ws[0] == "www" || hostWords[ws[len(ws)-1]])
}
