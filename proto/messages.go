package proto

import "time"

// Discovered announces a URL worth fetching (news.discovered).
type Discovered struct {
	Envelope
	// Hints come from the feed or sitemap that listed the URL.
	Hints Hints `json:"hints"`
}

// Hints are what a listing said about an article before it was fetched.
type Hints struct {
	Title       string     `json:"title,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	Feed        string     `json:"feed,omitempty"`
}

// Body encodings of Fetched.Body.
const (
	BodyIdentity = ""
	BodyGzip     = "gzip"
)

// Kinds of fetched content.
const (
	KindHTML = "html"
	KindText = "text"
)

// Fetched carries a raw page (news.fetched), the corpus of record: replaying
// this subject reprocesses everything without downloading again.
type Fetched struct {
	Envelope
	Hints Hints `json:"hints"`
	// FinalURL is the URL after redirects.
	FinalURL    string              `json:"final_url,omitempty"`
	StatusCode  int                 `json:"status_code,omitempty"`
	ContentType string              `json:"content_type,omitempty"`
	Header      map[string][]string `json:"header,omitempty"`
	FetchedAt   time.Time           `json:"fetched_at"`
	// Kind is KindHTML or KindText.
	Kind string `json:"kind"`
	// File is the local file name for pages ingested from disk.
	File string `json:"file,omitempty"`
	// Body holds the page as UTF-8, encoded per BodyEncoding (see SetBody).
	Body         []byte `json:"body"`
	BodyEncoding string `json:"body_encoding,omitempty"`
	// ContentHash is the hex SHA-256 of the uncompressed body.
	ContentHash string `json:"content_hash"`
}

// Block is one unit of article text: a heading, a paragraph or a list item.
type Block struct {
	Kind string `json:"kind"` // "h", "p", "li", "quote", "pre"
	Text string `json:"text"`
}

// PageMeta is what the page says about itself.
type PageMeta struct {
	Title        string     `json:"title"`
	Authors      []string   `json:"authors"`
	PublishedAt  *time.Time `json:"published_at"`
	ModifiedAt   *time.Time `json:"modified_at"`
	SiteName     string     `json:"site_name"`
	CanonicalURL string     `json:"canonical_url"`
	Language     string     `json:"language"`
	Description  string     `json:"description"`
	Image        string     `json:"image"`
	// Sources says, per field name, where the value came from
	// ("json-ld", "og", "meta", "html", "byline", "url", …).
	Sources map[string]string `json:"sources,omitempty"`
}

// Cleaned is a page reduced to its article (news.cleaned).
type Cleaned struct {
	Envelope
	FetchedAt time.Time `json:"fetched_at"`
	// FetchedSeq is the news.fetched stream sequence the page came from,
	// so the raw page can be found again for replay.
	FetchedSeq uint64   `json:"fetched_seq,omitempty"`
	Meta       PageMeta `json:"meta"`
	Blocks     []Block  `json:"blocks"`
	// Text is the blocks joined by blank lines.
	Text string `json:"text"`
	// ContentHash is the hex SHA-256 of Text.
	ContentHash string `json:"content_hash"`
}

// Extracted is the enriched article (news.extracted).
type Extracted struct {
	Envelope
	Article Article `json:"article"`
}

// MsgID methods give each message its Nats-Msg-Id: the same output
// published twice (a retry, a redelivery) is dropped by JetStream inside
// its duplicate window, while a changed page or new code goes through.

// MsgID of a discovered URL: the URL itself.
func (m *Discovered) MsgID() string { return m.ArticleID + ":" + m.Schema }

// MsgID of a fetched page: its content.
func (m *Fetched) MsgID() string { return m.ArticleID + ":" + m.Schema + ":" + m.ContentHash }

// MsgID of a cleaned article: its text and the code that made it.
func (m *Cleaned) MsgID() string {
	return m.ArticleID + ":" + m.Schema + ":" + m.ContentHash + ":" + m.PipelineVersion
}

// MsgID of an extracted article: its text and the code that made it.
func (m *Extracted) MsgID() string {
	return m.ArticleID + ":" + m.Schema + ":" + m.Article.ContentHash + ":" + m.PipelineVersion
}
