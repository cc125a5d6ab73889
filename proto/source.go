package proto

import "time"

// SourceState is what the fetch stage remembers about one source between
// polls, kept as JSON in the JetStream KV bucket SourcesBucket under the
// source's name. Replicas claim a due source by writing a lease with a
// compare-and-set on the entry's revision.
type SourceState struct {
	Name string `json:"name"`
	Kind string `json:"kind"` // feed, sitemap, url, site
	URL  string `json:"url"`

	// Conditional GET validators from the last successful poll.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`

	LastPoll    time.Time `json:"last_poll"`
	LastSuccess time.Time `json:"last_success"`
	// Failures counts consecutive failed polls; the next poll backs off.
	Failures  int       `json:"failures"`
	LastError string    `json:"last_error,omitempty"`
	NextPoll  time.Time `json:"next_poll"`
	// Found is how many article URLs the last successful poll listed, and
	// New how many of them had not been seen before.
	Found int `json:"found"`
	New   int `json:"new"`

	// LeaseOwner is the replica polling the source now, until LeaseUntil.
	LeaseOwner string    `json:"lease_owner,omitempty"`
	LeaseUntil time.Time `json:"lease_until,omitempty"`
}

// KV buckets of the fetch stage.
const (
	// SourcesBucket holds a SourceState per source.
	SourcesBucket = "sources"
	// SeenBucket holds the ids of articles already fetched.
	SeenBucket = "seen"
)
