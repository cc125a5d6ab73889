package e2e_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/clean"
	"github.com/newsflow/newsflow/services/extract"
	"github.com/newsflow/newsflow/services/fetch"
	"github.com/newsflow/newsflow/services/store"
)

const benchConfig = `topic:
  name: Russia-China relations
  keywords: {putin: 1, xi jinping: 1, russia: 0.6, china: 0.6, beijing: 0.5, moscow: 0.4}
  threshold: 0.35
sources:
%s
fetch:
  allow_private: true
  per_host_rps: 200
  timeout: 10s
pipeline:
  concurrency: 4
  batch_size: 200
store:
  dsn: sqlite:%s
http:
  pprof: true
log:
  level: warn
  format: json
`

// BenchmarkPipeline measures newsflow on a generated corpus served through
// feeds on loopback: each stage alone, `newsflow run`, and the stages as
// separate processes with two replicas of the slowest. E2E_ARTICLES sizes
// the bulk phase (default 2000). Run it with `make bench-e2e`.
func BenchmarkPipeline(b *testing.B) {
	n := envInt("E2E_ARTICLES", 2000)
	const trickle, trickleRate = 100, 10 // freshness phase: pages, pages/s
	c := newCorpus(n+trickle, 42, time.Now(), time.Second)
	isolated := benchIsolated(b, c.pages[:min(n, 500)])
	slowest := "clean"
	for stage, v := range isolated {
		if v < isolated[slowest] {
			slowest = stage
		}
	}
	fmt.Printf("\nisolated stage throughput (articles/s per core): fetch %.0f, clean %.0f, extract %.0f, store %.0f; slowest: %s\n",
		isolated["fetch"], isolated["clean"], isolated["extract"], isolated["store"], slowest)
	sumCost := 0.0
	for _, v := range isolated {
		sumCost += 1 / v
	}
	for _, mode := range []string{"run", "processes"} {
		b.Run(mode, func(b *testing.B) {
			for b.Loop() {
				r := benchMode(b, mode, slowest, newCorpus(n+trickle, 42, time.Now(), time.Second), n, trickle, trickleRate)
				overhead := r.cpuPerArticle/sumCost - 1
				b.ReportMetric(r.throughput, "articles/s")
				b.ReportMetric(r.p50.Seconds(), "fresh-p50-s")
				b.ReportMetric(r.p95.Seconds(), "fresh-p95-s")
				b.ReportMetric(r.peakRSS/(1<<20), "peak-RSS-MB")
				b.ReportMetric(overhead*100, "overhead-%")
				c := r.costs
				msg := c[costMessaging] / c[costStage]
				b.ReportMetric(msg*100, "messaging-%")
				fmt.Printf("%s: %d articles in %s = %.0f articles/s; CPU %.2f ms/article (stages alone %.2f ms, overhead %.0f%%); freshness p50 %s p95 %s (poll interval 1s); peak RSS %.0f MB\n",
					mode, n, r.elapsed.Round(time.Millisecond), r.throughput, r.cpuPerArticle*1000, sumCost*1000, overhead*100,
					r.p50.Round(time.Millisecond), r.p95.Round(time.Millisecond), r.peakRSS/(1<<20))
				fmt.Printf("%s: CPU profile of the first %d s of the bulk phase: stages %.2f s, messaging and serialization %.2f s (%.0f%% of stage compute), GC %.2f s (%.0f%%), other %.2f s (%.0f%%)\n",
					mode, profileSeconds, c[costStage], c[costMessaging], msg*100, c[costGC], c[costGC]/c[costStage]*100, c[costOther], c[costOther]/c[costStage]*100)
			}
		})
	}
}

