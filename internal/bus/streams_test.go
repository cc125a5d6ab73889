package bus_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/newsflow/newsflow/internal/bus"
	"github.com/newsflow/newsflow/internal/natstest"
)

// Declaring the streams again leaves matching streams alone and puts back
// a setting someone changed; the server's update advisories show which.
func TestEnsureStreamsUpdatesOnlyChangedStreams(t *testing.T) {
	b := natstest.Start(t).Connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var mu sync.Mutex
	var updated []string
	sub, err := b.NC.Subscribe("$JS.EVENT.ADVISORY.STREAM.UPDATED.>", func(m *nats.Msg) {
		mu.Lock()
		updated = append(updated, m.Subject[len("$JS.EVENT.ADVISORY.STREAM.UPDATED."):])
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := b.NC.Flush(); err != nil {
		t.Fatal(err)
	}

	if err := b.EnsureStreams(ctx, 1); err != nil {
		t.Fatal(err)
	}
	s, err := b.JS.Stream(ctx, bus.StreamCleaned)
	if err != nil {
		t.Fatal(err)
	}
	changed := s.CachedInfo().Config
	changed.Description = "changed by hand"
	if _, err := b.JS.UpdateStream(ctx, changed); err != nil {
		t.Fatal(err)
	}
	if err := b.EnsureStreams(ctx, 1); err != nil {
		t.Fatal(err)
	}

	natstest.Eventually(t, 10*time.Second, func() error {
		mu.Lock()
		defer mu.Unlock()
		if len(updated) < 2 {
			return fmt.Errorf("update advisories so far: %v", updated)
		}
		return nil
	})
	if err := b.NC.Flush(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := append([]string(nil), updated...)
	mu.Unlock()
	if len(got) != 2 || got[0] != bus.StreamCleaned || got[1] != bus.StreamCleaned {
		t.Errorf("streams updated = %v; want only %s, by hand and then put back", got, bus.StreamCleaned)
	}
	info, err := b.JS.Stream(ctx, bus.StreamCleaned)
	if err != nil {
		t.Fatal(err)
	}
	if d := info.CachedInfo().Config.Description; d == "changed by hand" {
		t.Errorf("description still %q after EnsureStreams", d)
	}
}

// TestPublishGivesUpOnALostAcknowledgement: a publish whose
// acknowledgement never comes (here a subscriber that answers nothing; in
// life a reply lost in a server restart) fails after the bound of one
// request, even when the caller's own deadline is far away.
func TestPublishGivesUpOnALostAcknowledgement(t *testing.T) {
	defer bus.SetOpTimeout(300 * time.Millisecond)()
	b := natstest.Start(t).Connect(t)
	sub, err := b.NC.SubscribeSync("silent.subject")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := b.PublishRaw(ctx, "silent.subject", []byte("x"), "id-1", nil)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("PublishRaw with no acknowledgement: no error")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("PublishRaw still waiting for an acknowledgement after 30 s")
	}
	if m, err := sub.NextMsg(time.Second); err != nil || string(m.Data) != "x" {
		t.Fatalf("the message did not reach the subscriber: %v", err)
	}
}
