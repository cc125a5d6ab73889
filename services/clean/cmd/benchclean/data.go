package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/segmentio/encoding/json"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The evaluation sets, by short name.
const (
	setTrafilatura = "trafilatura"
	setFundus      = "fundus"
	setReadability = "readability"
	setHtmldate    = "htmldate"
)

var allSets = []string{setTrafilatura, setFundus, setReadability, setHtmldate}

// page is one evaluation page: where its HTML is and what the set says
// the right answers are.
type page struct {
	Set  string
	ID   string
	URL  string
	Path string // gzip-compressed HTML
	Gold gold
}

// gold holds the expected values; a field a set does not annotate is
// left empty and not scored.
type gold struct {
	With, Without []string   // trafilatura-eval snippets
	Title         string     // all sets but htmldate
	Author        string     // trafilatura-eval: one string, lists joined by "; "
	Authors       []string   // fundus
	Byline        string     // readability
	Date          string     // YYYY-MM-DD; "none" when the set says the page has no date
	DateTime      *time.Time // fundus, full timestamp
	Body          string     // fundus, readability: the expected article text
}

// loadSets reads the index of each named set under dir. limit > 0 keeps
// the first limit pages of each set.
func loadSets(dir string, sets []string, limit int) ([]page, error) {
	var out []page
	for _, s := range sets {
		var ps []page
		var err error
		switch s {
		case setTrafilatura:
			ps, err = loadTrafilatura(filepath.Join(dir, "trafilatura-eval"))
		case setFundus:
			ps, err = loadFundus(filepath.Join(dir, "fundus-parser-testdata"))
		case setReadability:
			ps, err = loadReadability(filepath.Join(dir, "readability-test-pages"))
		case setHtmldate:
			ps, err = loadHtmldate(filepath.Join(dir, "htmldate-eval"))
		default:
			return nil, fmt.Errorf("unknown set %q (want one of %s)", s, strings.Join(allSets, ", "))
		}
		if err != nil {
			return nil, fmt.Errorf("set %s: %w", s, err)
		}
		if limit > 0 && len(ps) > limit {
			ps = ps[:limit]
		}
		out = append(out, ps...)
	}
	return out, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	// Python's json writes NaN for a missing date; Go's rejects it.
	b = bytes.ReplaceAll(b, []byte(": NaN"), []byte(": null"))
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func loadTrafilatura(dir string) ([]page, error) {
	var idx map[string]struct {
		File    string   `json:"file"`
		With    []string `json:"with"`
		Without []string `json:"without"`
		Title   string   `json:"title"`
		Author  any      `json:"author"`
		Date    string   `json:"date"`
	}
	if err := readJSON(filepath.Join(dir, "evaldata.json"), &idx); err != nil {
		return nil, err
	}
	var out []page
	for u, e := range idx {
		path := ""
		for _, sub := range []string{"cache", "eval"} {
			p := filepath.Join(dir, "html", sub, e.File+".gz")
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
		if path == "" {
			continue
		}
		g := gold{With: e.With, Without: e.Without, Title: e.Title, Date: e.Date}
		switch a := e.Author.(type) {
		case string:
			g.Author = a
		case []any:
			var names []string
			for _, n := range a {
				if s, ok := n.(string); ok {
					names = append(names, s)
				}
			}
			g.Author = strings.Join(names, "; ")
		}
		out = append(out, page{Set: setTrafilatura, ID: e.File, URL: u, Path: path, Gold: g})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func loadFundus(dir string) ([]page, error) {
	var idx []struct {
		HTML     string `json:"html"`
		Expected string `json:"expected"`
		Key      string `json:"key"`
		URL      string `json:"url"`
	}
	if err := readJSON(filepath.Join(dir, "index.json"), &idx); err != nil {
		return nil, err
	}
	type section struct {
		Headline   []string `json:"headline"`
		Paragraphs []string `json:"paragraphs"`
	}
	type entry struct {
		Title   string   `json:"title"`
		Authors []string `json:"authors"`
		Date    string   `json:"publishing_date"`
		Body    struct {
			Summary  []string  `json:"summary"`
			Sections []section `json:"sections"`
		} `json:"body"`
	}
	var out []page
	for _, e := range idx {
		var versions map[string]entry
		if err := readJSON(filepath.Join(dir, e.Expected), &versions); err != nil {
			return nil, err
		}
		v, ok := versions[e.Key]
		if !ok {
			return nil, fmt.Errorf("%s has no version %s", e.Expected, e.Key)
		}
		var body []string
		body = append(body, v.Body.Summary...)
		for _, s := range v.Body.Sections {
			body = append(body, s.Headline...)
			body = append(body, s.Paragraphs...)
		}
		g := gold{Title: v.Title, Authors: v.Authors, Body: strings.Join(body, "\n")}
		if v.Authors == nil {
			g.Authors = nil
		}
		if t, err := time.Parse("2006-01-02 15:04:05Z07:00", v.Date); err == nil {
			g.DateTime = &t
			g.Date = t.Format("2006-01-02")
		}
		out = append(out, page{Set: setFundus, ID: e.HTML, URL: e.URL, Path: filepath.Join(dir, e.HTML), Gold: g})
	}
	return out, nil
}

func loadReadability(dir string) ([]page, error) {
	ents, err := os.ReadDir(filepath.Join(dir, "pages"))
	if err != nil {
		return nil, err
	}
	var out []page
	for _, d := range ents {
		if !d.IsDir() {
			continue
		}
		pd := filepath.Join(dir, "pages", d.Name())
		var md struct {
			Title         string `json:"title"`
			Byline        string `json:"byline"`
			PublishedTime string `json:"publishedTime"`
		}
		if err := readJSON(filepath.Join(pd, "expected-metadata.json"), &md); err != nil {
			return nil, err
		}
		exp, err := readGz(filepath.Join(pd, "expected.html.gz"))
		if err != nil {
			return nil, err
		}
		g := gold{Title: md.Title, Byline: md.Byline, Body: htmlText(exp)}
		if md.PublishedTime != "" {
			if t, ok := parseAnyTime(md.PublishedTime); ok {
				g.DateTime = &t
				g.Date = t.Format("2006-01-02")
			}
		}
		out = append(out, page{Set: setReadability, ID: d.Name(), URL: "http://fakehost/test/page.html",
			Path: filepath.Join(pd, "source.html.gz"), Gold: g})
	}
	return out, nil
}

func loadHtmldate(dir string) ([]page, error) {
	var idx map[string]struct {
		File string  `json:"file"`
		Date *string `json:"date"`
	}
	if err := readJSON(filepath.Join(dir, "eval_mediacloud_2020.json"), &idx); err != nil {
		return nil, err
	}
	var out []page
	for u, e := range idx {
		p := filepath.Join(dir, "html", "test_set", e.File+".gz")
		if _, err := os.Stat(p); err != nil {
			continue
		}
		g := gold{Date: "none"}
		if e.Date != nil && *e.Date != "" {
			g.Date = *e.Date
		}
		out = append(out, page{Set: setHtmldate, ID: e.File, URL: u, Path: p, Gold: g})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func readGz(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// htmlText is the visible text of an HTML fragment, one line per block.
func htmlText(b []byte) string {
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		return ""
	}
	var sb strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			sb.WriteString(n.Data)
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Noscript, atom.Head:
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.P, atom.Div, atom.Li, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
				atom.Br, atom.Tr, atom.Td, atom.Th, atom.Blockquote, atom.Pre, atom.Figcaption:
				sb.WriteByte('\n')
			}
		}
	}
	walk(doc)
	return sb.String()
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02T15:04Z07:00",
	"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05", "2006-01-02", time.RFC1123Z, time.RFC1123}

func parseAnyTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// errNoData says the evaluation data is not where the flag points.
var errNoData = errors.New("evaluation data not found")

func checkData(dir string, sets []string) error {
	names := map[string]string{setTrafilatura: "trafilatura-eval", setFundus: "fundus-parser-testdata",
		setReadability: "readability-test-pages", setHtmldate: "htmldate-eval"}
	for _, s := range sets {
		if _, err := os.Stat(filepath.Join(dir, names[s])); err != nil {
			return fmt.Errorf("%w: no %s under %s", errNoData, names[s], dir)
		}
	}
	return nil
}
