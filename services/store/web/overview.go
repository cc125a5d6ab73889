package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/segmentio/encoding/json"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/singleflight"

	"github.com/newsflow/newsflow/services/store"
)

// Windows of the overview, by name.
var windows = []struct {
	Name  string
	Label string
	Span  time.Duration // 0: everything stored
}{
	{"24h", "24 hours", 24 * time.Hour},
	{"7d", "7 days", 7 * 24 * time.Hour},
	{"30d", "30 days", 30 * 24 * time.Hour},
	{"90d", "90 days", 90 * 24 * time.Hour},
	{"all", "All time", 0},
}

const (
	defaultWindow = "7d"
	day           = 24 * time.Hour
	week          = 7 * day
	// maxScan bounds the articles read to draw one window's chart and
	// clusters; a larger window shows its newest maxScan articles.
	maxScan = 50000
	// maxGroups is the number of sources or languages stacked in the chart;
	// the rest are summed as "other".
	maxGroups = 7
	// newestLimit is the length of the live list of newest articles.
	newestLimit = 15
	// clusterLimit is the number of story clusters shown.
	clusterLimit = 12
	// entityLimit is the number of entities shown per type.
	entityLimit = 8
)

// Stack modes of the coverage chart.
const (
	stackSource   = "source"
	stackLanguage = "language"
	stackTopic    = "topic"
)

// Scopes of the overview's lists: on-topic articles or all.
const (
	scopeTopic = "topic"
	scopeAll   = "all"
)

// window is the time range the overview shows.
type window struct {
	Name   string
	Label  string
	Since  time.Time // inclusive
	Until  time.Time // exclusive
	Bucket time.Duration
}

// BucketName names the chart's bucket size.
func (w window) BucketName() string {
	switch w.Bucket {
	case time.Hour:
		return "hour"
	case day:
		return "day"
	}
	return "week"
}

// bucketStart is the start of the bucket holding t (UTC, aligned to the
// Unix epoch; weeks start on Thursdays, which nobody notices).
func bucketStart(t time.Time, b time.Duration) time.Time {
	return t.UTC().Truncate(b)
}

// resolveWindow turns a window name into a time range ending at the end of
// now's bucket. first is the day of the oldest article (for "all").
func resolveWindow(name string, now time.Time, first, last time.Time) (window, error) {
	for _, w := range windows {
		if w.Name != name {
			continue
		}
		win := window{Name: w.Name, Label: w.Label}
		span := w.Span
		if span == 0 {
			if first.IsZero() {
				first = now
			}
			end := now
			if last.After(end) {
				end = last
			}
			span = end.Sub(first) + time.Second
		}
		switch {
		case span <= 2*day:
			win.Bucket = time.Hour
		case span <= 400*day:
			win.Bucket = day
		default:
			win.Bucket = week
		}
		end := now
		if w.Span == 0 && last.After(end) {
			end = last
		}
		win.Until = bucketStart(end, win.Bucket).Add(win.Bucket)
		if w.Span == 0 {
			win.Since = bucketStart(first, win.Bucket)
		} else {
			win.Since = win.Until.Add(-w.Span)
		}
		return win, nil
	}
	return window{}, paramError("window", "want one of 24h, 7d, 30d, 90d, all")
}

// scanned is what the overview keeps of an article in its window.
type scanned struct {
	ID        string
	Title     string
	Source    string
	Language  string
	OnTopic   bool
	ClusterID string
	At        time.Time // coalesce(published_at, fetched_at)
}

// windowScan is every article of a window, newest first.
type windowScan struct {
	Articles  []scanned
	Truncated bool
}

// coverageCache keeps recent window scans, keyed by the window and the
// store's last update, so that a reload of an unchanged store costs only
// the Stats query.
type coverageCache struct {
	group   singleflight.Group
	mu      sync.Mutex
	entries map[string]*windowScan
	order   []string
}

const coverageCacheSize = 8

func (c *coverageCache) get(key string) (*windowScan, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.entries[key]
	return v, ok
}

func (c *coverageCache) put(key string, v *windowScan) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]*windowScan{}
	}
	if _, ok := c.entries[key]; !ok {
		c.order = append(c.order, key)
	}
	c.entries[key] = v
	for len(c.order) > coverageCacheSize {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
}

