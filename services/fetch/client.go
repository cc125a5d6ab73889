package fetch

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/andybalholm/brotli"
	"golang.org/x/time/rate"

	"github.com/newsflow/newsflow/internal/pipeline"
)

// maxRedirects is how many redirects one request follows.
const maxRedirects = 5

// maxHeaderBytes caps a response's headers.
const maxHeaderBytes = 256 << 10

// request is one GET.
type request struct {
	url string
	// etag and lastModified make the request conditional.
	etag, lastModified string
	accept             string
	// skipRobots is set for robots.txt itself.
	skipRobots bool
}

// response is a GET's outcome: a body decoded from its Content-Encoding
// and within the size limit, or NotModified.
type response struct {
	URL         *url.URL // after redirects
	Status      int
	Header      http.Header
	Body        []byte
	NotModified bool
}

type ctxKey int

const skipRobotsKey ctxKey = 1

// newClient builds the HTTP client: the address policy on every dialled
// socket, at most maxRedirects redirects, each hop checked against the
// address policy and robots.txt.
func (f *Fetcher) newClient() *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !f.cfg.AllowPrivate {
		dialer.Control = publicOnly
	}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           200,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  f.cfg.Timeout,
		MaxResponseHeaderBytes: maxHeaderBytes,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   f.cfg.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return pipeline.Permanentf("stopped after %d redirects", maxRedirects)
			}
			return f.checkURL(req.Context(), req.URL, req.Context().Value(skipRobotsKey) != nil)
		},
	}
}

// checkURL applies the policies that need no connection: scheme, numeric
// hosts, robots.txt. The address policy is applied when dialling.
func (f *Fetcher) checkURL(ctx context.Context, u *url.URL, skipRobots bool) error {
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return pipeline.Permanentf("%s: not an http(s) url", u)
	}
	if !f.cfg.AllowPrivate && numericHost(u.Hostname()) {
		return pipeline.Permanentf("%w: numeric host %s", ErrForbiddenAddress, u.Hostname())
	}
	if skipRobots {
		return nil
	}
	rules := f.robots.rules(ctx, u, f.getRobots)
	if g := rules.FindGroup(f.cfg.UserAgent); g != nil {
		if g.CrawlDelay > 0 {
			f.slowDown(u.Host, g.CrawlDelay)
		}
		if !g.Test(u.EscapedPath() + query(u)) {
			return pipeline.Permanentf("%w: %s", ErrDisallowed, u)
		}
	}
	return nil
}

func query(u *url.URL) string {
	if u.RawQuery == "" {
		return ""
	}
	return "?" + u.RawQuery
}

// getRobots fetches a robots.txt.
func (f *Fetcher) getRobots(ctx context.Context, u string) (int, []byte, error) {
	resp, err := f.get(ctx, request{url: u, accept: "text/plain", skipRobots: true})
	var se *statusErr
	if errors.As(err, &se) {
		return se.code, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	return resp.Status, resp.Body, nil
}

// limiter returns the host's rate limiter, shared by every goroutine.
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

// slowDown lowers a host's rate to honour its Crawl-delay.
func (f *Fetcher) slowDown(host string, delay time.Duration) {
	l := f.limiter(host)
	if r := rate.Every(delay); r < l.Limit() {
		l.SetLimit(r)
	}
}

// statusErr is a non-2xx, non-304 response.
type statusErr struct {
	url  string
	code int
}

func (e *statusErr) Error() string { return fmt.Sprintf("%s: http %d", e.url, e.code) }

// get performs one GET under every policy: address, robots.txt, the
// host's rate limit, size and time limits. Non-2xx responses are errors
// classified for retry: 429/503 honour Retry-After, 408 and 5xx are
// transient, other statuses permanent.
func (f *Fetcher) get(ctx context.Context, r request) (*response, error) {
	u, err := url.Parse(r.url)
	if err != nil {
		return nil, pipeline.Permanentf("%q: %w", r.url, err)
	}
	if err := f.checkURL(ctx, u, r.skipRobots); err != nil {
		return nil, err
	}
	if err := f.limiter(u.Host).Wait(ctx); err != nil {
		return nil, fmt.Errorf("%s: rate limit: %w", r.url, err)
	}
	if r.skipRobots {
		ctx = context.WithValue(ctx, skipRobotsKey, true)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return nil, pipeline.Permanentf("%s: %w", r.url, err)
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	req.Header.Set("Accept", r.accept)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	if r.etag != "" {
		req.Header.Set("If-None-Match", r.etag)
	}
	if r.lastModified != "" {
		req.Header.Set("If-Modified-Since", r.lastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		if pipeline.IsPermanent(err) || errors.Is(err, ErrForbiddenAddress) || strings.Contains(err.Error(), "response headers exceeded") {
			return nil, pipeline.Permanent(err)
		}
		return nil, err
	}
	defer resp.Body.Close()
	out := &response{URL: resp.Request.URL, Status: resp.StatusCode, Header: resp.Header}
	if resp.StatusCode == http.StatusNotModified {
		out.NotModified = true
		return out, nil
	}
	if err := classify(r.url, resp); err != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, err
	}
	if resp.ContentLength > f.cfg.MaxBodyBytes && resp.Header.Get("Content-Encoding") == "" {
		return nil, pipeline.Permanentf("%s: %w: %d bytes, limit %d", r.url, ErrTooLarge, resp.ContentLength, f.cfg.MaxBodyBytes)
	}
	body, err := decodeBody(resp.Body, resp.Header.Get("Content-Encoding"), f.cfg.MaxBodyBytes)
	if err != nil {
		if errors.Is(err, ErrTooLarge) || errors.Is(err, errBadEncoding) {
			return nil, pipeline.Permanentf("%s: %w", r.url, err)
		}
		return nil, fmt.Errorf("%s: read body: %w", r.url, err)
	}
	out.Body = body
	return out, nil
}

var errBadEncoding = errors.New("bad content encoding")

// decodeBody reads a body in its Content-Encoding, refusing more than max
// decoded bytes.
func decodeBody(r io.Reader, encoding string, max int64) ([]byte, error) {
	raw := io.LimitReader(r, max+1)
	var dec io.Reader
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
		dec = raw
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: gzip: %v", errBadEncoding, err)
		}
		defer zr.Close()
		dec = zr
	case "deflate":
		// "deflate" is zlib by the spec, raw deflate in practice often.
		br := bufio.NewReader(raw)
		head, _ := br.Peek(2)
		if len(head) == 2 && head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
			zr, err := zlib.NewReader(br)
			if err != nil {
				return nil, fmt.Errorf("%w: deflate: %v", errBadEncoding, err)
			}
			defer zr.Close()
			dec = zr
		} else {
			fr := flate.NewReader(br)
			defer fr.Close()
			dec = fr
		}
	case "br":
		dec = brotli.NewReader(raw)
	default:
		return nil, fmt.Errorf("%w: %q", errBadEncoding, encoding)
	}
	b, err := io.ReadAll(io.LimitReader(dec, max+1))
	if err != nil {
		if encoding != "" && !isNetErr(err) {
			return nil, fmt.Errorf("%w: %v", errBadEncoding, err)
		}
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, max)
	}
	return b, nil
}

// isNetErr reports an error of the connection rather than of the data.
func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// classify turns a non-2xx response into an error for the retry policy.
func classify(u string, resp *http.Response) error {
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return nil
	}
	err := &statusErr{url: u, code: code}
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

// sniffGzip reports whether b is gzip data (a .xml.gz sitemap served
// without Content-Encoding).
func sniffGzip(b []byte) bool { return bytes.HasPrefix(b, []byte{0x1f, 0x8b}) }
