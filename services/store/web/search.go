package web

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/newsflow/newsflow/services/store"
)

// searchForm is the search page's form as the user filled it in; every
// field is a query parameter, so a search is a shareable URL.
type searchForm struct {
	Q            string
	Since        string // YYYY-MM-DD or RFC 3339
	Until        string // YYYY-MM-DD (inclusive) or RFC 3339 (exclusive)
	Source       string
	Language     string
	Entity       string
	OnTopic      string // "", "true", "false"
	MinRelevance string
	Sort         string // "", "published", "relevance"
	Cursor       string
}

// searchParams lists the form's parameters in URL order.
func (f searchForm) values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{
		{"q", f.Q}, {"since", f.Since}, {"until", f.Until}, {"source", f.Source},
		{"language", f.Language}, {"entity", f.Entity}, {"on_topic", f.OnTopic},
		{"min_relevance", f.MinRelevance}, {"sort", f.Sort},
	} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// HasFilters reports whether any filter besides the search text is set.
func (f searchForm) HasFilters() bool {
	return f.Since != "" || f.Until != "" || f.Source != "" || f.Language != "" || f.Entity != "" ||
		f.OnTopic != "" || f.MinRelevance != "" || f.Sort != ""
}

// formFromRequest reads the search form from the query string.
func formFromRequest(v url.Values) searchForm {
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	return searchForm{
		Q: get("q"), Since: get("since"), Until: get("until"), Source: get("source"),
		Language: get("language"), Entity: get("entity"), OnTopic: get("on_topic"),
		MinRelevance: get("min_relevance"), Sort: get("sort"), Cursor: get("cursor"),
	}
}

// query turns the form into a store query; a bad field is a paramError.
func (f searchForm) query(limit int) (store.Query, error) {
	q := store.Query{
		Q: f.Q, Source: f.Source, Language: f.Language, Entity: f.Entity,
		Cursor: f.Cursor, Limit: limit,
	}
	var err error
	if q.Since, err = parseTime("since", f.Since, false); err != nil {
		return q, err
	}
	if q.Until, err = parseTime("until", f.Until, true); err != nil {
		return q, err
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		return q, paramError("until", "the date range is empty (until is not after since)")
	}
	switch f.OnTopic {
	case "":
	case "true", "false":
		b := f.OnTopic == "true"
		q.OnTopic = &b
	default:
		return q, paramError("on_topic", "want true or false")
	}
	if f.MinRelevance != "" {
		r, err := strconv.ParseFloat(f.MinRelevance, 64)
		if err != nil || math.IsNaN(r) || math.IsInf(r, 0) || r < 0 || r > 1 {
			return q, paramError("min_relevance", "want a number from 0 to 1")
		}
		q.MinRelevance = r
	}
	switch f.Sort {
	case "", store.SortPublished, store.SortRelevance:
		q.Sort = f.Sort
	default:
		return q, paramError("sort", "want published or relevance")
	}
	return q, nil
}

// parseTime reads an RFC 3339 time or a YYYY-MM-DD date (UTC); a date read
// as an end means the end of that day.
func parseTime(name, s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, paramError(name, "want a date (YYYY-MM-DD) or an RFC 3339 time")
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

// searchLimit is the number of results per page.
const searchLimit = 25

// searchData is the data of search.html.
type searchData struct {
	Form      searchForm
	Searched  bool // a search or filter was given
	Results   []store.Summary
	NextURL   string
	FirstURL  string // the first page, when showing a later one
	Err       string
	Sources   []store.SourceCount
	Languages []store.LangCount
}

func (s *Server) searchPage(r *http.Request) (view, error) {
	ctx := r.Context()
	f := formFromRequest(r.URL.Query())
	d := searchData{Form: f, Searched: f.Q != "" || f.HasFilters()}
	st, err := s.st.Stats(ctx)
	if err != nil {
		return view{}, err
	}
	d.Sources, d.Languages = st.Sources, st.Languages
	status := http.StatusOK
	q, err := f.query(searchLimit)
	if err == nil {
		var page store.Page
		page, err = s.st.List(ctx, q)
		d.Results = page.Articles
		if page.NextCursor != "" {
			v := f.values()
			v.Set("cursor", page.NextCursor)
			d.NextURL = "/search?" + v.Encode()
		}
	}
	if err != nil {
		// Bad input is shown next to the form, which stays filled in.
		if !errors.Is(err, errBadParam) && !errors.Is(err, store.ErrInvalidQuery) {
			return view{}, err
		}
		status, d.Err = errorInfo(err)
		s.logError(r, status, err)
	}
	if f.Cursor != "" {
		d.FirstURL = "/search?" + f.values().Encode()
	}
	title := "Search"
	if f.Q != "" {
		title = f.Q + " · Search"
	}
	return view{Template: "search.html", Status: status, Data: layout{Title: title, Nav: "search", Q: f.Q, Page: d}}, nil
}