// scanWindow reads the window's articles from the store, or from the cache
// if the store has not changed since.
func (s *Server) scanWindow(ctx context.Context, w window, st store.Stats) (*windowScan, error) {
	var updated int64
	if st.LastUpdatedAt != nil {
		updated = st.LastUpdatedAt.UnixNano()
	}
	key := fmt.Sprintf("%d|%d|%d|%d", w.Since.UnixNano(), w.Until.UnixNano(), st.Articles, updated)
	if v, ok := s.cov.get(key); ok {
		return v, nil
	}
	v, err, _ := s.cov.group.Do(key, func() (any, error) {
		// Detached from one request: a cancelled reload must not fail the
		// others waiting on the same scan.
		ctx := context.WithoutCancel(ctx)
		ws := &windowScan{}
		q := store.Query{Since: w.Since, Until: w.Until, Limit: store.MaxLimit}
		for {
			page, err := s.st.List(ctx, q)
			if err != nil {
				return nil, err
			}
			for _, a := range page.Articles {
				at := a.FetchedAt
				if a.PublishedAt != nil {
					at = *a.PublishedAt
				}
				ws.Articles = append(ws.Articles, scanned{
					ID: a.ID, Title: store.Headline(a.Title, a.Summary), Source: a.Source, Language: a.Language,
					OnTopic: a.OnTopic, ClusterID: a.ClusterID, At: at.UTC(),
				})
			}
			if page.NextCursor == "" {
				break
			}
			if len(ws.Articles) >= maxScan {
				ws.Truncated = true
				break
			}
			q.Cursor = page.NextCursor
		}
		s.cov.put(key, ws)
		return ws, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*windowScan), nil
}

// chartData is the coverage chart as the script draws it.
type chartData struct {
	// Times are the bucket starts, in Unix seconds.
	Times  []int64 `json:"t"`
	Bucket int64   `json:"bucket"` // seconds
	Stack  string  `json:"stack"`
	// Groups are the stacked series, largest first.
	Groups []chartGroup `json:"groups"`
	// OnTopic is the number of on-topic articles per bucket (drawn as a
	// line over the stacks, except when stacking by topic).
	OnTopic []int `json:"on_topic"`
	Total   []int `json:"total"`
}

type chartGroup struct {
	Name   string `json:"name"`
	Counts []int  `json:"counts"`
}

// tableRow is one bucket of the chart's table view.
type tableRow struct {
	Start   time.Time
	Total   int
	OnTopic int
}

// buildChart counts ws's articles per bucket of w, stacked by stack.
func buildChart(ws *windowScan, w window, stack string) chartData {
	n := int(w.Until.Sub(w.Since) / w.Bucket)
	cd := chartData{Times: make([]int64, n), Bucket: int64(w.Bucket / time.Second), Stack: stack,
		OnTopic: make([]int, n), Total: make([]int, n)}
	for i := range n {
		cd.Times[i] = w.Since.Add(time.Duration(i) * w.Bucket).Unix()
	}
	key := func(a *scanned) string {
		switch stack {
		case stackLanguage:
			if a.Language == "" {
				return "unknown"
			}
			return a.Language
		case stackTopic:
			if a.OnTopic {
				return "on topic"
			}
			return "off topic"
		}
		if a.Source == "" {
			return "unknown"
		}
		return a.Source
	}
	totals := map[string]int{}
	for i := range ws.Articles {
		totals[key(&ws.Articles[i])]++
	}
	names := make([]string, 0, len(totals))
	for k := range totals {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if stack == stackTopic {
			return names[i] < names[j] // "off topic" under "on topic"
		}
		if totals[names[i]] != totals[names[j]] {
			return totals[names[i]] > totals[names[j]]
		}
		return names[i] < names[j]
	})
	index := map[string]int{}
	for i, name := range names {
		if i == maxGroups && len(names) > maxGroups+1 {
			cd.Groups = append(cd.Groups, chartGroup{Name: "other", Counts: make([]int, n)})
			for _, rest := range names[i:] {
				index[rest] = i
			}
			break
		}
		index[name] = i
		cd.Groups = append(cd.Groups, chartGroup{Name: name, Counts: make([]int, n)})
	}
	for i := range ws.Articles {
		a := &ws.Articles[i]
		b := int(a.At.Sub(w.Since) / w.Bucket)
		if b < 0 || b >= n || a.At.Before(w.Since) {
			continue
		}
		cd.Groups[index[key(a)]].Counts[b]++
		cd.Total[b]++
		if a.OnTopic {
			cd.OnTopic[b]++
		}
	}
	return cd
}

