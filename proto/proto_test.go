package proto_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/proto"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var (
	published = time.Date(2024, 5, 16, 9, 30, 0, 0, time.FixedZone("MSK", 3*3600))
	fetchedAt = time.Date(2024, 5, 16, 7, 45, 12, 0, time.UTC)
)

func env(schema string) proto.Envelope {
	u := "https://news.example/world/2024/05/16/summit-talks"
	return proto.Envelope{
		Schema: schema, ArticleID: proto.ArticleID(u), URL: u, Source: "example-news",
		PipelineVersion: "newsflow 1.0.0 fetch/1", TraceID: "t-1", ProducedAt: fetchedAt,
	}
}

// samples has one filled message of every type, named after its golden file.
func samples(t *testing.T) map[string]proto.Message {
	fetched := &proto.Fetched{
		Envelope: env(proto.SchemaFetched), Hints: proto.Hints{Title: "Summit talks", PublishedAt: &published, Feed: "https://news.example/rss"},
		FinalURL: "https://news.example/world/2024/05/16/summit-talks", StatusCode: 200,
		ContentType: "text/html; charset=utf-8", Header: map[string][]string{"Etag": {`"abc"`}},
		FetchedAt: fetchedAt, Kind: proto.KindHTML,
	}
	if err := fetched.SetBody([]byte("<html><body><p>Leaders met.</p></body></html>")); err != nil {
		t.Fatal(err)
	}
	return map[string]proto.Message{
		"discovered": &proto.Discovered{Envelope: env(proto.SchemaDiscovered), Hints: proto.Hints{Title: "Summit talks", PublishedAt: &published}},
		"fetched":    fetched,
		"cleaned": &proto.Cleaned{
			Envelope: env(proto.SchemaCleaned), FetchedAt: fetchedAt, FetchedSeq: 42,
			Meta: proto.PageMeta{
				Title: "Summit talks", Authors: []string{"Ann Writer"}, PublishedAt: &published,
				SiteName: "Example News", CanonicalURL: "https://news.example/world/2024/05/16/summit-talks",
				Language: "en", Sources: map[string]string{"title": "og"},
			},
			Blocks: []proto.Block{{Kind: "h", Text: "Talks"}, {Kind: "p", Text: "Leaders met."}},
			Text:   "Talks\n\nLeaders met.", ContentHash: proto.ContentHash([]byte("Talks\n\nLeaders met.")),
		},
		"extracted": &proto.Extracted{Envelope: env(proto.SchemaExtracted), Article: proto.Article{
			ID: proto.ArticleID("https://news.example/world/2024/05/16/summit-talks"), URL: "https://news.example/world/2024/05/16/summit-talks",
			Title: "Summit talks", Authors: []string{"Ann Writer"}, PublishedAt: &published, FetchedAt: fetchedAt,
			Language: "en", Relevance: 0.8, OnTopic: true, Summary: "Leaders met.", Text: "Leaders met.",
			Entities: []proto.Entity{{Name: "Vladimir Putin", Type: "person", Count: 2}},
			Quotes:   []proto.Quote{{Text: "We agreed.", Speaker: "Vladimir Putin"}},
			Facts:    []proto.Fact{{Kind: "money", Text: "$240 billion", Value: 2.4e11, Unit: "USD"}},
			Keywords: []string{"summit"}, Duplicates: []string{}, PipelineVersion: "newsflow 1.0.0 extract/1",
		}},
		"deadletter": &proto.DeadLetter{
			Envelope: env(proto.SchemaDeadLetter), Stage: "clean", Subject: proto.SubjectFetched, Seq: 7, Attempts: 6,
			Error: "clean: no text", FailedAt: fetchedAt, Data: []byte(`{"schema":"news.fetched/v1"}`),
		},
	}
}

