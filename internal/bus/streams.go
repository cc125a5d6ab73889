package bus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/proto"
)

// Stream names. Stream and consumer names may not contain dots.
const (
	StreamDiscovered = "NEWS_DISCOVERED"
	StreamFetched    = "NEWS_FETCHED"
	StreamCleaned    = "NEWS_CLEANED"
	StreamExtracted  = "NEWS_EXTRACTED"
	StreamDLQ        = "NEWS_DLQ"
	StreamReplay     = "NEWS_REPLAY"
)

// SubjectReplayPrefix prefixes the replay lane's subjects: a message
// replayed from news.fetched travels news.replay.fetched, then
// news.replay.cleaned and news.replay.extracted, consumed by each stage's
// second, lower-priority durable consumer (<stage>-replay), so that a replay
// never queues in front of live articles.
const SubjectReplayPrefix = "news.replay."

// ReplayMaxAge is how long the replay lane keeps a message; a replay whose
// workers are down longer than that must be run again.
const ReplayMaxAge = 7 * 24 * time.Hour

// ReplaySubject returns the replay lane's subject for a live subject:
// news.fetched -> news.replay.fetched. A replay subject is returned as is.
func ReplaySubject(subject string) string {
	if IsReplaySubject(subject) {
		return subject
	}
	return SubjectReplayPrefix + strings.TrimPrefix(subject, "news.")
}

// IsReplaySubject reports whether subject belongs to the replay lane.
func IsReplaySubject(subject string) bool {
	return strings.HasPrefix(subject, SubjectReplayPrefix)
}

// ReplayConsumer names the replay lane's durable consumer of stage.
func ReplayConsumer(stage string) string { return stage + "-replay" }

// DuplicateWindow is how long JetStream remembers a Nats-Msg-Id.
const DuplicateWindow = 2 * time.Hour

// Streams returns the stream configs, as code: one stream per subject, so
// that each has its own retention and each consumer's lag is its stream's.
// news.fetched keeps every raw page, compressed, for replay; the dead-letter
// stream keeps everything until an operator purges it.
func Streams(replicas int) []jetstream.StreamConfig {
	if replicas < 1 {
		replicas = 1
	}
	mk := func(name, subject, desc string, maxAge time.Duration) jetstream.StreamConfig {
		return jetstream.StreamConfig{
			Name:        name,
			Description: desc,
			Subjects:    []string{subject},
			Retention:   jetstream.LimitsPolicy,
			Storage:     jetstream.FileStorage,
			Compression: jetstream.S2Compression,
			Discard:     jetstream.DiscardOld,
			MaxAge:      maxAge,
			Duplicates:  DuplicateWindow,
			Replicas:    replicas,
			MaxMsgSize:  MaxPayload,
		}
	}
	return []jetstream.StreamConfig{
		mk(StreamDiscovered, proto.SubjectDiscovered, "URLs to fetch", 7*24*time.Hour),
		mk(StreamFetched, proto.SubjectFetched, "raw pages: the corpus of record, kept for replay", 0),
		mk(StreamCleaned, proto.SubjectCleaned, "article text and page metadata", 30*24*time.Hour),
		mk(StreamExtracted, proto.SubjectExtracted, "enriched articles", 7*24*time.Hour),
		mk(StreamDLQ, proto.SubjectDLQPrefix+">", "dead letters of every stage", 0),
		mk(StreamReplay, SubjectReplayPrefix+">", "the replay lane: reprocessed messages, kept a week", ReplayMaxAge),
	}
}

// StreamFor returns the name of the stream that holds subject.
func StreamFor(subject string) (string, error) {
	switch subject {
	case proto.SubjectDiscovered:
		return StreamDiscovered, nil
	case proto.SubjectFetched:
		return StreamFetched, nil
	case proto.SubjectCleaned:
		return StreamCleaned, nil
	case proto.SubjectExtracted:
		return StreamExtracted, nil
	}
	if IsReplaySubject(subject) {
		return StreamReplay, nil
	}
	return "", fmt.Errorf("no stream for subject %q", subject)
}

// ConsumerConfig is the durable pull consumer a stage shares across its
// replicas; it is named after the stage.
type ConsumerConfig struct {
	Stage         string
	Subject       string
	AckWait       time.Duration
	MaxDeliver    int
	MaxAckPending int
}

// EnsureStreams creates or updates every stream. It is idempotent, and
// leaves a stream whose config already matches untouched: every process
// declares the streams on start, often while others create their
// consumers, and an update is a stream-wide change the server would
// otherwise make each time.
func (b *Bus) EnsureStreams(ctx context.Context, replicas int) error {
	b.replicas.Store(int32(max(replicas, 1)))
	for _, cfg := range Streams(replicas) {
		s, err := b.JS.Stream(ctx, cfg.Name)
		if err == nil && sameStream(s.CachedInfo().Config, cfg) {
			continue
		}
		if err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("declare stream %s: %w", cfg.Name, err)
		}
		if _, err := b.JS.CreateOrUpdateStream(ctx, cfg); err != nil {
			return fmt.Errorf("declare stream %s: %w", cfg.Name, err)
		}
	}
	return nil
}

