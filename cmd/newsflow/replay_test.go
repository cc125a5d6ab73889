package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/internal/bus"
	"github.com/newsflow/newsflow/internal/natstest"
	"github.com/newsflow/newsflow/internal/ops"
	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/extract"
)

// startApp runs `newsflow run` in-process on dataDir, with algorithm
// version overrides, until stop is called (or the test ends).
func startApp(t testing.TB, dataDir string, algo map[string]string, configure ...func(*Config)) (app *App, stop func()) {
	t.Helper()
	cfg, err := loadConfig("", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.Pipeline.BatchWait = 50 * time.Millisecond
	for _, f := range configure {
		f(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	app = NewApp(cfg, dataDir, zaptest.NewLogger(t, zaptest.Level(zap.ErrorLevel)), TargetAll)
	app.algo = algo
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	select {
	case <-app.Ready:
	case err := <-done:
		t.Fatalf("run: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("run not ready after 30s")
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("run did not stop within 30s")
		}
	}
	t.Cleanup(stop)
	return app, stop
}

// dial connects the test to the NATS of the `newsflow run` using dataDir.
func dial(t testing.TB, dataDir string) *bus.Bus {
	t.Helper()
	cfg, err := loadConfig("", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := dialPipeline(context.Background(), cfg, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// places and topics make the generated articles differ from each other.
var (
	places = []string{"Harbin", "Vladivostok", "Blagoveshchensk", "Heihe", "Suifenhe", "Manzhouli", "Khabarovsk", "Irkutsk"}
	goods  = []string{"timber", "soybeans", "fertiliser", "machine tools", "seafood", "coal", "wheat", "trucks"}
)

// article is a generated news report, numbered i, in the plain-text form
// that `newsflow ingest` takes.
func article(tag string, i int) []byte {
	p, q := places[i%len(places)], places[(i/len(places)+3)%len(places)]
	g, h := goods[i%len(goods)], goods[(i/3+5)%len(goods)]
	return fmt.Appendf(nil, `%s: traders in %s report %d new contracts for %s

Customs officers in %s cleared %d containers of %s bound for %s on report number %d of the %s series, officials said on Tuesday.

"Demand for %s keeps rising, and the new bridge cut our delivery times by %d days," said a freight manager who asked not to be named.

Exporters said payments in yuan and roubles now settle within %d hours, while shipments of %s through %s grew by %d percent from a year earlier.

The regional government expects %d more companies to join the border trade programme before the end of the year.
`, tag, p, 10+i%90, g, p, 100+i, g, q, i, tag, g, 2+i%5, 4+i%20, h, q, 5+i%40, 20+i%70)
}

// ingestGenerated publishes n generated articles to news.fetched and
// returns their ids.
func ingestGenerated(t testing.TB, b *bus.Bus, tag string, from, n int) []string {
	t.Helper()
	dir := t.TempDir()
	ids := make([]string, 0, n)
	for i := from; i < from+n; i++ {
		path := filepath.Join(dir, fmt.Sprintf("%s-%05d.txt", tag, i))
		if err := os.WriteFile(path, article(tag, i), 0o644); err != nil {
			t.Fatal(err)
		}
		id, _, err := ingestOne(context.Background(), b, path, "wire-"+tag, "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// articleCount is the number of stored articles.
func articleCount(api string) (int, error) {
	var st struct {
		Articles int `json:"articles"`
	}
	err := getJSON(api+"/api/stats", &st)
	return st.Articles, err
}

func waitArticles(t testing.TB, api string, want int, within time.Duration) {
	t.Helper()
	natstest.Eventually(t, within, func() error {
		n, err := articleCount(api)
		if err != nil {
			return err
		}
		if n != want {
			return fmt.Errorf("%d articles stored; want %d", n, want)
		}
		return nil
	})
}

// versions returns the pipeline_version of each stored article.
func versions(t *testing.T, api string) map[string]string {
	t.Helper()
	out := map[string]string{}
	cursor := ""
	for {
		var page struct {
			Articles []struct {
				ID string `json:"id"`
			} `json:"articles"`
			NextCursor string `json:"next_cursor"`
		}
		if err := getJSON(api+"/api/articles?limit=200&cursor="+cursor, &page); err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Articles {
			var d proto.Article
			if err := getJSON(api+"/api/articles/"+a.ID, &d); err != nil {
				t.Fatal(err)
			}
			out[a.ID] = d.PipelineVersion
		}
		if page.NextCursor == "" {
			return out
		}
		cursor = page.NextCursor
	}
}

// waitIdle waits until no consumer has work waiting or in hand.
func waitIdle(t testing.TB, b *bus.Bus, within time.Duration) {
	t.Helper()
	natstest.Eventually(t, within, func() error {
		r, err := ops.Status(context.Background(), b.JS, ops.StatusOptions{})
		if err != nil {
			return err
		}
		for _, c := range r.Consumers {
			if c.Pending != 0 || c.AckPending != 0 {
				return fmt.Errorf("consumer %s: %d pending, %d ack pending", c.Name, c.Pending, c.AckPending)
			}
		}
		return nil
	})
}

// handled reads newsflow_messages_total{stage,outcome} from the app.
func handled(t testing.TB, app *App, stage, outcome string) float64 {
	t.Helper()
	mfs, err := app.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "newsflow_messages_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["stage"] == stage && labels["outcome"] == outcome {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

var _ prometheus.Gatherer = (*prometheus.Registry)(nil)

func TestReplayNewExtractVersion(t *testing.T) {
	dataDir := t.TempDir()
	app, stop := startApp(t, dataDir, nil)
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "articles", "*.txt"))
	if err != nil || len(files) != 5 {
		t.Fatalf("fixtures: %v, %v", files, err)
	}
	runMain(t, append([]string{"ingest", "-data", dataDir}, files...)...)
	b := dial(t, dataDir)
	ingestGenerated(t, b, "corpus", 0, 25)
	const n = 30
	api := "http://" + app.HTTPAddr
	waitArticles(t, api, n, 60*time.Second)
	cur, err := strconv.Atoi(extract.AlgoVersion)
	if err != nil {
		t.Fatalf("extract.AlgoVersion %q: %v", extract.AlgoVersion, err)
	}
	curStep, nextStep := "extract/"+extract.AlgoVersion, "extract/"+strconv.Itoa(cur+1)
	before := versions(t, api)
	for id, v := range before {
		if !strings.Contains(v, curStep) {
			t.Fatalf("article %s: pipeline_version %q; want %s", id, v, curStep)
		}
	}
	waitIdle(t, b, 30*time.Second)
	stop()

	// A better extractor is deployed, then the corpus is replayed.
	app, _ = startApp(t, dataDir, map[string]string{TargetExtract: strconv.Itoa(cur + 1)})
	api = "http://" + app.HTTPAddr
	b = dial(t, dataDir)
	out := runMain(t, "replay", "-data", dataDir, "-subject", "news.fetched")
	if !strings.Contains(out, fmt.Sprintf("finished: %d messages of news.fetched, %d published", n, n)) {
		t.Fatalf("replay output:\n%s", out)
	}
	natstest.Eventually(t, 60*time.Second, func() error {
		after := versions(t, api)
		if len(after) != n {
			return fmt.Errorf("%d articles after replay; want %d", len(after), n)
		}
		for id, v := range after {
			if v == before[id] || !strings.Contains(v, nextStep) {
				return fmt.Errorf("article %s: pipeline_version %q (was %q); want %s", id, v, before[id], nextStep)
			}
		}
		return nil
	})
	waitIdle(t, b, 30*time.Second)
	if got := handled(t, app, "clean", "ok"); got != 0 {
		t.Errorf("live clean handled %v messages during the replay; want 0 (the replay has its own lane)", got)
	}
	if got := handled(t, app, "clean-replay", "ok"); got != n {
		t.Errorf("clean-replay handled %v; want %d", got, n)
	}

	// Nothing changed since: an incremental replay has nothing to do.
	replayed := handled(t, app, "clean-replay", "ok")
	out = runMain(t, "replay", "-data", dataDir, "-subject", "news.fetched", "-changed-only")
	if !strings.Contains(out, fmt.Sprintf("%d messages of news.fetched, 0 published to the replay lane, %d skipped", n, n)) {
		t.Errorf("replay -changed-only output:\n%s", out)
	}
	waitIdle(t, b, 10*time.Second)
	if got := handled(t, app, "clean-replay", "ok"); got != replayed {
		t.Errorf("clean-replay handled %v after -changed-only; want %v (nothing)", got, replayed)
	}

	// Status shows the streams, both lanes, and the store.
	var r ops.Report
	if err := json.Unmarshal([]byte(runMain(t, "status", "-data", dataDir, "-json", "-interval", "0")), &r); err != nil {
		t.Fatal(err)
	}
	streams := map[string]uint64{}
	for _, s := range r.Streams {
		streams[s.Name] = s.Messages
	}
	if streams[bus.StreamFetched] != n || streams[bus.StreamReplay] != 3*n {
		t.Errorf("status streams = %v; want %d in NEWS_FETCHED, %d in NEWS_REPLAY", streams, n, 3*n)
	}
	lanes := map[string]string{}
	for _, c := range r.Consumers {
		lanes[c.Name] = c.Lane
	}
	for _, st := range []string{"clean", "extract", "store"} {
		if lanes[st] != "live" || lanes[st+"-replay"] != "replay" {
			t.Errorf("status consumers = %v; want %s live and %s-replay replay", lanes, st, st)
		}
	}
	if r.Store == nil || r.Store.Articles != n {
		t.Errorf("status store = %+v; want %d articles", r.Store, n)
	}
	if len(r.Replays) != 2 {
		t.Errorf("status replays = %+v; want 2", r.Replays)
	}
	table := runMain(t, "status", "-data", dataDir, "-interval", "100ms")
	for _, want := range []string{"NEWS_FETCHED", "clean-replay", "DEAD LETTERS", "STORE"} {
		if !strings.Contains(table, want) {
			t.Errorf("status table has no %q:\n%s", want, table)
		}
	}
}

func TestReplayResumesAfterInterrupt(t *testing.T) {
	dataDir := t.TempDir()
	app, _ := startApp(t, dataDir, nil)
	api := "http://" + app.HTTPAddr
	b := dial(t, dataDir)
	const n = 200
	ingestGenerated(t, b, "resume", 0, n)
	waitArticles(t, api, n, 60*time.Second)
	waitIdle(t, b, 30*time.Second)

	args := []string{"replay", "-data", dataDir, "-rate", "100"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		var out, errOut strings.Builder
		done <- Main(ctx, args, &out, &errOut)
	}()
	natstest.Eventually(t, 30*time.Second, func() error {
		reps, err := ops.Replays(context.Background(), b.JS)
		if err != nil {
			return err
		}
		if len(reps) == 0 || reps[0].Done < 40 {
			return errors.New("replay not far enough yet")
		}
		return nil
	})
	cancel()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("replay did not stop after interrupt")
	}
	if !errors.Is(err, ops.ErrInterrupted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted replay returned %v; want ErrInterrupted", err)
	}
	reps, _ := ops.Replays(context.Background(), b.JS)
	if len(reps) != 1 || reps[0].Finished || reps[0].Done >= n {
		t.Fatalf("progress after interrupt = %+v; want one unfinished replay", reps)
	}

	out := runMain(t, args...)
	if !strings.Contains(out, "run 1 (resumed) finished") {
		t.Errorf("second run output:\n%s", out)
	}
	waitIdle(t, b, 60*time.Second)
	for _, st := range []string{"clean-replay", "extract-replay", "store-replay"} {
		if got := handled(t, app, st, "ok"); got != n {
			t.Errorf("%s handled %v; want exactly %d (every article once more)", st, got, n)
		}
	}
	if got, err := articleCount(api); err != nil || got != n {
		t.Errorf("articles = %d, %v; want %d", got, err, n)
	}

	// The same command after the replay finished starts a new run.
	out = runMain(t, append(args, "-rate", "0")...)
	if !strings.Contains(out, "run 2 finished") {
		t.Errorf("third run output:\n%s", out)
	}
}

func TestLiveArticlesFlowDuringReplay(t *testing.T) {
	pages := 2000
	if testing.Short() {
		pages = 300
	}
	dataDir := t.TempDir()
	app, _ := startApp(t, dataDir, nil)
	api := "http://" + app.HTTPAddr
	b := dial(t, dataDir)
	ingestGenerated(t, b, "corpus", 0, pages)
	waitArticles(t, api, pages, 5*time.Minute)
	waitIdle(t, b, 30*time.Second)

	var replayDone atomic.Bool
	done := make(chan error, 1)
	go func() {
		var out, errOut strings.Builder
		err := Main(context.Background(), []string{"replay", "-data", dataDir}, &out, &errOut)
		done <- err
	}()
	// Wait until the replay lane is busy, then publish live articles.
	natstest.Eventually(t, 30*time.Second, func() error {
		if handled(t, app, "store-replay", "ok") == 0 {
			return errors.New("replay lane not started")
		}
		return nil
	})
	const live = 10
	ingestGenerated(t, b, "live", pages, live)
	natstest.Eventually(t, 60*time.Second, func() error {
		n, err := articleCount(api)
		if err != nil {
			return err
		}
		if n != pages+live {
			return fmt.Errorf("%d articles; want %d", n, pages+live)
		}
		return nil
	})
	replayed := handled(t, app, "store-replay", "ok")
	if replayed >= float64(pages) {
		t.Errorf("the replay had finished (%v of %d stored) before the live articles arrived; want them stored while it runs", replayed, pages)
	}
	t.Logf("live articles stored after %v of %d replayed articles", replayed, pages)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	replayDone.Store(true)
	waitIdle(t, b, 5*time.Minute)
	if got := handled(t, app, "store-replay", "ok"); got != float64(pages) {
		t.Errorf("store-replay handled %v; want %d", got, pages)
	}
}

func TestDLQRedriveAfterFix(t *testing.T) {
	dataDir := t.TempDir()
	small := func(c *Config) { c.Clean.MaxBodyBytes = 200 }
	app, stop := startApp(t, dataDir, nil, small)
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "articles", "*.txt"))
	if err != nil || len(files) != 5 {
		t.Fatalf("fixtures: %v, %v", files, err)
	}
	runMain(t, "ingest", "-data", dataDir, files[0], files[1])
	b := dial(t, dataDir)
	var list []ops.DeadLetterEntry
	natstest.Eventually(t, 30*time.Second, func() error {
		list, err = ops.ListDeadLetters(context.Background(), b.JS, "clean", 0)
		if err != nil {
			return err
		}
		if len(list) != 2 {
			return fmt.Errorf("%d dead letters; want 2", len(list))
		}
		return nil
	})
	out := runMain(t, "dlq", "list", "-data", dataDir)
	if !strings.Contains(out, "body too large") || !strings.Contains(out, "2 dead letters") {
		t.Errorf("dlq list:\n%s", out)
	}
	var shown map[string]any
	if err := json.Unmarshal([]byte(runMain(t, "dlq", "show", "-data", dataDir, "-seq", fmt.Sprint(list[0].Seq))), &shown); err != nil {
		t.Fatal(err)
	}
	if shown["stage"] != "clean" || shown["subject"] != proto.SubjectFetched || shown["attempts"] != float64(1) {
		t.Errorf("dlq show = %v", shown)
	}
	if data, _ := shown["data"].(map[string]any); data["schema"] != proto.SchemaFetched {
		t.Errorf("dlq show data = %v; want the original message", shown["data"])
	}
	var r ops.Report
	if err := json.Unmarshal([]byte(runMain(t, "status", "-data", dataDir, "-json", "-interval", "0")), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.DeadLetters) != 1 || r.DeadLetters[0] != (ops.DeadLetterCount{Stage: "clean", Count: 2}) {
		t.Errorf("status dead letters = %+v; want clean: 2", r.DeadLetters)
	}
	if n, _ := articleCount("http://" + app.HTTPAddr); n != 0 {
		t.Fatalf("%d articles stored; want 0", n)
	}
	stop()

	// The limit is raised; the first dead letter is sent back and stored,
	// the second dropped on purpose.
	app, _ = startApp(t, dataDir, nil)
	b = dial(t, dataDir)
	var errOut strings.Builder
	if err := Main(context.Background(), []string{"dlq", "purge", "-data", dataDir}, &strings.Builder{}, &errOut); err == nil {
		t.Error("dlq purge with no selection succeeded; want an error")
	}
	out = runMain(t, "dlq", "redrive", "-data", dataDir, "-seq", fmt.Sprint(list[0].Seq))
	if !strings.Contains(out, "1 dead letters sent back") {
		t.Errorf("dlq redrive:\n%s", out)
	}
	waitArticles(t, "http://"+app.HTTPAddr, 1, 30*time.Second)
	var got proto.Article
	if err := getJSON("http://"+app.HTTPAddr+"/api/articles/"+list[0].ArticleID, &got); err != nil {
		t.Fatalf("redriven article: %v", err)
	}
	out = runMain(t, "dlq", "purge", "-data", dataDir, "-stage", "clean")
	if !strings.Contains(out, "1 dead letters purged") {
		t.Errorf("dlq purge:\n%s", out)
	}
	if list, err := ops.ListDeadLetters(context.Background(), b.JS, "", 0); err != nil || len(list) != 0 {
		t.Errorf("dead letters after redrive and purge = %+v, %v; want none", list, err)
	}
}
