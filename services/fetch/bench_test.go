package fetch

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/internal/bus"
	"github.com/newsflow/newsflow/internal/natstest"
	"github.com/newsflow/newsflow/internal/pipeline"
	"github.com/newsflow/newsflow/internal/telemetry"
	"github.com/newsflow/newsflow/proto"
)

// BenchmarkFetchStage measures pages fetched per second through the fetch
// stage (consume news.discovered, download, publish news.fetched) against
// 50 local hosts serving 30 KB pages, and the process's peak heap.
func BenchmarkFetchStage(b *testing.B) {
	const hosts = 50
	page := "<html><body><article>" + strings.Repeat("<p>Officials from both countries met to discuss trade, energy and transport links.</p>\n", 370) + "</article></body></html>"
	var servers []*httptest.Server
	for range hosts {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/robots.txt" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(page))
		}))
		defer srv.Close()
		servers = append(servers, srv)
	}
	nsrv := natstest.Start(b)
	bs := nsrv.Connect(b)
	cfg := testConfig()
	cfg.PerHostRPS = 200
	cfg.MaxBodyBytes = 1 << 20
	f := New(cfg, nil, zap.NewNop())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	deps := pipeline.Deps{Bus: bs, Log: zap.NewNop(), Metrics: telemetry.NewStageMetrics(telemetry.NewRegistry())}
	go func() {
		_ = pipeline.Run(ctx, deps, pipeline.Config{Concurrency: 32}, pipeline.Stage[*proto.Discovered, *proto.Fetched]{
			Name: "fetch", From: proto.SubjectDiscovered, To: proto.SubjectFetched, Schema: proto.SchemaDiscovered, Version: AlgoVersion,
			New: func() *proto.Discovered { return new(proto.Discovered) }, Handle: f.Handle,
		})
	}()
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	defer close(stop)
	stream, err := bs.JS.Stream(ctx, bus.StreamFetched)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		u := fmt.Sprintf("%s/story/%d", servers[i%hosts].URL, i)
		m := &proto.Discovered{Envelope: proto.Envelope{Schema: proto.SchemaDiscovered, ArticleID: proto.ArticleID(u), URL: u, ProducedAt: time.Now()}}
		if _, err := bs.Publish(ctx, proto.SubjectDiscovered, m); err != nil {
			b.Fatal(err)
		}
	}
	for {
		info, err := stream.Info(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if info.State.Msgs >= uint64(b.N) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "pages/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}
