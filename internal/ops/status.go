package ops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/segmentio/encoding/json"

	"github.com/newsflow/newsflow/internal/bus"
	"github.com/newsflow/newsflow/proto"
)

// Report is where the pipeline stands. Its JSON is what `newsflow status
// -json` prints; sections that could not be read are empty, with the
// reason in Errors.
type Report struct {
	At          time.Time         `json:"at"`
	Streams     []StreamStatus    `json:"streams"`
	Consumers   []ConsumerStatus  `json:"consumers"`
	DeadLetters []DeadLetterCount `json:"dead_letters"`
	// Sources is nil when the fetch stage keeps no source state yet.
	Sources []SourceState    `json:"sources"`
	Replays []ReplayProgress `json:"replays"`
	// Store is nil when no store was given.
	Store  *StoreCounts `json:"store,omitempty"`
	Errors []string     `json:"errors,omitempty"`
}

// StreamStatus is one JetStream stream.
type StreamStatus struct {
	Name      string     `json:"name"`
	Subjects  []string   `json:"subjects"`
	Messages  uint64     `json:"messages"`
	Bytes     uint64     `json:"bytes"`
	FirstSeq  uint64     `json:"first_seq"`
	LastSeq   uint64     `json:"last_seq"`
	First     *time.Time `json:"first,omitempty"`
	Last      *time.Time `json:"last,omitempty"`
	Consumers int        `json:"consumers"`
}

// ConsumerStatus is one durable consumer: a stage's live or replay lane.
type ConsumerStatus struct {
	Stream string `json:"stream"`
	Name   string `json:"name"`
	Stage  string `json:"stage"`
	Lane   string `json:"lane"` // "live" or "replay"
	// Pending is how many messages wait to be delivered (the lag).
	Pending uint64 `json:"pending"`
	// AckPending is how many are delivered and being handled.
	AckPending int `json:"ack_pending"`
	// Redelivered is how many of those were delivered more than once.
	Redelivered int    `json:"redelivered"`
	Delivered   uint64 `json:"delivered"`
	// Rate is messages delivered per second between the two samples (0
	// when sampled once).
	Rate       float64    `json:"rate"`
	LastActive *time.Time `json:"last_active,omitempty"`
}

// DeadLetterCount is the number of dead letters of one stage.
type DeadLetterCount struct {
	Stage string `json:"stage"`
	Count uint64 `json:"count"`
}

// StoreCounts are the store's row counts.
type StoreCounts struct {
	Articles      int        `json:"articles"`
	OnTopic       int        `json:"on_topic"`
	Clusters      int        `json:"clusters"`
	Entities      int        `json:"entities"`
	LastFetchedAt *time.Time `json:"last_fetched_at,omitempty"`
	LastUpdatedAt *time.Time `json:"last_updated_at,omitempty"`
}

// StatusOptions tune Status.
type StatusOptions struct {
	// Interval between the two samples of the consumers that give their
	// rates; 0 samples once and reports no rate.
	Interval time.Duration
	// StoreCounts, if set, reads the store's row counts.
	StoreCounts func(ctx context.Context) (*StoreCounts, error)
}

// Status reads the state of the pipeline. It fails only when JetStream
// cannot be reached; a section it cannot read is reported in Errors.
func Status(ctx context.Context, js jetstream.JetStream, opts StatusOptions) (*Report, error) {
	r := &Report{At: time.Now().UTC(), Streams: []StreamStatus{}, Consumers: []ConsumerStatus{}, DeadLetters: []DeadLetterCount{}, Replays: []ReplayProgress{}}
	if _, err := js.AccountInfo(ctx); err != nil {
		return nil, fmt.Errorf("status: jetstream: %w", err)
	}
	fail := func(what string, err error) { r.Errors = append(r.Errors, what+": "+err.Error()) }

	first, err := sampleConsumers(ctx, js)
	if err != nil {
		fail("consumers", err)
	}
	var t0 = time.Now()
	if opts.Interval > 0 && err == nil {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(opts.Interval):
		}
		second, err := sampleConsumers(ctx, js)
		if err != nil {
			fail("consumers", err)
		} else {
			dt := time.Since(t0).Seconds()
			for i := range second {
				for _, p := range first {
					if p.Stream == second[i].Stream && p.Name == second[i].Name && second[i].Delivered >= p.Delivered {
						second[i].Rate = float64(second[i].Delivered-p.Delivered) / dt
					}
				}
			}
			first = second
		}
	}
	r.Consumers = append(r.Consumers, first...)

	if err := r.readStreams(ctx, js); err != nil {
		fail("streams", err)
	}
	if err := r.readDeadLetters(ctx, js); err != nil {
		fail("dead letters", err)
	}
	if err := r.readSources(ctx, js); err != nil {
		fail("sources", err)
	}
	if reps, err := Replays(ctx, js); err != nil {
		fail("replays", err)
	} else {
		r.Replays = reps
	}
	if opts.StoreCounts != nil {
		sc, err := opts.StoreCounts(ctx)
		if err != nil {
			fail("store", err)
		} else {
			r.Store = sc
		}
	}
	return r, nil
}