// clusterRow is one story cluster of the window.
type clusterRow struct {
	ID string
	// First is the article published first; it names the story.
	First scanned
	Size  int
	// Outlets are the sources in the order they published.
	Outlets []string
	Latest  time.Time
	OnTopic bool
}

// buildClusters groups ws's articles by cluster and returns the clusters
// with more than one article, largest (then most recent) first.
func buildClusters(ws *windowScan, scope string, limit int) []clusterRow {
	byID := map[string]*clusterRow{}
	var ids []string
	// Articles are newest first: walk them oldest first so that the first
	// publisher is seen first.
	for i := len(ws.Articles) - 1; i >= 0; i-- {
		a := ws.Articles[i]
		if a.ClusterID == "" {
			continue
		}
		c, ok := byID[a.ClusterID]
		if !ok {
			c = &clusterRow{ID: a.ClusterID, First: a}
			byID[a.ClusterID] = c
			ids = append(ids, a.ClusterID)
		}
		c.Size++
		c.Latest = a.At
		c.OnTopic = c.OnTopic || a.OnTopic
		if !contains(c.Outlets, a.Source) {
			c.Outlets = append(c.Outlets, a.Source)
		}
	}
	var out []clusterRow
	for _, id := range ids {
		c := byID[id]
		if c.Size < 2 || (scope == scopeTopic && !c.OnTopic) {
			continue
		}
		out = append(out, *c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Size != out[j].Size {
			return out[i].Size > out[j].Size
		}
		return out[i].Latest.After(out[j].Latest)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// overviewData is the data of overview.html.
type overviewData struct {
	Window    window
	Windows   []windowLink
	Stacks    []windowLink
	Scopes    []windowLink
	Stack     string
	Scope     string
	Stats     store.Stats
	ChartJSON string
	Table     []tableRow
	Total     int
	OnTopic   int
	Truncated bool
	// Newest are the newest articles of the scope (not of the window).
	Newest []store.Summary
	// Entities per type: person, org, place.
	Entities []entityList
	Clusters []clusterRow
	Now      time.Time
	// PollSeconds is how often the live list asks for news.
	PollSeconds int
	// EmptyHint is set when the window is empty but the store is not.
	EmptyHint string
}

// windowLink is a choice of the overview's controls.
type windowLink struct {
	Label   string
	URL     string
	Current bool
}

// entityList is the top entities of one type.
type entityList struct {
	Type     string
	Title    string
	Entities []store.EntityCount
	Max      int
}

// overviewParams are the overview's query parameters.
type overviewParams struct {
	Window, Stack, Scope string
}

func (p overviewParams) url() string {
	v := url.Values{}
	if p.Window != defaultWindow {
		v.Set("window", p.Window)
	}
	if p.Stack != stackSource {
		v.Set("stack", p.Stack)
	}
	v.Set("scope", p.Scope)
	return "/?" + v.Encode()
}

func (s *Server) overviewPage(r *http.Request) (view, error) {
	ctx := r.Context()
	v := r.URL.Query()
	p := overviewParams{Window: v.Get("window"), Stack: v.Get("stack"), Scope: v.Get("scope")}
	if p.Window == "" {
		p.Window = defaultWindow
	}
	switch p.Stack {
	case "":
		p.Stack = stackSource
	case stackSource, stackLanguage, stackTopic:
	default:
		return view{}, paramError("stack", "want source, language or topic")
	}
	switch p.Scope {
	case "", scopeTopic, scopeAll:
	default:
		return view{}, paramError("scope", "want topic or all")
	}
	now := s.now().UTC()
	// The window of a fixed span does not depend on the store: its
	// entities and the newest articles are read while Stats runs.
	win, err := resolveWindow(p.Window, now, time.Time{}, time.Time{})
	if err != nil {
		return view{}, err
	}
	// An unset scope is "topic", unless nothing is on topic (Stats says);
	// the lists are read for "topic" meanwhile, and again in the rare case.
	scope := p.Scope
	if scope == "" {
		scope = scopeTopic
	}
	var (
		st    store.Stats
		lists overviewLists
	)
	g, gctx := errgroup.WithContext(ctx)
	goSafe(g, func() (err error) {
		st, err = s.st.Stats(gctx)
		return err
	})
	goSafe(g, func() (err error) {
		lists, err = s.readLists(gctx, win, p.Window == "all", scope)
		return err
	})
	if err := g.Wait(); err != nil {
		return view{}, err
	}
	if p.Scope == "" && st.OnTopic == 0 {
		scope = scopeAll
		if lists, err = s.readLists(ctx, win, p.Window == "all", scope); err != nil {
			return view{}, err
		}
	}
	p.Scope = scope
	if p.Window == "all" {
		var first, last time.Time
		if len(st.Days) > 0 {
			first, _ = time.Parse(time.DateOnly, st.Days[0].Day)
			last, _ = time.Parse(time.DateOnly, st.Days[len(st.Days)-1].Day)
		}
		if win, err = resolveWindow(p.Window, now, first, last); err != nil {
			return view{}, err
		}
	}
	d := overviewData{Window: win, Stack: p.Stack, Scope: p.Scope, Stats: st, Now: now,
		PollSeconds: max(1, int(s.livePoll/time.Second))}
	for _, w := range windows {
		q := p
		q.Window = w.Name
		d.Windows = append(d.Windows, windowLink{Label: w.Label, URL: q.url(), Current: w.Name == p.Window})
	}
	for _, k := range []struct{ name, label string }{{stackSource, "Source"}, {stackLanguage, "Language"}, {stackTopic, "On topic"}} {
		q := p
		q.Stack = k.name
		d.Stacks = append(d.Stacks, windowLink{Label: k.label, URL: q.url(), Current: k.name == p.Stack})
	}
	for _, k := range []struct{ name, label string }{{scopeTopic, "On-topic articles"}, {scopeAll, "All articles"}} {
		q := p
		q.Scope = k.name
		d.Scopes = append(d.Scopes, windowLink{Label: k.label, URL: q.url(), Current: k.name == p.Scope})
	}

	ws, err := s.scanWindow(ctx, win, st)
	if err != nil {
		return view{}, err
	}
	d.Truncated = ws.Truncated
	cd := buildChart(ws, win, p.Stack)
	b, err := json.Marshal(cd)
	if err != nil {
		return view{}, fmt.Errorf("encode chart: %w", err)
	}
	d.ChartJSON = string(b)
	for i, t := range cd.Times {
		d.Total += cd.Total[i]
		d.OnTopic += cd.OnTopic[i]
		if cd.Total[i] > 0 {
			d.Table = append(d.Table, tableRow{Start: time.Unix(t, 0).UTC(), Total: cd.Total[i], OnTopic: cd.OnTopic[i]})
		}
	}
	if d.Total == 0 && st.Articles > 0 && p.Window != "all" {
		d.EmptyHint = overviewParams{Window: "all", Stack: p.Stack, Scope: p.Scope}.url()
	}
	d.Clusters = buildClusters(ws, p.Scope, clusterLimit)

	d.Newest = lists.Newest
	d.Entities = lists.Entities
	return view{Template: "overview.html", Data: layout{Title: "Coverage", Nav: "overview", Page: d}}, nil
}

// overviewLists are the overview's lists of one scope.
type overviewLists struct {
	Newest   []store.Summary
	Entities []entityList
}

// readLists reads the newest articles and the top entities of the window
// (of all time if allTime) in scope, in parallel.
func (s *Server) readLists(ctx context.Context, win window, allTime bool, scope string) (overviewLists, error) {
	types := []struct{ typ, title string }{{"person", "People"}, {"org", "Organizations"}, {"place", "Places"}}
	l := overviewLists{Entities: make([]entityList, len(types))}
	onTopic := scopeFilter(scope)
	g, gctx := errgroup.WithContext(ctx)
	goSafe(g, func() error {
		page, err := s.st.List(gctx, store.Query{OnTopic: onTopic, Limit: newestLimit})
		l.Newest = page.Articles
		return err
	})
	key := fmt.Sprintf("%s|%d|%d|%v", scope, win.Since.UnixNano(), win.Until.UnixNano(), allTime)
	cached, hit := s.ents.get(key, s.now())
	if hit {
		l.Entities = cached
	} else {
		for i, t := range types {
			goSafe(g, func() error {
				q := store.EntityQuery{Type: t.typ, OnTopic: onTopic, Limit: entityLimit}
				if !allTime {
					q.Since, q.Until = win.Since, win.Until
				}
				ents, err := s.st.Entities(gctx, q)
				el := entityList{Type: t.typ, Title: t.title, Entities: ents}
				for _, e := range ents {
					el.Max = max(el.Max, e.Articles)
				}
				l.Entities[i] = el
				return err
			})
		}
	}
	if err := g.Wait(); err != nil {
		return l, err
	}
	if !hit {
		s.ents.put(key, l.Entities, s.now())
	}
	return l, nil
}

// entityTTL is how long the overview's top entities are reused: counting
// mentions over a window is the costliest query of the page, and a ranking
// a few seconds old is still the ranking.
const entityTTL = 20 * time.Second

// entityCache keeps recent top-entity lists for entityTTL.
type entityCache struct {
	mu      sync.Mutex
	entries map[string]entityEntry
}

type entityEntry struct {
	at    time.Time
	lists []entityList
}

func (c *entityCache) get(key string, now time.Time) ([]entityList, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || now.Sub(e.at) > entityTTL || now.Before(e.at) {
		return nil, false
	}
	return e.lists, true
}

func (c *entityCache) put(key string, lists []entityList, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]entityEntry{}
	}
	for k, e := range c.entries {
		if now.Sub(e.at) > entityTTL {
			delete(c.entries, k)
		}
	}
	c.entries[key] = entityEntry{at: now, lists: lists}
}

// goSafe runs f in g; a panic in f becomes its error, as it would in the
// request's own goroutine.
func goSafe(g *errgroup.Group, f func() error) {
	g.Go(func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("panic: %v", v)
			}
		}()
		return f()
	})
}

