package store

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"
)

// API serves the HTTP API over a Store; the web page is services/store/web.
type API struct {
	st  Store
	log *zap.Logger
}

// NewAPI returns the API over st.
func NewAPI(st Store, log *zap.Logger) *API {
	if log == nil {
		log = zap.NewNop()
	}
	return &API{st: st, log: log.With(zap.String("component", "api"))}
}

// Routes registers the API on mux:
//
//	GET /api/articles        list and search: ?q=&since=&until=&source=&entity=&language=
//	                         &on_topic=&min_relevance=&sort=&limit=&cursor=
//	GET /api/articles/{id}   one article, every field
//	GET /api/entities        top entities: ?type=&since=&until=&on_topic=&limit=
//	GET /api/stats           corpus counts
//
// Times accept RFC 3339 or YYYY-MM-DD; a date-only until includes that day.
// Errors are JSON: {"error":{"code":"invalid"|"not_found"|"internal","message":…}};
// a malformed parameter gets 400 with "param" naming it.
func (a *API) Routes(mux *http.ServeMux) {
	mux.Handle("GET /api/articles", a.handle(a.listArticles))
	mux.Handle("GET /api/articles/{id}", a.handle(a.getArticle))
	mux.Handle("GET /api/entities", a.handle(a.listEntities))
	mux.Handle("GET /api/stats", a.handle(a.stats))
	mux.Handle("/api/", a.handle(func(w http.ResponseWriter, r *http.Request) error {
		return errNotFoundPath
	}))
}

// Error codes of the API.
const (
	codeInvalid  = "invalid"
	codeNotFound = "not_found"
	codeInternal = "internal"
)

// errNotFoundPath answers API paths that do not exist.
var errNotFoundPath = fmt.Errorf("no such endpoint: %w", ErrNotFound)

// paramError is a bad request parameter.
type paramError struct{ name, msg string }

func (e *paramError) Error() string { return fmt.Sprintf("parameter %s: %s", e.name, e.msg) }

// errorParam is the request parameter err is about, or "".
func errorParam(err error) string {
	var (
		pe *paramError
		qe *QueryError
	)
	switch {
	case errors.As(err, &pe):
		return pe.name
	case errors.As(err, &qe):
		return qe.Param
	}
	return ""
}

// errorInfo maps err to an HTTP status, a code and a message safe to show.
func errorInfo(err error) (status int, code, msg string) {
	var (
		pe *paramError
		qe *QueryError
	)
	switch {
	case errors.As(err, &pe):
		return http.StatusBadRequest, codeInvalid, pe.Error()
	case errors.As(err, &qe):
		return http.StatusBadRequest, codeInvalid, (&paramError{qe.Param, qe.Msg}).Error()
	case errors.Is(err, ErrInvalidQuery):
		return http.StatusBadRequest, codeInvalid, err.Error()
	case errors.Is(err, ErrNotFound):
		if errors.Is(err, errNotFoundPath) {
			return http.StatusNotFound, codeNotFound, "no such endpoint"
		}
		return http.StatusNotFound, codeNotFound, "article not found"
	default:
		return http.StatusInternalServerError, codeInternal, "internal error"
	}
}

// handle adapts an API handler: errors become JSON error responses, and a
// panic becomes a 500.
func (a *API) handle(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer a.recover(w, r)
		if err := h(w, r); err != nil {
			status, code, msg := errorInfo(err)
			a.logError(r, status, err)
			e := map[string]string{"code": code, "message": msg}
			if p := errorParam(err); p != "" && status == http.StatusBadRequest {
				e["param"] = p
			}
			a.writeJSON(w, status, map[string]any{"error": e})
		}
	})
}

