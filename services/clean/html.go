package clean

import (
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	readability "github.com/go-shiori/go-readability"
	"github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/newsflow/newsflow/proto"
)

// maxDepth is the deepest element nesting accepted; real pages stay far
// below it, and deeper trees risk the extractor's recursion.
const maxDepth = 1500

// parseHTML parses a decoded page and refuses absurdly nested trees.
func parseHTML(s string) (*html.Node, error) {
	return parseHTMLFrom(strings.NewReader(s))
}

// parseHTMLFrom is parseHTML reading from r. The parser copies what it
// keeps, so r's bytes may be the caller's.
func parseHTMLFrom(r io.Reader) (*html.Node, error) {
	doc, err := html.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("%w: parse html: %v", ErrMalformed, err)
	}
	if d := treeDepth(doc); d > maxDepth {
		return nil, fmt.Errorf("%w: html nested %d deep", ErrMalformed, d)
	}
	return doc, nil
}

// treeDepth measures the nesting of doc without recursion.
func treeDepth(doc *html.Node) int {
	maxD, d := 0, 0
	n := doc
	for n != nil {
		if n.FirstChild != nil {
			n = n.FirstChild
			d++
			if d > maxD {
				maxD = d
			}
			continue
		}
		for n != nil && n.NextSibling == nil {
			n = n.Parent
			d--
		}
		if n == nil || n == doc {
			break
		}
		n = n.NextSibling
	}
	return maxD
}

// extract runs trafilatura on doc. Pages whose metadata gives no date get
// htmldate's extensive search (dates written out in the text, in many
// languages): slower, but it finds a date on far more pages. A panic
// inside the extractor becomes a permanent error rather than taking down
// the worker.
func extract(doc *html.Node, pageURL *url.URL, haveDate bool) (res *trafilatura.ExtractResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("%w: panic: %v", ErrExtractor, r)
		}
	}()
	opts := trafilatura.Options{
		EnableFallback:  false,
		ExcludeComments: true,
		OriginalURL:     pageURL,
		HtmlDateMode:    trafilatura.Extensive,
	}
	if haveDate {
		// The page's metadata already dates it; skip the document scan.
		opts.HtmlDateMode = trafilatura.Disabled
	}
	// Trafilatura copies the page three times over: what it never reads
	// is taken out of the tree first (and put back after).
	defer detachForTrafilatura(doc, haveDate)()
	return trafilatura.ExtractDocument(doc, opts)
}

// readabilityNode runs go-readability on doc and returns the article node
// it picked, or nil. doc is left as it was.
func readabilityNode(doc *html.Node, pageURL *url.URL) (node *html.Node) {
	defer func() {
		if r := recover(); r != nil {
			node = nil
		}
	}()
	if pageURL == nil {
		pageURL = &url.URL{Scheme: "http", Host: "page.invalid", Path: "/"}
	}
	// Readability copies the whole tree, then renders and measures its
	// parts again and again, each time it retries: hiding first what it
	// would drop or never reads saves much of what it allocates.
	defer slimForReadability(doc)()
	p := readability.NewParser()
	p.DisableJSONLD = true // the page's JSON-LD is read elsewhere
	art, err := p.ParseDocument(doc, pageURL)
	if err != nil {
		return nil
	}
	return art.Node
}

// readabilityDrops are elements hidden from readability: those it removes
// before it looks at the page (script, noscript, style), those with no
// article text (svg, link, form controls, frames), and the page's
// navigation, asides, headers and footers, which only weigh on its scores
// (on the evaluation sets: the same scores, a good deal less allocated).
var readabilityDrops = map[atom.Atom]bool{
	atom.Script: true, atom.Noscript: true, atom.Style: true, atom.Svg: true, atom.Link: true,
	atom.Select: true, atom.Button: true, atom.Iframe: true,
	atom.Nav: true, atom.Aside: true, atom.Header: true, atom.Footer: true,
}

// readabilityAttrs are the attributes readability reads on elements other
// than media; media elements keep all theirs (it searches them for lazy
// image and video addresses).
var readabilityAttrs = map[string]bool{
	"class": true, "id": true, "style": true, "role": true, "rel": true, "href": true, "hidden": true,
	"aria-hidden": true, "aria-modal": true, "itemprop": true, "lang": true, "dir": true, "summary": true,
	"datatable": true, "width": true, "height": true, "type": true, "name": true, "property": true,
	"content": true, "rowspan": true, "colspan": true, "src": true, "srcset": true, "poster": true,
	"sizes": true, "alt": true,
}

