package fetch

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/internal/telemetry"
	"github.com/newsflow/newsflow/internal/version"
	"github.com/newsflow/newsflow/proto"
)

// Poller polls the configured sources when they are due and publishes the
// article URLs they list to news.discovered. Replicas share the work
// through the sources bucket: a replica claims a due source by writing a
// lease with compare-and-set, so each source is polled by one replica at a
// time, and a dead replica's lease expires.
type Poller struct {
	f       *Fetcher
	state   KV
	publish func(ctx context.Context, m *proto.Discovered) (dup bool, err error)
	log     *zap.Logger
	owner   string

	// Tick is how often due sources are looked for; LeaseTTL how long a
	// claim lasts unless renewed (a poll renews it every third of that,
	// so a replica that dies mid-poll holds its source this long at
	// most); PollTimeout bounds a poll; MaxBackoff caps the delay after
	// repeated failures.
	Tick        time.Duration
	LeaseTTL    time.Duration
	PollTimeout time.Duration
	MaxBackoff  time.Duration

	mu      sync.Mutex
	sources []Source
}

// NewPoller returns a Poller for sources. owner names this replica in
// leases; state is the sources bucket; publish sends to news.discovered.
func NewPoller(f *Fetcher, sources []Source, state KV, owner string,
	publish func(ctx context.Context, m *proto.Discovered) (bool, error), log *zap.Logger) *Poller {
	return &Poller{
		f: f, state: state, publish: publish, log: log, owner: owner, sources: sources,
		Tick: time.Second, LeaseTTL: 15 * time.Second, PollTimeout: 3*f.cfg.Timeout + time.Minute, MaxBackoff: 6 * time.Hour,
	}
}

// SetSources replaces the source list (a config reload).
func (p *Poller) SetSources(sources []Source) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sources = sources
	p.log.Info("sources reloaded", zap.Int("sources", len(sources)))
}

