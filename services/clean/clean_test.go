package clean

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
	"golang.org/x/net/html/charset"

	"github.com/newsflow/newsflow/internal/pipeline"
	"github.com/newsflow/newsflow/proto"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

// testNow is the fixed clock of the tests; the fixtures are dated April 2031.
var testNow = time.Date(2031, 5, 1, 0, 0, 0, 0, time.UTC)

// fixture describes one page fed to Clean.
type fixture struct {
	name        string // golden file: testdata/<name>.golden.json
	file        string // page under testdata/, UTF-8
	kind        string
	url         string
	contentType string
	encode      string // re-encode the page to this charset before cleaning
	dropMeta    bool   // remove <meta> charset declarations
	hints       proto.Hints
}

var fixtures = []fixture{
	{name: "html_full", file: "summit_full.html", kind: proto.KindHTML, url: "https://ledger.example/world/port-valen-grain?utm_medium=rss"},
	{name: "html_og", file: "summit_og.html", kind: proto.KindHTML, url: "https://coastline.example/news/lighthouse-fund-backing/?ref=home"},
	{name: "html_short_fallback", file: "summit_short.html", kind: proto.KindHTML, url: "https://notes.example/valen/rooms",
		hints: proto.Hints{PublishedAt: timePtr(time.Date(2031, 4, 13, 20, 0, 0, 0, time.UTC))}},
	{name: "html_ru_1251_meta", file: "ru_summit.utf8.html", kind: proto.KindHTML, url: "https://vestnik.example/ru/koridor", encode: "windows-1251"},
	{name: "html_ru_1251_header", file: "ru_summit.utf8.html", kind: proto.KindHTML, url: "https://vestnik.example/ru/koridor", encode: "windows-1251", dropMeta: true, contentType: "text/html; charset=windows-1251"},
	{name: "html_ru_1251_undeclared", file: "ru_summit.utf8.html", kind: proto.KindHTML, url: "https://vestnik.example/ru/koridor", encode: "windows-1251", dropMeta: true},
	{name: "html_latin_undeclared", file: "latin_summit.utf8.html", kind: proto.KindHTML, url: "https://quay.example/cafes", encode: "windows-1252"},
	{name: "html_sniffed", file: "summit_og.html", kind: "", url: "https://coastline.example/news/lighthouse-fund-backing/"},
	{name: "text_blank_lines", file: "summit_blank.txt", kind: proto.KindText, url: "urn:newsflow:file:0001"},
	{name: "text_single_lines", file: "summit_lines.txt", kind: proto.KindText, url: "urn:newsflow:file:0002",
		hints: proto.Hints{Title: "Port Valen summit closes with joint declaration"}},
	{name: "text_wrapped", file: "summit_wrapped.txt", kind: "", url: "urn:newsflow:file:0003"},
}

func timePtr(t time.Time) *time.Time { return &t }

func newTestCleaner(tb testing.TB) *Cleaner {
	tb.Helper()
	c := New(Config{}, zaptest.NewLogger(tb))
	c.now = func() time.Time { return testNow }
	return c
}

// MustFetched builds the news.fetched message of a fixture.
func MustFetched(tb testing.TB, f fixture) *proto.Fetched {
	tb.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", f.file))
	if err != nil {
		tb.Fatal(err)
	}
	if f.dropMeta {
		body = regexp.MustCompile(`(?i)<meta[^>]+charset[^>]*>\n?`).ReplaceAll(body, nil)
	}
	if f.encode != "" {
		enc, _ := charset.Lookup(f.encode)
		if enc == nil {
			tb.Fatalf("no encoding %q", f.encode)
		}
		if body, err = enc.NewEncoder().Bytes(body); err != nil {
			tb.Fatalf("encode %s as %s: %v", f.file, f.encode, err)
		}
	}
	in := &proto.Fetched{
		Envelope: proto.Envelope{
			Schema:          proto.SchemaFetched,
			ArticleID:       proto.ArticleID(f.url),
			URL:             f.url,
			Source:          "fixtures",
			PipelineVersion: "test",
			TraceID:         "trace-" + f.name,
			ProducedAt:      testNow.Add(-time.Hour),
		},
		Hints:       f.hints,
		ContentType: f.contentType,
		FetchedAt:   testNow.Add(-2 * time.Hour),
		Kind:        f.kind,
		File:        f.file,
	}
	if err := in.SetBody(body); err != nil {
		tb.Fatal(err)
	}
	return in
}

