package clean

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// slimPage has everything slimForReadability and detachSVG hide: scripts,
// styles, svg, comments, navigation, hidden elements, attributes
// readability never reads.
const slimPage = `<!DOCTYPE html><html lang="en"><head><title>Quay lamps | Ledger</title>
<style>p{color:red}</style><script>var x = 1;</script><link rel="stylesheet" href="/a.css"></head>
<body><header class="site" data-track="top"><a href="/">Ledger</a></header>
<nav class="menu"><a href="/world">World</a> <a href="/sport">Sport</a></nav>
<!-- main story -->
<div id="story" class="story" data-id="42" onclick="go()" tabindex="0">
<h1>Quay lamps</h1>
<p class="lead" data-slot="a">Harbour masters met on Tuesday and agreed to share the cost of new lamps on the outer reefs, officials said.</p>
<svg viewBox="0 0 10 10"><title>icon</title><path d="M0 0h10v10z"/></svg>
<p>The fund starts in June. Each harbour pays a share set by its traffic, and the first lamps go up before the autumn storms.</p>
<div style="display: none">Hidden promo text that nobody sees.</div>
<div aria-hidden="true">Screen reader hidden text.</div>
<p hidden>Hidden paragraph.</p>
<img src="/lamp.jpg" data-src="/lamp-large.jpg" alt="A lamp">
</div>
<aside><p>Most read: ferry strike ends</p></aside>
<footer><p>© 2031 Ledger</p></footer>
</body></html>`

// render writes n as HTML.
func render(t *testing.T, n *html.Node) string {
	t.Helper()
	var b strings.Builder
	if err := html.Render(&b, n); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// sortAttrs puts every element's attributes in key order, so that two
// trees that differ only in attribute order render the same.
func sortAttrs(doc *html.Node) {
	for n := doc; n != nil; n = nextInTree(n, doc, true) {
		slices.SortFunc(n.Attr, func(a, b html.Attribute) int { return strings.Compare(a.Key, b.Key) })
	}
}

func TestSlimForReadabilityRestores(t *testing.T) {
	doc, err := parseHTML(slimPage)
	if err != nil {
		t.Fatal(err)
	}
	sortAttrs(doc)
	want := render(t, doc)

	restore := slimForReadability(doc)
	slim := render(t, doc)
	for _, gone := range []string{"<script", "<style", "<svg", "<!--", "<nav", "<aside", "<footer", "<header",
		"<link", "Hidden promo", "Screen reader hidden", "Hidden paragraph", "data-id", "onclick", "tabindex", "data-slot"} {
		if strings.Contains(slim, gone) {
			t.Errorf("slimmed page still has %q:\n%s", gone, slim)
		}
	}
	for _, kept := range []string{`class="story"`, `id="story"`, `<title>Quay lamps | Ledger</title>`,
		`data-src="/lamp-large.jpg"`, "Harbour masters met", "The fund starts in June", `rel="author"`} {
		if !strings.Contains(slim, kept) {
			t.Errorf("slimmed page lost %q:\n%s", kept, slim)
		}
	}
	restore()
	sortAttrs(doc)
	if got := render(t, doc); got != want {
		t.Errorf("page after restore differs:\n got %s\nwant %s", got, want)
	}
}

func TestReadabilityAndExtractLeaveDocAlone(t *testing.T) {
	doc, err := parseHTML(slimPage)
	if err != nil {
		t.Fatal(err)
	}
	sortAttrs(doc)
	want := render(t, doc)
	base, _ := url.Parse("https://ledger.example/world/quay-lamps")

	node := readabilityNode(doc, base)
	if node == nil {
		t.Fatal("readabilityNode = nil; want the story")
	}
	var texts []string
	for _, b := range collectBlocks(node, nil) {
		texts = append(texts, b.Text)
	}
	got := strings.Join(texts, "\n")
	if !strings.Contains(got, "Harbour masters met") || !strings.Contains(got, "The fund starts in June") {
		t.Errorf("readability pick = %q; want both paragraphs", got)
	}
	for _, bad := range []string{"Hidden", "Most read", "World", "©", "-"} {
		if slices.Contains(texts, bad) || strings.Contains(got, bad+" ") {
			t.Errorf("readability pick has %q: %q", bad, got)
		}
	}
	for _, haveDate := range []bool{false, true} {
		if _, err := extract(doc, base, haveDate); err != nil {
			t.Fatalf("extract(haveDate %v): %v", haveDate, err)
		}
	}
	sortAttrs(doc)
	if got := render(t, doc); got != want {
		t.Errorf("page changed by readability or extract:\n got %s\nwant %s", got, want)
	}
}

func TestReadabilityTextLen(t *testing.T) {
	doc, err := parseHTML(`<html><head><title>T</title><script>var long = "not counted at all";</script></head>` +
		`<body><nav>Menu items</nav><p>abc</p><div hidden>hidden text</div><p style="visibility:hidden">gone</p>` +
		`<p>de</p><footer>foot</footer></body></html>`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readabilityTextLen(doc), len("T")+len("abc")+len("de"); got != want {
		t.Errorf("readabilityTextLen = %d; want %d", got, want)
	}
}

func TestWordCount(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"   ", 0},
		{"one", 1},
		{" two  words ", 2},
		{"tab\tand\nnewline\u00a0nbsp", 4},
		{"東京都の会議", 3},           // six ideographs and kana, about three words
		{"Tokyo 東京 meeting", 3}, // two ideographs count as one
	}
	for _, tt := range tests {
		if got := wordCount(tt.in); got != tt.want {
			t.Errorf("wordCount(%q) = %d; want %d", tt.in, got, tt.want)
		}
	}
}

func TestNormSpace(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain text", "plain text"},
		{"  padded  ", "padded"},
		{"two  spaces", "two spaces"},
		{"line\nbreak", "line break"},
		{"no\u00a0break", "no break"},
		{"zero\u200bwidth", "zerowidth"},
		{"soft\u00adhyphen", "softhyphen"},
		{"bad \xff byte", "bad \ufffd byte"},
	}
	for _, tt := range tests {
		if got := normSpace(tt.in); got != tt.want {
			t.Errorf("normSpace(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	// Text already in shape comes back as it is, without a copy.
	s := "already normal text"
	if got := normSpace(s); got != s || testing.AllocsPerRun(10, func() { normSpace(s) }) != 0 {
		t.Errorf("normSpace(%q) copied or changed the text", s)
	}
}

func TestIsSocialList(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"facebook twitter whatsapp", true},
		{"share: facebook | x | e-mail", true},
		{"facebook and the council", false},
		{"", false},
		{"| - |", false},
	}
	for _, tt := range tests {
		if got := isSocialList(tt.in); got != tt.want {
			t.Errorf("isSocialList(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}
