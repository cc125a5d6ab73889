package proto

import "time"

// Article is an article as the store keeps it and the API serves it. Its
// JSON names are part of the user-facing contract: extend, don't rename.
type Article struct {
	ID           string     `json:"id"`
	URL          string     `json:"url"`
	CanonicalURL string     `json:"canonical_url"`
	Source       string     `json:"source"`
	Title        string     `json:"title"`
	Authors      []string   `json:"authors"`
	PublishedAt  *time.Time `json:"published_at"`
	ModifiedAt   *time.Time `json:"modified_at"`
	FetchedAt    time.Time  `json:"fetched_at"`
	Language     string     `json:"language"`
	Relevance    float64    `json:"relevance"`
	OnTopic      bool       `json:"on_topic"`
	ClusterID    string     `json:"cluster_id"`
	Summary      string     `json:"summary"`

	SiteName    string `json:"site_name"`
	Description string `json:"description"`
	Image       string `json:"image"`
	WordCount   int    `json:"word_count"`

	Text            string   `json:"text"`
	Entities        []Entity `json:"entities"`
	Quotes          []Quote  `json:"quotes"`
	Facts           []Fact   `json:"facts"`
	Keywords        []string `json:"keywords"`
	Duplicates      []string `json:"duplicates"`
	PipelineVersion string   `json:"pipeline_version"`

	// Fingerprint is a near-duplicate signature (MinHash, hex).
	Fingerprint string `json:"fingerprint"`
	// ContentHash is the hex SHA-256 of Text.
	ContentHash string `json:"content_hash"`
	// FetchedSeq is the news.fetched stream sequence of the raw page.
	FetchedSeq uint64 `json:"fetched_seq"`
}

// Entity is a named entity with its canonical name and mention count.
type Entity struct {
	Name  string `json:"name"`
	Type  string `json:"type"` // "person", "org", "place"
	Count int    `json:"count"`
}

// Quote is a direct quotation and who said it.
type Quote struct {
	Text    string `json:"text"`
	Speaker string `json:"speaker"`
}

// Fact is a number or date stated in the text.
type Fact struct {
	Kind  string  `json:"kind"` // "money", "percent", "quantity", "date"
	Text  string  `json:"text"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
}

// Normalize replaces nil slices with empty ones, so that every field of the
// API is present in JSON (as [] rather than null).
func (a *Article) Normalize() {
	if a.Authors == nil {
		a.Authors = []string{}
	}
	if a.Entities == nil {
		a.Entities = []Entity{}
	}
	if a.Quotes == nil {
		a.Quotes = []Quote{}
	}
	if a.Facts == nil {
		a.Facts = []Fact{}
	}
	if a.Keywords == nil {
		a.Keywords = []string{}
	}
	if a.Duplicates == nil {
		a.Duplicates = []string{}
	}
}
