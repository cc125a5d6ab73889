package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/internal/bus"
	"github.com/newsflow/newsflow/internal/natstest"
	"github.com/newsflow/newsflow/internal/pipeline"
)

var (
	benchData   = flag.String("bench-data", os.Getenv("BENCH_DATA"), "directory of the public evaluation sets (default $BENCH_DATA)")
	replayPages = flag.Int("replay-pages", 500, "pages of the evaluation set to replay in BenchmarkReplay")
)

// BenchmarkReplay measures replay throughput (articles/s through clean,
// extract and store in the replay lane) over real pages, and the delay of
// a live article from publish to the store with and without a replay
// running. Run it once: go test -run '^$' -bench Replay -benchtime 1x.
func BenchmarkReplay(b *testing.B) {
	dir := filepath.Join(*benchData, "trafilatura-eval", "html", "eval")
	files, _ := filepath.Glob(filepath.Join(dir, "*.html.gz"))
	if *benchData == "" || len(files) == 0 {
		b.Skipf("no benchmark pages at %q: set BENCH_DATA (or -bench-data) to the evaluation sets directory", dir)
	}
	files = files[:min(len(files), *replayPages)]
	for range b.N {
		benchReplay(b, files)
	}
}

func benchReplay(b *testing.B, files []string) {
	dataDir := b.TempDir()
	app, stop := startApp(b, dataDir, nil)
	defer stop()
	api := "http://" + app.HTTPAddr
	bb := dial(b, dataDir)
	ctx := context.Background()
	var failed int
	for i, f := range files {
		if _, _, err := ingestOne(ctx, bb, f, "bench", fmt.Sprintf("https://bench.example/page/%d", i)); err != nil {
			b.Fatal(err)
		}
	}
	waitIdle(b, bb, 10*time.Minute)
	stored, err := articleCount(api)
	if err != nil {
		b.Fatal(err)
	}
	failed = len(files) - stored

	idle := liveDelays(b, bb, api, "idle", 0, 15, 0)

	start := time.Now()
	done := make(chan error, 1)
	go func() {
		var out, errOut strings.Builder
		done <- Main(ctx, []string{"replay", "-data", dataDir}, &out, &errOut)
	}()
	natstest.Eventually(b, time.Minute, func() error {
		if handled(b, app, "clean-replay", "ok")+handled(b, app, "clean-replay", "deadletter") == 0 {
			return errors.New("replay lane not started")
		}
		return nil
	})
	h0 := durations(b, app)
	busy := liveDelays(b, bb, api, "busy", 1000, 15, 100*time.Millisecond)
	h1 := durations(b, app)
	for _, st := range []string{"clean", "extract", "store"} {
		b.Logf("live %s during replay: %d handled, mean %s", st, h1[st].n-h0[st].n, time.Duration(float64(time.Second)*(h1[st].sum-h0[st].sum)/float64(max(1, h1[st].n-h0[st].n))))
	}
	replayedWhile := handled(b, app, "store-replay", "ok")
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	natstest.Eventually(b, 10*time.Minute, func() error {
		if n := handled(b, app, "store-replay", "ok"); n < float64(stored) {
			return fmt.Errorf("%v of %d replayed", n, stored)
		}
		return nil
	})
	d := time.Since(start)
	if replayedWhile >= float64(stored) {
		b.Logf("warning: the replay ended before the live articles were measured")
	}
	mi, mb := median(idle), median(busy)
	b.ReportMetric(float64(stored)/d.Seconds(), "replayed_articles/s")
	b.ReportMetric(float64(mi.Milliseconds()), "live_ms_idle")
	b.ReportMetric(float64(mb.Milliseconds()), "live_ms_replay")
	b.ReportMetric(float64(mb)/float64(max(mi, time.Millisecond)), "delay_ratio")
	b.Logf("%d pages (%d not storable), replayed in %s: %.1f articles/s; live delay median %s idle, %s during replay (max %s, %s)",
		len(files), failed, d.Round(time.Millisecond), float64(stored)/d.Seconds(), mi, mb, slices.Max(idle), slices.Max(busy))
}

// liveDelays publishes n generated live articles, one every gap (waiting
// for each when gap is 0), and returns how long each took to be stored:
// until the store stage recorded it in the processed bucket, right after
// its upsert, watched rather than polled so as not to load the machine.
func liveDelays(b testing.TB, bb *bus.Bus, api, tag string, from, n int, gap time.Duration) []time.Duration {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	kv, err := bb.JS.KeyValue(ctx, pipeline.ProcessedBucket)
	if err != nil {
		b.Fatal(err)
	}
	w, err := kv.WatchAll(ctx, jetstream.UpdatesOnly())
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = w.Stop() }()
	var mu sync.Mutex
	seen := map[string]time.Time{}
	go func() {
		for e := range w.Updates() {
			if e != nil {
				mu.Lock()
				if _, ok := seen[e.Key()]; !ok {
					seen[e.Key()] = time.Now()
				}
				mu.Unlock()
			}
		}
	}()
	stored := func(id string) (time.Time, bool) {
		mu.Lock()
		defer mu.Unlock()
		t, ok := seen[id]
		return t, ok
	}
	dir := b.TempDir()
	sent := map[string]time.Time{}
	for i := from; i < from+n; i++ {
		path := filepath.Join(dir, fmt.Sprintf("%s-%d.txt", tag, i))
		if err := os.WriteFile(path, article("live-"+tag, i), 0o644); err != nil {
			b.Fatal(err)
		}
		at := time.Now()
		id, _, err := ingestOne(ctx, bb, path, "live", "")
		if err != nil {
			b.Fatal(err)
		}
		sent[id] = at
		if gap == 0 {
			natstest.Eventually(b, 2*time.Minute, func() error {
				if _, ok := stored(id); !ok {
					return errors.New("not stored yet")
				}
				return nil
			})
			continue
		}
		time.Sleep(gap)
	}
	var out []time.Duration
	natstest.Eventually(b, 2*time.Minute, func() error {
		out = out[:0]
		for id, at := range sent {
			t, ok := stored(id)
			if !ok {
				return fmt.Errorf("live article %s not stored yet", id)
			}
			out = append(out, t.Sub(at))
		}
		return nil
	})
	return out
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

type hsum struct {
	n   uint64
	sum float64
}

// durations reads newsflow_handle_duration_seconds per stage.
func durations(b testing.TB, app *App) map[string]hsum {
	mfs, err := app.reg.Gather()
	if err != nil {
		b.Fatal(err)
	}
	out := map[string]hsum{}
	for _, mf := range mfs {
		if mf.GetName() != "newsflow_handle_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "stage" {
					out[l.GetValue()] = hsum{m.GetHistogram().GetSampleCount(), m.GetHistogram().GetSampleSum()}
				}
			}
		}
	}
	return out
}
