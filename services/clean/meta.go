package clean

import (
	"bytes"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/segmentio/encoding/json"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Where a metadata field came from (PageMeta.Sources values).
const (
	srcJSONLD      = "json-ld"
	srcOG          = "og"
	srcMeta        = "meta"
	srcHTML        = "html"
	srcTime        = "time"
	srcByline      = "byline"
	srcHeader      = "header"
	srcHints       = "hints"
	srcText        = "text"
	srcTrafilatura = "trafilatura"
)

// pageInfo is what one walk over a parsed page collects for metadata.
type pageInfo struct {
	lang      string
	title     string
	h1        string
	headings  []string // the first h1 and h2 texts, in order (up to maxHeadings)
	canonical string
	metas     map[string][]string // lowercased name/property/itemprop/http-equiv -> contents
	jsonLD    []string
	times     []timeTag
	bylines   []string
	// textBylines are short elements that read as a byline without being
	// marked as one ("Von Claudia Lindner", "By <em>Jane Doe</em>").
	textBylines []string
	// bylineParents are the parents of the byline elements, in order.
	bylineParents []*html.Node
	// shownDates are the texts of elements marked as dates (itemprop
	// datePublished first, then date-like classes), for visibleDate.
	shownDates []string
	classDates []string
	// src is the decoded page, for clock readings its scripts state.
	src []byte
}

type timeTag struct {
	datetime, itemprop, class string
}

// maxScanNodes bounds the metadata walk on pathological pages.
const maxScanNodes = 200000

// scanPage walks doc once and collects its metadata sources.
func scanPage(doc *html.Node) *pageInfo {
	p := &pageInfo{metas: make(map[string][]string)}
	n := 0
	inByline, inPicture, inTeaser, inComments := false, false, false, false
	var walk func(*html.Node)
	// within walks node's children with flag set.
	within := func(flag *bool, node *html.Node) {
		*flag = true
		for c := node.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		*flag = false
	}
	walk = func(node *html.Node) {
		if n++; n > maxScanNodes {
			return
		}
		if node.Type == html.TextNode && !inComments && !inTeaser && len(p.textBylines) < 2 && node.Parent != nil && startsWithByWord(node.Data) {
			if t := lineOf(spacedText(node.Parent)); len(t) <= 80 && textBylineRe.MatchString(t) {
				p.textBylines = append(p.textBylines, t)
			}
		}
		if node.Type == html.ElementNode {
			switch node.DataAtom {
			case atom.Html:
				if p.lang == "" {
					p.lang = attr(node, "lang")
				}
			case atom.Title:
				if p.title == "" {
					p.title = normSpace(textOf(node))
				}
			case atom.H1, atom.H2:
				first := node.DataAtom == atom.H1 && p.h1 == ""
				if first || len(p.headings) < maxHeadings {
					t := normSpace(textOf(node))
					if first {
						p.h1 = withoutKicker(node, t)
					}
					if len(p.headings) < maxHeadings {
						p.headings = append(p.headings, t)
					}
				}
			case atom.Meta:
				content := normSpace(attr(node, "content"))
				if content == "" {
					break
				}
				for _, k := range []string{"name", "property", "itemprop", "http-equiv"} {
					if k == "itemprop" && inPicture {
						continue // the picture's author or date, not the article's
					}
					if v := strings.ToLower(strings.TrimSpace(attr(node, k))); v != "" {
						for _, key := range strings.Fields(v) {
							p.metas[key] = append(p.metas[key], content)
						}
					}
				}
			case atom.Link:
				if p.canonical == "" && hasToken(attr(node, "rel"), "canonical") {
					p.canonical = strings.TrimSpace(attr(node, "href"))
				}
			case atom.Script:
				if strings.Contains(strings.ToLower(attr(node, "type")), "ld+json") {
					p.jsonLD = append(p.jsonLD, textOf(node))
				}
				return
			case atom.Style, atom.Noscript, atom.Template:
				return
			case atom.Time:
				if dt := strings.TrimSpace(attr(node, "datetime")); dt != "" && !inTeaser {
					p.times = append(p.times, timeTag{dt, strings.ToLower(attr(node, "itemprop")), strings.ToLower(attr(node, "class"))})
				}
			}
			if !inComments && hasClassPart(node, commentParts) && !isPageElement(node) {
				// Commenters' names are no bylines.
				within(&inComments, node)
				return
			}
			if !inTeaser && hasClassPart(node, teaserParts) && !isPageElement(node) {
				// The dates of related stories, a sidebar's list or a
				// widget are theirs, not the article's.
				within(&inTeaser, node)
				return
			}
			if !inPicture && isPicture(node) {
				// An author marked up in a figure or an image's microdata
				// is the picture's ("Image: Getty Images"), not the
				// article's.
				within(&inPicture, node)
				return
			}
			if t, kind := shownDateText(node); kind != 0 {
				if kind == dateItemprop && len(p.shownDates) < 4 {
					p.shownDates = append(p.shownDates, t)
				} else if kind == dateClass && len(p.classDates) < 8 {
					p.classDates = append(p.classDates, t)
				}
			}
			if !inByline && !inPicture && !inComments && len(p.bylines) < 4 && isBylineElement(node) {
				if t := normSpace(spacedText(node)); t != "" && len(t) <= 120 {
					p.bylines = append(p.bylines, t)
					p.bylineParents = append(p.bylineParents, node.Parent)
					// The byline's own parts are not bylines again, but
					// the dates inside it are read.
					within(&inByline, node)
					return
				}
			}
		}
		for c := node.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return p
}

// hasPart reports whether one of the parts of tok between hyphens and
// underscores is part.
func hasPart(tok, part string) bool {
	for tok != "" {
		i := strings.IndexAny(tok, "-_")
		if i < 0 {
			return tok == part
		}
		if tok[:i] == part {
			return true
		}
		tok = tok[i+1:]
	}
	return false
}

// isPicture reports whether n holds a picture and what describes it: a
// figure, its caption, or a microdata image, video or audio object.
func isPicture(n *html.Node) bool {
	if n.DataAtom == atom.Figure || n.DataAtom == atom.Figcaption {
		return true
	}
	t := strings.ToLower(strings.TrimSpace(attr(n, "itemtype")))
	return strings.HasSuffix(t, "imageobject") || strings.HasSuffix(t, "videoobject") ||
		strings.HasSuffix(t, "audioobject") || strings.HasSuffix(t, "mediaobject")
}

// teaserParts are class or id parts that mark a box of other stories
// ("related-posts", "sidebar", "c-teaser").
var teaserParts = []string{"related", "teaser", "teasers", "sidebar", "recommended", "trending"}

// commentParts are class or id parts that mark readers' comments or the
// form to write one.
var commentParts = []string{"comment", "comments", "respond", "reply"}

// isPageElement reports whether n is the page's html, body or main
// element, whose class names the page's template ("segment--recommended").
func isPageElement(n *html.Node) bool {
	return n.DataAtom == atom.Html || n.DataAtom == atom.Body || n.DataAtom == atom.Main
}

// hasClassPart reports whether a class or id token of n has one of parts
// as a part (see hasPart).
func hasClassPart(n *html.Node, parts []string) bool {
	return anyToken(n, classAttrs, func(tok string) bool {
		return slices.ContainsFunc(parts, func(part string) bool { return hasPart(tok, part) })
	})
}

// kickerParts name the topic line a heading may open with ("Klimaschutz"
// above "Bohren, bis es heiß wird"); a "subtitle", topic, label or
// category that opens the h1 is one too.
var kickerParts = []string{"kicker", "dachzeile", "topline", "overline", "eyebrow", "roofline", "spitzmarke", "subtitle", "topic", "label", "rubrik", "rubric", "category"}

// withoutKicker returns text, the text of heading h, without the topic
// line it opens with: an element inside h marked as a kicker, or the
// words before a separator hidden from view ("Zoonosen<span
// aria-hidden="true"> – </span>Wie …"), when fewer than those after it.
func withoutKicker(h *html.Node, text string) string {
	var before strings.Builder // the heading's text before n
	for n := h.FirstChild; n != nil; n = nextInTree(n, h, true) {
		if n.Type == html.TextNode {
			before.WriteString(n.Data)
			continue
		}
		if n.Type != html.ElementNode {
			continue
		}
		marked := hasClassPart(n, kickerParts)
		if !marked && !hiddenSeparator(n) {
			continue
		}
		k := normSpace(textOf(n))
		if !marked {
			k = normSpace(before.String())
		}
		if k != "" && strings.HasPrefix(text, k) {
			rest := strings.TrimLeft(text[len(k):], kickerSeps)
			if rest != "" && (marked || wordCount(k) < wordCount(rest)) {
				return rest
			}
		}
		break
	}
	return text
}

// kickerSeps are what may stand between a kicker and the headline.
const kickerSeps = " :|–—-·\u00a0"

// hiddenSeparator reports whether n is only a separator, hidden from
// view (aria-hidden, or a class that says hidden or screen-reader only).
func hiddenSeparator(n *html.Node) bool {
	t := textOf(n)
	if strings.TrimSpace(t) == "" || strings.Trim(t, kickerSeps+"\n\t") != "" {
		return false
	}
	return attr(n, "aria-hidden") == "true" || anyToken(n, classAttrs, func(tok string) bool {
		return strings.Contains(tok, "hidden") || strings.Contains(tok, "sr-only") || strings.Contains(tok, "visually")
	})
}

// classAttrs are the attributes whose tokens name what an element is.
var classAttrs = []string{"class", "id"}

// anyToken reports whether match holds for a lower-case token of one of
// n's attributes keys.
func anyToken(n *html.Node, keys []string, match func(tok string) bool) bool {
	for _, a := range n.Attr {
		if !slices.Contains(keys, a.Key) {
			continue
		}
		for tok := range strings.FieldsSeq(a.Val) {
			if match(strings.ToLower(tok)) {
				return true
			}
		}
	}
	return false
}

// How an element is marked as a shown date.
const (
	dateItemprop = 1
	dateClass    = 2
)

// dateClassParts are class or id fragments that mark an element holding
// the article's date.
var dateClassParts = []string{"date", "datum", "fecha", "published", "pubdate", "posted", "timestamp", "dateline"}

// isDateClass reports whether a class or id list has a token naming a
// publication date (not an update).
func isDateClass(list string) bool {
	for tok := range strings.FieldsSeq(list) {
		tok = strings.ToLower(tok)
		if strings.Contains(tok, "update") || strings.Contains(tok, "modif") {
			continue
		}
		for _, part := range dateClassParts {
			if strings.Contains(tok, part) {
				return true
			}
		}
	}
	return false
}

// shownDateText returns the text of an element marked as a date: itemprop
// datePublished or dateCreated (without a machine-readable value), or a
// class or id naming a date, when the text is short enough to be one.
func shownDateText(n *html.Node) (string, int) {
	if n.DataAtom == atom.Meta || n.DataAtom == atom.Script || n.DataAtom == atom.Style || n.DataAtom == atom.Body || n.DataAtom == atom.Html {
		return "", 0
	}
	kind := 0
	for _, a := range n.Attr {
		switch a.Key {
		case "itemprop":
			if (strings.EqualFold(a.Val, "datePublished") || strings.EqualFold(a.Val, "dateCreated")) &&
				attr(n, "content") == "" && attr(n, "datetime") == "" {
				kind = dateItemprop
			}
		case "class", "id":
			if kind == 0 && isDateClass(a.Val) {
				kind = dateClass
			}
		}
	}
	if kind == 0 {
		return "", 0
	}
	t := normSpace(textOf(n))
	if t == "" || len(t) > 120 {
		return "", 0
	}
	return t, kind
}

// textBylineRe matches a whole short element that is a byline: "By",
// "Von", "Par" or "Por" (after "Text" or "Ein Artikel" at most) and names
// of two to four capitalised words, joined by commas, "and" or "und", then
// nothing or a separator and a few words (a date, an agency), not a
// sentence.
var textBylineRe = regexp.MustCompile(`^(?:(?i:text|ein artikel|ein beitrag|written|posted|story)\s+)?(?i:by|von|par|por)\s+` +
	textBylineName + `(?:\s*(?:,|&|\s(?:and|und|et|y))\s*` + textBylineName + `)*` +
	`\s*(?:[|,·•–—/-]\s*\S+(?:\s+\S+){0,3})?$`)

// textBylineName is a name in a text byline: two to four capitalised
// words (one after the first name: "Jan Lukas Strozyk", "NDR").
const textBylineName = `\p{Lu}[\p{L}'’.-]*(?:\s+\p{Lu}[\p{L}'’.-]*){1,3}`

// startsWithByWord reports whether a text node starts, in any case, with
// a word a text byline may start with ("by", "von", "par", "por", or a
// label before one: "Text", "Ein Artikel", "Written"), a cheap test
// before textBylineRe reads the whole element.
func startsWithByWord(s string) bool {
	s = strings.TrimLeft(s, " \t\r\n\u00a0")
	for _, w := range []string{"by", "von", "par", "por", "text", "ein ", "written", "posted", "story"} {
		if len(s) > len(w) && strings.EqualFold(s[:len(w)], w) {
			if w == "ein " {
				return true
			}
			r, _ := utf8.DecodeRuneInString(s[len(w):])
			return r == ' ' || r == '\u00a0' || r == '\n' || r == '\t'
		}
	}
	return false
}

// isBylineElement reports whether an element holds an author name:
// rel=author, itemprop=author, or a class or id naming a byline or an
// author ("c-byline", "entry-meta__author").
func isBylineElement(n *html.Node) bool {
	if n.DataAtom == atom.Meta || n.DataAtom == atom.Link {
		return false
	}
	if hasToken(attr(n, "rel"), "author") || hasToken(attr(n, "itemprop"), "author") {
		return true
	}
	return anyToken(n, bylineAttrs, func(tok string) bool {
		// "c-byline", "article__byline", "entry-meta__author"
		return bylineTokens[tok] || hasPart(tok, "byline") || hasPart(tok, "author")
	})
}

// bylineAttrs are the attributes whose tokens may name a byline.
var bylineAttrs = []string{"class", "id", "data-testid"}

// bylineTokens are whole tokens that name a byline and have no "byline"
// or "author" part.
var bylineTokens = map[string]bool{"authors": true, "autor": true, "autoren": true, "autorenzeile": true, "verfasser": true}

func (p *pageInfo) meta(keys ...string) (string, string) {
	for _, k := range keys {
		if vs := p.metas[k]; len(vs) > 0 {
			src := srcMeta
			if strings.HasPrefix(k, "og:") || strings.HasPrefix(k, "article:") {
				src = srcOG
			}
			return vs[0], src
		}
	}
	return "", ""
}

// ldArticle is the part of a schema.org Article we read.
type ldArticle struct {
	headline, description, published, modified, site, image, lang, url string
	authors                                                            []string
	// orgAuthors is whether every author is typed as an organisation.
	orgAuthors bool
}

// articleTypes are the schema.org types that describe an article.
var articleTypes = map[string]bool{
	"article": true, "newsarticle": true, "reportagenewsarticle": true, "analysisnewsarticle": true,
	"opinionnewsarticle": true, "backgroundnewsarticle": true, "reviewnewsarticle": true,
	"blogposting": true, "liveblogposting": true, "socialmediaposting": true, "report": true,
	"scholarlyarticle": true, "techarticle": true,
}

// parseJSONLD returns the first article described in the page's JSON-LD
// scripts, and the site name of a WebSite or Organization if one is given.
func parseJSONLD(scripts []string) (*ldArticle, string) {
	var site string
	for _, s := range scripts {
		s = unwrapScript(s)
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			// Pages often break JSON with raw control characters in strings.
			s = strings.Map(func(r rune) rune {
				if r < 0x20 {
					return ' '
				}
				return r
			}, s)
			if err := json.Unmarshal([]byte(strings.TrimSpace(s)), &v); err != nil {
				continue
			}
		}
		var found *ldArticle
		visitLD(v, 0, func(m map[string]any) bool {
			types := ldTypes(m["@type"])
			for _, t := range types {
				if site == "" && (t == "website" || t == "newsmediaorganization") {
					site = ldString(m["name"])
				}
				if articleTypes[t] && found == nil {
					found = ldToArticle(m, v)
					return true
				}
			}
			return false
		})
		if found != nil {
			return found, site
		}
	}
	return nil, site
}

// unwrapScript strips the CDATA section or HTML comment that some pages
// wrap around a script's JSON ("<![CDATA[ {...} ]]>", "//<![CDATA[",
// "<!-- {...} -->").
func unwrapScript(s string) string {
	s = strings.TrimSpace(s)
	for _, w := range [][2]string{{"<![CDATA[", "]]>"}, {"<!--", "-->"}} {
		t := strings.TrimSpace(strings.TrimPrefix(s, "//"))
		if rest, ok := strings.CutPrefix(t, w[0]); ok {
			rest = strings.TrimSpace(rest)
			rest = strings.TrimSuffix(rest, w[1])
			rest = strings.TrimSpace(rest)
			s = strings.TrimSpace(strings.TrimSuffix(rest, "//"))
		}
	}
	return s
}

// visitLD calls f on every object in v, depth first, until f returns true.
func visitLD(v any, depth int, f func(map[string]any) bool) bool {
	if depth > 8 {
		return false
	}
	switch t := v.(type) {
	case map[string]any:
		if f(t) {
			return true
		}
		for _, k := range []string{"@graph", "mainEntity", "itemListElement"} {
			if visitLD(t[k], depth+1, f) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if visitLD(e, depth+1, f) {
				return true
			}
		}
	}
	return false
}

func ldTypes(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{strings.ToLower(t)}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, strings.ToLower(s))
			}
		}
		return out
	}
	return nil
}

