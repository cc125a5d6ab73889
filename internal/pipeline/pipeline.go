package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/newsflow/newsflow/internal/bus"
	"github.com/newsflow/newsflow/internal/telemetry"
	"github.com/newsflow/newsflow/internal/version"
	"github.com/newsflow/newsflow/proto"
)

// Config tunes the consume loop; the zero value of a field takes its default.
type Config struct {
	// Concurrency is how many messages one process handles at once.
	Concurrency int `yaml:"concurrency"`
	// MaxDeliver is how many times a message is tried before it is dead-lettered.
	MaxDeliver int `yaml:"max_deliver"`
	// AckWait is how long the server waits for an ack before redelivering.
	AckWait time.Duration `yaml:"ack_wait"`
	// BackoffBase and BackoffMax bound the exponential delay of a retry.
	BackoffBase time.Duration `yaml:"backoff_base"`
	BackoffMax  time.Duration `yaml:"backoff_max"`
	// HandlerTimeout bounds one call of a handler.
	HandlerTimeout time.Duration `yaml:"handler_timeout"`
	// BatchSize and BatchWait bound a batch for batch stages.
	BatchSize int           `yaml:"batch_size"`
	BatchWait time.Duration `yaml:"batch_wait"`
	// ReplayConcurrency is how many replayed messages one process handles
	// at once, in the replay lane beside the live one; negative turns the
	// replay lane off. The replay lane's batches are a quarter of BatchSize.
	ReplayConcurrency int `yaml:"replay_concurrency"`
}

// WithDefaults fills unset fields.
func (c Config) WithDefaults() Config {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if c.MaxDeliver <= 0 {
		c.MaxDeliver = 6
	}
	def(&c.AckWait, time.Minute)
	def(&c.BackoffBase, time.Second)
	def(&c.BackoffMax, 2*time.Minute)
	def(&c.HandlerTimeout, 45*time.Second)
	if c.BatchSize <= 0 {
		c.BatchSize = 200
	}
	def(&c.BatchWait, 200*time.Millisecond)
	if c.ReplayConcurrency == 0 {
		c.ReplayConcurrency = 1
	}
	return c
}

// replayLane returns the config of the replay lane.
func (c Config) replayLane() Config {
	c.Concurrency = c.ReplayConcurrency
	c.BatchSize = max(1, c.BatchSize/4)
	return c
}

// Validate checks the config.
func (c Config) Validate() error {
	var errs []error
	if c.Concurrency < 0 || c.Concurrency > 1024 {
		errs = append(errs, fmt.Errorf("pipeline.concurrency: %d is not in 1..1024", c.Concurrency))
	}
	if c.ReplayConcurrency > 1024 {
		errs = append(errs, fmt.Errorf("pipeline.replay_concurrency: %d is over 1024", c.ReplayConcurrency))
	}
	if c.MaxDeliver < 0 {
		errs = append(errs, fmt.Errorf("pipeline.max_deliver: %d is negative", c.MaxDeliver))
	}
	if c.BatchSize < 0 || c.BatchSize > 10000 {
		errs = append(errs, fmt.Errorf("pipeline.batch_size: %d is not in 1..10000", c.BatchSize))
	}
	if c.HandlerTimeout > 0 && c.AckWait > 0 && c.HandlerTimeout >= c.AckWait {
		errs = append(errs, fmt.Errorf("pipeline.handler_timeout: %s must be shorter than ack_wait %s", c.HandlerTimeout, c.AckWait))
	}
	return errors.Join(errs...)
}

// Backoff is the delay before retry number attempt (1-based): BackoffBase
// doubled per attempt, capped at BackoffMax, with ±20% jitter.
func (c Config) Backoff(attempt uint64) time.Duration {
	d := c.BackoffBase
	for i := uint64(1); i < attempt && d < c.BackoffMax; i++ {
		d *= 2
	}
	if d > c.BackoffMax {
		d = c.BackoffMax
	}
	jitter := time.Duration(float64(d) * (rand.Float64()*0.4 - 0.2))
	return d + jitter
}