// mediaTags keep all their attributes for readability.
var mediaTags = map[atom.Atom]bool{
	atom.Img: true, atom.Picture: true, atom.Source: true, atom.Video: true, atom.Audio: true,
	atom.Embed: true, atom.Object: true, atom.Figure: true,
}

// slimForReadability changes doc in place for readability: it detaches
// the nodes readability would remove or never read, moves the attributes
// it never reads past the end of each element's list, out of sight, and
// squeezes runs of white space; the returned function puts everything
// back.
func slimForReadability(doc *html.Node) (restore func()) {
	type trimmed struct {
		node *html.Node
		n    int
	}
	var gone detachedNodes
	var cut []trimmed
	var sq squeezed
	n := doc
	for n != nil {
		next := nextInTree(n, doc, true)
		switch {
		case n.Type == html.TextNode:
			sq.squeeze(n)
		case n.Type == html.CommentNode || hiddenFromReadability(n):
			next = nextInTree(n, doc, false)
			gone.detach(n)
		case n.Type == html.ElementNode && len(n.Attr) > 0 && !mediaTags[n.DataAtom]:
			k := 0
			for i, a := range n.Attr {
				if readabilityAttrs[a.Key] {
					n.Attr[k], n.Attr[i] = n.Attr[i], n.Attr[k]
					k++
				}
			}
			if k < len(n.Attr) {
				cut = append(cut, trimmed{n, len(n.Attr)})
				n.Attr = n.Attr[:k]
			}
		}
		n = next
	}
	// Until it has found a byline, readability measures the text of every
	// element in turn to look for one; a stand-in byline, first in the
	// page, ends that search at once.
	var stand *html.Node
	if root := documentElement(doc); root != nil {
		stand = &html.Node{Type: html.ElementNode, DataAtom: atom.Span, Data: "span",
			Attr: []html.Attribute{{Key: "rel", Val: "author"}}}
		stand.AppendChild(&html.Node{Type: html.TextNode, Data: "-"})
		root.InsertBefore(stand, root.FirstChild)
	}
	return func() {
		if stand != nil && stand.Parent != nil {
			stand.Parent.RemoveChild(stand)
		}
		for _, t := range cut {
			t.node.Attr = t.node.Attr[:t.n]
		}
		sq.restore()
		gone.restore()
	}
}

// detachForTrafilatura takes out of doc, in place, what trafilatura never
// reads: svg (no text, and htmldate drops it too) and, when htmldate will
// not run (it searches the raw page, scripts and comments included, for
// dates), comments, styles and scripts other than JSON-LD. The returned
// function puts them back.
func detachForTrafilatura(doc *html.Node, noDateSearch bool) (restore func()) {
	var gone detachedNodes
	for n := doc; n != nil; {
		if unreadByTrafilatura(n, noDateSearch) {
			next := nextInTree(n, doc, false)
			gone.detach(n)
			n = next
			continue
		}
		n = nextInTree(n, doc, true)
	}
	return gone.restore
}

// squeezed records white-space text nodes cut down to one space, and what
// they held. Readability collapses white space wherever it measures text,
// and the text of every block is collapsed again after it, so one space
// reads the same; but the runs of indentation between tags are a good
// part of a page's text, which it renders and measures over and over.
// (Trafilatura does not always collapse it: squeezed, its picks change.)
type squeezed []struct {
	node *html.Node
	data string
}

// squeeze cuts n down to one space if it is a text node of white space
// only.
func (s *squeezed) squeeze(n *html.Node) {
	if n.Type == html.TextNode && len(n.Data) > 1 && isSpace(n.Data) {
		*s = append(*s, struct {
			node *html.Node
			data string
		}{n, n.Data})
		n.Data = " "
	}
}

// restore gives the text nodes back what they held.
func (s squeezed) restore() {
	for _, e := range s {
		e.node.Data = e.data
	}
}