// ldToArticle reads article m of JSON-LD document doc, which holds the
// nodes m's author may refer to by @id.
func ldToArticle(m map[string]any, doc any) *ldArticle {
	a := &ldArticle{
		headline:    ldString(m["headline"]),
		description: ldString(m["description"]),
		published:   ldString(m["datePublished"]),
		modified:    ldString(m["dateModified"]),
		image:       ldURL(m["image"]),
		lang:        ldString(m["inLanguage"]),
		url:         ldString(m["url"]),
	}
	if a.headline == "" {
		a.headline = ldString(m["name"])
	}
	if a.published == "" {
		a.published = ldString(m["dateCreated"])
	}
	if pub, ok := m["publisher"].(map[string]any); ok {
		a.site = ldString(pub["name"])
	}
	a.authors, a.orgAuthors = ldNames(m["author"], doc)
	if len(a.authors) == 0 {
		a.authors, a.orgAuthors = ldNames(m["creator"], doc)
	}
	return a
}

// ldNode returns the node of doc whose @id is id (nil if none): a graph
// names an article's author once, as a Person node the article refers to
// ({"author": {"@id": "…#author"}}).
func ldNode(doc any, id string) map[string]any {
	var node map[string]any
	visitLD(doc, 0, func(m map[string]any) bool {
		if s, _ := m["@id"].(string); s == id && (m["name"] != nil || m["givenName"] != nil) {
			node = m
			return true
		}
		return false
	})
	return node
}

