package extract_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestExtractBadInput: odd texts give a result, never a panic or error.
func TestExtractBadInput(t *testing.T) {
	e := MustNew(t, testConfig())
	big := strings.Repeat("Putin met Xi Jinping in Beijing on May 16, and trade reached $240 billion. ", 5<<20/76)
	tests := []struct {
		name, text string
		check      func(t *testing.T, lang string, entities int)
	}{
		{name: "empty", text: "", check: func(t *testing.T, lang string, n int) {
			if lang != "und" || n != 0 {
				t.Errorf("Language = %q, %d entities; want und, none", lang, n)
			}
		}},
		{name: "5 MB", text: big, check: func(t *testing.T, lang string, n int) {
			if lang != "en" || n == 0 {
				t.Errorf("Language = %q, %d entities; want en and some", lang, n)
			}
		}},
		{name: "unknown script", text: strings.Repeat("ᚠᚢᚦᚨᚱᚲ ᚷᚹᚺᚾ ", 200) + strings.Repeat("ሰላም ለዓለም ", 200), check: func(t *testing.T, lang string, n int) {
			if lang != "und" || n != 0 {
				t.Errorf("Language = %q, %d entities; want und, none", lang, n)
			}
		}},
		{name: "no sentences", text: strings.Repeat("1234 5678 -- ** ++ ", 2000), check: func(t *testing.T, lang string, n int) {
			if n != 0 {
				t.Errorf("%d entities; want none", n)
			}
		}},
		{name: "one long word", text: strings.Repeat("Abc", 1<<20), check: func(t *testing.T, lang string, n int) {}},
		{name: "capitals only", text: strings.Repeat("A B C D E F G ", 20000), check: func(t *testing.T, lang string, n int) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := cleaned(tt.text)
			in.Meta.Title, in.Meta.Language = "", ""
			start := time.Now()
			out, err := e.Extract(context.Background(), in)
			if err != nil {
				t.Fatalf("Extract() error = %v; want a result", err)
			}
			if out.Article.Text != tt.text {
				t.Errorf("Text changed (%d bytes in, %d out)", len(tt.text), len(out.Article.Text))
			}
			t.Logf("%d bytes in %v", len(tt.text), time.Since(start))
			tt.check(t, out.Article.Language, len(out.Article.Entities))
		})
	}
}

// article800 is an 800-word on-topic article made of the fixtures.
func article800(tb testing.TB) string {
	tb.Helper()
	var words []string
	for i := 1; len(words) < 800; i++ {
		for _, f := range []string{"01-arrival", "03-joint-statement", "04-energy", "06-washington", "07-trade-figures", "08-defence", "10-ruble-yuan", "12-ukraine"} {
			words = append(words, strings.Fields(mustRead(tb, "testdata/fixtures/"+f+".txt"))...)
		}
	}
	return strings.Join(words[:800], " ")
}

// BenchmarkExtract800 measures the whole stage on 800-word articles; the
// target is at least 100 articles/s per core.
func BenchmarkExtract800(b *testing.B) {
	e := defaultTopicExtractor(b)
	in := cleaned(article800(b))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Extract(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "articles/s")
}

// BenchmarkExtractMemory runs 10,000 distinct 800-word articles through one
// Extractor and reports the live heap after each 2,000: flat figures mean
// nothing accumulates across articles.
func BenchmarkExtractMemory(b *testing.B) {
	e := defaultTopicExtractor(b)
	base := strings.Fields(article800(b))
	for b.Loop() {
		var heaps []string
		var first uint64
		start := time.Now()
		for i := 0; i < 10000; i++ {
			// Make each article distinct: a new number and a new name.
			words := append([]string(nil), base...)
			words[i%len(words)] = fmt.Sprintf("Person%d", i)
			words[(i*7)%len(words)] = fmt.Sprint(i)
			if _, err := e.Extract(context.Background(), cleaned(strings.Join(words, " "))); err != nil {
				b.Fatal(err)
			}
			if (i+1)%2000 == 0 {
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if first == 0 {
					first = ms.HeapAlloc
				}
				heaps = append(heaps, fmt.Sprintf("%d:%.1fMB", i+1, float64(ms.HeapAlloc)/(1<<20)))
				b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "MB-live-heap-end")
			}
		}
		b.Logf("live heap after articles %s; %.0f articles/s", strings.Join(heaps, " "), 10000/time.Since(start).Seconds())
	}
}