func unreadByTrafilatura(n *html.Node, noDateSearch bool) bool {
	switch {
	case n.Type == html.ElementNode && n.DataAtom == atom.Svg:
		return true
	case !noDateSearch:
		return false
	case n.Type == html.CommentNode:
		return true
	case n.Type != html.ElementNode:
		return false
	case n.DataAtom == atom.Style || n.DataAtom == atom.Noscript:
		return true
	case n.DataAtom == atom.Script:
		// The metadata reader takes exactly these two types.
		t := attr(n, "type")
		return t != "application/ld+json" && t != "application/settings+json"
	}
	return false
}

// detachedNodes records nodes taken out of a tree, in document order, and
// where they were.
type detachedNodes []struct{ node, parent, next *html.Node }

// detach takes n out of its tree.
func (d *detachedNodes) detach(n *html.Node) {
	*d = append(*d, struct{ node, parent, next *html.Node }{n, n.Parent, n.NextSibling})
	n.Parent.RemoveChild(n)
}

// restore puts the nodes back where they were, last first, so that each
// one's next sibling is in place again before it goes in.
func (d detachedNodes) restore() {
	for i := len(d) - 1; i >= 0; i-- {
		reattach(d[i].node, d[i].parent, d[i].next)
	}
}

// hiddenFromReadability reports whether slimForReadability takes n, an
// element, and all it holds out of readability's sight.
func hiddenFromReadability(n *html.Node) bool {
	return n.Type == html.ElementNode && (readabilityDrops[n.DataAtom] || !probablyVisible(n))
}

// displayNone and visibilityHidden are readability's own tests of an
// element's style.
var (
	displayNone      = regexp.MustCompile(`(?i)display\s*:\s*none`)
	visibilityHidden = regexp.MustCompile(`(?i)visibility\s*:\s*hidden`)
)

// probablyVisible is readability's test of whether an element shows: it
// drops those that do not, with all they hold, before anything else.
func probablyVisible(n *html.Node) bool {
	var style, ariaHidden, class string
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return false
		case "style":
			style = a.Val
		case "aria-hidden":
			ariaHidden = a.Val
		case "class":
			class = a.Val
		}
	}
	if style != "" && (displayNone.MatchString(style) || visibilityHidden.MatchString(style)) {
		return false
	}
	return ariaHidden != "true" || strings.Contains(class, "fallback-image")
}

// isSpace reports whether s is only ASCII white space, the kind both
// readability's patterns and strings.TrimSpace take for space.
func isSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r', '\f':
		default:
			return false
		}
	}
	return true
}

// reattach puts n back under parent before next, or last when next has
// moved away meanwhile.
func reattach(n, parent, next *html.Node) {
	if n.Parent != nil || n.PrevSibling != nil || n.NextSibling != nil {
		return
	}
	if next != nil && next.Parent != parent {
		next = nil
	}
	parent.InsertBefore(n, next)
}

// documentElement is doc's <html> element, or nil.
func documentElement(doc *html.Node) *html.Node {
	for c := doc.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.Html {
			return c
		}
	}
	return nil
}

// nextInTree is the node after n in document order within root, skipping
// n's children unless down is set.
func nextInTree(n, root *html.Node, down bool) *html.Node {
	if down && n.FirstChild != nil {
		return n.FirstChild
	}
	for n != nil && n != root {
		if n.NextSibling != nil {
			return n.NextSibling
		}
		n = n.Parent
	}
	return nil
}

// readabilityTextLen is the number of characters of text readability
// sees in doc once slimForReadability has hidden what it does not need:
// more than its pick can hold.
func readabilityTextLen(doc *html.Node) int {
	n := 0
	for c := doc; c != nil; {
		switch {
		case c.Type == html.TextNode:
			n += utf8.RuneCountInString(c.Data)
		case hiddenFromReadability(c):
			c = nextInTree(c, doc, false)
			continue
		}
		c = nextInTree(c, doc, true)
	}
	return n
}

// skipTags are elements whose text is never article text.
var skipTags = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Form: true, atom.Button: true, atom.Select: true, atom.Textarea: true,
	atom.Iframe: true, atom.Svg: true, atom.Figcaption: true, atom.Head: true,
}