// Deps is what the runtime gives every stage.
type Deps struct {
	Bus     *bus.Bus
	Log     *zap.Logger
	Metrics *telemetry.StageMetrics
}

// Stage is a handler from one subject to another. The runtime decodes the
// input, calls Handle, publishes every output to To (stamped with the
// pipeline version), and acks the input only after that.
//
// The runtime runs every stage in two lanes: the live lane, the durable
// consumer Name on From, and the replay lane, the durable consumer
// Name-replay on bus.ReplaySubject(From) publishing to
// bus.ReplaySubject(To), with Config.ReplayConcurrency workers, so that
// reprocessing the corpus never queues in front of live articles.
type Stage[In, Out proto.Message] struct {
	Name    string // durable consumer name, log field, metric label
	From    string // subject consumed
	To      string // subject published
	Schema  string // schema of the input
	Version string // the stage's algorithm version, for pipeline_version
	New     func() In
	Handle  func(ctx context.Context, in In) ([]Out, error)
}

// BatchStage is a handler that takes many messages at once, such as the
// store writing one transaction per batch. If a batch fails, its messages
// are retried one by one, so one bad message cannot hold up the others.
type BatchStage[In proto.Message] struct {
	Name        string
	From        string
	Schema      string
	New         func() In
	HandleBatch func(ctx context.Context, in []In) error
	// RecordProcessed records every handled article in the KV bucket
	// ProcessedBucket, which `newsflow replay -changed-only` reads; the
	// last stage of the pipeline sets it.
	RecordProcessed bool
}

// Run consumes s.From in both lanes until ctx is cancelled, then stops
// pulling, finishes the messages in hand and returns.
func Run[In, Out proto.Message](ctx context.Context, d Deps, cfg Config, s Stage[In, Out]) error {
	cfg = cfg.WithDefaults()
	registerStage(ctx, d, s.Name, s.Version)
	return runLanes(ctx, cfg, s.Name, s.From, s.To, func(ctx context.Context, l lane) error {
		return runStage(ctx, d, l, s)
	})
}

func runStage[In, Out proto.Message](ctx context.Context, d Deps, l lane, s Stage[In, Out]) error {
	r, cons, err := newRunner(ctx, d, l)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return err
	}
	handle := func(ctx context.Context, m jetstream.Msg) {
		var in In
		env, err := r.decode(m, s.Schema, func() proto.Message { in = s.New(); return in })
		var tr trace
		if err == nil {
			tr = r.trace(m, env, in)
			err = r.call(ctx, m, func(ctx context.Context) error {
				outs, err := s.Handle(ctx, in)
				if err != nil {
					return err
				}
				for _, out := range outs {
					oe := out.Env()
					oe.PipelineVersion = version.Stamp(in.Env().PipelineVersion, s.Name, s.Version)
					if oe.TraceID == "" {
						oe.TraceID = tr.id
					}
					if c, ok := any(out).(*proto.Cleaned); ok && c.FetchedSeq == 0 {
						c.FetchedSeq = tr.fetchedSeq
					}
					if err := r.publish(ctx, out, tr); err != nil {
						return err
					}
				}
				return nil
			})
		}
		r.settle(ctx, m, env, tr, err)
	}
	return r.loop(ctx, cons, handle)
}

// RunBatch is Run for a batch stage.
func RunBatch[In proto.Message](ctx context.Context, d Deps, cfg Config, s BatchStage[In]) error {
	cfg = cfg.WithDefaults()
	var ledger *bus.KV
	if s.RecordProcessed {
		var err error
		if ledger, err = d.Bus.KeyValue(ctx, ProcessedBucket, 0, d.Bus.Replicas()); err != nil {
			if ctx.Err() != nil {
				return nil // stopped while starting
			}
			return err
		}
	}
	return runLanes(ctx, cfg, s.Name, s.From, "", func(ctx context.Context, l lane) error {
		return runBatchStage(ctx, d, l, s, ledger)
	})
}