// ours reports whether a stream is one of the pipeline's (not a KV bucket).
func ours(name string) bool { return strings.HasPrefix(name, "NEWS_") }

// streamOrder lists the pipeline's streams in the order articles travel.
var streamOrder = []string{bus.StreamDiscovered, bus.StreamFetched, bus.StreamCleaned, bus.StreamExtracted, bus.StreamReplay, bus.StreamDLQ}

func streamRank(name string) int {
	if i := slices.Index(streamOrder, name); i >= 0 {
		return i
	}
	return len(streamOrder)
}

func (r *Report) readStreams(ctx context.Context, js jetstream.JetStream) error {
	l := js.ListStreams(ctx)
	for si := range l.Info() {
		if !ours(si.Config.Name) {
			continue
		}
		s := StreamStatus{
			Name: si.Config.Name, Subjects: si.Config.Subjects, Messages: si.State.Msgs, Bytes: si.State.Bytes,
			FirstSeq: si.State.FirstSeq, LastSeq: si.State.LastSeq, Consumers: si.State.Consumers,
		}
		if si.State.Msgs > 0 {
			f, l := si.State.FirstTime.UTC(), si.State.LastTime.UTC()
			s.First, s.Last = &f, &l
		}
		r.Streams = append(r.Streams, s)
	}
	if err := l.Err(); err != nil {
		return err
	}
	sort.SliceStable(r.Streams, func(i, j int) bool {
		a, b := streamRank(r.Streams[i].Name), streamRank(r.Streams[j].Name)
		if a != b {
			return a < b
		}
		return r.Streams[i].Name < r.Streams[j].Name
	})
	return nil
}

// sampleConsumers reads every durable consumer of the pipeline's streams.
func sampleConsumers(ctx context.Context, js jetstream.JetStream) ([]ConsumerStatus, error) {
	var out []ConsumerStatus
	names := js.StreamNames(ctx)
	var streams []string
	for n := range names.Name() {
		if ours(n) {
			streams = append(streams, n)
		}
	}
	if err := names.Err(); err != nil {
		return nil, err
	}
	sort.Slice(streams, func(i, j int) bool { return streamRank(streams[i]) < streamRank(streams[j]) })
	for _, sn := range streams {
		s, err := js.Stream(ctx, sn)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		l := s.ListConsumers(ctx)
		var cs []ConsumerStatus
		for ci := range l.Info() {
			if ci.Config.Durable == "" {
				continue // ordered consumers of readers such as replay
			}
			c := ConsumerStatus{
				Stream: sn, Name: ci.Name, Stage: strings.TrimSuffix(ci.Name, "-replay"), Lane: "live",
				Pending: ci.NumPending, AckPending: ci.NumAckPending, Redelivered: ci.NumRedelivered,
				Delivered: ci.Delivered.Consumer,
			}
			if bus.IsReplaySubject(ci.Config.FilterSubject) {
				c.Lane = "replay"
			}
			if ci.Delivered.Last != nil {
				t := ci.Delivered.Last.UTC()
				c.LastActive = &t
			}
			cs = append(cs, c)
		}
		if err := l.Err(); err != nil {
			return nil, err
		}
		sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
		out = append(out, cs...)
	}
	return out, nil
}

