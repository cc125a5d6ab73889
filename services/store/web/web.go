// Package web serves the coverage web page over a store: an overview of the
// topic's coverage over time with the newest articles updating live, search
// with filters, an article view with its entities highlighted, and the
// pipeline's health.
//
// Pages are rendered with html/template, so every piece of article content
// is escaped; the small script and the chart library (uPlot, vendored, see
// NOTICE.md) are embedded in the binary and served under a strict Content
// Security Policy. Every page works without JavaScript; the script adds the
// chart, live updates and the "new since you looked" marker.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/services/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// contentSecurityPolicy allows only the embedded script and styles: no
// inline script or style, no other origin, no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// Server serves the web pages over a Store.
type Server struct {
	st     store.Store
	status PipelineStatus
	log    *zap.Logger
	tmpl   *template.Template
	static http.Handler
	// assetVersion is a hash of the embedded assets, added to their URLs so
	// that browsers may cache them for good.
	assetVersion string
	now          func() time.Time
	// livePoll is how often the overview's live list polls.
	livePoll time.Duration

	cov   coverageCache
	ents  entityCache
	rates rateTracker
}

// New returns the web pages over st. status reports the pipeline's state
// for the pipeline view; nil means it is not available in this process,
// and the page says so.
func New(st store.Store, status PipelineStatus, log *zap.Logger) *Server {
	if log == nil {
		log = zap.NewNop()
	}
	s := &Server{st: st, status: status, log: log.With(zap.String("component", "web")),
		now: time.Now, livePoll: 15 * time.Second}
	s.assetVersion = hashFS(staticFS)
	s.tmpl = template.Must(template.New("").Funcs(s.funcs()).ParseFS(templateFS, "templates/*.html"))
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded directory exists
	}
	s.static = http.StripPrefix("/static/", http.FileServerFS(sub))
	return s
}

// Routes registers the pages on mux:
//
//	GET /{$}              overview: coverage chart, newest articles, top entities, story clusters
//	                      ?window=24h|7d|30d|90d|all &stack=source|language|topic &scope=topic|all
//	GET /search           search: ?q=&since=&until=&source=&language=&entity=&on_topic=
//	                      &min_relevance=&sort=&cursor=
//	GET /articles/{id}    one article with its entities highlighted
//	GET /pipeline         per-stage backlog and rate, dead letters, source health
//	GET /live/newest      the newest articles as JSON, for the overview's live list: ?scope=
//	GET /static/{path...} embedded script, styles and chart library
func (s *Server) Routes(mux *http.ServeMux) {
	mux.Handle("GET /{$}", s.page(s.overviewPage))
	mux.Handle("GET /search", s.page(s.searchPage))
	mux.Handle("GET /articles/{id}", s.page(s.articlePage))
	mux.Handle("GET /pipeline", s.page(s.pipelinePage))
	mux.Handle("GET /live/newest", http.HandlerFunc(s.liveNewest))
	mux.Handle("GET /static/", http.HandlerFunc(s.serveStatic))
}

// hashFS returns a short hash of every file in fsys.
func hashFS(fsys fs.FS) string {
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", p, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		panic(err) // embedded files are always readable
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == s.assetVersion {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	s.static.ServeHTTP(w, r)
}

// Errors of the pages.
var (
	// errBadParam is a request parameter that cannot be used.
	errBadParam = errors.New("bad parameter")
	// errNoPage answers paths that do not exist.
	errNoPage = errors.New("no such page")
)

// paramError is a bad request parameter.
func paramError(name, msg string) error {
	return fmt.Errorf("%w %s: %s", errBadParam, name, msg)
}

// errorInfo maps err to an HTTP status and a message safe to show.
func errorInfo(err error) (int, string) {
	switch {
	case errors.Is(err, errBadParam):
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, store.ErrInvalidQuery):
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, errNoPage):
		return http.StatusNotFound, "There is no such page."
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, "This article is not in the store."
	case errors.Is(err, context.Canceled):
		return 499, "request cancelled"
	default:
		return http.StatusInternalServerError, "Something went wrong on our side; the details are in the server log."
	}
}

// view is what a page handler returns: the template to render, its data,
// and the status to answer with.
type view struct {
	Template string
	Status   int
	Data     any
}

