package bus

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
)

// KV is a JetStream key-value bucket with compare-and-set writes. A
// bucket the server no longer has (it came back without its store) is
// declared again, empty, by the call that finds it gone.
type KV struct {
	b   *Bus
	cfg jetstream.KeyValueConfig
	kv  atomic.Pointer[kvHandle]
}

type kvHandle struct{ jetstream.KeyValue }

// KeyValue creates or opens the bucket named name; ttl > 0 expires keys.
func (b *Bus) KeyValue(ctx context.Context, name string, ttl time.Duration, replicas int) (*KV, error) {
	k := &KV{b: b, cfg: jetstream.KeyValueConfig{
		Bucket:   name,
		TTL:      ttl,
		Storage:  jetstream.FileStorage,
		Replicas: max(replicas, 1),
		History:  1,
	}}
	if err := k.declare(ctx); err != nil {
		return nil, err
	}
	return k, nil
}

func (k *KV) declare(ctx context.Context) error {
	kv, err := k.b.JS.CreateOrUpdateKeyValue(ctx, k.cfg)
	if err != nil {
		return fmt.Errorf("kv bucket %s: %w", k.cfg.Bucket, err)
	}
	k.kv.Store(&kvHandle{kv})
	return nil
}

// retry runs op, each request within opTimeout, and once more after
// declaring the bucket again when op found no bucket.
func (k *KV) retry(ctx context.Context, op func(context.Context, jetstream.KeyValue) error) error {
	run := func() error {
		ctx, cancel := bounded(ctx)
		defer cancel()
		return op(ctx, k.kv.Load())
	}
	err := run()
	if !bucketGone(err) {
		return err
	}
	k.b.log.Warn("kv bucket gone; declaring it again", zap.String("bucket", k.cfg.Bucket), zap.Error(err))
	dctx, cancel := bounded(ctx)
	defer cancel()
	if derr := k.declare(dctx); derr != nil {
		return errors.Join(err, derr)
	}
	return run()
}

// bucketGone reports whether err says the bucket's stream is not there.
func bucketGone(err error) bool {
	return errors.Is(err, jetstream.ErrBucketNotFound) || errors.Is(err, jetstream.ErrStreamNotFound) ||
		errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, nats.ErrNoResponders)
}

// Get returns the value and revision of key; found is false when absent.
func (k *KV) Get(ctx context.Context, key string) (val []byte, rev uint64, found bool, err error) {
	var e jetstream.KeyValueEntry
	err = k.retry(ctx, func(ctx context.Context, kv jetstream.KeyValue) (err error) {
		e, err = kv.Get(ctx, key)
		return err
	})
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, fmt.Errorf("kv get %s: %w", key, err)
	}
	return e.Value(), e.Revision(), true, nil
}

// Put writes key if its revision is still rev (0: only if absent) and
// returns the new revision; ok is false when another writer came first.
func (k *KV) Put(ctx context.Context, key string, val []byte, rev uint64) (newRev uint64, ok bool, err error) {
	err = k.retry(ctx, func(ctx context.Context, kv jetstream.KeyValue) (err error) {
		if rev == 0 {
			newRev, err = kv.Create(ctx, key, val)
		} else {
			newRev, err = kv.Update(ctx, key, val, rev)
		}
		return err
	})
	if errors.Is(err, jetstream.ErrKeyExists) || isWrongSequence(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("kv put %s: %w", key, err)
	}
	return newRev, true, nil
}

// Set writes key unconditionally.
func (k *KV) Set(ctx context.Context, key string, val []byte) error {
	err := k.retry(ctx, func(ctx context.Context, kv jetstream.KeyValue) error {
		_, err := kv.Put(ctx, key, val)
		return err
	})
	if err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// Entry is one key and value for SetAll.
type Entry struct {
	Key   string
	Value []byte
}

// SetAll writes each entry unconditionally, like Set, but sends them all
// before waiting for the acknowledgements: one round trip for the lot
// rather than one per key. It returns the entries' errors joined.
func (k *KV) SetAll(ctx context.Context, entries []Entry) error {
	return k.retry(ctx, func(ctx context.Context, _ jetstream.KeyValue) error { return k.setAll(ctx, entries) })
}

func (k *KV) setAll(ctx context.Context, entries []Entry) error {
	futures := make([]jetstream.PubAckFuture, 0, len(entries))
	var errs []error
	for _, e := range entries {
		f, err := k.b.JS.PublishAsync("$KV."+k.cfg.Bucket+"."+e.Key, e.Value)
		if err != nil {
			errs = append(errs, fmt.Errorf("kv put %s: %w", e.Key, err))
			continue
		}
		futures = append(futures, f)
	}
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			errs = append(errs, fmt.Errorf("kv put %s: %w", f.Msg().Subject, err))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return errors.Join(errs...)
}

// isWrongSequence reports a failed compare-and-set.
func isWrongSequence(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence
}
