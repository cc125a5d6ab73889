// Package store persists enriched articles, searches them, groups
// near-duplicates into clusters, and serves the HTTP API and web page.
//
// Store is the backend-neutral contract. SQLite (pure Go, embedded) is the
// default backend; PostgreSQL serves larger corpora behind the same
// interface and the same conformance suite (package storetest).
package store

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/newsflow/newsflow/proto"
)

// Errors returned by stores.
var (
	// ErrNotFound means the requested article does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalidQuery means a query cannot be run as given: a bad cursor, a
	// search text with nothing to search for, an unknown sort order.
	ErrInvalidQuery = errors.New("invalid query")
	// ErrInvalidArticle means an article cannot be stored (no id).
	ErrInvalidArticle = errors.New("invalid article")
	// ErrReadOnly means a write was attempted on a store opened read-only.
	ErrReadOnly = errors.New("store is read-only")
)

// QueryError is an ErrInvalidQuery that names the query field at fault,
// by its API parameter name ("q", "cursor", "sort", "source", …).
type QueryError struct {
	Param string
	Msg   string
}

func (e *QueryError) Error() string { return "invalid query: " + e.Param + ": " + e.Msg }

// Is makes a QueryError match ErrInvalidQuery.
func (e *QueryError) Is(target error) bool { return target == ErrInvalidQuery }

// MaxParamBytes is the longest text a query field may hold.
const MaxParamBytes = 1024

// checkText rejects query text that no article can match and that some
// databases refuse outright: invalid UTF-8, NUL bytes, or more than
// MaxParamBytes.
func checkText(param, s string) error {
	switch {
	case len(s) > MaxParamBytes:
		return &QueryError{param, fmt.Sprintf("longer than %d bytes", MaxParamBytes)}
	case !utf8.ValidString(s):
		return &QueryError{param, "not valid UTF-8"}
	case strings.ContainsRune(s, 0):
		return &QueryError{param, "contains a NUL character"}
	}
	return nil
}

// Store keeps articles. Implementations are safe for concurrent use.
type Store interface {
	// Upsert writes a batch in one transaction, idempotently, keyed by
	// Article.ID. An incoming article replaces the stored one unless the
	// stored one has a newer FetchedAt, or the same FetchedAt and a newer
	// PipelineVersion (see ComparePipelineVersions); otherwise, with the
	// same FetchedAt, it replaces only if the content differs. Writing an identical article again
	// changes nothing. ClusterID and Duplicates are computed by the store.
	// An article without an id fails the batch with ErrInvalidArticle.
	Upsert(ctx context.Context, arts []proto.Article) error
	// Get returns one article with every slice non-nil and Duplicates
	// filled with the other ids of its cluster; ErrNotFound if absent.
	Get(ctx context.Context, id string) (*proto.Article, error)
	// List returns one page of article summaries; ErrInvalidQuery for a
	// bad cursor or search text.
	List(ctx context.Context, q Query) (Page, error)
	// Entities returns the most mentioned entities, by number of articles.
	Entities(ctx context.Context, q EntityQuery) ([]EntityCount, error)
	// Stats returns corpus-wide counts.
	Stats(ctx context.Context) (Stats, error)
	// Close releases the store.
	Close() error
}

// Sort orders of Query.Sort.
const (
	// SortPublished lists newest first by coalesce(published_at, fetched_at).
	SortPublished = "published"
	// SortRelevance lists best first: by search rank when Q is set, by the
	// article's topic relevance otherwise. A search matching more than
	// 2,000 articles ranks the 2,000 most recently stored of them.
	SortRelevance = "relevance"
)

// Limits of Query.Limit and EntityQuery.Limit.
const (
	DefaultLimit       = 20
	MaxLimit           = 200
	DefaultEntityLimit = 50
	MaxEntityLimit     = 500
)

