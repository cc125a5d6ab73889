package e2e_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/proto"
	_ "modernc.org/sqlite"
)

const chaosConfig = `topic:
  name: border trade
  keywords: {border: 1, trade: 0.5}
  threshold: 0.3
sources:
  - name: chaos-daily
    feed: %s/feed.xml
    interval: 1s
fetch:
  allow_private: true
  per_host_rps: 500
  timeout: 3s
pipeline:
  concurrency: 8
  ack_wait: 10s
  handler_timeout: 8s
  backoff_base: 200ms
  backoff_max: 2s
  max_deliver: 8
  batch_size: 100
  batch_wait: 100ms
store:
  dsn: sqlite:%s
log:
  level: warn
  format: json
`

// TestChaos runs the pipeline as separate processes under faults and checks
// that nothing published is lost or duplicated. CHAOS_ARTICLES and
// CHAOS_FAULTS size it (short form: 300 articles, 6 faults).
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test skipped in -short mode")
	}
	articles := envInt("CHAOS_ARTICLES", 300)
	faults := envInt("CHAOS_FAULTS", 6)

	// The site publishes over about 20 s (short form) or 2 min (long form).
	publishFor := 20 * time.Second
	if articles > 1000 {
		publishFor = 2 * time.Minute
	}
	site := startSite(t, articles, publishFor/time.Duration(articles))
	c := startCluster(t, site, []string{"fetch", "clean", "clean", "extract", "extract", "store"})

	// Faults while the site publishes: kill -9 and restart of stage
	// processes, a NATS restart, the database locked for 10 s.
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	plan := []string{"nats", "db"}
	for len(plan) < faults {
		plan = append(plan, "kill")
	}
	rng.Shuffle(len(plan), func(i, j int) { plan[i], plan[j] = plan[j], plan[i] })
	gap := publishFor / time.Duration(len(plan)+1)
	var killed []string
	for _, f := range plan {
		time.Sleep(gap/2 + time.Duration(rng.Int64N(int64(gap)))) // spread faults over the run
		switch f {
		case "kill":
			p := c.stages[rng.IntN(len(c.stages))]
			p.kill(syscall.SIGKILL)
			killed = append(killed, p.name)
			time.Sleep(time.Duration(200+rng.IntN(800)) * time.Millisecond)
			p.start(t)
		case "nats":
			c.nats.kill(syscall.SIGTERM)
			time.Sleep(time.Second)
			c.nats.start(t)
			eventually(t, 30*time.Second, "nats back after restart", c.natsUp)
		case "db":
			lockDB(t, c.dbPath, 10*time.Second)
		}
	}
	t.Logf("faults: %v (killed %v)", plan, killed)

	// Everything the site published is stored, exactly once, complete.
	db := c.openStore(t)
	timeout := 3*time.Minute + time.Duration(articles)*20*time.Millisecond
	eventually(t, timeout, "all articles stored", storedAtLeast(db, site, articles))
	checkStored(t, db, site, articles)

	// Nothing is left pending and only the bad inputs were dead-lettered.
	var nc *nats.Conn
	eventually(t, 30*time.Second, "connect to nats", func() (err error) {
		nc, err = nats.Connect(c.natsURL)
		return err
	})
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	eventually(t, 2*time.Minute, "pipeline drained and bad inputs dead-lettered", func() error {
		for _, c := range [][2]string{{"NEWS_DISCOVERED", "fetch"}, {"NEWS_FETCHED", "clean"}, {"NEWS_CLEANED", "extract"}, {"NEWS_EXTRACTED", "store"}} {
			cons, err := js.Consumer(ctx, c[0], c[1])
			if err != nil {
				return err
			}
			info, err := cons.Info(ctx)
			if err != nil {
				return err
			}
			if info.NumPending > 0 || info.NumAckPending > 0 {
				return fmt.Errorf("%s: %d pending, %d unacked", c[1], info.NumPending, info.NumAckPending)
			}
		}
		got, err := deadLetteredURLs(ctx, js)
		if err != nil {
			return err
		}
		var want []string
		for _, p := range site.bad {
			want = append(want, site.URL+p)
		}
		sort.Strings(want)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			return fmt.Errorf("dead letters for %v; want exactly %v", got, want)
		}
		return nil
	})

	// No process leaked goroutines or memory.
	for _, p := range c.stages {
		g, err := scrape(p.metrics, "go_goroutines")
		if err != nil {
			t.Errorf("%s: %v", p.name, err)
			continue
		}
		rss, _ := scrape(p.metrics, "process_resident_memory_bytes")
		t.Logf("%s: %d goroutines, %.0f MB resident, killed %d times", p.name, int(g), rss/(1<<20), p.kills)
		if g > 300 {
			t.Errorf("%s has %d goroutines at rest; want a bounded number", p.name, int(g))
		}
		if rss > 600<<20 {
			t.Errorf("%s uses %.0f MB; want bounded memory", p.name, rss/(1<<20))
		}
	}
}