func runBatchStage[In proto.Message](ctx context.Context, d Deps, l lane, s BatchStage[In], ledger *bus.KV) error {
	r, cons, err := newRunner(ctx, d, l)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return err
	}
	type item struct {
		msg jetstream.Msg
		env *proto.Envelope
		in  In
		tr  trace
	}
	// done settles the items handled together, recording the stored ones
	// first when the stage keeps the ledger.
	done := func(ctx context.Context, items []item, err error) {
		if err == nil && ledger != nil {
			ins, trs := make([]proto.Message, len(items)), make([]trace, len(items))
			for i, it := range items {
				ins[i], trs[i] = it.in, it.tr
			}
			r.record(ctx, ledger, ins, trs)
		}
		for _, it := range items {
			r.settle(ctx, it.msg, it.env, it.tr, err)
		}
	}
	handleOne := func(ctx context.Context, it item) {
		err := r.call(ctx, it.msg, func(ctx context.Context) error { return s.HandleBatch(ctx, []In{it.in}) })
		done(ctx, []item{it}, err)
	}
	handle := func(ctx context.Context, msgs []jetstream.Msg) {
		items := make([]item, 0, len(msgs))
		for _, m := range msgs {
			var in In
			env, err := r.decode(m, s.Schema, func() proto.Message { in = s.New(); return in })
			if err != nil {
				r.settle(ctx, m, env, trace{}, err)
				continue
			}
			items = append(items, item{m, env, in, r.trace(m, env, in)})
		}
		if len(items) == 0 {
			return
		}
		ins := make([]In, len(items))
		for i, it := range items {
			ins[i] = it.in
		}
		start := time.Now()
		r.metrics.InFlight.WithLabelValues(r.stage).Add(float64(len(items)))
		hctx, cancel := context.WithTimeout(ctx, r.cfg.HandlerTimeout)
		err := safeCall(hctx, func(ctx context.Context) error { return s.HandleBatch(ctx, ins) })
		cancel()
		r.metrics.InFlight.WithLabelValues(r.stage).Sub(float64(len(items)))
		r.metrics.Duration.WithLabelValues(r.stage).Observe(time.Since(start).Seconds())
		if err == nil || len(items) == 1 {
			done(ctx, items, err)
			return
		}
		r.log.Warn("batch failed, retrying its messages one by one", zap.Int("size", len(items)), zap.Error(err))
		for _, it := range items {
			handleOne(ctx, it)
		}
	}
	return r.batchLoop(ctx, cons, handle)
}

// lane is one of a stage's two consumers: live or replay.
type lane struct {
	stage    string // the stage, for pipeline_version
	consumer string // durable consumer name, log field and metric label
	from, to string
	replay   bool
	cfg      Config
}

// runLanes runs the live lane and, unless turned off, the replay lane of
// a stage; if one fails, the other stops too.
func runLanes(ctx context.Context, cfg Config, stage, from, to string, run func(context.Context, lane) error) error {
	live := lane{stage: stage, consumer: stage, from: from, to: to, cfg: cfg}
	if cfg.ReplayConcurrency < 0 {
		return run(ctx, live)
	}
	rp := lane{stage: stage, consumer: bus.ReplayConsumer(stage), from: bus.ReplaySubject(from), replay: true, cfg: cfg.replayLane()}
	if to != "" {
		rp.to = bus.ReplaySubject(to)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return run(gctx, live) })
	g.Go(func() error { return run(gctx, rp) })
	return g.Wait()
}

type runner struct {
	stage   string // the consumer: the stage, or <stage>-replay
	lane    lane
	subject string
	bus     *bus.Bus
	log     *zap.Logger
	metrics *telemetry.StageMetrics
	cfg     Config
	// ensure declares the stage's consumer again (after the server lost
	// or deleted it) and returns it.
	ensure func(ctx context.Context) (jetstream.Consumer, error)
}

