package proto_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/proto"
)

func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{"https://News.Example/a?utm_source=x&b=1#f", "http://[::1]:80/", "https://a.example:443", "urn:x", "http://%41.example/", "//x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		n, err := proto.NormalizeURL(raw)
		if err != nil {
			return
		}
		// Normalizing is idempotent, and the result keeps no tracking parameter.
		n2, err := proto.NormalizeURL(n)
		if err != nil || n2 != n {
			t.Fatalf("NormalizeURL(%q) = %q, then %q, %v", raw, n, n2, err)
		}
		u, err := url.Parse(n)
		if err != nil {
			t.Fatalf("NormalizeURL(%q) = %q, which does not parse: %v", raw, n, err)
		}
		if u.Scheme == "http" || u.Scheme == "https" {
			for k := range u.Query() {
				if strings.HasPrefix(strings.ToLower(k), "utm_") {
					t.Fatalf("NormalizeURL(%q) = %q keeps the tracking parameter %q", raw, n, k)
				}
			}
		}
		_ = proto.ArticleID(raw)
	})
}

func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte(`{"schema":"news.fetched/v1","url":"https://a.example/","body":"PHA+aGk8L3A+","body_encoding":"gzip"}`))
	f.Add([]byte(`{"schema":"news.cleaned/v1","blocks":[{"kind":"p","text":"x"}]}`))
	f.Add([]byte(`{"schema":"news.extracted/v1","article":{"entities":[{"name":"A","count":-1}]}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var fe proto.Fetched
		if proto.Unmarshal(data, &fe, proto.SchemaFetched) == nil {
			_, _ = fe.RawBody(1 << 20)
		}
		var c proto.Cleaned
		_ = proto.Unmarshal(data, &c, proto.SchemaCleaned)
		var x proto.Extracted
		if proto.Unmarshal(data, &x, proto.SchemaExtracted) == nil {
			x.Article.Normalize()
			if _, err := proto.Marshal(&x); err != nil {
				t.Fatalf("decoded message does not encode: %v", err)
			}
		}
		var d proto.DeadLetter
		_ = proto.Unmarshal(data, &d, proto.SchemaDeadLetter)
	})
}