func TestGolden(t *testing.T) {
	for name, m := range samples(t) {
		t.Run(name, func(t *testing.T) {
			got, err := proto.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+".golden.json")
			if *update {
				if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, bytes.TrimSuffix(want, []byte("\n"))) {
				t.Errorf("Marshal(%s) =\n%s\nwant\n%s", name, got, want)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	for name, m := range samples(t) {
		t.Run(name, func(t *testing.T) {
			data, err := proto.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			back := reflect.New(reflect.TypeOf(m).Elem()).Interface().(proto.Message)
			if err := proto.Unmarshal(data, back, m.Env().Schema); err != nil {
				t.Fatal(err)
			}
			data2, err := proto.Marshal(back)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, data2) {
				t.Errorf("round trip changed %s:\n%s\n%s", name, data, data2)
			}
			if back.MsgID() != m.MsgID() || back.MsgID() == "" {
				t.Errorf("MsgID after round trip = %q; want %q", back.MsgID(), m.MsgID())
			}
		})
	}
}

func TestUnmarshalErrors(t *testing.T) {
	var c proto.Cleaned
	tests := []struct {
		name string
		data string
		want error
	}{
		{"not json", `{"schema":`, proto.ErrMalformed},
		{"wrong type", `{"schema":"news.cleaned/v1","blocks":"x"}`, proto.ErrMalformed},
		{"other schema", `{"schema":"news.fetched/v1"}`, proto.ErrUnknownSchema},
		{"future version", `{"schema":"news.cleaned/v2"}`, proto.ErrUnknownSchema},
	}
	for _, tt := range tests {
		if err := proto.Unmarshal([]byte(tt.data), &c, proto.SchemaCleaned); !errors.Is(err, tt.want) {
			t.Errorf("%s: Unmarshal = %v; want %v", tt.name, err, tt.want)
		}
	}
}

func TestBody(t *testing.T) {
	small := []byte("<p>short</p>")
	large := []byte(strings.Repeat("<p>a long page of text</p>\n", 5000))
	for _, body := range [][]byte{small, large} {
		var f proto.Fetched
		if err := f.SetBody(body); err != nil {
			t.Fatal(err)
		}
		if len(body) > 64<<10 && (f.BodyEncoding != proto.BodyGzip || len(f.Body) >= len(body)/4) {
			t.Errorf("large body: encoding %q, %d bytes; want gzip, much smaller", f.BodyEncoding, len(f.Body))
		}
		got, err := f.RawBody(0)
		if err != nil || !bytes.Equal(got, body) {
			t.Errorf("RawBody = %d bytes, %v; want the %d bytes set", len(got), err, len(body))
		}
		if f.ContentHash != proto.ContentHash(body) {
			t.Error("ContentHash not set")
		}
		if _, err := f.RawBody(int64(len(body) - 1)); !errors.Is(err, proto.ErrBodyTooLarge) {
			t.Errorf("RawBody(max below size) = %v; want ErrBodyTooLarge", err)
		}
	}
	bad := proto.Fetched{Body: []byte("not gzip"), BodyEncoding: proto.BodyGzip}
	if _, err := bad.RawBody(0); !errors.Is(err, proto.ErrMalformed) {
		t.Errorf("RawBody(bad gzip) = %v; want ErrMalformed", err)
	}
}

func TestNormalizeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"HTTPS://News.Example/a/b?utm_source=x&id=3#top", "https://news.example/a/b?id=3"},
		{"http://news.example:80", "http://news.example/"},
		{"https://news.example:443/a?b=2&a=1&fbclid=zz&gclid=q", "https://news.example/a?a=1&b=2"},
		{"https://user:pw@news.example/x", "https://news.example/x"},
		{"https://news.example./x?UTM_Medium=y", "https://news.example/x"},
		{"urn:newsflow:file:abc", "urn:newsflow:file:abc"},
	}
	for _, tt := range tests {
		got, err := proto.NormalizeURL(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "/relative/path", "https://", "http://%zz"} {
		if got, err := proto.NormalizeURL(bad); err == nil {
			t.Errorf("NormalizeURL(%q) = %q; want an error", bad, got)
		}
	}
}

func TestArticleID(t *testing.T) {
	a := proto.ArticleID("https://news.example/a?utm_campaign=z#c")
	b := proto.ArticleID("https://NEWS.example/a")
	c := proto.ArticleID("https://news.example/b")
	if a != b {
		t.Errorf("ArticleID differs for the same canonical URL: %s, %s", a, b)
	}
	if a == c || len(a) != 32 {
		t.Errorf("ArticleID(a) = %s, ArticleID(b) = %s; want distinct 32-hex ids", a, c)
	}
}
