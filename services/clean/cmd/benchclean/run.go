package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	readability "github.com/go-shiori/go-readability"
	"github.com/markusmobius/go-htmldate"
	"github.com/markusmobius/go-trafilatura"
	"github.com/segmentio/encoding/json"

	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/clean"
)

// The extractors compared.
const (
	exNewsflow    = "newsflow"
	exTrafilatura = "trafilatura"
	exReadability = "readability"
	// exHtmldate is go-htmldate in the mode htmldate's published figures
	// use (original date, extensive search, no URL); it runs on the
	// htmldate-eval set only.
	exHtmldate = "htmldate"
)

var allExtractors = []string{exNewsflow, exTrafilatura, exReadability, exHtmldate}

// covers reports whether an extractor is scored on a set.
func covers(ex, set string) bool { return ex != exHtmldate || set == setHtmldate }

// output is what one extractor made of one page.
type output struct {
	ID      string   `json:"id"`
	Set     string   `json:"set"`
	Text    string   `json:"text"`
	Title   string   `json:"title"`
	Authors []string `json:"authors"`
	Date    string   `json:"date,omitempty"` // RFC 3339 in the page's offset
	// Sources says where each metadata field came from (newsflow only).
	Sources map[string]string `json:"sources,omitempty"`
	Err     string            `json:"err,omitempty"`
	Ms      float64           `json:"ms"`
}

// runStats is the cost of one extractor over all pages, on one core.
type runStats struct {
	Extractor  string  `json:"extractor"`
	Pages      int     `json:"pages"`
	Bytes      int64   `json:"bytes"`
	Nanos      int64   `json:"nanos"`
	AllocBytes uint64  `json:"alloc_bytes"`
	Mallocs    uint64  `json:"mallocs"`
	BaseRSS    int64   `json:"base_rss"` // after start-up, before the first page
	PeakRSS    int64   `json:"peak_rss"`
	MaxPageMs  float64 `json:"max_page_ms"`
}

// extractFunc runs one extractor on one page's raw bytes.
type extractFunc func(raw []byte, pageURL string) output

func newExtractor(name string) (extractFunc, error) {
	switch name {
	case exNewsflow:
		c := clean.New(clean.Config{}, nil)
		return func(raw []byte, pageURL string) output {
			in := &proto.Fetched{Envelope: proto.Envelope{URL: pageURL}, Kind: proto.KindHTML, Body: raw}
			out, err := c.Clean(context.Background(), in)
			if err != nil {
				return output{Err: err.Error()}
			}
			o := output{Text: out.Text, Title: out.Meta.Title, Authors: out.Meta.Authors, Sources: out.Meta.Sources}
			if out.Meta.PublishedAt != nil {
				o.Date = out.Meta.PublishedAt.Format(time.RFC3339Nano)
			}
			return o
		}, nil
	case exTrafilatura:
		return func(raw []byte, pageURL string) output {
			u, _ := url.Parse(pageURL)
			res, err := trafilatura.Extract(bytes.NewReader(raw), trafilatura.Options{
				EnableFallback:  false,
				ExcludeComments: true,
				OriginalURL:     u,
			})
			if err != nil || res == nil {
				return output{Err: fmt.Sprint(err)}
			}
			o := output{Text: res.ContentText, Title: res.Metadata.Title}
			if a := strings.TrimSpace(res.Metadata.Author); a != "" {
				o.Authors = strings.Split(a, "; ")
			}
			if !res.Metadata.Date.IsZero() {
				o.Date = res.Metadata.Date.Format(time.RFC3339Nano)
			}
			return o
		}, nil
	case exReadability:
		return func(raw []byte, pageURL string) output {
			art, err := readability.FromReader(bytes.NewReader(raw), mustURL(pageURL))
			if err != nil {
				return output{Err: err.Error()}
			}
			o := output{Text: art.TextContent, Title: art.Title}
			if b := strings.TrimSpace(art.Byline); b != "" {
				o.Authors = splitByline(b)
			}
			if art.PublishedTime != nil {
				o.Date = art.PublishedTime.Format(time.RFC3339Nano)
			}
			return o
		}, nil
	case exHtmldate:
		return func(raw []byte, pageURL string) output {
			res, err := htmldate.FromReader(bytes.NewReader(raw), htmldate.Options{UseOriginalDate: true})
			if err != nil {
				return output{Err: err.Error()}
			}
			var o output
			if !res.IsZero() {
				o.Date = res.DateTime.Format(time.RFC3339Nano)
			}
			return o
		}, nil
	}
	return nil, fmt.Errorf("unknown extractor %q (want one of %s)", name, strings.Join(allExtractors, ", "))
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		return &url.URL{Scheme: "http", Host: "invalid.example"}
	}
	return u
}

// runChild runs one extractor over the pages on one core, writing one
// output per line to w and the run's costs as the last line.
func runChild(name string, pages []page, w io.Writer) error {
	runtime.GOMAXPROCS(1)
	f, err := newExtractor(name)
	if err != nil {
		return err
	}
	// Warm up: package data and first-call costs are not per-page costs.
	f([]byte("<html><body><article><p>Warm up paragraph with a few words in it.</p></article></body></html>"), "https://warm.example/a")
	runtime.GC()
	debug.FreeOSMemory()

	st := runStats{Extractor: name, BaseRSS: rssBytes()}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var before, after runtime.MemStats
	for _, p := range pages {
		if !covers(name, p.Set) {
			continue
		}
		raw, err := readGz(p.Path)
		if err != nil {
			return err
		}
		runtime.ReadMemStats(&before)
		start := time.Now()
		o := f(raw, p.URL)
		d := time.Since(start)
		runtime.ReadMemStats(&after)
		st.Pages++
		st.Bytes += int64(len(raw))
		st.Nanos += d.Nanoseconds()
		st.AllocBytes += after.TotalAlloc - before.TotalAlloc
		st.Mallocs += after.Mallocs - before.Mallocs
		st.MaxPageMs = max(st.MaxPageMs, float64(d.Microseconds())/1000)
		o.ID, o.Set, o.Ms = p.ID, p.Set, float64(d.Microseconds())/1000
		if err := enc.Encode(o); err != nil {
			return err
		}
	}
	st.PeakRSS = peakRSS()
	if err := enc.Encode(map[string]runStats{"stats": st}); err != nil {
		return err
	}
	return bw.Flush()
}

// rssBytes is the process's resident set now (0 where unknown).
func rssBytes() int64 { return procStatus("VmRSS:") }

// peakRSS is the process's peak resident set.
func peakRSS() int64 {
	if v := procStatus("VmHWM:"); v > 0 {
		return v
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		return ru.Maxrss * 1024
	}
	return 0
}

func procStatus(key string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, key) {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, key)), "%d", &kb)
			return kb * 1024
		}
	}
	return 0
}