func newRunner(ctx context.Context, d Deps, l lane) (*runner, jetstream.Consumer, error) {
	cfg, stage, subject := l.cfg, l.consumer, l.from
	if d.Metrics == nil {
		return nil, nil, errors.New("pipeline: no metrics")
	}
	cc := bus.ConsumerConfig{
		Stage:         stage,
		Subject:       subject,
		AckWait:       cfg.AckWait,
		MaxDeliver:    -1, // the runtime dead-letters after cfg.MaxDeliver tries; the server never drops
		MaxAckPending: max(cfg.Concurrency*4, cfg.BatchSize*2),
	}
	cons, err := d.Bus.EnsureConsumer(ctx, cc)
	if err != nil {
		return nil, nil, err
	}
	r := &runner{
		stage:   stage,
		lane:    l,
		subject: subject,
		bus:     d.Bus,
		log:     d.Log.With(telemetry.Stage(stage), telemetry.Subject(subject)),
		metrics: d.Metrics,
		cfg:     cfg,
		ensure:  func(ctx context.Context) (jetstream.Consumer, error) { return d.Bus.EnsureConsumer(ctx, cc) },
	}
	return r, cons, nil
}

// loop pulls one message at a time into a pool of cfg.Concurrency workers.
func (r *runner) loop(ctx context.Context, cons jetstream.Consumer, handle func(context.Context, jetstream.Msg)) error {
	pull := func(c jetstream.Consumer) (jetstream.MessagesContext, error) {
		return c.Messages(jetstream.PullMaxMessages(r.cfg.Concurrency*2),
			jetstream.PullHeartbeat(pullHeartbeat), jetstream.WithMessagesErrOnMissingHeartbeat(true))
	}
	it, err := pull(cons)
	if err != nil {
		return fmt.Errorf("%s: consume: %w", r.stage, err)
	}
	var itMu sync.Mutex // it is replaced when the server ends the pulls
	r.log.Info("stage started", zap.Int("concurrency", r.cfg.Concurrency))
	stopped := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			itMu.Lock()
			it.Drain()
			itMu.Unlock()
		case <-stopped:
		}
	}()
	// Work goes on after ctx is cancelled: messages in hand are finished
	// and acked, not abandoned.
	work := context.WithoutCancel(ctx)
	sem := make(chan struct{}, r.cfg.Concurrency)
	var wg sync.WaitGroup
	defer func() {
		wg.Wait()
		close(stopped)
		r.log.Info("stage stopped")
	}()
	for {
		sem <- struct{}{}
		itMu.Lock()
		cur := it
		itMu.Unlock()
		m, err := cur.Next()
		if err != nil {
			<-sem
			if ctx.Err() != nil {
				return nil
			}
			if !pullsEnded(err) {
				r.log.Warn("pull failed", zap.Error(err))
				continue
			}
			// The server ended the pulls for good (its consumer was
			// deleted, or it stopped) or answers them no more (it came
			// back without its store): declare the consumer again and
			// pull anew, rather than leave the stage idle.
			r.log.Warn("pulls ended by the server; pulling again", zap.Error(err))
			cur.Stop()
			next, err := r.repull(ctx, pull)
			if err != nil {
				return nil // ctx is done
			}
			itMu.Lock()
			it = next
			itMu.Unlock()
			if ctx.Err() != nil {
				next.Drain()
			}
			continue
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if r.lane.replay {
				yieldToLive(ctx)
			} else {
				liveInFlight.Add(1)
				defer liveInFlight.Add(-1)
			}
			handle(work, m)
		}()
	}
}

// While a single-message stage waits for a message, the server sends a
// heartbeat every pullHeartbeat; when two in a row are missed, the stage
// pulls again (declaring its consumer again): a server that came back
// without its store answers the pulls no more, and says nothing else.
var pullHeartbeat = 5 * time.Second

