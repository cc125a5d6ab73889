package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/internal/bus"
	"github.com/newsflow/newsflow/internal/natstest"
	"github.com/newsflow/newsflow/internal/pipeline"
	"github.com/newsflow/newsflow/internal/telemetry"
	"github.com/newsflow/newsflow/proto"
)

var fastRetry = pipeline.Config{
	Concurrency: 4, MaxDeliver: 3, AckWait: 5 * time.Second,
	BackoffBase: 50 * time.Millisecond, BackoffMax: 200 * time.Millisecond,
	HandlerTimeout: 2 * time.Second, BatchSize: 50, BatchWait: 50 * time.Millisecond,
}

func deps(t *testing.T, b *bus.Bus) pipeline.Deps {
	return pipeline.Deps{Bus: b, Log: zaptest.NewLogger(t), Metrics: telemetry.NewStageMetrics(telemetry.NewRegistry())}
}

func discovered(i int) *proto.Discovered {
	u := fmt.Sprintf("https://news.example/a/%d", i)
	return &proto.Discovered{Envelope: proto.Envelope{
		Schema: proto.SchemaDiscovered, ArticleID: proto.ArticleID(u), URL: u, ProducedAt: time.Now(),
	}}
}

func publish(t *testing.T, b *bus.Bus, msgs ...*proto.Discovered) {
	t.Helper()
	for _, m := range msgs {
		if _, err := b.Publish(context.Background(), proto.SubjectDiscovered, m); err != nil {
			t.Fatal(err)
		}
	}
}

// testStage turns a discovered URL into a fetched page whose body is the URL.
func testStage(handle func(ctx context.Context, in *proto.Discovered) error) pipeline.Stage[*proto.Discovered, *proto.Fetched] {
	return pipeline.Stage[*proto.Discovered, *proto.Fetched]{
		Name: "fetch", From: proto.SubjectDiscovered, To: proto.SubjectFetched,
		Schema: proto.SchemaDiscovered, Version: "1",
		New: func() *proto.Discovered { return new(proto.Discovered) },
		Handle: func(ctx context.Context, in *proto.Discovered) ([]*proto.Fetched, error) {
			if err := handle(ctx, in); err != nil {
				return nil, err
			}
			out := &proto.Fetched{Envelope: in.Envelope, Kind: proto.KindText, FetchedAt: time.Now()}
			out.Schema = proto.SchemaFetched
			if err := out.SetBody([]byte(in.URL)); err != nil {
				return nil, err
			}
			return []*proto.Fetched{out}, nil
		},
	}
}

func runStage(t *testing.T, b *bus.Bus, s pipeline.Stage[*proto.Discovered, *proto.Fetched]) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pipeline.Run(ctx, deps(t, b), fastRetry, s) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Error("Run did not return after cancel")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func streamCount(t *testing.T, b *bus.Bus, stream string) func() (uint64, error) {
	return func() (uint64, error) {
		s, err := b.JS.Stream(context.Background(), stream)
		if err != nil {
			return 0, err
		}
		info, err := s.Info(context.Background())
		if err != nil {
			return 0, err
		}
		return info.State.Msgs, nil
	}
}

func waitCount(t *testing.T, count func() (uint64, error), want uint64) {
	t.Helper()
	natstest.Eventually(t, 15*time.Second, func() error {
		n, err := count()
		if err != nil {
			return err
		}
		if n != want {
			return fmt.Errorf("count = %d; want %d", n, want)
		}
		return nil
	})
}

// seenURLs records the URLs a stage handled.
type seenURLs struct {
	mu   sync.Mutex
	urls map[string]bool
}

func (s *seenURLs) add(in *proto.Discovered) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.urls == nil {
		s.urls = map[string]bool{}
	}
	s.urls[in.URL] = true
}

// handled checks that discovered(from) … discovered(to-1) were handled.
func (s *seenURLs) handled(from, to int) func() error {
	return func() error {
		s.mu.Lock()
		defer s.mu.Unlock()
		for i := from; i < to; i++ {
			if u := discovered(i).URL; !s.urls[u] {
				return fmt.Errorf("%s not handled", u)
			}
		}
		return nil
	}
}

