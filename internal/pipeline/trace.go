package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/internal/bus"
	"github.com/newsflow/newsflow/internal/telemetry"
	"github.com/newsflow/newsflow/internal/version"
	"github.com/newsflow/newsflow/proto"
)

// KV buckets the runtime keeps.
const (
	// ProcessedBucket holds a Processed record per article id, written by
	// the last stage: what `newsflow replay -changed-only` compares with.
	ProcessedBucket = "processed"
	// StagesBucket holds a StageInfo per stage name: the algorithm version
	// the running workers of the stage have.
	StagesBucket = "stages"
)

// Processed records what an article stored last was made from and by.
type Processed struct {
	ArticleID string `json:"article_id"`
	// InputHash is the content hash of the raw page (news.fetched).
	InputHash string `json:"input_hash,omitempty"`
	// ContentHash is the hash of the article text (news.cleaned's).
	ContentHash     string    `json:"content_hash,omitempty"`
	PipelineVersion string    `json:"pipeline_version"`
	FetchedSeq      uint64    `json:"fetched_seq,omitempty"`
	TraceID         string    `json:"trace_id,omitempty"`
	At              time.Time `json:"at"`
}

// StageInfo is what a stage's workers announce when they start.
type StageInfo struct {
	Stage   string    `json:"stage"`
	Version string    `json:"version"`
	Build   string    `json:"build"`
	At      time.Time `json:"at"`
}

// registerStage announces the stage's algorithm version in StagesBucket.
// It is advisory: a failure is logged, not fatal.
func registerStage(ctx context.Context, d Deps, stage, algo string) {
	kv, err := d.Bus.KeyValue(ctx, StagesBucket, 0, d.Bus.Replicas())
	if err == nil {
		var b []byte
		b, err = json.Marshal(StageInfo{Stage: stage, Version: algo, Build: version.Build(), At: time.Now().UTC()})
		if err == nil {
			err = kv.Set(ctx, stage, b)
		}
	}
	if err != nil && ctx.Err() == nil {
		d.Log.Warn("stage version not registered", telemetry.Stage(stage), zap.Error(err))
	}
}

// trace is what follows an article from stage to stage in headers.
type trace struct {
	id         string
	inputHash  string
	fetchedSeq uint64
	replay     string // the replay run, in the replay lane
}

// trace reads the input's trace headers, filling what the input itself
// says: a raw page's content hash and stream sequence.
func (r *runner) trace(m jetstream.Msg, env *proto.Envelope, in proto.Message) trace {
	h := m.Headers()
	t := trace{id: h.Get(bus.HeaderTraceID), inputHash: h.Get(bus.HeaderInputHash), replay: h.Get(bus.HeaderReplay)}
	if s := h.Get(bus.HeaderFetchedSeq); s != "" {
		t.fetchedSeq, _ = strconv.ParseUint(s, 10, 64)
	}
	if t.id == "" && env != nil {
		t.id = env.TraceID
	}
	if t.id == "" {
		t.id = newTraceID()
	}
	switch in := in.(type) {
	case *proto.Fetched:
		if t.inputHash == "" {
			t.inputHash = in.ContentHash
		}
		if t.fetchedSeq == 0 && !r.lane.replay {
			if meta, err := m.Metadata(); err == nil {
				t.fetchedSeq = meta.Sequence.Stream
			}
		}
	case *proto.Cleaned:
		if t.fetchedSeq == 0 {
			t.fetchedSeq = in.FetchedSeq
		}
	}
	return t
}

func newTraceID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// header returns the trace headers of an output.
func (t trace) header() map[string][]string {
	h := map[string][]string{bus.HeaderTraceID: {t.id}}
	if t.inputHash != "" {
		h[bus.HeaderInputHash] = []string{t.inputHash}
	}
	if t.fetchedSeq != 0 {
		h[bus.HeaderFetchedSeq] = []string{strconv.FormatUint(t.fetchedSeq, 10)}
	}
	if t.replay != "" {
		h[bus.HeaderReplay] = []string{t.replay}
	}
	return h
}

// publish sends an output to the lane's next subject. In the replay lane
// the Nats-Msg-Id names the replay run too, so that a second replay is not
// dropped as a duplicate of the first while a redelivery within one run is.
func (r *runner) publish(ctx context.Context, out proto.Message, tr trace) error {
	data, err := proto.Marshal(out)
	if err != nil {
		return Permanent(err)
	}
	id := out.MsgID()
	if tr.replay != "" {
		id += ":" + tr.replay
	}
	dup, err := r.bus.PublishRaw(ctx, r.lane.to, data, id, tr.header())
	if err != nil {
		if errors.Is(err, bus.ErrTooLarge) {
			return Permanent(err)
		}
		return err
	}
	if dup {
		r.log.Debug("output was a duplicate", zap.String("msg_id", id))
	}
	r.metrics.Out.WithLabelValues(r.stage).Inc()
	return nil
}

// record writes the Processed records of the articles just stored, all in
// one round trip. They are advisory: on failure a -changed-only replay
// reprocesses the articles, so it is only logged.
func (r *runner) record(ctx context.Context, kv *bus.KV, ins []proto.Message, trs []trace) {
	entries := make([]bus.Entry, 0, len(ins))
	for i, in := range ins {
		env, tr := in.Env(), trs[i]
		if env.ArticleID == "" {
			continue
		}
		p := Processed{
			ArticleID: env.ArticleID, InputHash: tr.inputHash, PipelineVersion: env.PipelineVersion,
			FetchedSeq: tr.fetchedSeq, TraceID: tr.id, At: time.Now().UTC(),
		}
		if x, ok := in.(*proto.Extracted); ok {
			p.ContentHash = x.Article.ContentHash
			if p.FetchedSeq == 0 {
				p.FetchedSeq = x.Article.FetchedSeq
			}
		}
		b, err := json.Marshal(p)
		if err != nil {
			r.log.Warn("processed record not written", telemetry.ArticleID(env.ArticleID), zap.Error(err))
			continue
		}
		entries = append(entries, bus.Entry{Key: env.ArticleID, Value: b})
	}
	if err := kv.SetAll(ctx, entries); err != nil {
		r.log.Warn("processed records not written", zap.Int("articles", len(entries)), zap.Error(err))
	}
}

// liveInFlight counts the live lane's messages (or batches) being handled
// in this process, by every stage.
var liveInFlight atomic.Int64

// maxYield bounds how long a replay lane worker waits for the live lanes
// before it handles the message in hand anyway: a replay is slowed by
// live traffic, never stopped, and its message is far from its AckWait.
const maxYield = 2 * time.Second

// yieldToLive makes the replay lane the lower priority: before each
// replayed message, it waits (up to maxYield) until no live message is
// being handled in the process, so that live articles get the CPU and the
// store first.
func yieldToLive(ctx context.Context) {
	if liveInFlight.Load() == 0 {
		return
	}
	deadline := time.Now().Add(maxYield)
	for liveInFlight.Load() > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(2 * time.Millisecond)
	}
}