// pullsEnded reports whether err from a message iterator's Next means
// that the iterator brings nothing more: it stopped (the server ended the
// pulls: consumer deleted, bad request) or the server's heartbeats
// stopped while it waited. Other errors pass. Fetch, used by
// batch stages, reports a missing consumer differently: see consumerGone.
func pullsEnded(err error) bool {
	return errors.Is(err, jetstream.ErrMsgIteratorClosed) || errors.Is(err, jetstream.ErrConsumerDeleted) ||
		errors.Is(err, jetstream.ErrBadRequest) || errors.Is(err, jetstream.ErrNoHeartbeat)
}

// consumerGone reports whether err (a Fetch's) says the stage's consumer
// no longer exists on the server.
func consumerGone(err error) bool {
	return errors.Is(err, jetstream.ErrConsumerDeleted) || errors.Is(err, jetstream.ErrConsumerNotFound) ||
		errors.Is(err, nats.ErrNoResponders) // a pull to a consumer that is not there
}

// repull declares the consumer again and opens a new pull on it, retrying
// with a growing pause until it works or ctx is done.
func (r *runner) repull(ctx context.Context, pull func(jetstream.Consumer) (jetstream.MessagesContext, error)) (jetstream.MessagesContext, error) {
	for wait := 200 * time.Millisecond; ; wait = min(2*wait, 10*time.Second) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		cons, err := r.ensure(ctx)
		if err == nil {
			var it jetstream.MessagesContext
			if it, err = pull(cons); err == nil {
				return it, nil
			}
		}
		r.log.Warn("pull again", zap.Duration("wait", wait), zap.Error(err))
	}
}

// batchLoop fetches up to BatchSize messages, waiting at most BatchWait,
// and hands each batch to handle.
func (r *runner) batchLoop(ctx context.Context, cons jetstream.Consumer, handle func(context.Context, []jetstream.Msg)) error {
	r.log.Info("stage started", zap.Int("batch_size", r.cfg.BatchSize), zap.Duration("batch_wait", r.cfg.BatchWait))
	defer r.log.Info("stage stopped")
	work := context.WithoutCancel(ctx)
	for ctx.Err() == nil {
		batch, err := cons.Fetch(r.cfg.BatchSize, jetstream.FetchMaxWait(r.cfg.BatchWait))
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			r.log.Warn("fetch failed", zap.Error(err))
			select {
			case <-ctx.Done():
			case <-time.After(r.cfg.BatchWait):
			}
			continue
		}
		var msgs []jetstream.Msg
		for m := range batch.Messages() {
			msgs = append(msgs, m)
		}
		if err := batch.Error(); consumerGone(err) && ctx.Err() == nil {
			// Its pulls go nowhere until the consumer is declared again.
			r.log.Warn("consumer gone; declaring it again", zap.Error(err))
			if c, err := r.ensure(ctx); err == nil {
				cons = c
			} else {
				r.log.Warn("declare consumer", zap.Error(err))
				select {
				case <-ctx.Done():
				case <-time.After(r.cfg.BatchWait):
				}
			}
		} else if err != nil && !errors.Is(err, jetstream.ErrNoMessages) && ctx.Err() == nil {
			r.log.Debug("fetch ended", zap.Error(err))
		}
		if len(msgs) > 0 {
			if r.lane.replay {
				yieldToLive(ctx)
				handle(work, msgs)
			} else {
				liveInFlight.Add(1)
				handle(work, msgs)
				liveInFlight.Add(-1)
			}
		}
	}
	return nil
}

// decode reads a message into the value newIn returns, checking its schema.
func (r *runner) decode(m jetstream.Msg, schema string, newIn func() proto.Message) (*proto.Envelope, error) {
	r.metrics.In.WithLabelValues(r.stage).Inc()
	in := newIn()
	if err := proto.Unmarshal(m.Data(), in, schema); err != nil {
		return in.Env(), Permanent(err)
	}
	return in.Env(), nil
}

