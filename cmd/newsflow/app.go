package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/newsflow/newsflow/internal/bus"
	"github.com/newsflow/newsflow/internal/pipeline"
	"github.com/newsflow/newsflow/internal/telemetry"
	"github.com/newsflow/newsflow/internal/version"
	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/clean"
	"github.com/newsflow/newsflow/services/extract"
	"github.com/newsflow/newsflow/services/fetch"
	"github.com/newsflow/newsflow/services/store"
	"github.com/newsflow/newsflow/services/store/web"
)

// Targets are the components a process can run. "all" is only a name for
// all of them, run by `newsflow run`; a stage subcommand runs one.
const (
	TargetFetch   = "fetch"
	TargetClean   = "clean"
	TargetExtract = "extract"
	TargetStore   = "store"
	TargetAPI     = "api"
	TargetAll     = "all"
)

var allTargets = []string{TargetFetch, TargetClean, TargetExtract, TargetStore, TargetAPI}

// App runs a set of targets in one process: shared NATS connection (or the
// embedded server), store, HTTP listener, logger and metrics registry.
type App struct {
	cfg      Config
	dataDir  string
	targets  map[string]bool
	readOnly bool // serve: the store opened read-only, no NATS
	log      *zap.Logger
	reg      *prometheus.Registry
	health   *telemetry.Health

	// poller polls the sources, when this process runs fetch.
	poller *fetch.Poller

	// algo overrides a stage's algorithm version (tests of replays).
	algo map[string]string

	// Ready is closed when every component has started; HTTPAddr is then
	// the listener's address.
	Ready    chan struct{}
	HTTPAddr string
}

// NewApp returns an App that runs targets (TargetAll for every one).
func NewApp(cfg Config, dataDir string, log *zap.Logger, targets ...string) *App {
	a := &App{
		cfg: cfg, dataDir: dataDir, targets: map[string]bool{}, log: log,
		reg: telemetry.NewRegistry(), health: telemetry.NewHealth(), Ready: make(chan struct{}),
	}
	for _, t := range targets {
		if t == TargetAll {
			for _, t := range allTargets {
				a.targets[t] = true
			}
			continue
		}
		a.targets[t] = true
	}
	return a
}

func (a *App) needsBus() bool {
	return !a.readOnly && (a.targets[TargetFetch] || a.targets[TargetClean] || a.targets[TargetExtract] || a.targets[TargetStore])
}

// Run starts the targets and blocks until ctx is cancelled or one of them
// fails; then every component stops, in-flight work is finished and acked,
// and Run returns.
func (a *App) Run(ctx context.Context) (err error) {
	if err := os.MkdirAll(a.dataDir, 0o755); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	var b *bus.Bus
	if a.needsBus() {
		if a.cfg.NATS.URL == "" {
			b, err = bus.StartEmbedded(ctx, a.dataDir, a.log)
		} else {
			b, err = bus.Connect(ctx, a.cfg.NATS, "newsflow-"+a.name(), a.log)
		}
		if err != nil {
			return err
		}
		defer b.Close()
		if err := b.EnsureStreams(ctx, a.cfg.NATS.Replicas); err != nil {
			return err
		}
		a.health.AddCheck("nats", b.Ready)
	}
	var st store.Store
	if a.targets[TargetStore] || a.targets[TargetAPI] {
		open := store.Open
		if a.readOnly {
			open = store.OpenReadOnly
		}
		st, err = open(ctx, a.cfg.storeDSN(a.dataDir), a.log)
		if err != nil {
			return fmt.Errorf("open store: %w", err)
		}
		defer st.Close()
	}
	ln, err := net.Listen("tcp", a.cfg.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", a.cfg.HTTP.Addr, err)
	}
	a.HTTPAddr = ln.Addr().String()
	mux := http.NewServeMux()
	a.health.Routes(mux, a.reg)
	if a.cfg.HTTP.Pprof {
		telemetry.ProfilingRoutes(mux)
	}
	if a.targets[TargetAPI] {
		// The status endpoint and the page's pipeline view need NATS, which
		// `newsflow serve` does not connect to.
		var status web.PipelineStatus
		if b != nil {
			status = pipelineStatus{bus: b}
			mux.Handle("GET /api/status", statusHandler(b, st, a.log))
		}
		store.NewAPI(st, a.log.With(telemetry.Component("api"))).Routes(mux)
		web.New(st, status, a.log.With(telemetry.Component("web"))).Routes(mux)
	}
	srv := &http.Server{Handler: requireToken(a.cfg.HTTP.APIToken, mux), ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10}

	g, gctx := errgroup.WithContext(ctx)
	deps := pipeline.Deps{Bus: b, Log: a.log, Metrics: telemetry.NewStageMetrics(a.reg)}
	if err := a.startStages(gctx, g, deps, st); err != nil {
		_ = ln.Close()
		return err
	}
	g.Go(func() error {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		// Not ready any more: load balancers stop sending while work drains.
		a.health.SetStopping()
		a.log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	})
	a.log.Info("newsflow started", zap.String("targets", a.name()), zap.String("http", "http://"+a.HTTPAddr),
		zap.String("data", a.dataDir), zap.String("version", version.Build()))
	close(a.Ready)
	return g.Wait()
}

func (a *App) name() string {
	if len(a.targets) == len(allTargets) {
		return TargetAll
	}
	for _, t := range allTargets {
		if a.targets[t] {
			return t
		}
	}
	return "serve"
}

