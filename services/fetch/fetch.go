// Package fetch downloads discovered articles: one page per news.discovered
// message, published to news.fetched as UTF-8 with its HTTP metadata.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/time/rate"

	"github.com/newsflow/newsflow/internal/pipeline"
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

// Fetcher downloads pages.
type Fetcher struct {
	cfg    Config
	client *http.Client
	log    *zap.Logger

	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

// New returns a Fetcher. Unless cfg.AllowPrivate, it refuses every
// non-public address, checked on the socket it dials.
func New(cfg Config, log *zap.Logger) *Fetcher {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !cfg.AllowPrivate {
		dialer.Control = publicOnly
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: cfg.Timeout,
	}
	client := &http.Client{
		Transport: tr,
		Timeout:   cfg.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to %s: unsupported scheme", req.URL.Scheme)
			}
			return nil
		},
	}
	return &Fetcher{cfg: cfg, client: client, log: log, limiters: map[string]*rate.Limiter{}}
}

// Handle is the stage handler: news.discovered -> news.fetched.
func (f *Fetcher) Handle(ctx context.Context, in *proto.Discovered) ([]*proto.Fetched, error) {
	out, err := f.Fetch(ctx, in)
	if err != nil {
		return nil, err
	}
	return []*proto.Fetched{out}, nil
}

// Fetch downloads the page in.URL. Errors that retrying cannot fix (a 404,
// a forbidden address, a PDF, an oversized body) are permanent; 5xx, 429
// and network errors are transient, with the server's Retry-After honoured.
func (f *Fetcher) Fetch(ctx context.Context, in *proto.Discovered) (*proto.Fetched, error) {
	u, err := url.Parse(in.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, pipeline.Permanentf("fetch %q: not an http(s) url", in.URL)
	}
	if !f.cfg.AllowPrivate && numericHost(u.Hostname()) {
		return nil, pipeline.Permanentf("fetch %s: %w: numeric host %s", in.URL, ErrForbiddenAddress, u.Hostname())
	}
	if err := f.limiter(u.Host).Wait(ctx); err != nil {
		return nil, fmt.Errorf("fetch %s: rate limit: %w", in.URL, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, in.URL, nil)
	if err != nil {
		return nil, pipeline.Permanentf("fetch %s: %w", in.URL, err)
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5")
	start := time.Now()
	resp, err := f.client.Do(req)
	if err != nil {
		if errors.Is(err, ErrForbiddenAddress) {
			return nil, pipeline.Permanentf("fetch %s: %w", in.URL, err)
		}
		return nil, fmt.Errorf("fetch %s: %w", in.URL, err)
	}
	defer resp.Body.Close()

	if err := statusError(in.URL, resp); err != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, err
	}
	ct := resp.Header.Get("Content-Type")
	kind, err := kindOf(ct)
	if err != nil {
		return nil, pipeline.Permanentf("fetch %s: %w: %s", in.URL, err, ct)
	}
	if resp.ContentLength > f.cfg.MaxBodyBytes {
		return nil, pipeline.Permanentf("fetch %s: %w: %d bytes, limit %d", in.URL, ErrTooLarge, resp.ContentLength, f.cfg.MaxBodyBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.cfg.MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: read body: %w", in.URL, err)
	}
	if int64(len(body)) > f.cfg.MaxBodyBytes {
		return nil, pipeline.Permanentf("fetch %s: %w: over %d bytes", in.URL, ErrTooLarge, f.cfg.MaxBodyBytes)
	}
	body, cs := textenc.ToUTF8(body, ct, kind == proto.KindHTML)
	out := &proto.Fetched{
		Envelope:    in.Envelope,
		Hints:       in.Hints,
		FinalURL:    resp.Request.URL.String(),
		StatusCode:  resp.StatusCode,
		ContentType: utf8Type(ct, kind),
		Header:      keepHeaders(resp.Header),
		FetchedAt:   time.Now().UTC(),
		Kind:        kind,
	}
	out.Schema = proto.SchemaFetched
	out.ProducedAt = out.FetchedAt
	if final, err := proto.NormalizeURL(out.FinalURL); err == nil && final != in.URL {
		out.FinalURL = final
	}
	if err := out.SetBody(body); err != nil {
		return nil, err
	}
	f.log.Debug("page fetched", zap.String("url", in.URL), zap.Int("bytes", len(body)),
		zap.String("charset", cs), zap.Duration("duration", time.Since(start)))
	return out, nil
}

func (f *Fetcher) limiter(host string) *rate.Limiter {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.limiters[host]
	if !ok {
		l = rate.NewLimiter(rate.Limit(f.cfg.PerHostRPS), 1)
		f.limiters[host] = l
	}
	return l
}

// statusError classifies a non-2xx response.
func statusError(u string, resp *http.Response) error {
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return nil
	}
	err := fmt.Errorf("fetch %s: http %d", u, code)
	switch {
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
		return pipeline.RetryAfter(err, retryAfter(resp.Header.Get("Retry-After")))
	case code == http.StatusRequestTimeout || code >= 500:
		return err
	default:
		return pipeline.Permanent(err)
	}
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
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
