package ops

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"
	"golang.org/x/time/rate"

	"github.com/newsflow/newsflow/internal/bus"
	"github.com/newsflow/newsflow/internal/pipeline"
	"github.com/newsflow/newsflow/proto"
)

// ReplayBucket is the KV bucket that keeps each replay's progress, keyed
// by its parameters, so that running the same replay again continues it.
const ReplayBucket = "replay"

// ReplayOptions say what to replay.
type ReplayOptions struct {
	// Subject is the stored subject replayed: news.fetched (clean, extract
	// and store again), news.cleaned (extract and store) or news.extracted
	// (store).
	Subject string
	// FromSeq, or Since, is where the replay starts (both zero: the
	// beginning); Until (exclusive), if set, where it stops. Times are the
	// stream's, when a message was stored.
	FromSeq      uint64
	Since, Until time.Time
	// Source, if set, replays only articles of that source.
	Source string
	// ChangedOnly skips articles whose stored version was made from the
	// same input by the stage versions running now.
	ChangedOnly bool
	// Rate caps messages published per second; 0 is no cap.
	Rate float64
	// Window caps how many replayed messages wait in the replay lane; the
	// replay pauses above it (0: DefaultReplayWindow).
	Window int
	// Restart starts over even if an earlier run was interrupted.
	Restart bool
	// Progress, if set, is called after each message.
	Progress func(ReplayProgress)
	// Log gets progress lines and warnings (nil: none).
	Log *zap.Logger
}

// DefaultReplayWindow is how many replayed messages may wait in the
// replay lane before a replay pauses for the workers.
const DefaultReplayWindow = 500