// Run polls due sources until ctx is cancelled; polls in progress finish.
func (p *Poller) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	busy := map[string]bool{}
	var busyMu sync.Mutex
	t := time.NewTicker(p.Tick)
	defer t.Stop()
	for {
		p.mu.Lock()
		sources := p.sources
		p.mu.Unlock()
		for _, s := range sources {
			busyMu.Lock()
			if busy[s.Name] {
				busyMu.Unlock()
				continue
			}
			busyMu.Unlock()
			st, rev, ok, err := p.claim(ctx, s)
			if err != nil {
				p.log.Warn("claim source", telemetry.Source(s.Name), zap.Error(err))
				continue
			}
			if !ok {
				continue
			}
			busyMu.Lock()
			busy[s.Name] = true
			busyMu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				p.poll(context.WithoutCancel(ctx), s, st, rev)
				busyMu.Lock()
				delete(busy, s.Name)
				busyMu.Unlock()
			}()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// claim takes the lease of s if it is due and nobody holds it.
func (p *Poller) claim(ctx context.Context, s Source) (proto.SourceState, uint64, bool, error) {
	now := time.Now().UTC()
	var st proto.SourceState
	val, rev, found, err := p.state.Get(ctx, s.Name)
	if err != nil {
		return st, 0, false, err
	}
	if found {
		if err := json.Unmarshal(val, &st); err != nil {
			p.log.Warn("source state unreadable, starting afresh", telemetry.Source(s.Name), zap.Error(err))
			st = proto.SourceState{}
		}
	}
	if st.URL != s.Location() || st.Kind != s.Kind() {
		// New source, or the config changed where it points.
		st = proto.SourceState{Name: s.Name, Kind: s.Kind(), URL: s.Location(), NextPoll: now}
	}
	if now.Before(st.NextPoll) || (st.LeaseOwner != "" && now.Before(st.LeaseUntil)) {
		return st, 0, false, nil
	}
	st.LeaseOwner, st.LeaseUntil = p.owner, now.Add(p.LeaseTTL)
	b, err := json.Marshal(st)
	if err != nil {
		return st, 0, false, err
	}
	newRev, ok, err := p.state.Put(ctx, s.Name, b, rev)
	return st, newRev, ok, err
}

// poll lists s, publishes the unseen articles, and records the outcome.
func (p *Poller) poll(ctx context.Context, s Source, st proto.SourceState, rev uint64) {
	log := p.log.With(telemetry.Source(s.Name), telemetry.URL(s.Location()))
	pctx, cancel := context.WithTimeout(ctx, p.PollTimeout)
	defer cancel()
	stopRenew := p.keepLease(pctx, s, st, rev, log)
	l, err := p.f.List(pctx, s, st.ETag, st.LastModified)
	var found, fresh int
	if err == nil {
		found = len(l.items)
		fresh, err = p.publishItems(pctx, s, l.items)
	}
	rev = stopRenew()
	now := time.Now().UTC()
	st.LastPoll, st.LeaseOwner, st.LeaseUntil = now, "", time.Time{}
	if err != nil {
		st.Failures++
		st.LastError = err.Error()
		st.NextPoll = now.Add(p.backoff(s.Every(), st.Failures))
		log.Warn("poll failed", zap.Int("failures", st.Failures), zap.Time("next_poll", st.NextPoll), zap.Error(err))
	} else {
		st.Failures, st.LastError, st.LastSuccess = 0, "", now
		st.ETag, st.LastModified = l.etag, l.lastModified
		st.NextPoll = now.Add(s.Every())
		st.Found, st.New = found, fresh
		log.Info("source polled", zap.Bool("not_modified", l.notModified), zap.Int("found", found), zap.Int("new", fresh))
	}
	b, err := json.Marshal(st)
	if err == nil {
		_, _, err = p.state.Put(ctx, s.Name, b, rev)
	}
	if err != nil {
		log.Warn("save source state", zap.Error(err))
	}
}

// keepLease renews the lease on s (stored at revision rev) every third of
// LeaseTTL until the returned stop is called; stop returns the revision
// of the last renewal. A renewal that finds the lease taken stops.
func (p *Poller) keepLease(ctx context.Context, s Source, st proto.SourceState, rev uint64, log *zap.Logger) (stop func() uint64) {
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(p.LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			st.LeaseUntil = time.Now().UTC().Add(p.LeaseTTL)
			b, err := json.Marshal(st)
			if err != nil {
				return
			}
			newRev, ok, err := p.state.Put(ctx, s.Name, b, rev)
			switch {
			case err != nil:
				log.Warn("renew lease", zap.Error(err))
			case !ok:
				log.Warn("lease taken by another replica")
				return
			default:
				rev = newRev
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		return rev
	}
}

// backoff is the delay before the next poll after failures: the interval
// doubled per failure, capped.
func (p *Poller) backoff(interval time.Duration, failures int) time.Duration {
	d := interval
	for i := 1; i < failures && d < p.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, p.MaxBackoff)
}

// publishItems sends every listed URL not fetched before.
func (p *Poller) publishItems(ctx context.Context, s Source, items []item) (fresh int, err error) {
	for _, it := range items {
		id := proto.ArticleID(it.url)
		seen, err := p.f.Seen(ctx, id)
		if err != nil {
			return fresh, err
		}
		if seen {
			continue
		}
		m := &proto.Discovered{
			Envelope: proto.Envelope{
				Schema: proto.SchemaDiscovered, ArticleID: id, URL: it.url, Source: s.Name,
				PipelineVersion: version.Stamp("", "discover", AlgoVersion), ProducedAt: time.Now().UTC(),
			},
			Hints: it.hints,
		}
		dup, err := p.publish(ctx, m)
		if err != nil {
			return fresh, fmt.Errorf("publish %s: %w", it.url, err)
		}
		if !dup {
			fresh++
		}
	}
	return fresh, nil
}