func (r *Report) readDeadLetters(ctx context.Context, js jetstream.JetStream) error {
	s, err := js.Stream(ctx, bus.StreamDLQ)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(proto.SubjectDLQPrefix+">"))
	if err != nil {
		return err
	}
	for subj, n := range info.State.Subjects {
		r.DeadLetters = append(r.DeadLetters, DeadLetterCount{Stage: strings.TrimPrefix(subj, proto.SubjectDLQPrefix), Count: n})
	}
	sort.Slice(r.DeadLetters, func(i, j int) bool { return r.DeadLetters[i].Stage < r.DeadLetters[j].Stage })
	return nil
}

func (r *Report) readSources(ctx context.Context, js jetstream.JetStream) error {
	kv, ok, err := openKV(ctx, js, proto.SourcesBucket)
	if err != nil || !ok {
		return err
	}
	r.Sources = []SourceState{}
	err = eachKV(ctx, kv, func(key string, val []byte) error {
		var st SourceState
		if err := json.Unmarshal(val, &st); err != nil {
			return fmt.Errorf("source %s: %w", key, err)
		}
		if st.Name == "" {
			st.Name = key
		}
		r.Sources = append(r.Sources, st)
		return nil
	})
	sort.Slice(r.Sources, func(i, j int) bool { return r.Sources[i].Name < r.Sources[j].Name })
	return err
}

// WriteTable prints the report for people.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }
	p("STREAM\tMESSAGES\tBYTES\tFIRST\tLAST\tCONSUMERS\n")
	for _, s := range r.Streams {
		p("%s\t%d\t%s\t%s\t%s\t%d\n", s.Name, s.Messages, humanBytes(s.Bytes), ago(r.At, s.First), ago(r.At, s.Last), s.Consumers)
	}
	p("\nCONSUMER\tLANE\tSTREAM\tPENDING\tACK PENDING\tREDELIVERED\tRATE/S\tLAST ACTIVE\n")
	for _, c := range r.Consumers {
		p("%s\t%s\t%s\t%d\t%d\t%d\t%.1f\t%s\n", c.Name, c.Lane, c.Stream, c.Pending, c.AckPending, c.Redelivered, c.Rate, ago(r.At, c.LastActive))
	}
	p("\nDEAD LETTERS\tCOUNT\n")
	if len(r.DeadLetters) == 0 {
		p("(none)\t0\n")
	}
	for _, d := range r.DeadLetters {
		p("%s\t%d\n", d.Stage, d.Count)
	}
	if r.Sources != nil {
		p("\nSOURCE\tKIND\tLAST POLL\tLAST SUCCESS\tFAILURES\tNEXT POLL\tLAST ERROR\n")
		for _, s := range r.Sources {
			p("%s\t%s\t%s\t%s\t%d\t%s\t%s\n", s.Name, s.Kind, agoT(r.At, s.LastPoll), agoT(r.At, s.LastSuccess), s.Failures, inT(r.At, s.NextPoll), oneLine(s.LastError, 60))
		}
	}
	if len(r.Replays) > 0 {
		p("\nREPLAY\tSUBJECT\tRUN\tDONE\tPUBLISHED\tSKIPPED\tSTATE\tUPDATED\n")
		for _, rp := range r.Replays {
			state := "interrupted"
			if rp.Finished {
				state = "finished"
			}
			p("%s\t%s\t%d\t%d/%d\t%d\t%d\t%s\t%s\n", rp.Key, rp.Subject, rp.Run, rp.Done, rp.Total, rp.Published, rp.Skipped, state, agoT(r.At, rp.UpdatedAt))
		}
	}
	if r.Store != nil {
		p("\nSTORE\tARTICLES\tON TOPIC\tCLUSTERS\tENTITIES\tLAST FETCHED\n")
		p("\t%d\t%d\t%d\t%d\t%s\n", r.Store.Articles, r.Store.OnTopic, r.Store.Clusters, r.Store.Entities, ago(r.At, r.Store.LastFetchedAt))
	}
	for _, e := range r.Errors {
		p("\nerror: %s\n", e)
	}
	return tw.Flush()
}

func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func ago(now time.Time, t *time.Time) string {
	if t == nil {
		return "-"
	}
	return agoT(now, *t)
}

func agoT(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	if d < 0 {
		d = 0
	}
	return d.Round(time.Second).String() + " ago"
}

func inT(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := t.Sub(now)
	if d <= 0 {
		return "due"
	}
	return "in " + d.Round(time.Second).String()
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
