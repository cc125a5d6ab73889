package main

import (
	"context"
	"net/http"
	"time"

	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/internal/bus"
	"github.com/newsflow/newsflow/internal/ops"
	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/store"
	"github.com/newsflow/newsflow/services/store/web"
)

// pipelineStatus gives the web page's pipeline view the state of NATS.
type pipelineStatus struct {
	bus *bus.Bus
}

var stageSubjects = map[string]string{
	TargetFetch: proto.SubjectDiscovered, TargetClean: proto.SubjectFetched,
	TargetExtract: proto.SubjectCleaned, TargetStore: proto.SubjectExtracted,
}

// Status maps ops.Status onto the page's view: the live lane of each stage,
// dead letters and sources.
func (p pipelineStatus) Status(ctx context.Context) (web.Pipeline, error) {
	r, err := ops.Status(ctx, p.bus.JS, ops.StatusOptions{})
	if err != nil {
		return web.Pipeline{}, err
	}
	out := web.Pipeline{CollectedAt: r.At}
	for _, name := range []string{TargetFetch, TargetClean, TargetExtract, TargetStore} {
		s := web.Stage{Name: name, Subject: stageSubjects[name], Err: "no consumer yet"}
		for _, c := range r.Consumers {
			if c.Stage == name && c.Lane == "live" {
				s = web.Stage{Name: name, Subject: stageSubjects[name], Backlog: c.Pending, InFlight: c.AckPending,
					Redelivered: c.Redelivered, Processed: c.Delivered - uint64(c.AckPending), Rate: c.Rate, LastActive: c.LastActive}
			}
		}
		out.Stages = append(out.Stages, s)
	}
	for _, d := range r.DeadLetters {
		out.DeadLetters = append(out.DeadLetters, web.DeadLetters{Stage: d.Stage, Subject: proto.SubjectDLQ(d.Stage), Count: d.Count})
	}
	for _, s := range r.Sources {
		src := web.Source{Name: s.Name, Kind: s.Kind, URL: s.URL, LastError: s.LastError, Discovered: s.Found}
		if !s.LastPoll.IsZero() {
			src.LastPoll = &s.LastPoll
			if s.LastError != "" {
				src.LastErrorAt = &s.LastPoll
			}
		}
		if !s.NextPoll.IsZero() {
			src.NextPoll = &s.NextPoll
		}
		out.Sources = append(out.Sources, src)
	}
	return out, nil
}

// statusHandler serves GET /api/status: what `newsflow status -json` prints.
func statusHandler(b *bus.Bus, st store.Store, log *zap.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		defer cancel()
		opts := ops.StatusOptions{}
		if st != nil {
			opts.StoreCounts = storeCounts(st)
		}
		rep, err := ops.Status(ctx, b.JS, opts)
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			log.Warn("status", zap.Error(err))
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":{"code":"unavailable","message":"pipeline status unavailable"}}` + "\n"))
			return
		}
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(rep)
	})
}
