package proto

import (
	"errors"
	"fmt"
	"time"

	"github.com/segmentio/encoding/json"
)

// Errors returned when decoding messages.
var (
	// ErrUnknownSchema means a message names a schema this code cannot read.
	// Retrying will not help: it is a permanent error.
	ErrUnknownSchema = errors.New("unknown schema")
	// ErrMalformed means a message is not valid JSON for its type.
	ErrMalformed = errors.New("malformed message")
)

// Envelope is embedded in every message.
type Envelope struct {
	// Schema names the message type and version, e.g. "news.cleaned/v1".
	Schema string `json:"schema"`
	// ArticleID is the stable hash of the article's canonical URL (see ArticleID).
	ArticleID string `json:"article_id"`
	// URL is the address the article was reached at, normalized.
	URL string `json:"url"`
	// Source names the configured source the article came from.
	Source string `json:"source,omitempty"`
	// PipelineVersion identifies the code that produced the message.
	PipelineVersion string `json:"pipeline_version"`
	// TraceID follows one article through every stage.
	TraceID string `json:"trace_id,omitempty"`
	// ProducedAt is when the message was produced.
	ProducedAt time.Time `json:"produced_at"`
}

// Env returns the envelope; every message type has it by embedding.
func (e *Envelope) Env() *Envelope { return e }

// Message is any type that embeds Envelope and names its Nats-Msg-Id.
type Message interface {
	Env() *Envelope
	MsgID() string
}

// Marshal encodes a message as JSON.
func Marshal(m Message) ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", m.Env().Schema, err)
	}
	return b, nil
}

// Unmarshal decodes data into m and checks that its schema is want.
// A schema mismatch wraps ErrUnknownSchema; invalid JSON wraps ErrMalformed.
func Unmarshal(data []byte, m Message, want string) error {
	if err := json.Unmarshal(data, m); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if got := m.Env().Schema; got != want {
		return fmt.Errorf("%w: %q, want %q", ErrUnknownSchema, got, want)
	}
	return nil
}