// ldString returns v as a string: a string, the first string of a list,
// or the @value / name of an object.
func ldString(v any) string {
	switch t := v.(type) {
	case string:
		return normSpace(html.UnescapeString(t))
	case []any:
		for _, e := range t {
			if s := ldString(e); s != "" {
				return s
			}
		}
	case map[string]any:
		if s := ldString(t["@value"]); s != "" {
			return s
		}
		return ldString(t["name"])
	}
	return ""
}

// ldURL returns an image-like value's URL: a string, an ImageObject's url,
// or the first of a list.
func ldURL(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case []any:
		for _, e := range t {
			if s := ldURL(e); s != "" {
				return s
			}
		}
	case map[string]any:
		if s := ldURL(t["url"]); s != "" {
			return s
		}
		return ldURL(t["contentUrl"])
	}
	return ""
}

// ldNames returns the names of a Person, an Organization, a string, or a
// list of these, a reference ({"@id": …}) looked up in doc; orgs is
// whether every one of them is typed as an organisation (Organization,
// NewsMediaOrganization …).
func ldNames(v any, doc any) (names []string, orgs bool) {
	switch t := v.(type) {
	case string:
		return splitAuthors(t), false
	case []any:
		orgs = len(t) > 0
		for _, e := range t {
			n, o := ldNames(e, doc)
			names, orgs = append(names, n...), orgs && o
		}
		return names, orgs
	case map[string]any:
		name, types := ldString(t["name"]), ldTypes(t["@type"])
		// A reference to a node elsewhere in the graph gives its name or
		// its type where t has none.
		var node map[string]any
		if id, _ := t["@id"].(string); id != "" && doc != nil && (name == "" && t["givenName"] == nil || len(types) == 0) {
			node = ldNode(doc, id)
		}
		var nodeNames []string
		if node != nil {
			nodeNames, orgs = ldNames(node, nil)
		}
		if len(types) > 0 {
			orgs = slices.ContainsFunc(types, func(ty string) bool { return strings.HasSuffix(ty, "organization") })
		}
		switch {
		case name != "":
			return splitAuthors(name), orgs
		case node != nil && t["givenName"] == nil:
			return nodeNames, orgs
		}
		g, f := ldString(t["givenName"]), ldString(t["familyName"])
		return splitAuthors(strings.TrimSpace(g + " " + f)), orgs
	}
	return nil, false
}

