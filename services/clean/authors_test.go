package clean

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitAuthorsDateTails(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"By Mara Lind March 25, 2031", []string{"Mara Lind"}},
		{"Mara Lind - Apr 3, 2031 10:04 am", []string{"Mara Lind"}},
		{"Von Ilse Marrow, 3. März 2031", []string{"Ilse Marrow"}},
		{"Tomas Quill12 Apr 2031", []string{"Tomas Quill"}},
		{"Petra May and Oskar Fenn", []string{"Petra May", "Oskar Fenn"}}, // a month name as a surname stays
		{"By Mara Lind Thursday, March 6, 2031", []string{"Mara Lind"}},
		{"Jana Roth Donnerstag, 6. März 2031", []string{"Jana Roth"}},
		{"Jörn Brack am 6. März 2031 um 10:15 Uhr", []string{"Jörn Brack"}},
		{"Jörn Brack am", []string{"Jörn Brack"}},
		{"Veröffentlicht von Ilse Marrow", []string{"Ilse Marrow"}},
		{"Tomas Quill ·", []string{"Tomas Quill"}},
		{"SJ. Um; MD. Mayer", []string{"SJ. Um", "MD. Mayer"}}, // a surname "Um" is not German "um"
		{"Interview: Mara Lind", []string{"Mara Lind"}},
		{"Text und Fotos: Jana Roth", []string{"Jana Roth"}},
		{"Tomas Quill at", []string{"Tomas Quill"}},
		{"Jana Roth Stand: 06.03.2031", []string{"Jana Roth"}},
		{"Jana Roth Alle Artikel", []string{"Jana Roth"}},
		{"Mara Lind @maralind", []string{"Mara Lind"}},
		{"Reef Ledger (www.reef-ledger.example)", []string{"Reef Ledger"}},
		{"Ilse Marrow, PhD", []string{"Ilse Marrow"}},
		{"Donnerstag", nil},
		{"Organization for Reef Works", []string{"Organization for Reef Works"}},
		{"Mara Lind (avec Tomas Quill et Ilse Marrow)", []string{"Mara Lind", "Tomas Quill", "Ilse Marrow"}},
		{"Jana Roth (with Oskar Fenn)", []string{"Jana Roth", "Oskar Fenn"}},
	}
	for _, tt := range tests {
		if got := splitAuthors(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("splitAuthors(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestBylineNames(t *testing.T) {
	story := "<p>" + strings.Join(storyParas, "</p><p>") + "</p>"
	tests := []struct {
		name, page string
		want       []string
	}{
		{"comment bylines after the article's are not authors",
			`<article><h1>Reef states agree lamp fund</h1><div class="meta"><span class="byline">By Mara Lind</span></div>` + story +
				`</article><section class="comments"><div class="c"><span class="author">Oskar Fenn</span><p>Good.</p></div>` +
				`<div class="c"><span class="author">Petra Lund</span><p>Bad.</p></div></section>`,
			[]string{"Mara Lind"}},
		{"authors side by side are all kept",
			`<article><h1>Reef states agree lamp fund</h1><p class="by"><a rel="author" href="/a">Mara Lind</a> and <a rel="author" href="/b">Tomas Quill</a></p>` + story + `</article>`,
			[]string{"Mara Lind", "Tomas Quill"}},
		{"a byline's parts side by side, marked by a test id",
			`<article><h1>Reef states agree lamp fund</h1><div data-testid="prism-byline"><span>By</span><span><a href="/staff/tq">Tomas Quill</a></span>` +
				`<span>Thursday, March 6, 2031</span></div>` + story + `</article>`,
			[]string{"Tomas Quill"}},
		{"a byline class with a prefix",
			`<article><h1>Reef states agree lamp fund</h1><p class="c-article__byline">By <b>Ilse</b> <b>Marrow</b></p>` + story + `</article>`,
			[]string{"Ilse Marrow"}},
		{"a byline without a name does not anchor",
			`<article><h1>Reef states agree lamp fund</h1><div class="byline">Staff</div><div class="x"><span class="author">Ilse Marrow</span></div>` + story + `</article>`,
			[]string{"Ilse Marrow"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := cleanPage(t, `<!DOCTYPE html><html><head><title>Reef states agree lamp fund</title></head><body>`+tt.page+`</body></html>`)
			if !slices.Equal(out.Meta.Authors, tt.want) || out.Meta.Sources["authors"] != srcByline {
				t.Errorf("authors = %q from %q; want %q from byline", out.Meta.Authors, out.Meta.Sources["authors"], tt.want)
			}
		})
	}
}

// TestPictureCreditsAreNotAuthors: the author of a photograph, in a
// figure or an image's microdata, is not the article's author.
func TestPictureCreditsAreNotAuthors(t *testing.T) {
	story := "<p>" + strings.Join(storyParas, "</p><p>") + "</p>"
	tests := []struct {
		name, head, page string
		want             []string
		src              string
	}{
		{"image microdata beside a meta author",
			`<meta name="author" content="Mara Lind">`,
			`<article><h1>Reef states agree lamp fund</h1>` +
				`<div itemprop="image" itemscope itemtype="http://schema.org/ImageObject"><meta itemprop="url" content="/lamp.jpg">` +
				`<meta itemprop="author" content="(Image: Harbour Photo Agency)"></div>` + story + `</article>`,
			[]string{"Mara Lind"}, srcMeta},
		{"image microdata alone",
			``,
			`<article><h1>Reef states agree lamp fund</h1><div class="byline">By Tomas Quill</div>` +
				`<span itemscope itemtype="https://schema.org/ImageObject"><meta itemprop="author" content="Ilse Marrow"></span>` + story + `</article>`,
			[]string{"Tomas Quill"}, srcByline},
		{"photographer in a figure caption",
			``,
			`<article><h1>Reef states agree lamp fund</h1><figure><img src="/lamp.jpg" alt=""><figcaption>The new lamp. ` +
				`<span class="author">Oskar Fenn</span></figcaption></figure><p class="byline">By Petra Lund</p>` + story + `</article>`,
			[]string{"Petra Lund"}, srcByline},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := cleanPage(t, `<!DOCTYPE html><html><head><title>Reef states agree lamp fund</title>`+tt.head+`</head><body>`+tt.page+`</body></html>`)
			if !slices.Equal(out.Meta.Authors, tt.want) || out.Meta.Sources["authors"] != tt.src {
				t.Errorf("authors = %q from %q; want %q from %s", out.Meta.Authors, out.Meta.Sources["authors"], tt.want, tt.src)
			}
		})
	}
}

func TestLooksLikeHost(t *testing.T) {
	for name, want := range map[string]bool{
		"Www Reef Ledger Com": true, "Reefledger De": true, "Kath Net": true, "Ledger Org": true,
		"Ilse Marrow": false, "Tomas Quill": false, "Com": false, "Mara De Lind": false,
	} {
		if got := looksLikeHost(name); got != want {
			t.Errorf("looksLikeHost(%q) = %v; want %v", name, got, want)
		}
	}
	for _, s := range []string{"Unbenannt", "Untitled", "Now", "Uppdaterad"} {
		if got := splitAuthors(s); got != nil {
			t.Errorf("splitAuthors(%q) = %q; want none", s, got)
		}
	}
}