// runSeenStage runs a single-message stage (batch false) or a batch stage
// that records what it handles in seen, until the test ends.
func runSeenStage(t *testing.T, b *bus.Bus, batch bool, seen *seenURLs) {
	t.Helper()
	if !batch {
		runStage(t, b, testStage(func(ctx context.Context, in *proto.Discovered) error {
			seen.add(in)
			return nil
		}))
		return
	}
	s := pipeline.BatchStage[*proto.Discovered]{
		Name: "store", From: proto.SubjectDiscovered, Schema: proto.SchemaDiscovered,
		New: func() *proto.Discovered { return new(proto.Discovered) },
		HandleBatch: func(ctx context.Context, in []*proto.Discovered) error {
			for _, d := range in {
				seen.add(d)
			}
			return nil
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pipeline.RunBatch(ctx, deps(t, b), fastRetry, s) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunBatch: %v", err)
		}
	})
}

func deadLetters(t *testing.T, b *bus.Bus, stage string) []proto.DeadLetter {
	t.Helper()
	ctx := context.Background()
	c, err := b.JS.OrderedConsumer(ctx, bus.StreamDLQ, jetstream.OrderedConsumerConfig{FilterSubjects: []string{proto.SubjectDLQ(stage)}})
	if err != nil {
		t.Fatal(err)
	}
	var out []proto.DeadLetter
	batch, err := c.Fetch(100, jetstream.FetchMaxWait(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	for m := range batch.Messages() {
		var dl proto.DeadLetter
		if err := proto.Unmarshal(m.Data(), &dl, proto.SchemaDeadLetter); err != nil {
			t.Fatal(err)
		}
		out = append(out, dl)
	}
	return out
}

func TestTransientFailureIsRetriedWithBackoff(t *testing.T) {
	b := natstest.Start(t).Connect(t)
	var calls atomic.Int32
	var mu sync.Mutex
	var times []time.Time
	runStage(t, b, testStage(func(ctx context.Context, in *proto.Discovered) error {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		if calls.Add(1) < 3 {
			return errors.New("site answered 503")
		}
		return nil
	}))
	publish(t, b, discovered(1))
	waitCount(t, streamCount(t, b, bus.StreamFetched), 1)
	if got := calls.Load(); got != 3 {
		t.Errorf("handler calls = %d; want 3", got)
	}
	mu.Lock()
	defer mu.Unlock()
	// The first retry waits at least the base delay less its jitter (40ms);
	// the second about twice as long (80–120ms), so it is longer.
	if d1, d2 := times[1].Sub(times[0]), times[2].Sub(times[1]); d1 < 40*time.Millisecond || d2 <= d1 {
		t.Errorf("retry delays %s, %s; want >=40ms and growing", d1, d2)
	}
	if dls := deadLetters(t, b, "fetch"); len(dls) != 0 {
		t.Errorf("dead letters = %d; want 0", len(dls))
	}
}

func TestPermanentFailureGoesToDLQ(t *testing.T) {
	b := natstest.Start(t).Connect(t)
	var calls atomic.Int32
	runStage(t, b, testStage(func(ctx context.Context, in *proto.Discovered) error {
		calls.Add(1)
		return pipeline.Permanentf("page is not html: %s", "image/png")
	}))
	in := discovered(7)
	publish(t, b, in)
	waitCount(t, streamCount(t, b, bus.StreamDLQ), 1)
	dls := deadLetters(t, b, "fetch")
	if len(dls) != 1 {
		t.Fatalf("dead letters = %d; want 1", len(dls))
	}
	dl := dls[0]
	if dl.Error != "page is not html: image/png" || dl.Attempts != 1 || dl.ArticleID != in.ArticleID || dl.Stage != "fetch" {
		t.Errorf("dead letter = %+v", dl)
	}
	var orig proto.Discovered
	if err := proto.Unmarshal(dl.Data, &orig, proto.SchemaDiscovered); err != nil || orig.URL != in.URL {
		t.Errorf("dead letter data = %q (%v); want the original message", dl.Data, err)
	}
	if dl.Header["Nats-Msg-Id"] == nil {
		t.Errorf("dead letter header = %v; want the original headers", dl.Header)
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("handler calls = %d; want 1 (no retry of a permanent error)", got)
	}
}

func TestExhaustedRetriesGoToDLQ(t *testing.T) {
	b := natstest.Start(t).Connect(t)
	var calls atomic.Int32
	runStage(t, b, testStage(func(ctx context.Context, in *proto.Discovered) error {
		calls.Add(1)
		return errors.New("connection refused")
	}))
	publish(t, b, discovered(1))
	waitCount(t, streamCount(t, b, bus.StreamDLQ), 1)
	dls := deadLetters(t, b, "fetch")
	if len(dls) != 1 || dls[0].Attempts != fastRetry.MaxDeliver || dls[0].Error != "connection refused" {
		t.Fatalf("dead letters = %+v; want one after %d attempts", dls, fastRetry.MaxDeliver)
	}
	if got := calls.Load(); got != int32(fastRetry.MaxDeliver) {
		t.Errorf("handler calls = %d; want %d", got, fastRetry.MaxDeliver)
	}
}

func TestMalformedMessageGoesToDLQ(t *testing.T) {
	b := natstest.Start(t).Connect(t)
	var calls atomic.Int32
	runStage(t, b, testStage(func(ctx context.Context, in *proto.Discovered) error { calls.Add(1); return nil }))
	if _, err := b.PublishRaw(context.Background(), proto.SubjectDiscovered, []byte(`{"schema":"news.discovered/v1","url":`), "bad-1", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PublishRaw(context.Background(), proto.SubjectDiscovered, []byte(`{"schema":"news.discovered/v9"}`), "bad-2", nil); err != nil {
		t.Fatal(err)
	}
	waitCount(t, streamCount(t, b, bus.StreamDLQ), 2)
	dls := deadLetters(t, b, "fetch")
	if len(dls) != 2 {
		t.Fatalf("dead letters = %d; want 2", len(dls))
	}
	errs := []string{dls[0].Error, dls[1].Error}
	sort.Strings(errs)
	for i, want := range []string{"malformed message", "unknown schema"} {
		if !strings.HasPrefix(errs[i], want) {
			t.Errorf("dead letter error = %q; want it to start with %q", errs[i], want)
		}
	}
	if calls.Load() != 0 {
		t.Errorf("handler called %d times on bad input; want 0", calls.Load())
	}
}

func TestDuplicateDeliveryPublishesOnce(t *testing.T) {
	b := natstest.Start(t).Connect(t)
	var calls atomic.Int32
	runStage(t, b, testStage(func(ctx context.Context, in *proto.Discovered) error { calls.Add(1); return nil }))
	in := discovered(3)
	data, err := proto.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	// The same input under two message ids reaches the handler twice.
	for _, id := range []string{"x-1", "x-2"} {
		if _, err := b.PublishRaw(context.Background(), proto.SubjectDiscovered, data, id, nil); err != nil {
			t.Fatal(err)
		}
	}
	natstest.Eventually(t, 10*time.Second, func() error {
		if calls.Load() != 2 {
			return fmt.Errorf("calls = %d", calls.Load())
		}
		return nil
	})
	waitCount(t, streamCount(t, b, bus.StreamFetched), 1)
}

func TestShutdownMidStreamLosesNothing(t *testing.T) {
	srv := natstest.Start(t)
	b := srv.Connect(t)
	const n = 40
	var handled sync.Map
	slow := func(ctx context.Context, in *proto.Discovered) error {
		time.Sleep(20 * time.Millisecond) // simulated work, so shutdown lands mid-stream
		handled.Store(in.URL, true)
		return nil
	}
	stop := runStage(t, b, testStage(slow))
	for i := range n {
		publish(t, b, discovered(i))
	}
	natstest.Eventually(t, 10*time.Second, func() error {
		c, _ := streamCount(t, b, bus.StreamFetched)()
		if c == 0 {
			return errors.New("nothing handled yet")
		}
		return nil
	})
	stop()
	first, _ := streamCount(t, b, bus.StreamFetched)()
	if first >= n {
		t.Fatalf("all %d handled before shutdown; the test needs a shutdown mid-stream", first)
	}
	// The process comes back (and so does the broker, as after a crash).
	srv.Restart(t)
	b2 := srv.Connect(t)
	runStage(t, b2, testStage(slow))
	waitCount(t, streamCount(t, b2, bus.StreamFetched), n)
	cons, err := b2.JS.Consumer(context.Background(), bus.StreamDiscovered, "fetch")
	if err != nil {
		t.Fatal(err)
	}
	natstest.Eventually(t, 10*time.Second, func() error {
		info, err := cons.Info(context.Background())
		if err != nil {
			return err
		}
		if info.NumPending != 0 || info.NumAckPending != 0 {
			return fmt.Errorf("pending %d, ack pending %d", info.NumPending, info.NumAckPending)
		}
		return nil
	})
}

// TestStageSurvivesBrokerRestart: a stage keeps consuming when the NATS
// server restarts under it (a stopping server ends the pulls parked on it
// with "consumer deleted"): what is published after the restart is
// handled too, on the same connection.
func TestStageSurvivesBrokerRestart(t *testing.T) {
	srv := natstest.Start(t)
	b := srv.Connect(t)
	var handled atomic.Int64
	runStage(t, b, testStage(func(ctx context.Context, in *proto.Discovered) error {
		handled.Add(1)
		return nil
	}))
	const n = 10
	for i := range n {
		publish(t, b, discovered(i))
	}
	waitCount(t, streamCount(t, b, bus.StreamFetched), n)
	for round := 1; round <= 2; round++ {
		srv.Restart(t)
		for i := range n {
			m := discovered(round*n + i)
			natstest.Eventually(t, 15*time.Second, func() error { // until the client has reconnected
				_, err := b.Publish(context.Background(), proto.SubjectDiscovered, m)
				return err
			})
		}
		waitCount(t, streamCount(t, b, bus.StreamFetched), uint64((round+1)*n))
	}
	if got := handled.Load(); got < 3*n {
		t.Errorf("handled %d; want at least %d", got, 3*n)
	}
}

// TestStagesRecoverFromBrokerThatLostItsStore: when the NATS server comes
// back without its store (streams and consumers gone, nothing tells the
// stage), each kind of stage notices, declares its stream and consumer
// again and handles what is published from then on.
func TestStagesRecoverFromBrokerThatLostItsStore(t *testing.T) {
	defer pipeline.SetPullHeartbeat(500 * time.Millisecond)()
	for _, batch := range []bool{false, true} {
		t.Run(map[bool]string{false: "single", true: "batch"}[batch], func(t *testing.T) {
			srv := natstest.Start(t)
			b := srv.Connect(t)
			var seen seenURLs
			runSeenStage(t, b, batch, &seen)
			const n = 5
			publish(t, b, discovered(0))
			natstest.Eventually(t, 10*time.Second, seen.handled(0, 1))
			srv.RestartEmpty(t)
			for i := 1; i <= n; i++ {
				m := discovered(i)
				natstest.Eventually(t, 60*time.Second, func() error { // until the stage has declared the stream
					_, err := b.Publish(context.Background(), proto.SubjectDiscovered, m)
					return err
				})
			}
			natstest.Eventually(t, 60*time.Second, seen.handled(1, n+1))
		})
	}
}

// TestStageRepullsAfterItsConsumerIsDeleted: when the server ends a
// stage's pulls for good (its consumer deleted, as by an operator or a
// lost server), the stage declares the consumer again and goes on,
// instead of sitting idle.
func TestStageRepullsAfterItsConsumerIsDeleted(t *testing.T) {
	testRedeclaresDeletedConsumer(t, false)
}

// TestBatchStageRedeclaresItsDeletedConsumer: the same for a batch stage.
func TestBatchStageRedeclaresItsDeletedConsumer(t *testing.T) {
	testRedeclaresDeletedConsumer(t, true)
}

func testRedeclaresDeletedConsumer(t *testing.T, batch bool) {
	b := natstest.Start(t).Connect(t)
	var seen seenURLs
	runSeenStage(t, b, batch, &seen)
	const n = 10
	for i := range n {
		publish(t, b, discovered(i))
	}
	natstest.Eventually(t, 15*time.Second, seen.handled(0, n))
	consumer := map[bool]string{false: "fetch", true: "store"}[batch]
	if err := b.JS.DeleteConsumer(context.Background(), bus.StreamDiscovered, consumer); err != nil {
		t.Fatal(err)
	}
	for i := n; i < 2*n; i++ {
		publish(t, b, discovered(i))
	}
	natstest.Eventually(t, 15*time.Second, seen.handled(0, 2*n))
}

func TestBatchStageIsolatesPoisonMessage(t *testing.T) {
	b := natstest.Start(t).Connect(t)
	var mu sync.Mutex
	stored := map[string]int{}
	poison := discovered(13)
	s := pipeline.BatchStage[*proto.Discovered]{
		Name: "store", From: proto.SubjectDiscovered, Schema: proto.SchemaDiscovered,
		New: func() *proto.Discovered { return new(proto.Discovered) },
		HandleBatch: func(ctx context.Context, in []*proto.Discovered) error {
			for _, d := range in {
				if d.URL == poison.URL {
					return pipeline.Permanentf("cannot store %s", d.URL)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for _, d := range in {
				stored[d.URL]++
			}
			return nil
		},
	}
	for i := range 20 {
		publish(t, b, discovered(i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pipeline.RunBatch(ctx, deps(t, b), fastRetry, s) }()
	defer func() { cancel(); <-done }()
	natstest.Eventually(t, 10*time.Second, func() error {
		mu.Lock()
		defer mu.Unlock()
		if len(stored) != 19 {
			return fmt.Errorf("stored %d; want 19", len(stored))
		}
		return nil
	})
	waitCount(t, streamCount(t, b, bus.StreamDLQ), 1)
	if dls := deadLetters(t, b, "store"); len(dls) != 1 || dls[0].URL != poison.URL {
		t.Errorf("dead letters = %+v; want the poison message", dls)
	}
}

func TestBackoff(t *testing.T) {
	c := pipeline.Config{BackoffBase: time.Second, BackoffMax: 10 * time.Second}
	tests := []struct {
		attempt  uint64
		min, max time.Duration
	}{
		{1, 800 * time.Millisecond, 1200 * time.Millisecond},
		{2, 1600 * time.Millisecond, 2400 * time.Millisecond},
		{4, 6400 * time.Millisecond, 9600 * time.Millisecond},
		{10, 8 * time.Second, 12 * time.Second},
	}
	for _, tt := range tests {
		if got := c.Backoff(tt.attempt); got < tt.min || got > tt.max {
			t.Errorf("Backoff(%d) = %s; want in [%s, %s]", tt.attempt, got, tt.min, tt.max)
		}
	}
}

func TestReplayLane(t *testing.T) {
	b := natstest.Start(t).Connect(t)
	var live, replayed atomic.Int32
	runStage(t, b, testStage(func(ctx context.Context, in *proto.Discovered) error {
		if strings.Contains(in.URL, "/replay/") {
			replayed.Add(1)
		} else {
			live.Add(1)
		}
		return nil
	}))
	in := discovered(1)
	in.URL = "https://news.example/replay/1"
	data, err := proto.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	hdr := map[string][]string{bus.HeaderReplay: {"r-test-1"}, bus.HeaderTraceID: {"trace-1"}}
	// The same input in two replay runs is handled twice; twice in one run, once.
	for _, id := range []string{"a", "b"} {
		if _, err := b.PublishRaw(context.Background(), bus.ReplaySubject(proto.SubjectDiscovered), data, id, hdr); err != nil {
			t.Fatal(err)
		}
	}
	hdr[bus.HeaderReplay] = []string{"r-test-2"}
	if _, err := b.PublishRaw(context.Background(), bus.ReplaySubject(proto.SubjectDiscovered), data, "c", hdr); err != nil {
		t.Fatal(err)
	}
	publish(t, b, discovered(2))
	waitCount(t, streamCount(t, b, bus.StreamFetched), 1)
	natstest.Eventually(t, 10*time.Second, func() error {
		s, err := b.JS.Stream(context.Background(), bus.StreamReplay)
		if err != nil {
			return err
		}
		info, err := s.Info(context.Background(), jetstream.WithSubjectFilter(bus.ReplaySubject(proto.SubjectFetched)))
		if err != nil {
			return err
		}
		if n := info.State.Subjects[bus.ReplaySubject(proto.SubjectFetched)]; n != 2 {
			return fmt.Errorf("%d replay outputs; want 2 (one per run)", n)
		}
		return nil
	})
	if live.Load() != 1 || replayed.Load() != 3 {
		t.Errorf("live handled %d, replay lane %d; want 1 and 3", live.Load(), replayed.Load())
	}
	s, _ := b.JS.Stream(context.Background(), bus.StreamReplay)
	m, err := s.GetLastMsgForSubject(context.Background(), bus.ReplaySubject(proto.SubjectFetched))
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get(bus.HeaderTraceID) != "trace-1" || m.Header.Get(bus.HeaderReplay) != "r-test-2" {
		t.Errorf("replay output headers = %v; want the trace and run carried on", m.Header)
	}
	var out proto.Fetched
	if err := proto.Unmarshal(m.Data, &out, proto.SchemaFetched); err != nil || !strings.HasSuffix(out.PipelineVersion, " fetch/1") || out.TraceID != "trace-1" {
		t.Errorf("replay output = %+v, %v; want pipeline_version stamped by fetch and the trace id", out.Envelope, err)
	}
	if _, err := b.JS.Consumer(context.Background(), bus.StreamReplay, "fetch-replay"); err != nil {
		t.Errorf("replay lane consumer: %v", err)
	}
}
