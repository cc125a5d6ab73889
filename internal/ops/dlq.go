package ops

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/internal/bus"
	"github.com/newsflow/newsflow/proto"
)

// DeadLetterEntry is one dead letter: the message a stage gave up on.
type DeadLetterEntry struct {
	// Seq is the dead letter's sequence in the NEWS_DLQ stream, what
	// `newsflow dlq show|redrive|purge -seq` take.
	Seq uint64 `json:"seq"`
	proto.DeadLetter
}

// dlqFilter is the DLQ subject of stage, or of every stage.
func dlqFilter(stage string) (string, error) {
	if stage == "" {
		return proto.SubjectDLQPrefix + ">", nil
	}
	if strings.ContainsAny(stage, ".*> \t") {
		return "", fmt.Errorf("%w: stage %q", ErrInvalid, stage)
	}
	return proto.SubjectDLQ(stage), nil
}

// ListDeadLetters returns the dead letters of stage ("" for every stage),
// oldest first, at most limit of them (0: all).
func ListDeadLetters(ctx context.Context, js jetstream.JetStream, stage string, limit int) ([]DeadLetterEntry, error) {
	filter, err := dlqFilter(stage)
	if err != nil {
		return nil, err
	}
	out := []DeadLetterEntry{}
	err = scan(ctx, js, bus.StreamDLQ, filter, 0, func(m jetstream.Msg, meta *jetstream.MsgMetadata) (bool, error) {
		e := DeadLetterEntry{Seq: meta.Sequence.Stream}
		if err := proto.Unmarshal(m.Data(), &e.DeadLetter, proto.SchemaDeadLetter); err != nil {
			e.Stage = strings.TrimPrefix(m.Subject(), proto.SubjectDLQPrefix)
			e.Error = "unreadable dead letter: " + err.Error()
		}
		e.Data = nil
		out = append(out, e)
		return limit <= 0 || len(out) < limit, nil
	})
	return out, err
}

