package clean

import (
	"fmt"
	"net/url"
	"strings"

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
	doc, err := html.Parse(strings.NewReader(s))
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
	return trafilatura.ExtractDocument(doc, opts)
}

// readabilityNode runs go-readability on doc (which it copies first) and
// returns the article node it picked, or nil.
func readabilityNode(doc *html.Node, pageURL *url.URL) (node *html.Node) {
	defer func() {
		if r := recover(); r != nil {
			node = nil
		}
	}()
	if pageURL == nil {
		pageURL = &url.URL{Scheme: "http", Host: "page.invalid", Path: "/"}
	}
	art, err := readability.FromDocument(doc, pageURL)
	if err != nil {
		return nil
	}
	return art.Node
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