// startSite serves n articles, one every spacing, until the test ends.
func startSite(t *testing.T, n int, spacing time.Duration) *newsSite {
	site := newNewsSite(n, spacing)
	t.Cleanup(func() {
		close(site.hang)
		site.Close()
	})
	return site
}

// cluster is a NATS server and newsflow stages, each its own process,
// watching a news site and storing into SQLite.
type cluster struct {
	dir, natsURL, natsConf, dbPath string
	natsPort                       int
	nats                           *proc
	stages                         []*proc
}

// startCluster starts NATS (its store under dir/js) and one process per
// stage name, and stops them when the test ends, showing their last log
// lines and the pipeline's state if it failed.
func startCluster(t *testing.T, site *newsSite, stageNames []string) *cluster {
	t.Helper()
	newsflowBin, natsBin := buildBinaries(t)
	c := &cluster{dir: t.TempDir()}
	logs := filepath.Join(c.dir, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	logFile := func(name string) *os.File {
		f, err := os.Create(filepath.Join(logs, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	t.Cleanup(func() {
		if t.Failed() {
			dumpLogs(t, logs)
		}
	})

	c.natsPort = freePort(t)
	c.natsURL = fmt.Sprintf("nats://127.0.0.1:%d", c.natsPort)
	c.natsConf = filepath.Join(c.dir, "nats.conf")
	c.writeNATSConf(t, "js")
	c.nats = &proc{name: "nats", bin: natsBin, args: []string{"-c", c.natsConf}, log: logFile("nats")}
	c.nats.start(t)
	t.Cleanup(func() { c.nats.kill(syscall.SIGTERM) })
	t.Cleanup(func() { // before the server stops
		if t.Failed() {
			dumpPipeline(t, c.natsURL)
		}
	})
	eventually(t, 10*time.Second, "nats up", c.natsUp)

	c.dbPath = filepath.Join(c.dir, "chaos.db")
	cfgPath := filepath.Join(c.dir, "newsflow.yaml")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf(chaosConfig, site.URL, c.dbPath)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, s := range stageNames {
		name := fmt.Sprintf("%s-%d", s, len(c.stages))
		addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		p := &proc{name: name, bin: newsflowBin, metrics: addr, log: logFile(name),
			args: []string{s, "-nats", c.natsURL, "-config", cfgPath, "-data", filepath.Join(c.dir, name), "-http", addr}}
		p.start(t)
		c.stages = append(c.stages, p)
	}
	t.Cleanup(func() {
		for _, p := range c.stages {
			p.kill(syscall.SIGTERM)
		}
	})
	for _, p := range c.stages {
		eventually(t, 30*time.Second, p.name+" ready", func() error { _, err := scrape(p.metrics, "go_goroutines"); return err })
	}
	return c
}

// writeNATSConf writes the server's config with its store in the
// cluster's directory under store.
func (c *cluster) writeNATSConf(t *testing.T, store string) {
	t.Helper()
	conf := fmt.Sprintf("listen: 127.0.0.1:%d\nmax_payload: 8MB\njetstream { store_dir: %q }\n", c.natsPort, filepath.Join(c.dir, store))
	if err := os.WriteFile(c.natsConf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (c *cluster) natsUp() error {
	nc, err := nats.Connect(c.natsURL)
	if err == nil {
		nc.Close()
	}
	return err
}

// openStore opens the cluster's database for reading until the test ends.
func (c *cluster) openStore(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+c.dbPath+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// storedAtLeast checks that at least want of the site's stories are
// stored.
func storedAtLeast(db *sql.DB, site *newsSite, want int) func() error {
	return func() error {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM articles WHERE url LIKE ?`, site.URL+"/story/%").Scan(&n); err != nil {
			return err
		}
		if n < want {
			return fmt.Errorf("%d of %d stored", n, want)
		}
		return nil
	}
}

// checkStored verifies, with plain SQL, one complete row per published URL.
func checkStored(t *testing.T, db *sql.DB, site *newsSite, articles int) {
	t.Helper()
	rows, err := db.Query(`SELECT url, count(*), min(title), min(length(text)), min(language), min(length(fingerprint)) FROM articles WHERE url LIKE ? GROUP BY url`, site.URL+"/story/%")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var u, title, lang string
		var n, textLen, fpLen int
		if err := rows.Scan(&u, &n, &title, &textLen, &lang, &fpLen); err != nil {
			t.Fatal(err)
		}
		seen[u] = true
		if n != 1 {
			t.Errorf("%s stored %d times", u, n)
		}
		if !strings.HasPrefix(title, "Story ") || textLen < 200 || lang != "en" || fpLen == 0 {
			t.Errorf("%s incomplete: title %q, %d chars of text, language %q, fingerprint %d", u, title, textLen, lang, fpLen)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for i := range articles {
		if !seen[site.url(i)] {
			t.Errorf("%s never stored", site.url(i))
		}
	}
}

// deadLetteredURLs lists the distinct URLs in the dead-letter stream.
func deadLetteredURLs(ctx context.Context, js jetstream.JetStream) ([]string, error) {
	c, err := js.OrderedConsumer(ctx, "NEWS_DLQ", jetstream.OrderedConsumerConfig{})
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for {
		batch, err := c.Fetch(500, jetstream.FetchMaxWait(500*time.Millisecond))
		if err != nil {
			return nil, err
		}
		n := 0
		for m := range batch.Messages() {
			n++
			var dl struct {
				URL string `json:"url"`
			}
			if err := jsonUnmarshal(m.Data(), &dl); err != nil {
				return nil, err
			}
			set[dl.URL] = true
		}
		if n == 0 {
			break
		}
	}
	out := make([]string, 0, len(set))
	for u := range set {
		out = append(out, u)
	}
	sort.Strings(out)
	return out, nil
}

// lockDB holds an exclusive lock on the SQLite file for d, as another
// process would: the store's writes fail until it is released.
func lockDB(t *testing.T, path string, d time.Duration) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(20000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatalf("lock database: %v", err)
	}
	time.Sleep(d) // the fault itself: the database is unavailable this long
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
}

// dumpPipeline logs what a failed run left in NATS: each stream's
// messages, each consumer's pending and unacknowledged messages, and the
// state of every source (last poll, failures, last error).
func dumpPipeline(t *testing.T, natsURL string) {
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Logf("pipeline state: %v", err)
		return
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var lines []string
	for info := range js.ListStreams(ctx).Info() {
		lines = append(lines, fmt.Sprintf("stream %s: %d messages", info.Config.Name, info.State.Msgs))
		str, err := js.Stream(ctx, info.Config.Name)
		if err != nil {
			continue
		}
		for ci := range str.ListConsumers(ctx).Info() {
			lines = append(lines, fmt.Sprintf("  consumer %s: %d pending, %d unacked, %d redelivered, delivered up to %d",
				ci.Name, ci.NumPending, ci.NumAckPending, ci.NumRedelivered, ci.Delivered.Stream))
		}
	}
	if kv, err := js.KeyValue(ctx, proto.SourcesBucket); err == nil {
		if keys, err := kv.ListKeys(ctx); err == nil {
			for k := range keys.Keys() {
				if e, err := kv.Get(ctx, k); err == nil {
					lines = append(lines, fmt.Sprintf("source %s: %s", k, e.Value()))
				}
			}
		}
	}
	t.Logf("pipeline state:\n%s", strings.Join(lines, "\n"))
}

func dumpLogs(t *testing.T, dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) > 15 {
			lines = lines[len(lines)-15:]
		}
		t.Logf("--- %s (last lines)\n%s", e.Name(), strings.Join(lines, "\n"))
	}
}
