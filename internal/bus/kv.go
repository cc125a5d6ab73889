package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// KV is a JetStream key-value bucket with compare-and-set writes.
type KV struct {
	kv     jetstream.KeyValue
	js     jetstream.JetStream
	bucket string
}

// KeyValue creates or opens the bucket named name; ttl > 0 expires keys.
func (b *Bus) KeyValue(ctx context.Context, name string, ttl time.Duration, replicas int) (*KV, error) {
	kv, err := b.JS.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:   name,
		TTL:      ttl,
		Storage:  jetstream.FileStorage,
		Replicas: max(replicas, 1),
		History:  1,
	})
	if err != nil {
		return nil, fmt.Errorf("kv bucket %s: %w", name, err)
	}
	return &KV{kv: kv, js: b.JS, bucket: name}, nil
}

// Get returns the value and revision of key; found is false when absent.
func (k *KV) Get(ctx context.Context, key string) (val []byte, rev uint64, found bool, err error) {
	e, err := k.kv.Get(ctx, key)
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
	if rev == 0 {
		newRev, err = k.kv.Create(ctx, key, val)
	} else {
		newRev, err = k.kv.Update(ctx, key, val, rev)
	}
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
	if _, err := k.kv.Put(ctx, key, val); err != nil {
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
	futures := make([]jetstream.PubAckFuture, 0, len(entries))
	var errs []error
	for _, e := range entries {
		f, err := k.js.PublishAsync("$KV."+k.bucket+"."+e.Key, e.Value)
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
