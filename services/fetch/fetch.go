// Package fetch is the fetch stage: it polls the configured sources
// (feeds, sitemaps, sites, single pages) for article URLs, publishing them
// to news.discovered, and downloads each discovered page to news.fetched
// as UTF-8 with its HTTP metadata — politely (robots.txt, a per-host rate
// limit, conditional GETs) and safely (address policy, size and time
// limits).
package fetch

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/time/rate"

	"github.com/newsflow/newsflow/internal/pipeline"
	"github.com/newsflow/newsflow/internal/telemetry"
	"github.com/newsflow/newsflow/internal/textenc"
	"github.com/newsflow/newsflow/proto"
)

// AlgoVersion is the fetch stage's algorithm version, part of pipeline_version.
const AlgoVersion = "1"

// Errors of fetching.
var (
	// ErrTooLarge means a body is over fetch.max_body_bytes.
	ErrTooLarge = errors.New("body too large")
	// ErrNotArticle means the response is not an HTML or text page.
	ErrNotArticle = errors.New("not an html or text page")
)

// KV is a key-value bucket with compare-and-set writes (a JetStream KV
// bucket in production). Put with rev 0 creates; ok is false when another
// writer came first.
type KV interface {
	Get(ctx context.Context, key string) (val []byte, rev uint64, found bool, err error)
	Put(ctx context.Context, key string, val []byte, rev uint64) (newRev uint64, ok bool, err error)
	Set(ctx context.Context, key string, val []byte) error
}

// Fetcher downloads pages and polls sources.
type Fetcher struct {
	cfg    Config
	client *http.Client
	log    *zap.Logger
	robots *robotsCache
	// seen remembers fetched articles; nil remembers nothing. known holds
	// the ids this process has found or marked there, so that a feed
	// polled again does not ask the bucket about every item each time.
	seen  KV
	known seenCache

	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

// New returns a Fetcher. Unless cfg.AllowPrivate, it refuses every
// non-public address, checked on the socket it dials. seen, if not nil,
// records every fetched article so that pollers skip it.
func New(cfg Config, seen KV, log *zap.Logger) *Fetcher {
	if log == nil {
		log = zap.NewNop()
	}
	f := &Fetcher{
		cfg: cfg, log: log, seen: seen,
		robots:   &robotsCache{hosts: map[string]*robotsEntry{}},
		limiters: map[string]*rate.Limiter{},
	}
	f.client = f.newClient()
	return f
}

// Handle is the stage handler: news.discovered -> news.fetched. A page
// robots.txt disallows, or that is not HTML or text (a PDF, an image), is
// skipped with a logged reason: acked, nothing published.
func (f *Fetcher) Handle(ctx context.Context, in *proto.Discovered) ([]*proto.Fetched, error) {
	out, err := f.Fetch(ctx, in)
	if errors.Is(err, ErrDisallowed) || errors.Is(err, ErrNotArticle) {
		f.log.Info("page skipped", telemetry.URL(in.URL), zap.String("reason", err.Error()))
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if f.seen != nil {
		ids := []string{in.ArticleID}
		if out.ArticleID != in.ArticleID { // redirected, or a canonical address
			ids = append(ids, out.ArticleID)
		}
		for _, id := range ids {
			if err := f.seen.Set(ctx, id, []byte(out.FetchedAt.Format(time.RFC3339))); err != nil {
				f.log.Warn("mark seen", telemetry.ArticleID(id), zap.Error(err))
				continue
			}
			f.known.add(id)
		}
	}
	return []*proto.Fetched{out}, nil
}

// Seen reports whether the article with this id was fetched before.
func (f *Fetcher) Seen(ctx context.Context, id string) (bool, error) {
	if f.seen == nil {
		return false, nil
	}
	if f.known.has(id) {
		return true, nil
	}
	_, _, found, err := f.seen.Get(ctx, id)
	if found {
		f.known.add(id)
	}
	return found, err
}

// seenCacheSize bounds the ids a Fetcher keeps in memory: two generations
// of up to this many each.
const seenCacheSize = 50_000

// seenCache is a bounded set of ids known to be in the seen bucket. An id
// once seen stays seen, so the cache never has to be invalidated; when the
// current generation is full it becomes the old one and the oldest ids are
// forgotten (the bucket still has them).
type seenCache struct {
	mu       sync.Mutex
	cur, old map[string]struct{}
}

func (c *seenCache) has(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.cur[id]; ok {
		return true
	}
	_, ok := c.old[id]
	return ok
}

func (c *seenCache) add(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == nil || len(c.cur) >= seenCacheSize {
		c.old, c.cur = c.cur, make(map[string]struct{}, 1024)
	}
	c.cur[id] = struct{}{}
}

// Fetch downloads the page in.URL. Errors that retrying cannot fix (a 404,
// a forbidden address, an oversized body) are permanent; 5xx, 429 and
// network errors are transient, with the server's Retry-After honoured.
func (f *Fetcher) Fetch(ctx context.Context, in *proto.Discovered) (*proto.Fetched, error) {
	start := time.Now()
	resp, err := f.get(ctx, request{url: in.URL, accept: "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5"})
	if err != nil {
		// Permanent and RetryAfter marks are found through %w.
		return nil, fmt.Errorf("fetch %s: %w", in.URL, err)
	}
	ct := resp.Header.Get("Content-Type")
	kind, err := kindOf(ct)
	if err != nil {
		return nil, pipeline.Permanentf("fetch %s: %w: %s", in.URL, err, ct)
	}
	body, cs := textenc.ToUTF8(resp.Body, ct, kind == proto.KindHTML)
	out := &proto.Fetched{
		Envelope:    in.Envelope,
		Hints:       in.Hints,
		FinalURL:    resp.URL.String(),
		StatusCode:  resp.Status,
		ContentType: utf8Type(ct, kind),
		Header:      keepHeaders(resp.Header),
		FetchedAt:   time.Now().UTC(),
		Kind:        kind,
	}
	out.Schema = proto.SchemaFetched
	out.ProducedAt = out.FetchedAt
	if final, err := proto.NormalizeURL(out.FinalURL); err == nil {
		out.FinalURL = final
		if final != in.URL {
			// Redirected: the page's identity is where it lives. Clean
			// refines it further from rel=canonical.
			out.ArticleID = proto.ArticleID(final)
		}
	}
	if err := out.SetBody(body); err != nil {
		return nil, err
	}
	f.log.Debug("page fetched", telemetry.URL(in.URL), zap.Int("bytes", len(body)),
		zap.String("charset", cs), telemetry.Duration(time.Since(start)))
	return out, nil
}

// utf8Type is the Content-Type of the page after conversion to UTF-8.
func utf8Type(contentType, kind string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt == "" {
		mt = "text/html"
		if kind == proto.KindText {
			mt = "text/plain"
		}
	}
	return mt + "; charset=utf-8"
}

func kindOf(contentType string) (string, error) {
	if contentType == "" {
		return proto.KindHTML, nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", ErrNotArticle
	}
	switch mt {
	case "text/html", "application/xhtml+xml":
		return proto.KindHTML, nil
	case "text/plain":
		return proto.KindText, nil
	}
	return "", ErrNotArticle
}

// keptHeaders are the response headers worth keeping with the page.
var keptHeaders = []string{"Content-Type", "Content-Language", "Last-Modified", "Etag", "Date", "Link"}

func keepHeaders(h http.Header) map[string][]string {
	out := map[string][]string{}
	for _, k := range keptHeaders {
		if v := h.Values(k); len(v) > 0 {
			out[k] = v
		}
	}
	return out
}