// sameStream reports whether a stream's config as the server holds it,
// defaults filled in, has every setting Streams declares.
func sameStream(have, want jetstream.StreamConfig) bool {
	return have.Description == want.Description &&
		slices.Equal(have.Subjects, want.Subjects) &&
		have.Retention == want.Retention &&
		have.Storage == want.Storage &&
		have.Compression == want.Compression &&
		have.Discard == want.Discard &&
		have.MaxAge == want.MaxAge &&
		have.Duplicates == want.Duplicates &&
		have.Replicas == want.Replicas &&
		have.MaxMsgSize == want.MaxMsgSize
}

// EnsureConsumer creates or updates the durable consumer of a stage. When
// its stream is missing (a server that lost its store), it declares the
// streams again first, with the replicas they were declared with.
func (b *Bus) EnsureConsumer(ctx context.Context, c ConsumerConfig) (jetstream.Consumer, error) {
	cons, err := b.ensureConsumer(ctx, c)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		b.log.Warn("stream gone; declaring the streams again", zap.String("consumer", c.Stage), zap.Error(err))
		if err := b.EnsureStreams(ctx, b.Replicas()); err != nil {
			return nil, err
		}
		cons, err = b.ensureConsumer(ctx, c)
	}
	return cons, err
}

func (b *Bus) ensureConsumer(ctx context.Context, c ConsumerConfig) (jetstream.Consumer, error) {
	stream, err := StreamFor(c.Subject)
	if err != nil {
		return nil, err
	}
	desc := "newsflow " + c.Stage + " stage"
	if IsReplaySubject(c.Subject) {
		desc = "newsflow " + strings.TrimSuffix(c.Stage, "-replay") + " stage, replay lane"
	}
	cons, err := b.JS.CreateOrUpdateConsumer(ctx, stream, jetstream.ConsumerConfig{
		Durable:       c.Stage,
		Description:   desc,
		FilterSubject: c.Subject,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       c.AckWait,
		MaxDeliver:    c.MaxDeliver,
		MaxAckPending: c.MaxAckPending,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("declare consumer %s on %s: %w", c.Stage, stream, err)
	}
	return cons, nil
}

// Headers the runtime sets on the messages it publishes, beside
// Nats-Msg-Id. They follow one article from stage to stage.
const (
	// HeaderTraceID carries the trace id of the article (also in the
	// envelope's trace_id), for following it through the logs.
	HeaderTraceID = "Newsflow-Trace-Id"
	// HeaderInputHash carries the content hash of the raw page an output
	// was made from (news.fetched's content_hash).
	HeaderInputHash = "Newsflow-Input-Hash"
	// HeaderFetchedSeq carries the news.fetched stream sequence of that
	// raw page.
	HeaderFetchedSeq = "Newsflow-Fetched-Seq"
	// HeaderReplay names the replay run a replay lane message belongs to.
	HeaderReplay = "Newsflow-Replay"
)

// PublishWith is Publish with extra headers.
func (b *Bus) PublishWith(ctx context.Context, subject string, m proto.Message, header map[string][]string) (dup bool, err error) {
	data, err := proto.Marshal(m)
	if err != nil {
		return false, err
	}
	return b.PublishRaw(ctx, subject, data, m.MsgID(), header)
}

// Publish encodes m and publishes it to subject with m.MsgID() as
// Nats-Msg-Id. It reports whether JetStream dropped it as a duplicate.
func (b *Bus) Publish(ctx context.Context, subject string, m proto.Message) (dup bool, err error) {
	data, err := proto.Marshal(m)
	if err != nil {
		return false, err
	}
	return b.PublishRaw(ctx, subject, data, m.MsgID(), nil)
}

// ErrTooLarge means a message is over the server's payload limit.
var ErrTooLarge = errors.New("message over the nats payload limit")

// PublishRaw publishes data with optional extra headers.
func (b *Bus) PublishRaw(ctx context.Context, subject string, data []byte, msgID string, header map[string][]string) (bool, error) {
	if max := b.NC.MaxPayload(); max > 0 && int64(len(data)) > max-4096 {
		return false, fmt.Errorf("publish %s: %w (%d bytes, limit %d)", subject, ErrTooLarge, len(data), max)
	}
	msg := newMsg(subject, data, header)
	opts := []jetstream.PublishOpt{}
	if msgID != "" {
		opts = append(opts, jetstream.WithMsgID(msgID))
	}
	ctx, cancel := bounded(ctx)
	defer cancel()
	ack, err := b.JS.PublishMsg(ctx, msg, opts...)
	if err != nil {
		return false, fmt.Errorf("publish %s: %w", subject, err)
	}
	return ack.Duplicate, nil
}

// opTimeout bounds one request to the server: a publish waiting for its
// acknowledgement, a key-value read or write. A reply lost when the server
// restarts must not hold the caller for the rest of a longer deadline (a
// feed poll waited out its whole minute on one lost acknowledgement).
var opTimeout = 10 * time.Second

// bounded is ctx with at most opTimeout left.
func bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, opTimeout)
}