var (
	// authorSep splits a byline into names.
	authorSep = regexp.MustCompile(`(?i)\s*(?:,|;|\||/|&|·|•)\s*|\s+(?:and|und|et|y|и)\s+`)
	// authorLead strips "By", "Written by", "Author:" and labels such as
	// "Interview:" before names.
	authorLead = regexp.MustCompile(`(?i)^(?:(?:written|reported|posted|post|erstellt|publiziert|ein artikel|ein beitrag|story|text|words|photos?|veröffentlicht|geschrieben|verfasst|eingestellt|beitrag|artikel|zum profil|publié|écrit|publicado|escrito)\s+)?(?:by|von|par|por|door|av|af|author|authors|autor|auteur|автор|авторы|текст)\b[:\s]*` +
		// "Interview:", "Text und Fotos:": a label of what the names made.
		`|^(?:` + bylineLabels + `)(?:\s+(?:und|and|&)\s+(?:` + bylineLabels + `))?\s*:\s*`)
	// authorTail cuts a date or update note off the end of a byline
	// ("updated …", German "am 3. März", "um 10 Uhr", "vor 3 Stunden",
	// Spanish "hace 2 horas").
	authorTail = regexp.MustCompile(`(?i:\s+(?:[—–-]\s+)?(?:updated|published|posted|veröffentlicht|publiziert|on|hace|vor)\b.*$|\s+(?:alle artikel|all articles|all posts)$)` +
		`|\s+(?:am|um|at)(?:\s.*)?$|\s+Stand\b.*$|\s*\d.*$`)
	// authorWith opens the names a byline adds in parentheses ("Jane Doe
	// (avec John Roe et Ann Poe)", "with", "mit", "con").
	authorWith = regexp.MustCompile(`(?i)\s*\(\s*(?:avec|with|mit|con|and|und|et)\s+`)
	// contactRe matches what a byline gives to reach its people: e-mail
	// addresses, @handles and bare web addresses.
	contactRe = regexp.MustCompile(`\S+@\S+|(?:^|\s)@\w+|\(?\bwww\.\S+`)
)

