// Package ops is what operators run against a pipeline: its status
// (streams, consumers, dead letters, sources, store), the dead-letter
// queue (list, show, redrive, purge) and replays of the stored corpus
// through the replay lane. The newsflow command and the HTTP API share it.
package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/segmentio/encoding/json"

	"github.com/newsflow/newsflow/internal/pipeline"
	"github.com/newsflow/newsflow/proto"
)

// SourceState is the state the fetch stage keeps per source in the KV
// bucket proto.SourcesBucket, as JSON: one definition, the wire contract's.
type SourceState = proto.SourceState

// Errors returned by ops.
var (
	// ErrNotFound means a dead letter or replay does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid means the operation was asked for with bad parameters.
	ErrInvalid = errors.New("invalid request")
)

// openKV opens an existing bucket; ok is false when it does not exist.
func openKV(ctx context.Context, js jetstream.JetStream, bucket string) (kv jetstream.KeyValue, ok bool, err error) {
	kv, err = js.KeyValue(ctx, bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("kv bucket %s: %w", bucket, err)
	}
	return kv, true, nil
}

// eachKV calls fn with every key and value of a bucket.
func eachKV(ctx context.Context, kv jetstream.KeyValue, fn func(key string, val []byte) error) error {
	keys, err := kv.ListKeys(ctx)
	if err != nil {
		return fmt.Errorf("kv list: %w", err)
	}
	defer func() { _ = keys.Stop() }()
	for key := range keys.Keys() {
		e, err := kv.Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("kv get %s: %w", key, err)
		}
		if err := fn(key, e.Value()); err != nil {
			return err
		}
	}
	return nil
}

// stageVersions reads the algorithm version each running stage announced.
func stageVersions(ctx context.Context, js jetstream.JetStream) (map[string]pipeline.StageInfo, error) {
	out := map[string]pipeline.StageInfo{}
	kv, ok, err := openKV(ctx, js, pipeline.StagesBucket)
	if err != nil || !ok {
		return out, err
	}
	err = eachKV(ctx, kv, func(key string, val []byte) error {
		var si pipeline.StageInfo
		if err := json.Unmarshal(val, &si); err != nil {
			return fmt.Errorf("stage %s: %w", key, err)
		}
		out[key] = si
		return nil
	})
	return out, err
}

// pipelineSteps maps each stage/version step of a pipeline_version
// ("newsflow BUILD clean/1 extract/2") to its version.
func pipelineSteps(pv string) map[string]string {
	steps := map[string]string{}
	for _, f := range strings.Fields(pv) {
		if stage, v, ok := strings.Cut(f, "/"); ok && stage != "" && v != "" && !strings.Contains(v, "/") {
			steps[stage] = v
		}
	}
	return steps
}
