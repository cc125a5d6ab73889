package web

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"time"

	"go.uber.org/zap"
)

// PipelineStatus reports the pipeline's state for the pipeline view. The
// process wiring adapts the broker's consumer and stream information to it.
type PipelineStatus interface {
	Status(ctx context.Context) (Pipeline, error)
}

// Pipeline is a snapshot of the pipeline's state.
type Pipeline struct {
	// CollectedAt is when the snapshot was taken; the zero time means now.
	CollectedAt time.Time
	// Stages in pipeline order (fetch, clean, extract, store).
	Stages []Stage
	// DeadLetters per stage; stages without dead letters may be left out.
	DeadLetters []DeadLetters
	// Sources are the polled feeds and sitemaps.
	Sources []Source
}

// Stage is one stage's consumer.
type Stage struct {
	Name    string // "fetch", "clean", …
	Subject string // the subject it consumes
	// Backlog is the number of messages waiting to be delivered.
	Backlog uint64
	// InFlight is the number of messages delivered and not yet acked.
	InFlight int
	// Redelivered is the number of messages delivered more than once.
	Redelivered int
	// Processed is a counter of handled messages (for example the
	// consumer's ack floor). The page derives a rate from two snapshots
	// when Rate is zero.
	Processed uint64
	// Rate is handled messages per second, if the source knows it.
	Rate float64
	// LastActive is when the stage last handled a message; nil if unknown.
	LastActive *time.Time
	// Err says why the stage's figures are missing ("" when they are not).
	Err string
}

// DeadLetters is the number of messages a stage gave up on.
type DeadLetters struct {
	Stage   string
	Subject string // news.dlq.<stage>
	Count   uint64
	// Last is when the newest dead letter arrived; nil if unknown.
	Last *time.Time
}

// Source is the health of one polled source.
type Source struct {
	Name string
	Kind string // "feed", "sitemap", "url"
	URL  string
	// LastPoll is when the source was last polled; nil if never.
	LastPoll *time.Time
	// NextPoll is when it is due next; nil if unknown.
	NextPoll *time.Time
	// LastError is the last poll's error; "" if it succeeded.
	LastError   string
	LastErrorAt *time.Time
	// Discovered is the number of URLs the source has yielded.
	Discovered int
}

// pipelineData is the data of pipeline.html.
type pipelineData struct {
	Available   bool
	Err         string
	Now         time.Time
	P           Pipeline
	MaxBacklog  uint64
	DeadTotal   uint64
	FailedCount int
}

func (s *Server) pipelinePage(r *http.Request) (view, error) {
	d := pipelineData{Available: s.status != nil, Now: s.now()}
	status := http.StatusOK
	if s.status != nil {
		p, err := s.status.Status(r.Context())
		if err != nil {
			// The page stays useful: it says the status is unavailable.
			s.log.Warn("pipeline status", zap.Error(err))
			d.Err = "The pipeline's status could not be read: " + err.Error()
			status = http.StatusServiceUnavailable
		} else {
			if p.CollectedAt.IsZero() {
				p.CollectedAt = d.Now
			}
			s.rates.fill(&p)
			d.P = p
		}
	}
	for _, st := range d.P.Stages {
		d.MaxBacklog = max(d.MaxBacklog, st.Backlog)
	}
	for _, dl := range d.P.DeadLetters {
		d.DeadTotal += dl.Count
	}
	sort.SliceStable(d.P.Sources, func(i, j int) bool {
		// Failing sources first, then by name.
		fi, fj := d.P.Sources[i].LastError != "", d.P.Sources[j].LastError != ""
		if fi != fj {
			return fi
		}
		return d.P.Sources[i].Name < d.P.Sources[j].Name
	})
	for _, src := range d.P.Sources {
		if src.LastError != "" {
			d.FailedCount++
		}
	}
	return view{Template: "pipeline.html", Status: status, Data: layout{Title: "Pipeline", Nav: "pipeline", Page: d}}, nil
}

// rateTracker derives per-stage rates from the Processed counters of
// successive snapshots.
type rateTracker struct {
	mu   sync.Mutex
	last map[string]rateSample
}

type rateSample struct {
	at        time.Time
	processed uint64
	rate      float64
}

// maxRateGap is the longest gap between snapshots a rate is derived over.
const maxRateGap = 15 * time.Minute

// fill sets Rate on the stages that have none, from the previous snapshot.
func (t *rateTracker) fill(p *Pipeline) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.last == nil {
		t.last = map[string]rateSample{}
	}
	for i := range p.Stages {
		st := &p.Stages[i]
		prev, ok := t.last[st.Name]
		cur := rateSample{at: p.CollectedAt, processed: st.Processed, rate: st.Rate}
		dt := p.CollectedAt.Sub(prev.at)
		switch {
		case st.Rate != 0:
		case ok && dt >= time.Second && dt <= maxRateGap && st.Processed >= prev.processed:
			st.Rate = float64(st.Processed-prev.processed) / dt.Seconds()
			cur.rate = st.Rate
		case ok && dt < time.Second:
			// Too close to the last snapshot: keep its rate and baseline.
			st.Rate = prev.rate
			cur = prev
		}
		t.last[st.Name] = cur
	}
}