// startStages starts one goroutine per stage in g.
func (a *App) startStages(ctx context.Context, g *errgroup.Group, deps pipeline.Deps, st store.Store) error {
	pc := a.cfg.Pipeline
	if a.targets[TargetFetch] {
		seen, err := deps.Bus.KeyValue(ctx, proto.SeenBucket, seenTTL, a.cfg.NATS.Replicas)
		if err != nil {
			return err
		}
		state, err := deps.Bus.KeyValue(ctx, proto.SourcesBucket, 0, a.cfg.NATS.Replicas)
		if err != nil {
			return err
		}
		flog := a.log.With(telemetry.Stage(TargetFetch))
		f := fetch.New(a.cfg.Fetch, seen, flog)
		publish := func(ctx context.Context, m *proto.Discovered) (bool, error) {
			return deps.Bus.Publish(ctx, proto.SubjectDiscovered, m)
		}
		a.poller = fetch.NewPoller(f, a.cfg.Sources, state, replicaName(), publish, flog.With(telemetry.Component("poller")))
		g.Go(func() error { return a.poller.Run(ctx) })
		g.Go(func() error {
			return pipeline.Run(ctx, deps, pc, pipeline.Stage[*proto.Discovered, *proto.Fetched]{
				Name: TargetFetch, From: proto.SubjectDiscovered, To: proto.SubjectFetched,
				Schema: proto.SchemaDiscovered, Version: fetch.AlgoVersion,
				New: func() *proto.Discovered { return new(proto.Discovered) }, Handle: f.Handle,
			})
		})
	}
	if a.targets[TargetClean] {
		c := clean.New(a.cfg.Clean, a.log.With(telemetry.Stage(TargetClean)))
		g.Go(func() error {
			return pipeline.Run(ctx, deps, pc, pipeline.Stage[*proto.Fetched, *proto.Cleaned]{
				Name: TargetClean, From: proto.SubjectFetched, To: proto.SubjectCleaned,
				Schema: proto.SchemaFetched, Version: a.algoVersion(TargetClean, clean.AlgoVersion),
				New: func() *proto.Fetched { return new(proto.Fetched) }, Handle: c.Handle,
			})
		})
	}
	if a.targets[TargetExtract] {
		x, err := a.newExtractor()
		if err != nil {
			return err
		}
		g.Go(func() error {
			return pipeline.Run(ctx, deps, pc, pipeline.Stage[*proto.Cleaned, *proto.Extracted]{
				Name: TargetExtract, From: proto.SubjectCleaned, To: proto.SubjectExtracted,
				Schema: proto.SchemaCleaned, Version: a.algoVersion(TargetExtract, extract.AlgoVersion),
				New: func() *proto.Cleaned { return new(proto.Cleaned) }, Handle: x.Handle,
			})
		})
	}
	if a.targets[TargetStore] && !a.readOnly {
		g.Go(func() error {
			return pipeline.RunBatch(ctx, deps, pc, pipeline.BatchStage[*proto.Extracted]{
				Name: TargetStore, From: proto.SubjectExtracted, Schema: proto.SchemaExtracted,
				New:         func() *proto.Extracted { return new(proto.Extracted) },
				HandleBatch: storeBatch(st), RecordProcessed: true,
			})
		})
	}
	return nil
}

// algoVersion is the algorithm version of stage: def unless overridden.
func (a *App) algoVersion(stage, def string) string {
	if v, ok := a.algo[stage]; ok {
		return v
	}
	return def
}

// storeBatch writes a batch of extracted articles in one transaction.
// Invalid articles are permanent errors: retried alone, they go to the DLQ.
func storeBatch(st store.Store) func(ctx context.Context, in []*proto.Extracted) error {
	return func(ctx context.Context, in []*proto.Extracted) error {
		arts := make([]proto.Article, len(in))
		for i, m := range in {
			arts[i] = m.Article
			arts[i].PipelineVersion = m.PipelineVersion
			if err := store.ValidateArticle(&arts[i]); err != nil {
				return pipeline.Permanent(err)
			}
		}
		return st.Upsert(ctx, arts)
	}
}

func (a *App) newExtractor() (*extract.Extractor, error) {
	texts, err := a.cfg.exemplarTexts()
	if err != nil {
		return nil, err
	}
	return extract.NewWithExemplars(extract.Config{Topic: a.cfg.Topic}, texts, a.log.With(telemetry.Stage(TargetExtract)))
}

// seenTTL is how long a fetched article is remembered and skipped by the
// pollers; sitemaps rarely list articles older than that.
const seenTTL = 90 * 24 * time.Hour

// replicaName names this process in source leases.
func replicaName() string {
	host, err := os.Hostname()
	if err != nil {
		host = "newsflow"
	}
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

// ReloadSources replaces the polled sources with those of cfg, as on
// SIGHUP; sources already due or in progress keep their state.
func (a *App) ReloadSources(sources []fetch.Source) {
	if a.poller != nil {
		a.poller.SetSources(sources)
	}
}

// requireToken guards /api/ with a bearer token when token is set.
func requireToken(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("WWW-Authenticate", `Bearer realm="newsflow"`)
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":{"code":"unauthorized","message":"this API needs a bearer token"}}` + "\n"))
			return
		}
		next.ServeHTTP(w, r)
	})
}