// Query selects articles for List. Zero values mean "no filter".
type Query struct {
	// Q is search text: words (all must match), "quoted phrases", prefix
	// terms (term*) and OR between alternatives.
	Q string
	// Since (inclusive) and Until (exclusive) filter on
	// coalesce(published_at, fetched_at).
	Since, Until time.Time
	Source       string
	Entity       string // entity name, case-insensitive
	Language     string
	OnTopic      *bool
	MinRelevance float64
	Sort         string // SortPublished (default) or SortRelevance
	Limit        int    // DefaultLimit if <= 0, at most MaxLimit
	Cursor       string // NextCursor of the previous page
}

// Page is one page of List results.
type Page struct {
	Articles []Summary `json:"articles"`
	// NextCursor continues the listing; "" on the last page.
	NextCursor string `json:"next_cursor"`
}

// Summary is an article as the list API shows it.
type Summary struct {
	ID           string     `json:"id"`
	URL          string     `json:"url"`
	CanonicalURL string     `json:"canonical_url"`
	Source       string     `json:"source"`
	Title        string     `json:"title"`
	Authors      []string   `json:"authors"`
	PublishedAt  *time.Time `json:"published_at"`
	FetchedAt    time.Time  `json:"fetched_at"`
	Language     string     `json:"language"`
	Relevance    float64    `json:"relevance"`
	OnTopic      bool       `json:"on_topic"`
	ClusterID    string     `json:"cluster_id"`
	Summary      string     `json:"summary"`
	// Snippet is set when the query has search text: an HTML fragment of
	// the best matching passage, escaped, with matches in <mark>…</mark>.
	Snippet string `json:"snippet"`
}

// EntityQuery selects entities for Entities. Zero values mean "no filter".
type EntityQuery struct {
	Type         string // "person", "org", "place"
	Since, Until time.Time
	OnTopic      *bool
	Limit        int // DefaultEntityLimit if <= 0, at most MaxEntityLimit
}

// EntityCount is an entity with the number of articles naming it and its
// total mentions.
type EntityCount struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Articles int    `json:"articles"`
	Mentions int    `json:"mentions"`
}

// Stats are corpus-wide counts.
type Stats struct {
	Articles int `json:"articles"`
	OnTopic  int `json:"on_topic"`
	Clusters int `json:"clusters"`
	Entities int `json:"entities"`
	// LastFetchedAt and LastUpdatedAt are nil in an empty store.
	LastFetchedAt *time.Time    `json:"last_fetched_at"`
	LastUpdatedAt *time.Time    `json:"last_updated_at"`
	Sources       []SourceCount `json:"sources"`
	Languages     []LangCount   `json:"languages"`
	// Days is coverage over time: articles per UTC day of
	// coalesce(published_at, fetched_at), oldest first.
	Days []DayCount `json:"days"`
}

// SourceCount is the number of articles of one source.
type SourceCount struct {
	Source   string `json:"source"`
	Articles int    `json:"articles"`
}

// LangCount is the number of articles in one language.
type LangCount struct {
	Language string `json:"language"`
	Articles int    `json:"articles"`
}

// DayCount is the number of articles of one day (YYYY-MM-DD, UTC).
type DayCount struct {
	Day      string `json:"day"`
	Articles int    `json:"articles"`
}

// ComparePipelineVersions orders two pipeline_version strings of one
// article: +1 if a is newer, -1 if b is, 0 if neither is (equal, or one
// stage newer in each). Versions made by version.Stamp ("newsflow BUILD
// clean/1 extract/2") compare stage by stage, numerically when both are
// numbers, over the stages both name; the build is not compared, since a
// build id does not order. Strings without stage steps compare as strings.
func ComparePipelineVersions(a, b string) int {
	sa, sb := pipelineSteps(a), pipelineSteps(b)
	if len(sa) == 0 && len(sb) == 0 {
		return strings.Compare(a, b)
	}
	newer, older := false, false
	for stage, va := range sa {
		vb, ok := sb[stage]
		if !ok || va == vb {
			continue
		}
		c := strings.Compare(va, vb)
		na, errA := strconv.ParseUint(va, 10, 64)
		nb, errB := strconv.ParseUint(vb, 10, 64)
		if errA == nil && errB == nil {
			c = cmpUint(na, nb)
		}
		if c > 0 {
			newer = true
		} else if c < 0 {
			older = true
		}
	}
	switch {
	case newer && !older:
		return 1
	case older && !newer:
		return -1
	}
	return 0
}

