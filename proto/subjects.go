// Package proto is newsflow's wire contract: the subjects stages talk over,
// the message types they exchange, and the identity of an article.
//
// Every message is JSON (github.com/segmentio/encoding/json) with snake_case
// field names, and embeds Envelope, whose Schema names the message type and
// its version ("news.cleaned/v1"). Adding a field keeps the version; a
// breaking change gets a new schema string.
package proto

// Subjects of the pipeline, in the order an article travels them.
const (
	SubjectDiscovered = "news.discovered"
	SubjectFetched    = "news.fetched"
	SubjectCleaned    = "news.cleaned"
	SubjectExtracted  = "news.extracted"
	// SubjectDLQPrefix prefixes the dead-letter subject of each stage.
	SubjectDLQPrefix = "news.dlq."
)

// Schemas of the v1 messages.
const (
	SchemaDiscovered = "news.discovered/v1"
	SchemaFetched    = "news.fetched/v1"
	SchemaCleaned    = "news.cleaned/v1"
	SchemaExtracted  = "news.extracted/v1"
	SchemaDeadLetter = "news.dlq/v1"
)

// SubjectDLQ is the dead-letter subject of stage: news.dlq.<stage>.
func SubjectDLQ(stage string) string { return SubjectDLQPrefix + stage }