// bylineLabels name what a byline's people made ("Text und Fotos: …").
const bylineLabels = `text|texte|interview|fotos?|photos?|bilder|words|reporting|recherche`

// roleWords are job titles and desks: a byline part made of them is not
// a name.
var roleWords = map[string]bool{
	"staff": true, "writer": true, "writers": true, "reporter": true, "reporters": true,
	"correspondent": true, "correspondents": true, "editor": true, "editors": true, "editorial": true,
	"contributor": true, "contributors": true, "columnist": true, "journalist": true, "journalists": true,
	"observer": true, "analyst": true, "desk": true, "team": true, "newsroom": true, "bureau": true,
	"senior": true, "chief": true, "special": true, "political": true, "international": true,
	"foreign": true, "associate": true, "deputy": true, "managing": true, "producer": true,
	"photographer": true, "updated": true, "admin": true, "administrator": true, "guest": true,
	"author": true, "by": true, "wire": true, "agencies": true, "agency": true, "news": true,
	"and": true, "the": true, "for": true, "in": true, "at": true, "of": true,
	"phd": true, "ph.d": true, "md": true, "m.d": true, "mba": true, "msc": true, "bsc": true, "dphil": true, "esq": true,
	"chefredakteur": true, "chefredakteurin": true, "redakteur": true, "redakteurin": true, "korrespondent": true,
	"korrespondentin": true, "autorin": true, "reporterin": true, "journalistin": true, "fotograf": true, "fotografin": true,
	"корреспондент": true, "редактор": true, "обозреватель": true, "редакция": true,
}

func hasRoleWord(s string) bool {
	for _, w := range strings.Fields(strings.ToLower(s)) {
		if roleWords[strings.Trim(w, ".,")] {
			return true
		}
	}
	return false
}