func TestCleanGolden(t *testing.T) {
	c := newTestCleaner(t)
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			in := MustFetched(t, f)
			out, err := c.Clean(context.Background(), in)
			if err != nil {
				t.Fatalf("Clean(%s) error: %v", f.file, err)
			}
			got, err := json.MarshalIndent(out, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", f.name+".golden.json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Clean(%s) differs from %s (go test -update rewrites it):\n%s", f.file, path, got)
			}
		})
	}
}

// TestCleanContent checks what the golden files are meant to show: the
// paragraphs that must stay, the furniture that must go, the metadata.
func TestCleanContent(t *testing.T) {
	c := newTestCleaner(t)
	byName := map[string]fixture{}
	for _, f := range fixtures {
		byName[f.name] = f
	}
	tests := []struct {
		name        string
		keep        []string
		drop        []string
		title       string
		authors     []string
		published   string
		modified    string
		site        string
		canonical   string
		language    string
		image       string
		description string
		sources     map[string]string
		kinds       []string // the block kinds, in order, when set
	}{
		{
			name: "html_full",
			keep: []string{
				"Delegates from eleven harbour states agreed on Tuesday",
				"A customs pilot for small shippers",
				"For the first time, a fisherman in Lesk",
				"bulk grain moved under bond",
				"The next summit is due to meet in Amberhold",
			},
			drop: []string{"READ MORE", "Also read", "We use cookies", "newsletter", "Leave a Comment",
				"Your email address", "Finally some sense", "Storm closes Lesk", "All rights reserved", "WhatsApp"},
			title:     "Harbour states sign grain corridor pact at Port Valen summit",
			authors:   []string{"Ilse Marrow", "Tomas Quill"},
			published: "2031-04-14T09:30:00+02:00",
			modified:  "2031-04-14T16:05:00+02:00",
			site:      "The Meridian Ledger",
			canonical: "https://ledger.example/world/2031/04/14/port-valen-grain-corridor",
			language:  "en",
			image:     "https://ledger.example/media/2031/valen-quay.jpg",
			sources: map[string]string{"title": "json-ld", "authors": "json-ld", "published_at": "json-ld",
				"canonical_url": "html", "site_name": "og", "language": "html", "image": "og", "description": "meta"},
		},
		{
			name: "html_og",
			keep: []string{"Coastal ministers meeting on the sidelines", "Harbour masters welcomed the deal",
				"The ministers will meet again in June"},
			drop:      []string{"Share.", "Read more", "ADVERTISEMENT", "MORE FROM", "Ferry strike ends", "Island school", "Contact us"},
			title:     "Lighthouse fund wins backing from coastal ministers",
			authors:   []string{"Petra Lund", "Oskar Fenn"},
			published: "2031-04-15T11:00:00-03:00",
			modified:  "2031-04-15T18:20:00-03:00",
			site:      "Coastline Daily",
			canonical: "https://coastline.example/news/lighthouse-fund-backing/",
			language:  "en",
			image:     "https://cdn.coastline.example/img/lighthouse.jpg",
			sources:   map[string]string{"title": "html", "authors": "meta", "published_at": "time", "canonical_url": "og", "language": "meta"},
		},
		{
			name:      "html_short_fallback",
			keep:      []string{"Port Valen ran out of hotel rooms", "Some delegates slept on a ferry"},
			drop:      []string{"Home", "Archive", "Share on Facebook"},
			title:     "Summit notebook",
			published: "2031-04-13T20:00:00Z",
			canonical: "https://notes.example/valen/rooms",
			sources:   map[string]string{"published_at": "hints", "canonical_url": "url"},
		},
		{
			name:      "html_ru_1251_meta",
			keep:      []string{"Делегаты одиннадцати портовых государств", "Следующий саммит пройдёт весной"},
			drop:      []string{"Читайте также", "Наконец-то", "Все права защищены", "Главная"},
			title:     "Порт-Вален: страны гавани подписали зерновой коридор",
			authors:   []string{"Анна Соколова"},
			published: "2031-04-14T12:00:00+03:00",
			site:      "Вестник Побережья",
			language:  "ru",
		},
		{name: "html_ru_1251_header", keep: []string{"Делегаты одиннадцати портовых государств"}, title: "Порт-Вален: страны гавани подписали зерновой коридор", language: "ru"},
		{name: "html_ru_1251_undeclared", keep: []string{"Делегаты одиннадцати портовых государств"}, title: "Порт-Вален: страны гавани подписали зерновой коридор", language: "ru"},
		{
			name:    "html_latin_undeclared",
			keep:    []string{"crêpes between sessions", "Renée Dubois", "crème brûlée"},
			drop:    []string{"By José Müller"},
			title:   "Café owners on the quay count the summit’s takings",
			authors: []string{"José Müller"},
		},
		{name: "html_sniffed", keep: []string{"Coastal ministers meeting on the sidelines"}, title: "Lighthouse fund wins backing from coastal ministers"},
		{
			name: "text_blank_lines",
			keep: []string{"Ministers from eleven harbour states spent two days", "The corridor lets bonded grain pass",
				"A corridor on paper is easy"},
			drop:    []string{"READ MORE", "Share.", "Exit mobile version", "Leave a Comment", "Your email address"},
			title:   "Port Valen summit: will the harbour alliance hold?",
			sources: map[string]string{"title": "text"},
			kinds:   []string{"p", "h", "p", "p"},
		},
		{
			name: "text_single_lines",
			keep: []string{"The trade summit in Port Valen closed on Thursday", "We came for a corridor",
				"The next summit will meet in Amberhold in the spring."},
			drop: []string{"READ MORE", "Ferry strike ends", "New tide tables", "Island school", "VENUE", "THE SUMMIT IN PICTURES",
				"There is still time", "terms of entry", "Comments", "special correspondent"},
			title:   "Port Valen summit closes with joint declaration",
			authors: []string{"Ilse Marrow"},
			sources: map[string]string{"title": "hints", "authors": "byline"},
		},
		{
			name: "text_wrapped",
			keep: []string{
				"The dockworkers' federation said on Friday it would monitor the new customs pilot agreed at the Port Valen summit, warning that simpler paperwork could mean fewer clerks on the smaller quays.",
				"a promise that no post will close during the pilot",
				"sent to all eleven delegations on the last day of the summit."},
			drop:    []string{"ADVERTISEMENT", "cookies", "newsletter", "Facebook"},
			title:   "Dockworkers vow to watch customs pilot",
			authors: []string{"Bram Holt", "Senna Roe"},
			kinds:   []string{"p", "p", "li", "li", "li", "p"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := byName[tt.name]
			if !ok {
				t.Fatalf("no fixture %q", tt.name)
			}
			in := MustFetched(t, f)
			out, err := c.Clean(context.Background(), in)
			if err != nil {
				t.Fatalf("Clean(%s) error: %v", f.file, err)
			}
			for _, s := range tt.keep {
				if !strings.Contains(out.Text, s) {
					t.Errorf("text lacks %q; got:\n%s", s, out.Text)
				}
			}
			for _, s := range tt.drop {
				if strings.Contains(out.Text, s) {
					t.Errorf("text keeps furniture %q; got:\n%s", s, out.Text)
				}
			}
			m := out.Meta
			check := func(field, got, want string) {
				if want != "" && got != want {
					t.Errorf("Meta.%s = %q; want %q", field, got, want)
				}
			}
			check("Title", m.Title, tt.title)
			check("SiteName", m.SiteName, tt.site)
			check("CanonicalURL", m.CanonicalURL, tt.canonical)
			check("Language", m.Language, tt.language)
			check("Image", m.Image, tt.image)
			check("Description", m.Description, tt.description)
			check("PublishedAt", fmtTime(m.PublishedAt), tt.published)
			check("ModifiedAt", fmtTime(m.ModifiedAt), tt.modified)
			if tt.authors != nil && !slices.Equal(m.Authors, tt.authors) {
				t.Errorf("Meta.Authors = %q; want %q", m.Authors, tt.authors)
			}
			for k, want := range tt.sources {
				if got := m.Sources[k]; got != want {
					t.Errorf("Meta.Sources[%q] = %q; want %q", k, got, want)
				}
			}
			if tt.kinds != nil {
				var kinds []string
				for _, b := range out.Blocks {
					kinds = append(kinds, b.Kind)
				}
				if !slices.Equal(kinds, tt.kinds) {
					t.Errorf("block kinds = %q; want %q", kinds, tt.kinds)
				}
			}
		})
	}
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.RFC3339)
}