// layout is the data every page shares.
type layout struct {
	Title  string
	Nav    string // the current section: overview, search, pipeline
	Q      string // the search text, shown in the header's search box
	Assets string // asset version
	Page   any
}

// errorData is the data of error.html.
type errorData struct {
	Status  int
	Message string
}

// page adapts a page handler: it renders into a buffer, so a failure gives
// a clean error page, and sets the security headers.
func (s *Server) page(h func(r *http.Request) (view, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer s.recover(w, r)
		v, err := h(r)
		if err != nil {
			status, msg := errorInfo(err)
			s.logError(r, status, err)
			v = view{Template: "error.html", Status: status, Data: layout{Title: "Error", Page: errorData{status, msg}}}
		}
		if v.Status == 0 {
			v.Status = http.StatusOK
		}
		if l, ok := v.Data.(layout); ok {
			l.Assets = s.assetVersion
			v.Data = l
		}
		var buf bytes.Buffer
		if err := s.tmpl.ExecuteTemplate(&buf, v.Template, v.Data); err != nil {
			s.log.Error("render page", zap.String("template", v.Template), zap.Error(err))
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		setPageHeaders(w.Header())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(v.Status)
		w.Write(buf.Bytes()) //nolint:errcheck // the client went away
	})
}

func setPageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
}

func (s *Server) recover(w http.ResponseWriter, r *http.Request) {
	if v := recover(); v != nil {
		s.log.Error("handler panic", zap.String("path", r.URL.Path), zap.Any("panic", v), zap.Stack("stack"))
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func (s *Server) logError(r *http.Request, status int, err error) {
	if status >= 500 && status != 499 {
		s.log.Error("page failed", zap.String("path", r.URL.Path), zap.Error(err))
		return
	}
	s.log.Debug("bad page request", zap.String("path", r.URL.Path), zap.Int("status", status), zap.Error(err))
}

// writeJSON answers with v as JSON.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.log.Error("encode response", zap.Error(err))
		status = http.StatusInternalServerError
		b = []byte(`{"error":"internal error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n')) //nolint:errcheck // the client went away
}

// funcs are the template helpers.
func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"asset":      func(name string) string { return "/static/" + name + "?v=" + s.assetVersion },
		"articleURL": articleURL,
		"time":       fmtTime,
		"isoTime":    isoTime,
		"ago":        func(t any) string { return ago(s.now(), t) },
		"percent":    func(f float64) string { return strconv.FormatFloat(f*100, 'f', 0, 64) + "%" },
		"snippet":    safeSnippet,
		"join":       strings.Join,
		"entityURL":  entityURL,
		"typeLabel":  typeLabel,
		"add":        func(a, b int) int { return a + b },
		"fmtFloat":   func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) },
		"rate":       func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
		"hostOf":     hostOf,
		"isWebURL":   isWebURL,
		"pathEscape": url.PathEscape,
		"displayAt":  func(a store.Summary) time.Time { return displayTime(a) },
		"headline":   store.Headline,
	}
}

// articleURL is the path of an article's page.
func articleURL(id string) string { return "/articles/" + url.PathEscape(id) }

// entityURL is the search page filtered on one entity.
func entityURL(name string) string { return "/search?" + url.Values{"entity": {name}}.Encode() }

// hostOf is the host of an URL, for short display.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return strings.TrimPrefix(u.Host, "www.")
}

// isWebURL reports whether raw is an absolute http or https URL, the only
// kind the article page links to.
func isWebURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// typeLabel names an entity type for people.
func typeLabel(t string) string {
	switch t {
	case "person":
		return "Person"
	case "org":
		return "Organization"
	case "place":
		return "Place"
	}
	return t
}

// asTime accepts time.Time and *time.Time; nil and zero are "no time".
func asTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t == nil {
			return time.Time{}, false
		}
		return *t, !t.IsZero()
	}
	return time.Time{}, false
}

func fmtTime(v any) string {
	t, ok := asTime(v)
	if !ok {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func isoTime(v any) string {
	t, ok := asTime(v)
	if !ok {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// ago says how long before now t was, roughly.
func ago(now time.Time, v any) string {
	t, ok := asTime(v)
	if !ok {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return "in " + roughDuration(-d)
	case d < 10*time.Second:
		return "just now"
	}
	return roughDuration(d) + " ago"
}

func roughDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + " s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " h"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + " days"
}