func (a *API) recover(w http.ResponseWriter, r *http.Request) {
	if v := recover(); v != nil {
		a.log.Error("handler panic", zap.String("path", r.URL.Path), zap.Any("panic", v), zap.Stack("stack"))
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func (a *API) logError(r *http.Request, status int, err error) {
	if status >= 500 {
		a.log.Error("request failed", zap.String("path", r.URL.Path), zap.Error(err))
		return
	}
	a.log.Debug("bad request", zap.String("path", r.URL.Path), zap.Int("status", status), zap.Error(err))
}

func (a *API) writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		a.log.Error("encode response", zap.Error(err))
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n')) //nolint:errcheck // the client went away
}

// queryFromRequest reads the list parameters.
func queryFromRequest(v url.Values) (Query, error) {
	q := Query{
		Q:        v.Get("q"),
		Source:   v.Get("source"),
		Entity:   v.Get("entity"),
		Language: v.Get("language"),
		Sort:     v.Get("sort"),
		Cursor:   v.Get("cursor"),
	}
	var err error
	if q.Since, err = timeParam(v, "since", false); err != nil {
		return q, err
	}
	if q.Until, err = timeParam(v, "until", true); err != nil {
		return q, err
	}
	if q.OnTopic, err = boolParam(v, "on_topic"); err != nil {
		return q, err
	}
	if s := v.Get("min_relevance"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return q, &paramError{"min_relevance", "want a number"}
		}
		q.MinRelevance = f
	}
	if q.Limit, err = limitParam(v); err != nil {
		return q, err
	}
	if q.Sort != "" && q.Sort != SortPublished && q.Sort != SortRelevance {
		return q, &paramError{"sort", "want published or relevance"}
	}
	return q, nil
}

// timeParam parses an RFC 3339 time or a YYYY-MM-DD date (UTC). A date
// read as an end (until) means the end of that day.
func timeParam(v url.Values, name string, end bool) (time.Time, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, &paramError{name, "want RFC 3339 time or YYYY-MM-DD"}
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

func boolParam(v url.Values, name string) (*bool, error) {
	s := v.Get(name)
	if s == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, &paramError{name, "want true or false"}
	}
	return &b, nil
}

func limitParam(v url.Values) (int, error) {
	s := v.Get("limit")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, &paramError{"limit", "want a positive integer"}
	}
	return n, nil
}

func (a *API) listArticles(w http.ResponseWriter, r *http.Request) error {
	q, err := queryFromRequest(r.URL.Query())
	if err != nil {
		return err
	}
	page, err := a.st.List(r.Context(), q)
	if err != nil {
		return err
	}
	if page.Articles == nil {
		page.Articles = []Summary{}
	}
	a.writeJSON(w, http.StatusOK, page)
	return nil
}

func (a *API) getArticle(w http.ResponseWriter, r *http.Request) error {
	art, err := a.st.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	art.Normalize()
	a.writeJSON(w, http.StatusOK, art)
	return nil
}

// entityQueryFromRequest reads the entity parameters.
func entityQueryFromRequest(v url.Values) (EntityQuery, error) {
	q := EntityQuery{Type: v.Get("type")}
	var err error
	if q.Since, err = timeParam(v, "since", false); err != nil {
		return q, err
	}
	if q.Until, err = timeParam(v, "until", true); err != nil {
		return q, err
	}
	if q.OnTopic, err = boolParam(v, "on_topic"); err != nil {
		return q, err
	}
	if q.Limit, err = limitParam(v); err != nil {
		return q, err
	}
	return q, nil
}

func (a *API) listEntities(w http.ResponseWriter, r *http.Request) error {
	q, err := entityQueryFromRequest(r.URL.Query())
	if err != nil {
		return err
	}
	ents, err := a.st.Entities(r.Context(), q)
	if err != nil {
		return err
	}
	if ents == nil {
		ents = []EntityCount{}
	}
	a.writeJSON(w, http.StatusOK, struct {
		Entities []EntityCount `json:"entities"`
	}{ents})
	return nil
}

func (a *API) stats(w http.ResponseWriter, r *http.Request) error {
	st, err := a.st.Stats(r.Context())
	if err != nil {
		return err
	}
	a.writeJSON(w, http.StatusOK, st)
	return nil
}