func cmpUint(a, b uint64) int {
	switch {
	case a > b:
		return 1
	case a < b:
		return -1
	}
	return 0
}

// pipelineSteps maps each stage/version step of a pipeline_version to its
// version.
func pipelineSteps(pv string) map[string]string {
	steps := map[string]string{}
	for _, f := range strings.Fields(pv) {
		if stage, v, ok := strings.Cut(f, "/"); ok && stage != "" && v != "" && !strings.Contains(v, "/") {
			steps[stage] = v
		}
	}
	return steps
}

// ValidateArticle reports whether a can be stored; the error wraps
// ErrInvalidArticle. A batcher can drop (dead-letter) such articles before
// Upsert so that one bad article does not fail a batch.
func ValidateArticle(a *proto.Article) error {
	if strings.TrimSpace(a.ID) == "" {
		return fmt.Errorf("%w: empty id (url %q)", ErrInvalidArticle, a.URL)
	}
	if !utf8.ValidString(a.ID) || strings.ContainsRune(a.ID, 0) {
		return fmt.Errorf("%w: id %q is not valid UTF-8 text", ErrInvalidArticle, a.ID)
	}
	return nil
}

// cleanText returns s as valid UTF-8 without NUL characters, which some
// databases cannot store.
func cleanText(s string) string {
	if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// cleanArticle applies cleanText to every text field of a, copying the
// slices it changes (they may be shared with the caller).
func cleanArticle(a *proto.Article) {
	for _, f := range []*string{&a.URL, &a.CanonicalURL, &a.Source, &a.Title, &a.Language, &a.Summary,
		&a.SiteName, &a.Description, &a.Image, &a.Text, &a.PipelineVersion, &a.Fingerprint, &a.ContentHash} {
		*f = cleanText(*f)
	}
	cleanSlice := func(ss []string) []string {
		for i, s := range ss {
			if c := cleanText(s); c != s {
				ss = slices.Clone(ss)
				ss[i] = c
			}
		}
		return ss
	}
	a.Authors, a.Keywords = cleanSlice(a.Authors), cleanSlice(a.Keywords)
	dirty := func(ss ...string) bool {
		for _, s := range ss {
			if cleanText(s) != s {
				return true
			}
		}
		return false
	}
	for i, e := range a.Entities {
		if dirty(e.Name, e.Type) {
			a.Entities = slices.Clone(a.Entities)
			a.Entities[i] = proto.Entity{Name: cleanText(e.Name), Type: cleanText(e.Type), Count: e.Count}
		}
	}
	for i, q := range a.Quotes {
		if dirty(q.Text, q.Speaker) {
			a.Quotes = slices.Clone(a.Quotes)
			a.Quotes[i] = proto.Quote{Text: cleanText(q.Text), Speaker: cleanText(q.Speaker)}
		}
	}
	for i, f := range a.Facts {
		if dirty(f.Kind, f.Text, f.Unit) {
			a.Facts = slices.Clone(a.Facts)
			a.Facts[i] = proto.Fact{Kind: cleanText(f.Kind), Text: cleanText(f.Text), Value: f.Value, Unit: cleanText(f.Unit)}
		}
	}
}

// normalizeQuery applies defaults and checks the sort order.
// prepareList validates a List query and decodes its cursor (nil for the
// first page): what every backend does before building its SQL.
func prepareList(q Query) (Query, sortMode, *cursor, error) {
	q, err := normalizeQuery(q)
	if err != nil {
		return q, 0, nil, err
	}
	mode := modeOf(q)
	if q.Cursor == "" {
		return q, mode, nil, nil
	}
	c, err := decodeCursor(q.Cursor, mode)
	if err != nil {
		return q, mode, nil, err
	}
	return q, mode, &c, nil
}

func normalizeQuery(q Query) (Query, error) {
	for _, f := range []struct{ param, v string }{
		{"q", q.Q}, {"source", q.Source}, {"entity", q.Entity}, {"language", q.Language},
		{"sort", q.Sort}, {"cursor", q.Cursor},
	} {
		if err := checkText(f.param, f.v); err != nil {
			return q, err
		}
	}
	q.Q = strings.TrimSpace(q.Q)
	switch q.Sort {
	case "":
		q.Sort = SortPublished
	case SortPublished, SortRelevance:
	default:
		return q, &QueryError{"sort", fmt.Sprintf("unknown sort %q (want published or relevance)", q.Sort)}
	}
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	if q.Limit > MaxLimit {
		q.Limit = MaxLimit
	}
	return q, nil
}

// normalizeEntityQuery applies defaults and checks the text fields.
func normalizeEntityQuery(q EntityQuery) (EntityQuery, error) {
	if err := checkText("type", q.Type); err != nil {
		return q, err
	}
	if q.Limit <= 0 {
		q.Limit = DefaultEntityLimit
	}
	q.Limit = min(q.Limit, MaxEntityLimit)
	return q, nil
}

// sortMode is the key a page is ordered by, and what a cursor holds.
type sortMode byte

const (
	modePublished sortMode = 'p' // sort time (unix µs) desc, id desc
	modeRelevance sortMode = 'r' // relevance desc, id asc
	modeRank      sortMode = 's' // search rank asc (lower is better), id asc
)

// rankCandidates bounds a search sorted by rank (modeRank): only the
// rankCandidates most recently stored articles that match the search and
// the filters are ranked. A search with fewer matches is ranked exactly; one with more (a word
// found in nearly every article) lists the best of the newest matches,
// and its pages end after rankCandidates articles. Ranking every match
// of such a word reads its whole posting list and every row, hundreds of
// milliseconds at 100,000 articles; the newest matches are what a news
// reader wants most, and a narrower search ranks exactly.
const rankCandidates = 2000

// modeOf is the sort mode of a normalized query.
func modeOf(q Query) sortMode {
	switch {
	case q.Sort == SortRelevance && q.Q != "":
		return modeRank
	case q.Sort == SortRelevance:
		return modeRelevance
	default:
		return modePublished
	}
}

// cursor is a keyset position: the sort key and id of the last row shown.
type cursor struct {
	mode sortMode
	t    int64   // modePublished: unix microseconds
	f    float64 // modeRelevance, modeRank
	id   string
}

// encode returns the opaque cursor text.
func (c cursor) encode() string {
	var key string
	if c.mode == modePublished {
		key = strconv.FormatInt(c.t, 10)
	} else {
		key = strconv.FormatFloat(c.f, 'g', -1, 64)
	}
	raw := string(c.mode) + ":" + key + ":" + c.id
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// decodeCursor parses s, which must have been made for a query in mode.
func decodeCursor(s string, mode sortMode) (cursor, error) {
	bad := func(why string) (cursor, error) {
		return cursor{}, &QueryError{"cursor", "bad cursor: " + why}
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return bad("not base64")
	}
	parts := strings.SplitN(string(b), ":", 3)
	if len(parts) != 3 || len(parts[0]) != 1 || parts[2] == "" {
		return bad("malformed")
	}
	c := cursor{mode: sortMode(parts[0][0]), id: parts[2]}
	if c.mode != mode {
		return bad("made for another sort order")
	}
	if mode == modePublished {
		c.t, err = strconv.ParseInt(parts[1], 10, 64)
	} else {
		c.f, err = strconv.ParseFloat(parts[1], 64)
	}
	if err != nil {
		return bad("malformed key")
	}
	return c, nil
}
