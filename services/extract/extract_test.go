package extract_test

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/extract"
)

func testConfig() extract.Config {
	return extract.Config{Topic: extract.Topic{
		Name: "putin-china",
		Keywords: map[string]float64{
			"putin": 1, "xi jinping": 1, "china": 0.5, "russia": 0.5, "beijing": 0.5, "путин": 1, "普京": 1,
		},
		Exemplars: []string{"testdata/exemplar_visit.txt"},
		Threshold: 0.35,
	}}
}

func MustNew(tb testing.TB, cfg extract.Config) *extract.Extractor {
	tb.Helper()
	e, err := extract.New(cfg, zap.NewNop())
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func mustRead(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(c *extract.Config)
		wantErr string // substring; "" means valid
	}{
		{name: "valid", mutate: func(c *extract.Config) {}},
		{name: "zero value", mutate: func(c *extract.Config) { *c = extract.Config{} }},
		{name: "threshold high", mutate: func(c *extract.Config) { c.Topic.Threshold = 1.5 }, wantErr: "topic.threshold: must be in [0,1]"},
		{name: "threshold negative", mutate: func(c *extract.Config) { c.Topic.Threshold = -0.1 }, wantErr: "topic.threshold"},
		{name: "threshold nan", mutate: func(c *extract.Config) { c.Topic.Threshold = math.NaN() }, wantErr: "topic.threshold"},
		{name: "weight zero", mutate: func(c *extract.Config) { c.Topic.Keywords["putin"] = 0 }, wantErr: `topic.keywords["putin"]: weight must be > 0`},
		{name: "empty keyword", mutate: func(c *extract.Config) { c.Topic.Keywords[" ,. "] = 1 }, wantErr: "topic.keywords"},
		{name: "empty exemplar", mutate: func(c *extract.Config) { c.Topic.Exemplars = append(c.Topic.Exemplars, " ") }, wantErr: "topic.exemplars[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testConfig()
			tt.mutate(&c)
			err := c.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v; want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Validate() = %v; want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestNew(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.txt")
	tests := []struct {
		name      string
		cfg       extract.Config
		withError error
		wantMsg   string
	}{
		{name: "ok", cfg: testConfig()},
		{name: "empty config", cfg: extract.Config{}},
		{name: "missing exemplar", cfg: extract.Config{Topic: extract.Topic{Exemplars: []string{missing}}}, withError: os.ErrNotExist, wantMsg: missing},
		{name: "invalid", cfg: extract.Config{Topic: extract.Topic{Threshold: 2}}, wantMsg: "topic.threshold"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := extract.New(tt.cfg, zaptest.NewLogger(t))
			if tt.withError != nil && !errors.Is(err, tt.withError) {
				t.Errorf("Expected error: %v; got: %v", tt.withError, err)
			}
			if tt.wantMsg != "" && (err == nil || !strings.Contains(err.Error(), tt.wantMsg)) {
				t.Errorf("New() error = %v; want it to name %q", err, tt.wantMsg)
			}
			if tt.wantMsg == "" && tt.withError == nil && err != nil {
				t.Errorf("New() error = %v; want nil", err)
			}
		})
	}
}

func TestNewWithExemplars(t *testing.T) {
	cfg := extract.Config{Topic: extract.Topic{Exemplars: []string{"not/read.txt"}}}
	e, err := extract.NewWithExemplars(cfg, []string{mustRead(t, "testdata/exemplar_visit.txt")}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Extract(context.Background(), cleaned(mustRead(t, "testdata/summit.txt")))
	if err != nil {
		t.Fatal(err)
	}
	if !out.Article.OnTopic {
		t.Errorf("exemplars only: Relevance = %v; want on topic", out.Article.Relevance)
	}
}

func cleaned(text string) *proto.Cleaned {
	pub := time.Date(2024, 5, 17, 8, 0, 0, 0, time.UTC)
	mod := pub.Add(time.Hour)
	return &proto.Cleaned{
		Envelope: proto.Envelope{
			Schema:          proto.SchemaCleaned,
			ArticleID:       "a1b2",
			URL:             "https://example.com/news/1?x=1",
			Source:          "example",
			PipelineVersion: "v0.1.0",
			TraceID:         "trace-1",
			ProducedAt:      pub,
		},
		FetchedAt:  pub.Add(2 * time.Hour),
		FetchedSeq: 42,
		Meta: proto.PageMeta{
			Title:        "Putin and Xi pledge deeper partnership at Beijing summit",
			Authors:      []string{"A. Writer"},
			PublishedAt:  &pub,
			ModifiedAt:   &mod,
			SiteName:     "Example News",
			CanonicalURL: "https://example.com/news/1",
			Language:     "en",
			Description:  "The leaders met.",
			Image:        "https://example.com/1.jpg",
		},
		Text:        text,
		ContentHash: proto.ContentHash([]byte(text)),
	}
}

func TestExtract(t *testing.T) {
	e := MustNew(t, testConfig())
	in := cleaned(mustRead(t, "testdata/summit.txt"))
	before := time.Now()
	out, err := e.Extract(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if out.Schema != proto.SchemaExtracted {
		t.Errorf("Schema = %q; want %q", out.Schema, proto.SchemaExtracted)
	}
	if out.ProducedAt.Before(before) {
		t.Errorf("ProducedAt = %v; want now", out.ProducedAt)
	}
	if out.ArticleID != in.ArticleID || out.URL != in.URL || out.Source != in.Source || out.TraceID != in.TraceID || out.PipelineVersion != in.PipelineVersion {
		t.Errorf("envelope = %+v; want copied from %+v", out.Envelope, in.Envelope)
	}
	a := out.Article
	checks := []struct {
		field     string
		got, want any
	}{
		{"ID", a.ID, in.ArticleID},
		{"URL", a.URL, in.URL},
		{"CanonicalURL", a.CanonicalURL, in.Meta.CanonicalURL},
		{"Source", a.Source, in.Source},
		{"Title", a.Title, in.Meta.Title},
		{"Authors", strings.Join(a.Authors, ","), "A. Writer"},
		{"PublishedAt", a.PublishedAt, in.Meta.PublishedAt},
		{"ModifiedAt", a.ModifiedAt, in.Meta.ModifiedAt},
		{"FetchedAt", a.FetchedAt, in.FetchedAt},
		{"SiteName", a.SiteName, in.Meta.SiteName},
		{"Description", a.Description, in.Meta.Description},
		{"Image", a.Image, in.Meta.Image},
		{"Text", a.Text, in.Text},
		{"ContentHash", a.ContentHash, in.ContentHash},
		{"FetchedSeq", a.FetchedSeq, in.FetchedSeq},
		{"PipelineVersion", a.PipelineVersion, in.PipelineVersion},
		{"Language", a.Language, "en"},
		{"OnTopic", a.OnTopic, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("Article.%s = %v; want %v", c.field, c.got, c.want)
		}
	}
	if a.Relevance < 0.35 || a.Relevance > 1 {
		t.Errorf("Relevance = %v; want in [0.35, 1]", a.Relevance)
	}
	if a.WordCount < 600 {
		t.Errorf("WordCount = %d; want > 600", a.WordCount)
	}
	if len(a.Keywords) < 5 || len(a.Keywords) > 8 {
		t.Errorf("Keywords = %q; want 5 to 8", a.Keywords)
	}
	if a.Summary == "" || len(a.Fingerprint) != 512 {
		t.Errorf("Summary = %q, Fingerprint = %q; want both set", a.Summary, a.Fingerprint)
	}
	if len(a.Entities) == 0 || a.Entities[0].Count < 5 {
		t.Errorf("Entities = %+v; want the leaders first", a.Entities)
	}
	if len(a.Quotes) == 0 || len(a.Facts) == 0 {
		t.Errorf("Quotes = %+v, Facts = %+v; want some", a.Quotes, a.Facts)
	}

	football := cleaned(mustRead(t, "testdata/football.txt"))
	football.Meta.Title = "Late header sends Rovers to the cup final"
	off, err := e.Extract(context.Background(), football)
	if err != nil {
		t.Fatal(err)
	}
	if off.Article.OnTopic || off.Article.Relevance >= 0.35 {
		t.Errorf("football: OnTopic = %v, Relevance = %v; want off topic", off.Article.OnTopic, off.Article.Relevance)
	}
}

func TestExtractDefaults(t *testing.T) {
	e := MustNew(t, extract.Config{})
	in := &proto.Cleaned{Envelope: proto.Envelope{Schema: proto.SchemaCleaned, URL: "https://example.com/a"},
		Blocks: []proto.Block{{Kind: "p", Text: "Putin visited China."}}}
	out, err := e.Extract(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	a := out.Article
	if a.CanonicalURL != in.URL {
		t.Errorf("CanonicalURL = %q; want the URL %q", a.CanonicalURL, in.URL)
	}
	if a.Text != "Putin visited China." {
		t.Errorf("Text = %q; want the blocks", a.Text)
	}
	if a.Authors == nil || a.Entities == nil || a.Quotes == nil || a.Facts == nil || a.Keywords == nil || a.Duplicates == nil {
		t.Errorf("Article has nil slices: %+v", a)
	}
	if a.OnTopic || a.Relevance != 0 {
		t.Errorf("no topic: OnTopic = %v, Relevance = %v; want false, 0", a.OnTopic, a.Relevance)
	}
}

func TestHandle(t *testing.T) {
	e := MustNew(t, testConfig())
	outs, err := e.Handle(context.Background(), cleaned("Putin visited China."))
	if err != nil || len(outs) != 1 {
		t.Fatalf("Handle() = %v, %v; want one message", outs, err)
	}
	if _, err := e.Handle(context.Background(), nil); err == nil {
		t.Errorf("Handle(nil) error = nil; want an error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Handle(ctx, cleaned("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("Expected error: %v; got: %v", context.Canceled, err)
	}
}

// FuzzExtract checks that no input makes Extract panic or fail.
func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"", " ", "\x00", "\xff\xfe\xfd", "“", "”“", `"`, "«»", "$", "$1", "€ billion", "May", "May 32", "31 June 2024",
		"12.5%%", "亿美元", "2401亿美元", "мая", "Mr.", "U.S.", "...", "Putin’s “", strings.Repeat("a ", 5000),
		strings.Repeat("“", 300), strings.Repeat("Xi ", 100), "普京普京普京", "Путин Путина Путину",
	} {
		f.Add(s, "en")
	}
	e := MustNew(f, testConfig())
	f.Fuzz(func(t *testing.T, text, lang string) {
		in := cleaned(text)
		in.Meta.Title = text
		in.Meta.Language = lang
		out, err := e.Extract(context.Background(), in)
		if err != nil {
			t.Fatalf("Extract(%q) error = %v", text, err)
		}
		a := out.Article
		if a.Relevance < 0 || a.Relevance > 1 || math.IsNaN(a.Relevance) {
			t.Errorf("Relevance = %v; want in [0,1]", a.Relevance)
		}
		if len(a.Keywords) > 8 {
			t.Errorf("Keywords = %q; want at most 8", a.Keywords)
		}
	})
}

func BenchmarkExtract(b *testing.B) {
	e := MustNew(b, testConfig())
	// About 1,000 words: the summit report, then the match report.
	text := mustRead(b, "testdata/summit.txt") + "\n\n" + mustRead(b, "testdata/football.txt")
	in := cleaned(text)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Extract(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// TestExtractLargeInputs feeds inputs built to trip quadratic paths
// (unbalanced quotes, thousands of facts and mentions); it fails by
// timing out rather than by assertion.
func TestExtractLargeInputs(t *testing.T) {
	e := MustNew(t, testConfig())
	inputs := map[string]string{
		"unbalanced quotes": strings.Repeat("“", 100000),
		"many quotes":       strings.Repeat("“Xi Xi Xi Xi” he said Putin ", 5000),
		"many facts":        strings.Repeat("1% $2 May 3 ", 20000),
		"abbreviations":     strings.Repeat("a. B", 50000),
		"han":               strings.Repeat("普京访问中国", 20000),
		"one word":          strings.Repeat("x", 200000),
	}
	for name, s := range inputs {
		t.Run(name, func(t *testing.T) {
			if _, err := e.Extract(context.Background(), cleaned(s)); err != nil {
				t.Fatal(err)
			}
		})
	}
}