func TestCleanEnvelope(t *testing.T) {
	c := newTestCleaner(t)
	t.Run("declared canonical sets the article id", func(t *testing.T) {
		in := MustFetched(t, fixtures[0])
		out, err := c.Clean(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if want := proto.ArticleID(out.Meta.CanonicalURL); out.ArticleID != want {
			t.Errorf("ArticleID = %q; want %q (hash of the canonical URL)", out.ArticleID, want)
		}
		if out.Schema != proto.SchemaCleaned || out.URL != in.URL || out.Source != in.Source ||
			out.TraceID != in.TraceID || out.PipelineVersion != in.PipelineVersion || !out.ProducedAt.Equal(testNow) ||
			!out.FetchedAt.Equal(in.FetchedAt) {
			t.Errorf("envelope = %+v; want the input's with schema %s and ProducedAt now", out.Envelope, proto.SchemaCleaned)
		}
		if out.ContentHash != proto.ContentHash([]byte(out.Text)) {
			t.Errorf("ContentHash does not hash Text")
		}
		var texts []string
		for _, b := range out.Blocks {
			texts = append(texts, b.Text)
		}
		if got := strings.Join(texts, "\n\n"); got != out.Text {
			t.Errorf("Text is not the blocks joined by blank lines")
		}
	})
	t.Run("no canonical keeps the article id", func(t *testing.T) {
		in := MustFetched(t, fixtures[2])
		in.ArticleID = "keep-me"
		out, err := c.Clean(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if out.ArticleID != "keep-me" {
			t.Errorf("ArticleID = %q; want the input's %q", out.ArticleID, "keep-me")
		}
	})
	t.Run("gzip body", func(t *testing.T) {
		in := MustFetched(t, fixtures[0])
		raw, _ := in.RawBody(0)
		big := append(bytes.Clone(raw), bytes.Repeat([]byte("<!-- padding -->\n"), 4000)...)
		if err := in.SetBody(big); err != nil {
			t.Fatal(err)
		}
		if in.BodyEncoding != proto.BodyGzip {
			t.Fatalf("fixture body not gzipped")
		}
		if _, err := c.Clean(context.Background(), in); err != nil {
			t.Errorf("Clean(gzip) error: %v", err)
		}
	})
	t.Run("handle returns one article", func(t *testing.T) {
		outs, err := c.Handle(context.Background(), MustFetched(t, fixtures[8]))
		if err != nil || len(outs) != 1 {
			t.Errorf("Handle = %d outputs, %v; want 1, nil", len(outs), err)
		}
	})
}

func TestCleanErrors(t *testing.T) {
	c := newTestCleaner(t)
	small := New(Config{MaxBodyBytes: 64}, zaptest.NewLogger(t))
	mk := func(kind string, body []byte, enc string) *proto.Fetched {
		return &proto.Fetched{Envelope: proto.Envelope{Schema: proto.SchemaFetched, URL: "https://bad.example/x"},
			Kind: kind, Body: body, BodyEncoding: enc}
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	deep := []byte(strings.Repeat("<div>", 5000) + "text" + strings.Repeat("</div>", 5000))
	tests := []struct {
		name      string
		cleaner   *Cleaner
		ctx       context.Context
		in        *proto.Fetched
		withError error
		permanent bool
	}{
		{name: "nil message", in: nil, withError: ErrNilMessage, permanent: true},
		{name: "empty body", in: mk(proto.KindHTML, nil, ""), withError: ErrEmptyBody, permanent: true},
		{name: "white space body", in: mk(proto.KindText, []byte(" \n\t\n "), ""), withError: ErrEmptyBody, permanent: true},
		{name: "invalid gzip", in: mk(proto.KindHTML, []byte("not gzip at all"), proto.BodyGzip), withError: proto.ErrMalformed, permanent: true},
		{name: "unknown body encoding", in: mk(proto.KindHTML, []byte("x"), "br"), withError: proto.ErrMalformed, permanent: true},
		{name: "oversized", cleaner: small, in: mk(proto.KindText, bytes.Repeat([]byte("word "), 100), ""), withError: proto.ErrBodyTooLarge, permanent: true},
		{name: "unknown kind", in: mk("pdf", []byte("%PDF-1.7"), ""), withError: ErrUnknownKind, permanent: true},
		{name: "only chrome text", in: mk(proto.KindText, mustRead(t, "only_chrome.txt"), ""), withError: ErrNoText, permanent: true},
		{name: "html without text", in: mk(proto.KindHTML, []byte("<html><body><nav><a href=/>Home</a></nav><script>x()</script></body></html>"), ""), withError: ErrNoText, permanent: true},
		{name: "binary garbage", in: mk("", []byte{0, 1, 2, 0xff, 0xfe, 0x80, 0, 0, 0x9c}, ""), withError: ErrNoText, permanent: true},
		{name: "nested too deep", in: mk(proto.KindHTML, deep, ""), withError: ErrMalformed, permanent: true},
		{name: "canceled", ctx: canceled, in: mk(proto.KindText, []byte("text"), ""), withError: context.Canceled, permanent: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := c
			if tt.cleaner != nil {
				cl = tt.cleaner
			}
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			out, err := cl.Clean(ctx, tt.in)
			if !errors.Is(err, tt.withError) {
				t.Fatalf("Expected error: %v; got: %v", tt.withError, err)
			}
			if out != nil {
				t.Errorf("Clean returned output with error %v", err)
			}
			if got := pipeline.IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v; want %v", err, got, tt.permanent)
			}
		})
	}
}

func mustRead(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestSniffKind(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"doctype", "<!DOCTYPE html><html><body>x</body></html>", proto.KindHTML},
		{"bom and spaces", "\xef\xbb\xbf  \n<html lang=en>", proto.KindHTML},
		{"fragment", "<div class=a><p>One</p><p>Two</p></div>", proto.KindHTML},
		{"plain text", "Summit closes\n\nMinisters met <3 times> in Port Valen.", proto.KindText},
		{"empty", "", proto.KindText},
	}
	for _, tt := range tests {
		if got := SniffKind([]byte(tt.in)); got != tt.want {
			t.Errorf("SniffKind(%s) = %q; want %q", tt.name, got, tt.want)
		}
	}
}