// coreRoles are job nouns: a byline part containing one is a role
// ("Trade Correspondent", "Reuters Staff"), not a name.
var coreRoles = map[string]bool{
	"staff": true, "writer": true, "writers": true, "reporter": true, "reporters": true,
	"correspondent": true, "correspondents": true, "editor": true, "editors": true,
	"contributor": true, "contributors": true, "columnist": true, "journalist": true, "journalists": true,
	"observer": true, "analyst": true, "desk": true, "team": true, "newsroom": true, "bureau": true,
	"producer": true, "photographer": true, "admin": true, "administrator": true,
	"chefredakteur": true, "chefredakteurin": true, "redakteur": true, "redakteurin": true, "korrespondent": true,
	"korrespondentin": true, "autorin": true, "reporterin": true, "journalistin": true, "fotograf": true, "fotografin": true,
	"корреспондент": true, "редактор": true, "обозреватель": true, "редакция": true,
}

// isRole reports whether s is a role rather than a name: it contains a job
// noun, or every word of it is a role word.
func isRole(s string) bool {
	allRole := true
	for _, w := range strings.Fields(strings.ToLower(s)) {
		w = strings.Trim(w, ".,")
		if coreRoles[w] {
			return true
		}
		if !roleWords[w] {
			allRole = false
		}
	}
	return allRole
}

// widgetWords are what page widgets, forms and licences put where an
// author's name goes ("Username", "Last Updated", "Follow Author", "CC").
var widgetWords = map[string]bool{
	"username": true, "user": true, "login": true, "anonymous": true, "unknown": true, "last": true,
	"share": true, "follow": true, "subscribe": true, "menu": true, "home": true, "search": true,
	"comments": true, "reply": true, "print": true, "email": true, "advertisement": true, "sponsored": true,
	"cc": true, "name": true, "none": true, "null": true, "undefined": true, "fail": true, "authority": true, "control": true,
	"required": true, "erforderlich": true, "posted": true, "published": true, "veröffentlicht": true, "publiziert": true,
	"erstellt": true, "publié": true, "publicado": true, "datum": true, "date": true,
	"uppdaterad": true, "aktualisiert": true, "untitled": true, "unbenannt": true, "now": true,
}

// notAName reports whether a byline part is no person's or publisher's
// name: initials only ("J J"), or widget and role words only, one of them
// a widget word ("Username", "Follow Author").
func notAName(s string) bool {
	initialsOnly, widget, other := true, false, false
	for _, w := range strings.Fields(strings.ToLower(s)) {
		w = strings.Trim(w, ".,()*:")
		if w == "" {
			continue // "Name *": a form's mark
		}
		if utf8.RuneCountInString(w) > 1 {
			initialsOnly = false
		}
		switch {
		case widgetWords[w] || slices.Contains(weekdayNames, w):
			widget = true
		case !roleWords[w]:
			other = true
		}
	}
	return initialsOnly || widget && !other
}

// hanBylineRe reads a Chinese byline at the start of its input: "作者：王小明",
// "记者 王小明 李华". A name is two to four characters set off by
// punctuation, a space or markup.
var hanBylineRe = regexp.MustCompile(`^(?:作者|记者)(?:[：:]\s*|[\s\x{3000}]+)(\p{Han}{2,4}(?:[、，,\s\x{3000}]+\p{Han}{2,4}){0,3})(?:[\s\x{3000}<|）)，。,；;]|$)`)

// hanNameSep separates the names of a Chinese byline.
var hanNameSep = regexp.MustCompile(`[、，,\s\x{3000}]+`)

// hanNotNames are parts of Chinese bylines that name a role or a desk,
// not a person: "本报记者" (our reporter), "责任编辑" (editor).
var hanNotNames = []string{"记者", "编辑", "本报", "通讯员", "新华社", "来源", "综合", "报道"}

// hanBylineNames finds the authors a Chinese page names in its text
// ("作者：王小明", "记者 李华"), looking only where those words occur.
func hanBylineNames(src []byte) []string {
	for _, key := range [][]byte{[]byte("作者"), []byte("记者")} {
		rest := src
		for n := 0; n < 8; n++ {
			i := bytes.Index(rest, key)
			if i < 0 {
				break
			}
			window := rest[i:min(len(rest), i+160)]
			rest = rest[i+len(key):]
			m := hanBylineRe.FindSubmatch(window)
			if m == nil {
				continue
			}
			var out []string
		names:
			for _, name := range hanNameSep.Split(string(m[1]), -1) {
				for _, not := range hanNotNames {
					if strings.Contains(name, not) {
						continue names
					}
				}
				if name != "" {
					out = appendUnique(out, name)
				}
			}
			if len(out) > 0 {
				return out
			}
		}
	}
	return nil
}