// GetDeadLetter returns the dead letter at seq of NEWS_DLQ, with its data.
func GetDeadLetter(ctx context.Context, js jetstream.JetStream, seq uint64) (*DeadLetterEntry, error) {
	s, err := js.Stream(ctx, bus.StreamDLQ)
	if err != nil {
		return nil, fmt.Errorf("dlq: %w", err)
	}
	raw, err := s.GetMsg(ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, fmt.Errorf("dead letter %d: %w", seq, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("dead letter %d: %w", seq, err)
	}
	e := &DeadLetterEntry{Seq: seq}
	if err := proto.Unmarshal(raw.Data, &e.DeadLetter, proto.SchemaDeadLetter); err != nil {
		return nil, fmt.Errorf("dead letter %d: %w", seq, err)
	}
	return e, nil
}

// DLQSelector picks dead letters: one by Seq, or all of Stage ("" with All
// for every stage).
type DLQSelector struct {
	Stage string
	Seq   uint64
	All   bool
}

func (s DLQSelector) check() error {
	if s.Seq == 0 && s.Stage == "" && !s.All {
		return fmt.Errorf("%w: name a dead letter (-seq N), a stage (-stage S) or -all", ErrInvalid)
	}
	return nil
}

// entries returns the selected dead letters, with their data.
func (s DLQSelector) entries(ctx context.Context, js jetstream.JetStream) ([]DeadLetterEntry, error) {
	if s.Seq != 0 {
		e, err := GetDeadLetter(ctx, js, s.Seq)
		if err != nil {
			return nil, err
		}
		if s.Stage != "" && e.Stage != s.Stage {
			return nil, fmt.Errorf("dead letter %d is of stage %s, not %s: %w", s.Seq, e.Stage, s.Stage, ErrNotFound)
		}
		return []DeadLetterEntry{*e}, nil
	}
	list, err := ListDeadLetters(ctx, js, s.Stage, 0)
	if err != nil {
		return nil, err
	}
	out := make([]DeadLetterEntry, 0, len(list))
	for _, l := range list {
		e, err := GetDeadLetter(ctx, js, l.Seq)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, nil
}

// RedriveResult is one dead letter sent back.
type RedriveResult struct {
	Seq     uint64 `json:"seq"`
	Stage   string `json:"stage"`
	Subject string `json:"subject"`
	// Duplicate is true if it had already been sent back (an earlier
	// redrive that failed to delete it).
	Duplicate bool `json:"duplicate"`
}

// Redrive sends the selected dead letters back: their original message is
// published again to its original subject, with the original headers but
// a new Nats-Msg-Id (so JetStream does not drop it as a duplicate of the
// first time), then the dead letter is deleted.
func Redrive(ctx context.Context, b *bus.Bus, sel DLQSelector) ([]RedriveResult, error) {
	if err := sel.check(); err != nil {
		return nil, err
	}
	entries, err := sel.entries(ctx, b.JS)
	if err != nil {
		return nil, err
	}
	s, err := b.JS.Stream(ctx, bus.StreamDLQ)
	if err != nil {
		return nil, fmt.Errorf("dlq: %w", err)
	}
	out := []RedriveResult{}
	for _, e := range entries {
		if e.Subject == "" || len(e.Data) == 0 {
			return out, fmt.Errorf("dead letter %d has no original message to send back", e.Seq)
		}
		if _, err := bus.StreamFor(e.Subject); err != nil {
			return out, fmt.Errorf("dead letter %d: %w", e.Seq, err)
		}
		header := map[string][]string{}
		for k, v := range e.Header {
			if !strings.HasPrefix(k, "Nats-") {
				header[k] = v
			}
		}
		id := "redrive:" + strconv.FormatUint(e.Seq, 10) + ":" + e.MsgID()
		dup, err := b.PublishRaw(ctx, e.Subject, e.Data, id, header)
		if err != nil {
			return out, fmt.Errorf("redrive dead letter %d: %w", e.Seq, err)
		}
		if err := s.DeleteMsg(ctx, e.Seq); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
			return out, fmt.Errorf("redrive dead letter %d: sent back, but not deleted: %w", e.Seq, err)
		}
		out = append(out, RedriveResult{Seq: e.Seq, Stage: e.Stage, Subject: e.Subject, Duplicate: dup})
	}
	return out, nil
}

// Purge deletes the selected dead letters and returns how many.
func Purge(ctx context.Context, js jetstream.JetStream, sel DLQSelector) (uint64, error) {
	if err := sel.check(); err != nil {
		return 0, err
	}
	s, err := js.Stream(ctx, bus.StreamDLQ)
	if err != nil {
		return 0, fmt.Errorf("dlq: %w", err)
	}
	if sel.Seq != 0 {
		if sel.Stage != "" {
			if _, err := sel.entries(ctx, js); err != nil {
				return 0, err
			}
		}
		err := s.DeleteMsg(ctx, sel.Seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return 0, fmt.Errorf("dead letter %d: %w", sel.Seq, ErrNotFound)
		}
		if err != nil {
			return 0, fmt.Errorf("purge dead letter %d: %w", sel.Seq, err)
		}
		return 1, nil
	}
	filter, err := dlqFilter(sel.Stage)
	if err != nil {
		return 0, err
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(filter))
	if err != nil {
		return 0, fmt.Errorf("dlq: %w", err)
	}
	var n uint64
	for _, c := range info.State.Subjects {
		n += c
	}
	if err := s.Purge(ctx, jetstream.WithPurgeSubject(filter)); err != nil {
		return 0, fmt.Errorf("purge dlq: %w", err)
	}
	return n, nil
}

// scan reads the messages of stream matching filter, from startSeq (0:
// the first) up to the stream's last message when scan began, calling fn
// until it returns false.
func scan(ctx context.Context, js jetstream.JetStream, stream, filter string, startSeq uint64, fn func(jetstream.Msg, *jetstream.MsgMetadata) (bool, error)) error {
	s, err := js.Stream(ctx, stream)
	if err != nil {
		return fmt.Errorf("stream %s: %w", stream, err)
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(filter))
	if err != nil {
		return fmt.Errorf("stream %s: %w", stream, err)
	}
	var n uint64
	for _, c := range info.State.Subjects {
		n += c
	}
	end := info.State.LastSeq
	if n == 0 || end < startSeq {
		return nil
	}
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}}
	if startSeq > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, startSeq
	}
	c, err := s.OrderedConsumer(ctx, cfg)
	if err != nil {
		return fmt.Errorf("read %s: %w", stream, err)
	}
	for {
		batch, err := c.Fetch(256, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return fmt.Errorf("read %s: %w", stream, err)
		}
		got := 0
		for m := range batch.Messages() {
			got++
			meta, err := m.Metadata()
			if err != nil {
				return fmt.Errorf("read %s: %w", stream, err)
			}
			if meta.Sequence.Stream > end {
				return nil
			}
			more, err := fn(m, meta)
			if err != nil || !more {
				return err
			}
			if meta.Sequence.Stream == end || meta.NumPending == 0 {
				return nil
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return fmt.Errorf("read %s: %w", stream, err)
		}
		if got == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			return nil
		}
	}
}