// collectBlocks walks an extracted content tree into blocks. skip, when
// not nil, prunes further subtrees.
func collectBlocks(root *html.Node, skip func(*html.Node) bool) []proto.Block {
	var out []proto.Block
	var inline strings.Builder
	emit := func(kind, text string) {
		if t := normSpace(text); t != "" {
			out = append(out, proto.Block{Kind: kind, Text: t})
		}
	}
	flush := func() {
		emit("p", inline.String())
		inline.Reset()
	}
	var walk func(*html.Node, int)
	walk = func(n *html.Node, depth int) {
		if depth > maxDepth {
			return
		}
		switch n.Type {
		case html.TextNode:
			inline.WriteString(n.Data)
			return
		case html.ElementNode:
		default:
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, depth+1)
			}
			return
		}
		if skipTags[n.DataAtom] || (skip != nil && skip(n)) {
			return
		}
		switch strings.ToLower(n.Data) {
		case "h1", "h2", "h3", "h4", "h5", "h6", "summary":
			flush()
			emit("h", textOf(n))
		case "p":
			flush()
			emit("p", textOf(n))
		case "li", "dd", "dt":
			flush()
			if hasBlockChild(n, "ul", "ol", "dl") {
				var own strings.Builder
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if !isList(c) {
						own.WriteString(textOf(c))
					}
				}
				emit("li", own.String())
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if isList(c) {
						walk(c, depth+1)
					}
				}
				return
			}
			emit("li", textOf(n))
		case "blockquote", "q":
			flush()
			if hasBlockChild(n, "p") {
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.ElementNode && c.DataAtom == atom.P {
						emit("quote", textOf(c))
					} else if c.Type == html.TextNode {
						emit("quote", c.Data)
					} else if c.Type == html.ElementNode && !skipTags[c.DataAtom] {
						emit("quote", textOf(c))
					}
				}
				return
			}
			emit("quote", textOf(n))
		case "pre":
			flush()
			emit("pre", textOf(n))
		case "tr":
			flush()
			var cells []string
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if t := normSpace(textOf(c)); t != "" {
					cells = append(cells, t)
				}
			}
			emit("p", strings.Join(cells, " | "))
		case "br", "hr", "lb":
			inline.WriteByte(' ')
		default:
			block := isBlockElement(n)
			if block {
				flush()
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, depth+1)
			}
			if block {
				flush()
			}
		}
	}
	walk(root, 0)
	flush()
	return out
}

func isList(n *html.Node) bool {
	return n.Type == html.ElementNode && (n.DataAtom == atom.Ul || n.DataAtom == atom.Ol || n.DataAtom == atom.Dl)
}

func hasBlockChild(n *html.Node, tags ...string) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		for _, t := range tags {
			if strings.EqualFold(c.Data, t) {
				return true
			}
		}
	}
	return false
}

// isBlockElement reports whether n starts a new line of text.
func isBlockElement(n *html.Node) bool {
	switch strings.ToLower(n.Data) {
	case "p", "div", "section", "article", "main", "header", "footer", "aside", "nav",
		"ul", "ol", "dl", "li", "dd", "dt", "table", "tbody", "thead", "tr", "td", "th",
		"h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "figure", "body", "html",
		"address", "details", "summary", "hr", "br", "fieldset", "center", "done":
		return true
	}
	return false
}

// boilerplateHints are class and id fragments of page furniture, used by
// the fallback extractor.
var boilerplateHints = []string{
	"nav", "menu", "footer", "header", "sidebar", "share", "social", "comment", "related",
	"newsletter", "cookie", "consent", "promo", "advert", "banner", "breadcrumb", "subscribe",
	"popup", "modal", "teaser", "widget", "recommend", "trending", "most-read", "popular",
}

// fallbackBlocks is a plain walk of the page body for pages trafilatura
// gives up on: it keeps text outside navigation, headers, footers, asides
// and elements whose class or id names furniture.
func fallbackBlocks(doc *html.Node) []proto.Block {
	root := findBody(doc)
	if root == nil {
		root = doc
	}
	return collectBlocks(root, func(n *html.Node) bool {
		switch n.DataAtom {
		case atom.Nav, atom.Header, atom.Footer, atom.Aside:
			return true
		}
		hint := strings.ToLower(attr(n, "class") + " " + attr(n, "id") + " " + attr(n, "role"))
		if strings.TrimSpace(hint) == "" {
			return false
		}
		for _, h := range boilerplateHints {
			if strings.Contains(hint, h) {
				return true
			}
		}
		return false
	})
}

func findBody(n *html.Node) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == atom.Body {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if b := findBody(c); b != nil {
			return b
		}
	}
	return nil
}