// splitAuthors splits a byline ("By Jane Doe and John Roe", "A, B") into
// names, dropping roles, e-mail addresses, URLs and "Staff".
func splitAuthors(s string) []string {
	s = normSpace(html.UnescapeString(s))
	if s == "" || strings.Contains(s, "://") {
		return nil
	}
	s = contactRe.ReplaceAllString(s, "")
	s = authorWith.ReplaceAllString(s, ", ")
	s = authorLead.ReplaceAllString(s, "")
	s = authorDateTail.ReplaceAllString(s, "")
	s = authorTail.ReplaceAllString(s, "")
	var out []string
	for _, part := range authorSep.Split(s, -1) {
		part = strings.TrimSpace(part)
		dot := strings.HasSuffix(part, ".")
		part = strings.Trim(part, ".,:;-–—()[]")
		if dot && endsWithAbbreviation(part) {
			part += "." // "Perry Bacon Jr.", "Juan Carlos Muñoz C."
		}
		part = authorLead.ReplaceAllString(part, "")
		if part == "" || !hasLetter(part) || wordCount(part) > 5 || isRole(part) || notAName(part) {
			continue
		}
		r := []rune(part)
		if !unicode.IsUpper(r[0]) {
			continue // a lowercase fragment is a role or a phrase, not a name
		}
		out = appendUnique(out, part)
	}
	return out
}

// endsWithAbbreviation reports whether a name of several words ends in an
// initial or a generational suffix, which keep their dot.
func endsWithAbbreviation(name string) bool {
	i := strings.LastIndexByte(name, ' ')
	if i < 0 {
		return false
	}
	last := name[i+1:]
	switch last {
	case "Jr", "Sr":
		return true
	}
	r, n := utf8.DecodeRuneInString(last)
	return n == len(last) && unicode.IsUpper(r)
}

func appendUnique(list []string, more ...string) []string {
	for _, m := range more {
		dup := false
		for _, l := range list {
			if strings.EqualFold(l, m) {
				dup = true
				break
			}
		}
		if !dup {
			list = append(list, m)
		}
	}
	return list
}

// timeLayouts are the date formats pages use in metadata, most specific first.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04Z0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"2006-01-02",
	"2006/01/02",
	"20060102",
}

// parseTime parses a metadata date. Times without a zone are taken as UTC.
// Dates before 1990 or more than two days ahead of now are refused.
func parseTime(s string, now time.Time) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return time.Time{}, false
	}
	for _, l := range timeLayouts {
		t, err := time.Parse(l, s)
		if err != nil {
			continue
		}
		if t.Year() < 1990 || t.After(now.Add(48*time.Hour)) {
			return time.Time{}, false
		}
		return t, true
	}
	return time.Time{}, false
}

// resolveURL makes ref absolute against base and normalizes it; it returns
// "" unless the result is an http(s) URL.
func resolveURL(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	return u.String()
}

// normLang reduces a language tag ("en-US", "ru_RU") to its primary
// subtag, lowercase; "" if it is not a plausible tag.
func normLang(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "-_,; "); i >= 0 {
		s = s[:i]
	}
	s = strings.ToLower(s)
	if len(s) < 2 || len(s) > 3 {
		return ""
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return ""
		}
	}
	return s
}

// titleSeps separate a headline from the site name in <title>.
var titleSeps = []string{" | ", " - ", " – ", " — ", " :: ", " · ", " » ", " › ", " • ", "_"}

// stripSiteSuffix removes a site name from the end (or start) of a title:
// the whole site name when it ends the title after a separator, any
// segment that matches the site name or the host, and after " | " any
// short last segment. Trailing segments are peeled one at a time
// ("Headline | host | Tagline"); after the first, only those naming the
// site go.
func stripSiteSuffix(title, site, host string) string {
	title = normSpace(title)
	loose := true
	if site = normSpace(site); site != "" {
		for _, sep := range titleSeps {
			if head, ok := strings.CutSuffix(title, sep+site); ok && wordCount(head) >= 2 {
				title, loose = strings.TrimSpace(head), false
				break
			}
		}
	}
	for pass := 0; pass < 3; pass++ {
		next := stripOneSegment(title, site, host, loose && pass == 0)
		if next == title {
			break
		}
		title = next
	}
	for pass := 0; pass < 2; pass++ {
		m := hanSiteSuffix.FindStringIndex(title)
		if m == nil || utf8.RuneCountInString(title[:m[0]]) < 2 {
			break
		}
		title = strings.TrimSpace(title[:m[0]])
	}
	return title
}

// hanSiteSuffix is a Chinese site or channel name ending a title after a
// separator, with no spaces around it: "…-新华网", "…_光明网",
// "…_百度百科".
var hanSiteSuffix = regexp.MustCompile(`\s*[-_|｜—–]\s*\p{Han}{1,8}(?:网|網|网站|新闻|新聞|日报|日報|频道|頻道|百科)\s*$`)

// stripOneSegment removes one site-name segment from the end or start of
// a title; short trailing segments after " | " go too when loose is set.
func stripOneSegment(title, site, host string, loose bool) string {
	for _, sep := range titleSeps {
		i := strings.LastIndex(title, sep)
		if i <= 0 {
			continue
		}
		head, tail := title[:i], title[i+len(sep):]
		if matchesSite(tail, site, host) || (loose && sep == " | " && wordCount(tail) <= 4 && wordCount(head) >= 2) {
			return strings.TrimSpace(head)
		}
		j := strings.Index(title, sep)
		if j > 0 && matchesSite(title[:j], site, host) {
			return strings.TrimSpace(title[j+len(sep):])
		}
	}
	return title
}

