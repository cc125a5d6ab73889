// Package pipeline is the consume loop every stage runs in: it pulls
// messages from a durable JetStream consumer, decodes them, calls the
// stage's handler, publishes what the handler returns, and only then acks.
// Transient failures are nak'ed with exponential backoff; permanent ones,
// and messages that used up their deliveries, go to news.dlq.<stage>.
// Handlers never see JetStream.
package pipeline

import (
	"errors"
	"fmt"
	"time"
)

// permanentError marks an error that retrying will not fix.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as one that retrying will not fix (malformed input,
// an unknown schema, an oversized body): the message goes straight to the
// stage's dead-letter subject. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// Permanentf is Permanent(fmt.Errorf(format, args...)).
func Permanentf(format string, args ...any) error {
	return Permanent(fmt.Errorf(format, args...))
}

// IsPermanent reports whether err, or any error it wraps, was marked
// Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// retryAfterError asks for a retry no sooner than after.
type retryAfterError struct {
	err   error
	after time.Duration
}

func (e retryAfterError) Error() string { return e.err.Error() }
func (e retryAfterError) Unwrap() error { return e.err }

// RetryAfter marks err as transient with a server-given delay (an HTTP
// Retry-After): the message is retried no sooner than after.
func RetryAfter(err error, after time.Duration) error {
	if err == nil {
		return nil
	}
	return retryAfterError{err: err, after: after}
}

// RetryDelay returns the delay RetryAfter asked for, or 0.
func RetryDelay(err error) time.Duration {
	var r retryAfterError
	if errors.As(err, &r) {
		return r.after
	}
	return 0
}