// scopeFilter is the on-topic filter of a scope.
func scopeFilter(scope string) *bool {
	if scope == scopeTopic {
		t := true
		return &t
	}
	return nil
}

// liveArticle is an article of the live list, as the script renders it.
type liveArticle struct {
	ID          string  `json:"id"`
	Href        string  `json:"href"`
	Title       string  `json:"title"`
	Source      string  `json:"source"`
	Language    string  `json:"language"`
	Relevance   float64 `json:"relevance"`
	OnTopic     bool    `json:"on_topic"`
	PublishedAt string  `json:"published_at"`
	Published   string  `json:"published"` // for display
	FetchedAt   string  `json:"fetched_at"`
}

// liveNewest answers the overview's live list: the newest articles of the
// scope, as JSON.
func (s *Server) liveNewest(w http.ResponseWriter, r *http.Request) {
	defer s.recover(w, r)
	scope := r.URL.Query().Get("scope")
	var onTopic *bool
	switch scope {
	case "", scopeTopic:
		t := true
		onTopic = &t
	case scopeAll:
	default:
		s.writeJSON(w, http.StatusBadRequest, map[string]string{"error": "scope: want topic or all"})
		return
	}
	limit := newestLimit
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > store.MaxLimit {
			s.writeJSON(w, http.StatusBadRequest, map[string]string{"error": "limit: want 1 to " + strconv.Itoa(store.MaxLimit)})
			return
		}
		limit = n
	}
	page, err := s.st.List(r.Context(), store.Query{OnTopic: onTopic, Limit: limit})
	if err != nil {
		status, msg := errorInfo(err)
		s.logError(r, status, err)
		s.writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	out := struct {
		Now      string        `json:"now"`
		Articles []liveArticle `json:"articles"`
	}{Now: s.now().UTC().Format(time.RFC3339Nano), Articles: make([]liveArticle, 0, len(page.Articles))}
	for _, a := range page.Articles {
		out.Articles = append(out.Articles, liveArticle{
			ID: a.ID, Href: articleURL(a.ID), Title: store.Headline(a.Title, a.Summary), Source: a.Source, Language: a.Language,
			Relevance: a.Relevance, OnTopic: a.OnTopic, PublishedAt: isoTime(a.PublishedAt),
			Published: fmtTime(displayTime(a)), FetchedAt: a.FetchedAt.UTC().Format(time.RFC3339Nano),
		})
	}
	s.writeJSON(w, http.StatusOK, out)
}

// displayTime is the time an article is listed under: when it was
// published, or when it was fetched if that is unknown.
func displayTime(a store.Summary) time.Time {
	if a.PublishedAt != nil {
		return *a.PublishedAt
	}
	return a.FetchedAt
}