// call runs fn with the handler timeout, a panic turned into a permanent
// error, and the message kept alive (InProgress) while fn works.
func (r *runner) call(ctx context.Context, m jetstream.Msg, fn func(context.Context) error) error {
	start := time.Now()
	r.metrics.InFlight.WithLabelValues(r.stage).Inc()
	defer r.metrics.InFlight.WithLabelValues(r.stage).Dec()
	defer func() { r.metrics.Duration.WithLabelValues(r.stage).Observe(time.Since(start).Seconds()) }()

	hctx, cancel := context.WithTimeout(ctx, r.cfg.HandlerTimeout)
	defer cancel()
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(r.cfg.AckWait / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				_ = m.InProgress()
			}
		}
	}()
	return safeCall(hctx, fn)
}

func safeCall(ctx context.Context, fn func(context.Context) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = Permanentf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return fn(ctx)
}

// settle acks, naks with backoff, or dead-letters m according to err.
func (r *runner) settle(ctx context.Context, m jetstream.Msg, env *proto.Envelope, tr trace, err error) {
	meta, merr := m.Metadata()
	var attempt, seq uint64
	if merr == nil {
		attempt, seq = meta.NumDelivered, meta.Sequence.Stream
	}
	log := r.log.With(telemetry.Seq(seq), telemetry.Attempt(attempt))
	if env != nil {
		log = log.With(telemetry.ArticleID(env.ArticleID), telemetry.URL(env.URL), zap.String("pipeline_version", env.PipelineVersion))
	}
	if tr.id != "" {
		log = log.With(zap.String("trace_id", tr.id))
	}
	if err == nil {
		if aerr := m.Ack(); aerr != nil {
			log.Warn("ack failed", zap.Error(aerr))
		}
		r.metrics.Handled.WithLabelValues(r.stage, telemetry.OutcomeOK).Inc()
		log.Debug("message handled")
		return
	}
	if !IsPermanent(err) && attempt < uint64(r.cfg.MaxDeliver) {
		delay := max(r.cfg.Backoff(attempt), min(RetryDelay(err), r.cfg.BackoffMax*5))
		if nerr := m.NakWithDelay(delay); nerr != nil {
			log.Warn("nak failed", zap.Error(nerr))
		}
		r.metrics.Handled.WithLabelValues(r.stage, telemetry.OutcomeRetry).Inc()
		log.Warn("message failed, will retry", zap.Duration("delay", delay), zap.Error(err))
		return
	}
	dl := &proto.DeadLetter{
		Stage:    r.stage,
		Subject:  m.Subject(),
		Seq:      seq,
		Attempts: int(attempt),
		Error:    err.Error(),
		FailedAt: time.Now().UTC(),
		Header:   m.Headers(),
		Data:     m.Data(),
	}
	if env != nil {
		dl.Envelope = *env
	}
	dl.Schema = proto.SchemaDeadLetter
	dl.ProducedAt = dl.FailedAt
	if _, perr := r.bus.Publish(ctx, proto.SubjectDLQ(r.stage), dl); perr != nil {
		// Nothing is lost: the message stays in its stream and comes back.
		_ = m.NakWithDelay(r.cfg.Backoff(attempt))
		r.metrics.Handled.WithLabelValues(r.stage, telemetry.OutcomeRetry).Inc()
		log.Error("dead-letter publish failed, will retry", zap.Error(errors.Join(err, perr)))
		return
	}
	if terr := m.TermWithReason(truncate(err.Error(), 200)); terr != nil {
		log.Warn("term failed", zap.Error(terr))
	}
	r.metrics.Handled.WithLabelValues(r.stage, telemetry.OutcomeDeadLetter).Inc()
	log.Error("sent to dlq", zap.Bool("permanent", IsPermanent(err)), zap.Error(err))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