func TestSplitAuthors(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"By Jane Doe and John Roe", []string{"Jane Doe", "John Roe"}},
		{"Jane Doe, John Roe", []string{"Jane Doe", "John Roe"}},
		{"Staff", nil},
		{"Reuters Staff", nil},
		{"Jane Doe, Senior Correspondent", []string{"Jane Doe"}},
		{"By JANE DOE | jane.doe@example.com", []string{"JANE DOE"}},
		{"Jane Doe Updated May 16, 2031", []string{"Jane Doe"}},
		{"https://example.com/authors/jane", nil},
		{"Анна Соколова и Пётр Лунин", []string{"Анна Соколова", "Пётр Лунин"}},
		// What widgets and licences put in an author's place.
		{"Username", nil},
		{"Follow Author", nil},
		{"Last Updated", nil},
		{"CC", nil},
		{"J J", nil},
		{"J. K. Lund", []string{"J. K. Lund"}},
		{"By Tomas Quill Jr. and Ilse M.", []string{"Tomas Quill Jr.", "Ilse M."}},
		{"Ilse Marrow.", []string{"Ilse Marrow"}},
		{"Post author By Ilse Marrow", []string{"Ilse Marrow"}},
		{"Name *", nil},
		{"Name (required)", nil},
		{"Posted", nil},
		{"Ilse Marrow; Datum", []string{"Ilse Marrow"}},
		{"Ilse Marrow und Tomas Quill", []string{"Ilse Marrow", "Tomas Quill"}},
		{"Ilse Marrow hace 2 horas", []string{"Ilse Marrow"}},
		{"Ilse Marrow vor 3 Stunden", []string{"Ilse Marrow"}},
		{"Ilse Marrow — veröffentlicht am 3. Mai", []string{"Ilse Marrow"}},
		{"Anonymous, Jane Doe", []string{"Jane Doe"}},
		{"Home Office", []string{"Home Office"}},
	}
	for _, tt := range tests {
		if got := splitAuthors(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("splitAuthors(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseByline(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"By Ilse Marrow and Tomas Quill", []string{"Ilse Marrow", "Tomas Quill"}},
		{"Ilse Marrow, international observer", []string{"Ilse Marrow"}},
		{"Par Ilse Marrow", []string{"Ilse Marrow"}},
		{"Von Ilse Marrow | 14.04.2031", []string{"Ilse Marrow"}},
		{"Von Beginn an war klar", nil},
		{"Von Ilse Marrow, Tomas Quill und Jan Lukas Brand, NDR", []string{"Ilse Marrow", "Tomas Quill", "Jan Lukas Brand", "NDR"}},
		{"By Harbour Wall, the crowd waited for an hour.", nil},
	}
	for _, tt := range tests {
		got, ok := parseByline(tt.in)
		if !slices.Equal(got, tt.want) || ok != (tt.want != nil) {
			t.Errorf("parseByline(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestStripSiteSuffix(t *testing.T) {
	tests := []struct {
		title, site, host, want string
	}{
		{"Summit closes | The Ledger", "The Ledger", "", "Summit closes"},
		{"Summit closes - Coastline Daily", "Coastline Daily", "", "Summit closes"},
		{"Summit closes – Ledger", "", "www.ledger.example", "Summit closes"},
		{"Ledger | Summit closes in Port Valen", "Ledger", "", "Summit closes in Port Valen"},
		{"Putin - Xi talks end", "", "", "Putin - Xi talks end"},
		{"Port Valen summit closes | News", "", "", "Port Valen summit closes"},
		// A tagline after the host: both go, one segment at a time.
		{"Pike season opens early | reef-angler.example | Your angling weekly", "", "www.reef-angler.example", "Pike season opens early"},
		// A site name that itself holds a separator.
		{"Tide tables - 12 weeks ahead - Mara Lind - Coastal Living", "Mara Lind - Coastal Living", "", "Tide tables - 12 weeks ahead"},
		// "›" and "•" set off the site name too.
		{"Ferry strike ends after late talks › harbour.example", "", "harbour.example", "Ferry strike ends after late talks"},
		{"Ferry strike ends after late talks • Harbour Post", "Harbour Post", "", "Ferry strike ends after late talks"},
		// After the first segment only site names go: a short section
		// label in the middle stays.
		{"Ferry strike ends | Local | Harbour Post", "Harbour Post", "", "Ferry strike ends | Local"},
		// A headline made of separated parts is left alone.
		{"Storm - Rain - Wind", "", "", "Storm - Rain - Wind"},
		// Chinese site and channel names, unspaced, with no site name given.
		{"渡轮冬季照常运行-港湾网", "", "www.harbour.example", "渡轮冬季照常运行"},
		{"渡轮冬季照常运行_交通频道_港湾网", "", "", "渡轮冬季照常运行"},
		{"港湾网", "", "", "港湾网"},
		{"雅_港湾网", "", "", "雅_港湾网"}, // too short a head to be a title
	}
	for _, tt := range tests {
		if got := stripSiteSuffix(tt.title, tt.site, tt.host); got != tt.want {
			t.Errorf("stripSiteSuffix(%q, %q, %q) = %q; want %q", tt.title, tt.site, tt.host, got, tt.want)
		}
	}
}

func TestTitleChoice(t *testing.T) {
	head := `<script type="application/ld+json">{"@type":"NewsArticle","headline":"Reef states agree lamp fund after long talks"}</script>`
	body := `<body><article><h1>%s</h1><p>` + strings.Join(storyParas, "</p><p>") + `</p></article></body></html>`
	tests := []struct {
		name, head, h1, want, src string
	}{
		{"structured headline when og differs and h1 agrees with it", head + `<meta property="og:title" content="Lamp fund agreed">`,
			"Reef states agree lamp fund after long talks", "Reef states agree lamp fund after long talks", srcJSONLD},
		{"og title when the h1 shows it", head + `<meta property="og:title" content="Lamp fund agreed">`,
			"Lamp fund agreed", "Lamp fund agreed", srcOG},
		{"h1 inside a title with a blog name", `<title>Lamp fund agreed » Notes from the Reef</title>`,
			"Lamp fund agreed", "Lamp fund agreed", srcHTML},
		{"h1 after a section label", `<title>Harbours: Lamp fund agreed</title>`,
			"Lamp fund agreed", "Lamp fund agreed", srcHTML},
		// h1 here may close itself and open a second heading: the site's
		// name as the first h1, then the article's heading.
		{"a later heading inside a title with a blog name", `<title>Reef Notes Archive » Lamp fund agreed after long talks</title>`,
			"Reef Notes</h1><h2>Lamp fund agreed after long talks", "Lamp fund agreed after long talks", srcHTML},
		{"a later heading after a colon is part of the headline", `<title>Harbour budget office: What does it do?</title>`,
			"Reef Notes</h1><h2>What does it do?", "Harbour budget office: What does it do?", srcHTML},
		{"a later heading shorter than the rest is the site's name", `<title>Reef states agree a lamp fund after long talks – Reef Notes Daily</title>`,
			"Lamp fund</h1><h2>Reef Notes Daily", "Reef states agree a lamp fund after long talks – Reef Notes Daily", srcHTML},
		{"h1 not at a separator", `<title>Lamp fund agreed today</title>`,
			"Lamp fund agreed", "Lamp fund agreed today", srcHTML},
		{"a description in the headline field loses to the h1 the title confirms",
			`<title>Lamp fund - Reef Encyclopedia</title><script type="application/ld+json">{"@type":"Article","headline":"fund for lamps on the outer reefs"}</script>`,
			"Lamp fund", "Lamp fund", srcHTML},
		{"the headline stays when the title agrees with it",
			`<title>Reef states agree lamp fund after long talks | Ledger</title><script type="application/ld+json">{"@type":"NewsArticle","headline":"Reef states agree lamp fund after long talks"}</script>`,
			"Lamp fund agreed", "Reef states agree lamp fund after long talks", srcJSONLD},
		{"a headline cut with an ellipsis still agrees with the h1",
			`<title>Reef states agree lamp fund | Ledger</title><script type="application/ld+json">{"@type":"NewsArticle","headline":"Reef states agree lamp fund..."}</script>`,
			"Reef states agree lamp fund", "Reef states agree lamp fund...", srcJSONLD},
		{"a title that only names the site gives way to the h1", `<title>Ledger</title>`,
			"Reef states agree lamp fund", "Reef states agree lamp fund", srcHTML},
		{"a one-word section title gives way to the h1", `<meta property="og:title" content="Pressemitteilungen">`,
			"Reef states agree lamp fund", "Reef states agree lamp fund", srcHTML},
		{"a one-word title stays over a short h1", `<meta property="og:title" content="Lampfund">`,
			"Lamp fund", "Lampfund", srcOG},
		{"the h1's kicker is no part of the headline", `<script type="application/ld+json">{"@type":"NewsArticle","headline":"Harbours: Lamp fund agreed after long talks"}</script>`,
			`<span class="heading__kicker">Harbours</span><span class="visually-hidden">: </span><span class="heading__title">Lamp fund agreed after long talks</span>`,
			"Lamp fund agreed after long talks", srcHTML},
		{"the words before a hidden separator in the h1 are a kicker", `<title>Harbours – Lamp fund agreed after long talks</title>`,
			`<span class="head">Harbours</span><span class="head_hiddendash" aria-hidden="true"> – </span><span>Lamp fund agreed after long talks</span>`,
			"Lamp fund agreed after long talks", srcHTML},
		{"a hidden separator before fewer words is no kicker's", `<title>Lamp fund agreed after long talks – Harbours</title>`,
			`<span>Lamp fund agreed after long talks</span><span class="sr-only"> – </span><span>Harbours</span>`,
			"Lamp fund agreed after long talks – Harbours", srcHTML},
		{"a topic label opening the h1 is no part of the headline", `<title>Harbours: Lamp fund agreed after long talks</title>`,
			`<div class="topic-label">Harbours</div> Lamp fund agreed after long talks`, "Lamp fund agreed after long talks", srcHTML},
		{"JSON-LD inside a CDATA section is read",
			`<title>Harbour page</title><script type="application/ld+json">//<![CDATA[
{"@type":"NewsArticle","headline":"Reef states agree lamp fund","datePublished":"2031-04-15T11:00:00+02:00"}
//]]></script>`,
			"Reef states agree lamp fund", "Reef states agree lamp fund", srcJSONLD},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := cleanPage(t, `<!DOCTYPE html><html><head>`+tt.head+`</head>`+fmt.Sprintf(body, tt.h1))
			if out.Meta.Title != tt.want || out.Meta.Sources["title"] != tt.src {
				t.Errorf("title = %q from %q; want %q from %q", out.Meta.Title, out.Meta.Sources["title"], tt.want, tt.src)
			}
		})
	}
}

func TestIsChrome(t *testing.T) {
	chrome := []string{"Share.", "SHARE THIS ARTICLE", "READ MORE : Something else", "Also read", "Leave a Comment",
		"Comments", "12 comments", "Exit mobile version", "Facebook Twitter WhatsApp", "ADVERTISEMENT",
		"We use cookies to improve your experience.", "Sign up for our newsletter", "0", "© 2031 Ledger",
		"Tags: summit, ports", "See also — the summit in pictures",
		"Lesen Sie auch: Ein anderer Gipfel", "Weitere Artikel", "Lea también: Otra cumbre en el puerto",
		"À lire aussi : le sommet", "Czytaj także", "Quelle: Hafenamt Port Valen", "Abbildung 2: Die Lampenkette.",
		"Kategorie: Häfen"}
	prose := []string{"The summit closed on Thursday.", "Read more about the corridor in the annex, officials said.",
		"Comments from the ministers were brief.", "Share prices rose in Amberhold after the deal.",
		"Weitere Gespräche sind für den Herbst geplant.", "Lea también el informe, dijo la ministra, antes de votar."}
	for _, s := range chrome {
		if !isChrome(s) {
			t.Errorf("isChrome(%q) = false; want true", s)
		}
	}
	for _, s := range prose {
		if isChrome(s) {
			t.Errorf("isChrome(%q) = true; want false", s)
		}
	}
}

func TestDecodeBody(t *testing.T) {
	enc1251, _ := charset.Lookup("windows-1251")
	ru, err := enc1251.NewEncoder().String("Делегаты одиннадцати портовых государств договорились")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, in, ct string
		meta         bool
		want, cs     string
	}{
		{"utf-8", "Zürich ok", "", true, "Zürich ok", "utf-8"},
		{"utf-8 wins over a stale header", "Zürich ok", "text/html; charset=windows-1251", true, "Zürich ok", "utf-8"},
		{"header", ru, "text/html; charset=windows-1251", false, "Делегаты одиннадцати портовых государств договорились", "windows-1251"},
		{"meta", `<meta charset="windows-1251">` + ru, "", true, `<meta charset="windows-1251">Делегаты одиннадцати портовых государств договорились`, "windows-1251"},
		{"cyrillic guess", ru, "", true, "Делегаты одиннадцати портовых государств договорились", "windows-1251"},
		{"latin guess", "caf\xe9 cr\xe8me br\xfbl\xe9e \x93quoted\x94", "", true, "café crème brûlée “quoted”", "windows-1252"},
		{"bom", "\xef\xbb\xbfhello", "", true, "hello", "utf-8"},
	}
	for _, tt := range tests {
		got, cs := decodeBody([]byte(tt.in), tt.ct, tt.meta)
		if got != tt.want || cs != tt.cs {
			t.Errorf("decodeBody(%s) = %q, %q; want %q, %q", tt.name, got, cs, tt.want, tt.cs)
		}
	}
}

func BenchmarkClean(b *testing.B) {
	c := New(Config{}, nil)
	c.now = func() time.Time { return testNow }
	for _, f := range fixtures {
		in := MustFetched(b, f)
		raw, _ := in.RawBody(0)
		b.Run(f.name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Clean(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestFallbackBlocks(t *testing.T) {
	doc, err := parseHTML(`<html><body><nav><p>Home</p></nav><div class="share-tools"><p>Share on Facebook</p></div>
<div class="story"><h2>Quay notes</h2><p>First paragraph of the story.</p><ul><li>one item</li></ul></div>
<footer><p>© 2031 Ledger</p></footer></body></html>`)
	if err != nil {
		t.Fatal(err)
	}
	got := fallbackBlocks(doc)
	want := []proto.Block{{Kind: "h", Text: "Quay notes"}, {Kind: "p", Text: "First paragraph of the story."}, {Kind: "li", Text: "one item"}}
	if !slices.Equal(got, want) {
		t.Errorf("fallbackBlocks = %+v; want %+v", got, want)
	}
}

// fuzzSeeds are small pages that reach the main paths: metadata sources,
// furniture, charsets, plain text. They are kept short on purpose: the
// fuzzer minimizes every input that finds new coverage, and on a
// page-sized input with an extractor this slow that takes the whole run
// (the fuzzer shows 0 execs/s meanwhile).
var fuzzSeeds = []struct {
	body string
	text bool
}{
	{`<html lang="en"><head><title>Quay talks | Ledger</title><meta property="og:title" content="Quay talks">
<meta property="article:published_time" content="2031-04-14T09:30:00+02:00"><script type="application/ld+json">
{"@type":"NewsArticle","headline":"Quay talks","author":{"@type":"Person","name":"Ilse Marrow"}}</script></head>
<body><nav><a href="/">Home</a></nav><article><h1>Quay talks</h1><p class="byline">By Ilse Marrow</p>
<p>Harbour masters met on Tuesday and agreed to share the cost of new lamps on the outer reefs.</p>
<p>READ MORE: Ferry strike ends</p><p>The fund starts in June, officials said.</p></article>
<section class="comments"><h3>Comments</h3><p>Great news!</p></section><footer>© 2031 Ledger</footer></body></html>`, false},
	{"<html><head><meta charset=\"windows-1251\"><title>\xcf\xee\xf0\xf2</title></head><body><p>\xc4\xe5\xeb\xe5\xe3\xe0\xf2\xfb \xe4\xee\xe3\xee\xe2\xee\xf0\xe8\xeb\xe8\xf1\xfc.</p></body></html>", false},
	{`<div><div>Quay notes</div><div>17 May 2031</div><div>Harbour masters met on Tuesday and agreed to share the cost of new lamps.</div><div>Share Facebook Twitter</div></div>`, false},
	{"Quay talks end\n\nBy Ilse Marrow\n\nHarbour masters met on Tuesday and agreed to share the cost.\n\nShare.\nLeave a Comment", true},
	{"<html><body><p>x</p>", false},
	{"\x00\x01\xff\xfe", false},
}

// FuzzClean checks that no input makes Clean panic or return both an
// article and an error.
func FuzzClean(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s.body), s.text)
	}
	c := New(Config{MaxBodyBytes: 1 << 20}, nil)
	c.now = func() time.Time { return testNow }
	f.Fuzz(func(t *testing.T, body []byte, text bool) {
		in := &proto.Fetched{Envelope: proto.Envelope{URL: "https://fuzz.example/a"}, Kind: proto.KindHTML, Body: body}
		if text {
			in.Kind = proto.KindText
		}
		out, err := c.Clean(context.Background(), in)
		if (out == nil) == (err == nil) {
			t.Fatalf("Clean = %v, %v; want exactly one of article and error", out, err)
		}
		if err != nil && !pipeline.IsPermanent(err) {
			t.Fatalf("Clean error %v is not permanent", err)
		}
	})
}