// benchIsolated runs each stage's code alone, in this process on one
// goroutine, and returns articles/s per core from the CPU time it used.
func benchIsolated(b *testing.B, pages []page) map[string]float64 {
	sites := newCorpusSites(&corpus{pages: pages}, 10)
	defer sites.close()
	sites.release(len(pages))
	fcfg := fetch.DefaultConfig()
	fcfg.AllowPrivate, fcfg.PerHostRPS = true, 1000
	f := fetch.New(fcfg, nil, zap.NewNop())
	cl := clean.New(clean.Config{}, zap.NewNop())
	x, err := extract.NewWithExemplars(extract.Config{Topic: extract.Topic{Name: "t", Keywords: map[string]float64{"putin": 1, "china": 0.6}, Threshold: 0.35}}, nil, zap.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.OpenSQLite(context.Background(), filepath.Join(b.TempDir(), "iso.db"), zap.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	out := map[string]float64{}
	var fetched []*proto.Fetched
	out["fetch"] = perCore(len(pages), func() {
		for i := range pages {
			u := sites.url(i)
			m, err := f.Fetch(ctx, &proto.Discovered{Envelope: proto.Envelope{Schema: proto.SchemaDiscovered, URL: u, ArticleID: proto.ArticleID(u)}})
			if err != nil {
				b.Fatal(err)
			}
			fetched = append(fetched, m)
		}
	})
	var cleaned []*proto.Cleaned
	out["clean"] = perCore(len(pages), func() {
		for _, m := range fetched {
			c, err := cl.Clean(ctx, m)
			if err != nil {
				b.Fatal(err)
			}
			cleaned = append(cleaned, c)
		}
	})
	var arts []proto.Article
	out["extract"] = perCore(len(pages), func() {
		for _, c := range cleaned {
			e, err := x.Extract(ctx, c)
			if err != nil {
				b.Fatal(err)
			}
			arts = append(arts, e.Article)
		}
	})
	out["store"] = perCore(len(pages), func() {
		for i := 0; i < len(arts); i += 200 {
			if err := st.Upsert(ctx, arts[i:min(i+200, len(arts))]); err != nil {
				b.Fatal(err)
			}
		}
	})
	return out
}

// perCore returns n divided by the CPU seconds fn used.
func perCore(n int, fn func()) float64 {
	before := cpuSelf()
	fn()
	return float64(n) / (cpuSelf() - before).Seconds()
}

func cpuSelf() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type modeResult struct {
	elapsed       time.Duration
	throughput    float64
	cpuPerArticle float64 // seconds
	p50, p95      time.Duration
	peakRSS       float64 // bytes, summed over processes
	// costs is sampled CPU seconds per cost class over the first
	// profileSeconds of the bulk phase, summed over processes.
	costs map[string]float64
}

// profileSeconds is the CPU profile's window at the start of the bulk phase.
const profileSeconds = 8

func benchMode(b *testing.B, mode, slowest string, c *corpus, n, trickle, rate int) modeResult {
	newsflowBin, natsBin := buildBinaries(b)
	dir := b.TempDir()
	sites := newCorpusSites(c, 10)
	defer sites.close()
	var srcs strings.Builder
	for i, s := range sites.servers {
		fmt.Fprintf(&srcs, "  - name: site-%d\n    feed: %s/feed.xml\n    interval: 1s\n", i, s.URL)
	}
	dbPath := filepath.Join(dir, "bench.db")
	cfgPath := filepath.Join(dir, "newsflow.yaml")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf(benchConfig, srcs.String(), dbPath)), 0o644); err != nil {
		b.Fatal(err)
	}
	logf, _ := os.Create(filepath.Join(dir, "bench.log"))
	defer logf.Close()
	var procs []*proc
	start := func(name string, args ...string) {
		addr := fmt.Sprintf("127.0.0.1:%d", freePort(b))
		p := &proc{name: name, bin: newsflowBin, metrics: addr, log: logf, args: append(args, "-config", cfgPath, "-data", filepath.Join(dir, name), "-http", addr)}
		p.start(b)
		procs = append(procs, p)
	}
	var natsProc *proc
	if mode == "run" {
		start("run", "run")
	} else {
		port := freePort(b)
		conf := filepath.Join(dir, "nats.conf")
		profPort := freePort(b)
		_ = os.WriteFile(conf, []byte(fmt.Sprintf("listen: 127.0.0.1:%d\nprof_port: %d\nmax_payload: 8MB\njetstream { store_dir: %q }\n", port, profPort, filepath.Join(dir, "js"))), 0o644)
		natsProc = &proc{name: "nats", bin: natsBin, args: []string{"-c", conf}, log: logf, metrics: fmt.Sprintf("127.0.0.1:%d", profPort)}
		natsProc.start(b)
		url := fmt.Sprintf("nats://127.0.0.1:%d", port)
		deadline := time.Now().Add(10 * time.Second)
		for {
			nc, err := nats.Connect(url)
			if err == nil {
				nc.Close()
				break
			}
			if time.Now().After(deadline) {
				b.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		for _, s := range []string{"fetch", "clean", "extract", "store"} {
			start(s, s, "-nats", url)
			if s == slowest {
				start(s+"-2", s, "-nats", url)
			}
		}
	}
	defer func() {
		for _, p := range procs {
			p.kill(syscall.SIGTERM)
		}
		if natsProc != nil {
			natsProc.kill(syscall.SIGTERM)
		}
	}()
	for _, p := range procs {
		waitFor(b, 30*time.Second, func() bool { _, err := scrape(p.metrics, "go_goroutines"); return err == nil })
	}
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	count := func() int {
		var k int
		if err := db.QueryRow(`SELECT count(*) FROM articles`).Scan(&k); err != nil {
			return -1
		}
		return k
	}
	cpu := func() float64 {
		sum := 0.0
		for _, p := range procs {
			v, _ := scrape(p.metrics, "process_cpu_seconds_total")
			sum += v
		}
		return sum
	}
	// Bulk phase: n pages out at once; time from release to all stored.
	cpu0 := cpu()
	t0 := time.Now()
	profiled := cpuProfiles(b, append(slices.Clip(procs), natsProc), profileSeconds)
	sites.release(n)
	waitFor(b, 30*time.Minute, func() bool { return count() >= n })
	r := modeResult{elapsed: time.Since(t0)}
	r.throughput = float64(n) / r.elapsed.Seconds()
	r.cpuPerArticle = (cpu() - cpu0) / float64(n)
	r.costs = profiled()
	// Freshness phase: pages out one by one at rate/s.
	for i := n; i < n+trickle; i++ {
		sites.release(i + 1)
		time.Sleep(time.Second / time.Duration(rate)) // the publishing schedule, not a wait for results
	}
	waitFor(b, 5*time.Minute, func() bool { return count() >= n+trickle })
	var lat []time.Duration
	for i := n; i < n+trickle; i++ {
		var firstSeen int64
		if err := db.QueryRow(`SELECT first_seen FROM articles WHERE url = ?`, sites.url(i)).Scan(&firstSeen); err != nil {
			b.Fatalf("article %d: %v", i, err)
		}
		lat = append(lat, time.UnixMicro(firstSeen).Sub(sites.releasedAt[i]))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r.p50, r.p95 = lat[len(lat)/2], lat[len(lat)*95/100]
	for _, p := range procs {
		r.peakRSS += peakRSS(p)
	}
	if natsProc != nil {
		r.peakRSS += peakRSS(natsProc)
	}
	return r
}

// peakRSS reads a process's peak resident set (VmHWM) in bytes.
func peakRSS(p *proc) float64 {
	p.mu.Lock()
	pid := p.cmd.Process.Pid
	p.mu.Unlock()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb * 1024
		}
	}
	return 0
}

func waitFor(b *testing.B, timeout time.Duration, cond func() bool) {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("not done after %s", timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
