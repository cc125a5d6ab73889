package clean

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/markusmobius/go-trafilatura"

	"github.com/newsflow/newsflow/proto"
)

var (
	benchData  = flag.String("bench-data", "", "the evaluation data `dir` for BenchmarkPages (default $BENCH_DATA)")
	benchPages = flag.Int("bench-pages", 200, "how many evaluation pages BenchmarkPages uses (0: all)")
)

// benchPage is one evaluation page's HTML.
type benchPage struct {
	url string
	raw []byte
}

// loadBenchPages reads every n-th source page of the evaluation sets, so
// that a sample of them spreads over all sets. It skips the benchmark when
// the data is absent.
func loadBenchPages(b *testing.B) []benchPage {
	dir := *benchData
	if dir == "" {
		dir = os.Getenv("BENCH_DATA")
	}
	if dir == "" {
		b.Skip("evaluation data absent: set BENCH_DATA or -bench-data to the bench directory")
	}
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".gz") || strings.HasSuffix(p, "expected.html.gz") {
			return nil
		}
		if strings.Contains(p, string(filepath.Separator)+"ner"+string(filepath.Separator)) {
			return nil
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		b.Skipf("evaluation data absent at %s: %v", dir, err)
	}
	if len(paths) == 0 {
		b.Skipf("evaluation data absent: no pages under %s", dir)
	}
	slices.Sort(paths)
	step := 1
	if n := *benchPages; n > 0 && len(paths) > n {
		step = len(paths) / n
	}
	var out []benchPage
	for i := 0; i < len(paths); i += step {
		f, err := os.Open(paths[i])
		if err != nil {
			b.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			b.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, benchPage{url: "https://news.example/" + filepath.Base(filepath.Dir(paths[i])) + "/a", raw: raw})
	}
	return out
}

// BenchmarkPages runs the clean stage and go-trafilatura alone over a
// sample of the evaluation pages; B/op and allocs/op are per page.
//
//	BENCH_DATA=DIR go test -run '^$' -bench Pages -benchmem ./services/clean
func BenchmarkPages(b *testing.B) {
	pages := loadBenchPages(b)
	b.Run("newsflow", func(b *testing.B) {
		c := New(Config{}, nil)
		in := &proto.Fetched{Kind: proto.KindHTML}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			p := pages[i%len(pages)]
			i++
			in.URL, in.Body = p.url, p.raw
			_, _ = c.Clean(context.Background(), in)
		}
	})
	b.Run("trafilatura", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			p := pages[i%len(pages)]
			i++
			u, _ := url.Parse(p.url)
			_, _ = trafilatura.Extract(bytes.NewReader(p.raw), trafilatura.Options{
				ExcludeComments: true,
				OriginalURL:     u,
			})
		}
	})
}