// pickTitle settles a disagreement between the structured headline and
// og:title: when they differ, the one the page shows as its <h1> wins.
func pickTitle(title, og, h1 string) (string, bool) {
	if og == "" || h1 == "" {
		return "", false
	}
	k := titleKey(og)
	if k == titleKey(title) || k != titleKey(h1) {
		return "", false
	}
	return og, true
}

// maxHeadings is how many h1 and h2 headings a page's title is compared
// with.
const maxHeadings = 12

// headlineWithin returns h1 when the chosen title is h1 plus segments set
// off by separators ("Headline » Blog name", "Section: Headline"): the
// page's own heading is the headline without the furniture around it.
func headlineWithin(title, h1, site, host string) (string, bool) {
	return headingWithin(title, h1, site, host, titleSepRunes)
}

// headingWithin is headlineWithin for any heading, with the separators
// that may set it off in the title.
func headingWithin(title, heading, site, host, seps string) (string, bool) {
	heading = normSpace(heading)
	if wordCount(heading) < 2 || len(heading) >= len(title) || matchesSite(heading, site, host) {
		return "", false
	}
	i := strings.Index(title, heading)
	if i < 0 {
		return "", false
	}
	before, after := strings.TrimSpace(title[:i]), strings.TrimSpace(title[i+len(heading):])
	if before != "" && !endsWithSep(before, seps) || after != "" && !startsWithSep(after, seps) {
		return "", false
	}
	return heading, true
}

// outvoted reports whether a structured headline is contradicted by the
// page's own heading and <title>, which agree with each other (the
// title may add segments set off by separators around the heading): the
// structured value is then some other text (a description, a series
// name) put in the headline field.
func outvoted(headline, h1, title, site, host string) bool {
	if h1 == "" || title == "" || sameHeadline(headline, h1) {
		return false
	}
	if sameHeadline(h1, title) {
		return true
	}
	_, within := headlineWithin(title, h1, site, host)
	return within
}

// sameHeadline compares two headlines up to case, white space, quote
// style and trailing dots or an ellipsis.
func sameHeadline(a, b string) bool {
	trim := func(s string) string { return strings.TrimRight(titleKey(s), ".… ") }
	return trim(a) == trim(b)
}

// titleSepRunes are the characters that set a headline off from a site or
// section name in a title.
const titleSepRunes = "|-–—:»«·/•*~>_"

// siteSepRunes are the separators that set off a site or section name
// and never a headline's own parts, as a colon does ("Budget watchdog:
// What does it do?").
const siteSepRunes = "|–—»«·/•*~>_"

func startsWithSep(s, seps string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return strings.ContainsRune(seps, r)
}

func endsWithSep(s, seps string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(seps, r)
}

// titleKey compares titles up to case, white space and quote style.
func titleKey(s string) string {
	s = strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`, "\u00a0", " ").Replace(s)
	return strings.ToLower(normSpace(s))
}

// matchesSite reports whether a title segment names the site.
func matchesSite(seg, site, host string) bool {
	key := func(s string) string {
		s = strings.ToLower(s)
		s = strings.TrimPrefix(s, "www.")
		return strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return r
			}
			return -1
		}, s)
	}
	k := key(seg)
	if k == "" {
		return false
	}
	if site != "" && (k == key(site) || strings.Contains(key(site), k) && len(k) >= 4) {
		return true
	}
	if host != "" {
		h := strings.TrimPrefix(strings.ToLower(host), "www.")
		name := h
		if i := strings.IndexByte(h, '.'); i > 0 {
			name = h[:i]
		}
		if k == key(h) || k == key(name) {
			return true
		}
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(strings.ToLower(list)) {
		if f == tok {
			return true
		}
	}
	return false
}

// lineBreak stands for a <br> in spacedText: white space to normSpace,
// and where lineOf cuts.
const lineBreak = '\u2028'

// lineOf returns, white space collapsed, the line of s (lines end at a
// <br>) that starts with a byline word, or all of s when none does: a
// byline and the dateline below it ("Von Jana Roth<br>Kakuma / Kenia")
// are two things.
func lineOf(s string) string {
	if strings.ContainsRune(s, lineBreak) {
		for line := range strings.SplitSeq(s, string(lineBreak)) {
			if line = normSpace(line); startsWithByWord(line) {
				return line
			}
		}
	}
	return normSpace(s)
}

// spacedText is the text of n with a space between elements: what a
// byline shows ("By" and the linked name in spans side by side) when its
// styles set the parts apart. A <br> is a lineBreak.
func spacedText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode:
				b.WriteString(c.Data)
			case c.Type != html.ElementNode:
			case c.DataAtom == atom.Script || c.DataAtom == atom.Style || c.DataAtom == atom.Noscript || c.DataAtom == atom.Template:
			case c.DataAtom == atom.Br:
				b.WriteRune(lineBreak)
			default:
				b.WriteByte(' ')
				walk(c)
				b.WriteByte(' ')
			}
		}
	}
	walk(n)
	return b.String()
}

// textOf returns the text under root, skipping scripts and styles inside
// it (a script passed as root gives its own text).
func textOf(root *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Noscript, atom.Template:
				if n != root {
					return
				}
			case atom.Br:
				b.WriteByte(' ')
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && isBlockElement(n) {
			b.WriteByte(' ')
		}
	}
	walk(root)
	return b.String()
}