// ReplayProgress is a replay's state, kept in ReplayBucket.
type ReplayProgress struct {
	Key     string `json:"key"`
	Subject string `json:"subject"`
	Params  string `json:"params"`
	// Run counts the runs of these parameters; a resumed run keeps its
	// number, which is part of the Nats-Msg-Id of what it publishes.
	Run      int    `json:"run"`
	StartSeq uint64 `json:"start_seq"`
	EndSeq   uint64 `json:"end_seq"`
	// LastSeq is the last stream sequence done; a resumed run starts after it.
	LastSeq uint64 `json:"last_seq"`
	// Total is how many messages the range holds; Done how many of them
	// were read, Published sent to the replay lane, Skipped left out
	// (other source, or unchanged with -changed-only).
	Total     uint64    `json:"total"`
	Done      uint64    `json:"done"`
	Published uint64    `json:"published"`
	Skipped   uint64    `json:"skipped"`
	Resumed   bool      `json:"resumed"`
	Finished  bool      `json:"finished"`
	StartedAt time.Time `json:"started_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ErrInterrupted means a replay stopped before its end; running it again
// with the same parameters continues it.
var ErrInterrupted = errors.New("replay interrupted")

// replayStages are the stages a replay of each subject runs again.
var replayStages = map[string][]string{
	proto.SubjectFetched:   {"clean", "extract"},
	proto.SubjectCleaned:   {"extract"},
	proto.SubjectExtracted: {},
}

// firstReplayConsumer is the replay lane consumer a subject enters.
var firstReplayConsumer = map[string]string{
	proto.SubjectFetched:   bus.ReplayConsumer("clean"),
	proto.SubjectCleaned:   bus.ReplayConsumer("extract"),
	proto.SubjectExtracted: bus.ReplayConsumer("store"),
}

// key names a replay by its parameters.
func (o ReplayOptions) key() (key, params string) {
	params = fmt.Sprintf("subject=%s from-seq=%d since=%s until=%s source=%s changed-only=%t",
		o.Subject, o.FromSeq, fmtTime(o.Since), fmtTime(o.Until), o.Source, o.ChangedOnly)
	sum := sha256.Sum256([]byte(params))
	return "r-" + hex.EncodeToString(sum[:8]), params
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func (o ReplayOptions) check() error {
	if _, ok := replayStages[o.Subject]; !ok {
		return fmt.Errorf("%w: replay -subject %q: want news.fetched, news.cleaned or news.extracted", ErrInvalid, o.Subject)
	}
	if o.FromSeq > 0 && !o.Since.IsZero() {
		return fmt.Errorf("%w: replay: -since and -from-seq exclude each other", ErrInvalid)
	}
	if !o.Until.IsZero() && !o.Since.IsZero() && !o.Until.After(o.Since) {
		return fmt.Errorf("%w: replay: -until %s is not after -since %s", ErrInvalid, fmtTime(o.Until), fmtTime(o.Since))
	}
	if o.Rate < 0 || o.Window < 0 {
		return fmt.Errorf("%w: replay: -rate and -window must not be negative", ErrInvalid)
	}
	return nil
}

// Replay republishes the stored messages of o.Subject into the replay lane
// (news.replay.*), where each stage's replay consumer reprocesses them
// beside, never in front of, live articles. Its progress is saved in
// ReplayBucket: after an interruption (ctx cancelled: ErrInterrupted),
// the same call continues after the last message done, and what it
// publishes again is dropped by JetStream as a duplicate.
func Replay(ctx context.Context, b *bus.Bus, o ReplayOptions) (ReplayProgress, error) {
	if err := o.check(); err != nil {
		return ReplayProgress{}, err
	}
	if o.Window == 0 {
		o.Window = DefaultReplayWindow
	}
	log := o.Log
	if log == nil {
		log = zap.NewNop()
	}
	key, params := o.key()
	kv, err := b.KeyValue(ctx, ReplayBucket, 0, b.Replicas())
	if err != nil {
		return ReplayProgress{}, err
	}
	var p ReplayProgress
	if raw, _, found, err := kv.Get(ctx, key); err != nil {
		return p, err
	} else if found {
		if err := json.Unmarshal(raw, &p); err != nil {
			return p, fmt.Errorf("replay %s: saved progress: %w", key, err)
		}
	}
	streamName, err := bus.StreamFor(o.Subject)
	if err != nil {
		return p, err
	}
	stream, err := b.JS.Stream(ctx, streamName)
	if err != nil {
		return p, fmt.Errorf("replay: stream %s: %w", streamName, err)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		return p, fmt.Errorf("replay: stream %s: %w", streamName, err)
	}

	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{o.Subject}}
	if p.Key != "" && !p.Finished && !o.Restart {
		p.Resumed = true
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, p.LastSeq+1
		log.Info("replay resumed", zap.String("replay", key), zap.Uint64("after_seq", p.LastSeq), zap.Uint64("done", p.Done), zap.Uint64("total", p.Total))
	} else {
		p = ReplayProgress{Key: key, Subject: o.Subject, Params: params, Run: p.Run + 1, EndSeq: info.State.LastSeq, StartedAt: time.Now().UTC()}
		switch {
		case o.FromSeq > 0:
			cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, o.FromSeq
			p.StartSeq = o.FromSeq
		case !o.Since.IsZero():
			since := o.Since
			cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, &since
		}
		p.StartSeq = max(p.StartSeq, info.State.FirstSeq)
		if p.EndSeq >= p.StartSeq {
			p.Total = p.EndSeq - p.StartSeq + 1
		}
		if p.StartSeq > 0 {
			p.LastSeq = p.StartSeq - 1
		}
	}
	save := func(ctx context.Context) error {
		p.UpdatedAt = time.Now().UTC()
		raw, err := json.Marshal(p)
		if err != nil {
			return err
		}
		return kv.Set(ctx, key, raw)
	}
	finish := func() (ReplayProgress, error) {
		p.Finished = true
		p.LastSeq = max(p.LastSeq, p.EndSeq)
		p.Done = max(p.Done, p.Total)
		if err := save(context.WithoutCancel(ctx)); err != nil {
			return p, err
		}
		if o.Progress != nil {
			o.Progress(p)
		}
		return p, nil
	}
	if p.EndSeq == 0 || p.LastSeq >= p.EndSeq {
		return finish()
	}

	var versions map[string]pipeline.StageInfo
	var processed jetstream.KeyValue
	if o.ChangedOnly {
		if versions, err = stageVersions(ctx, b.JS); err != nil {
			return p, err
		}
		for _, st := range replayStages[o.Subject] {
			if _, ok := versions[st]; !ok {
				return p, fmt.Errorf("replay -changed-only: stage %s has not announced its version (start the stages first)", st)
			}
		}
		if processed, _, err = openKV(ctx, b.JS, pipeline.ProcessedBucket); err != nil {
			return p, err
		}
	}

	cons, err := stream.OrderedConsumer(ctx, cfg)
	if err != nil {
		return p, fmt.Errorf("replay: read %s: %w", streamName, err)
	}
	var limiter *rate.Limiter
	if o.Rate > 0 {
		limiter = rate.NewLimiter(rate.Limit(o.Rate), max(1, int(o.Rate/10)))
	}
	run := key + "-" + strconv.Itoa(p.Run)
	lane := bus.ReplaySubject(o.Subject)
	lastSave := time.Now()
	sinceCheck := 0
	interrupted := func() (ReplayProgress, error) {
		if err := save(context.WithoutCancel(ctx)); err != nil {
			log.Warn("replay progress not saved", zap.Error(err))
		}
		return p, fmt.Errorf("%w at seq %d (%d of %d done); run the same command again to continue: %w", ErrInterrupted, p.LastSeq, p.Done, p.Total, ctx.Err())
	}
	for {
		if ctx.Err() != nil {
			return interrupted()
		}
		batch, err := cons.Fetch(64, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			if ctx.Err() != nil {
				return interrupted()
			}
			return p, fmt.Errorf("replay: read %s: %w", streamName, err)
		}
		got := 0
		for m := range batch.Messages() {
			got++
			meta, err := m.Metadata()
			if err != nil {
				return p, fmt.Errorf("replay: %w", err)
			}
			seq := meta.Sequence.Stream
			if seq > p.EndSeq || (!o.Until.IsZero() && !meta.Timestamp.Before(o.Until)) {
				return finish()
			}
			if p.Done == 0 && !p.Resumed && seq > p.StartSeq {
				// -since: the range starts at the first message on or after it.
				p.StartSeq = seq
				p.Total = p.EndSeq - seq + 1
			}
			publish, hdr, err := o.pick(ctx, m, seq, versions, processed)
			if err != nil {
				return p, err
			}
			if publish {
				if limiter != nil {
					if err := limiter.Wait(ctx); err != nil {
						return interrupted()
					}
				}
				if sinceCheck++; sinceCheck >= 32 {
					sinceCheck = 0
					if err := waitForLane(ctx, b.JS, firstReplayConsumer[o.Subject], o.Window, log); err != nil {
						return interrupted()
					}
				}
				hdr[bus.HeaderReplay] = []string{run}
				id := "replay:" + run + ":" + strconv.FormatUint(seq, 10)
				if _, err := b.PublishRaw(ctx, lane, m.Data(), id, hdr); err != nil {
					if ctx.Err() != nil {
						return interrupted()
					}
					return p, fmt.Errorf("replay seq %d: %w", seq, err)
				}
				p.Published++
			} else {
				p.Skipped++
			}
			p.LastSeq = seq
			p.Done++
			if o.Progress != nil {
				o.Progress(p)
			}
			if time.Since(lastSave) > 250*time.Millisecond {
				lastSave = time.Now()
				if err := save(ctx); err != nil && ctx.Err() == nil {
					return p, err
				}
			}
			if seq >= p.EndSeq {
				return finish()
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) && ctx.Err() == nil {
			return p, fmt.Errorf("replay: read %s: %w", streamName, err)
		}
		if got == 0 && ctx.Err() == nil {
			// Nothing left in range (deleted messages at the end).
			return finish()
		}
	}
}

// pick decides whether a stored message is replayed, and with what
// headers.
func (o ReplayOptions) pick(ctx context.Context, m jetstream.Msg, seq uint64, versions map[string]pipeline.StageInfo, processed jetstream.KeyValue) (bool, map[string][]string, error) {
	hdr := map[string][]string{}
	var (
		env       *proto.Envelope
		inputHash string
		textHash  string
	)
	var err error
	switch o.Subject {
	case proto.SubjectFetched:
		var f proto.Fetched
		err = proto.Unmarshal(m.Data(), &f, proto.SchemaFetched)
		env, inputHash = &f.Envelope, f.ContentHash
		hdr[bus.HeaderFetchedSeq] = []string{strconv.FormatUint(seq, 10)}
		if inputHash != "" {
			hdr[bus.HeaderInputHash] = []string{inputHash}
		}
	case proto.SubjectCleaned:
		var c proto.Cleaned
		err = proto.Unmarshal(m.Data(), &c, proto.SchemaCleaned)
		env, textHash = &c.Envelope, c.ContentHash
		for _, k := range []string{bus.HeaderInputHash, bus.HeaderFetchedSeq} {
			if v := m.Headers().Get(k); v != "" {
				hdr[k] = []string{v}
			}
		}
	case proto.SubjectExtracted:
		var x proto.Extracted
		err = proto.Unmarshal(m.Data(), &x, proto.SchemaExtracted)
		env, textHash = &x.Envelope, x.Article.ContentHash
	}
	if err != nil {
		// Replayed as it is: the stage dead-letters it with the reason.
		return o.Source == "", hdr, nil
	}
	if env.TraceID != "" {
		hdr[bus.HeaderTraceID] = []string{env.TraceID}
	}
	if o.Source != "" && env.Source != o.Source {
		return false, nil, nil
	}
	if !o.ChangedOnly || processed == nil || env.ArticleID == "" {
		return true, hdr, nil
	}
	e, err := processed.Get(ctx, env.ArticleID)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrInvalidKey) {
		return true, hdr, nil
	}
	if err != nil {
		return false, nil, fmt.Errorf("replay -changed-only: %w", err)
	}
	var rec pipeline.Processed
	if err := json.Unmarshal(e.Value(), &rec); err != nil {
		return true, hdr, nil
	}
	steps := pipelineSteps(rec.PipelineVersion)
	for _, st := range replayStages[o.Subject] {
		if steps[st] != versions[st].Version {
			return true, hdr, nil
		}
	}
	switch o.Subject {
	case proto.SubjectFetched:
		return rec.InputHash == "" || rec.InputHash != inputHash, hdr, nil
	case proto.SubjectCleaned:
		if pipelineSteps(env.PipelineVersion)["clean"] != steps["clean"] {
			return true, hdr, nil
		}
		return rec.ContentHash != textHash, hdr, nil
	default:
		return rec.PipelineVersion != env.PipelineVersion || rec.ContentHash != textHash, hdr, nil
	}
}

// waitForLane pauses while more than window messages wait for the replay
// lane's consumer. Without the consumer (no stage running yet) it does
// not wait: the stream keeps the messages.
func waitForLane(ctx context.Context, js jetstream.JetStream, consumer string, window int, log *zap.Logger) error {
	var warned time.Time
	for {
		c, err := js.Consumer(ctx, bus.StreamReplay, consumer)
		if err != nil {
			return ctx.Err()
		}
		info, err := c.Info(ctx)
		if err != nil {
			return ctx.Err()
		}
		queued := info.NumPending + uint64(info.NumAckPending)
		if queued <= uint64(window) {
			return nil
		}
		if time.Since(warned) > 30*time.Second {
			warned = time.Now()
			log.Info("waiting for the replay lane", zap.String("consumer", consumer), zap.Uint64("queued", queued))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Replays lists the saved replays, newest first.
func Replays(ctx context.Context, js jetstream.JetStream) ([]ReplayProgress, error) {
	out := []ReplayProgress{}
	kv, ok, err := openKV(ctx, js, ReplayBucket)
	if err != nil || !ok {
		return out, err
	}
	err = eachKV(ctx, kv, func(key string, val []byte) error {
		var p ReplayProgress
		if err := json.Unmarshal(val, &p); err != nil {
			return fmt.Errorf("replay %s: %w", key, err)
		}
		out = append(out, p)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].UpdatedAt.After(out[j].UpdatedAt) })
	return out, err
}
