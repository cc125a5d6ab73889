package bus_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/newsflow/newsflow/internal/bus"
	"github.com/newsflow/newsflow/internal/natstest"
)

func TestKVSetAll(t *testing.T) {
	b := natstest.Start(t).Connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	kv, err := b.KeyValue(ctx, "setall", 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := kv.Set(ctx, "k3", []byte("old")); err != nil {
		t.Fatal(err)
	}
	var entries []bus.Entry
	for i := range 300 {
		entries = append(entries, bus.Entry{Key: fmt.Sprintf("k%d", i), Value: fmt.Appendf(nil, "v%d", i)})
	}
	if err := kv.SetAll(ctx, entries); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		got, _, found, err := kv.Get(ctx, e.Key)
		if err != nil || !found || string(got) != string(e.Value) {
			t.Fatalf("Get(%s) = %q, %v, %v; want %q", e.Key, got, found, err, e.Value)
		}
	}
	// A key the bucket refuses is reported, and the others still land.
	err = kv.SetAll(ctx, []bus.Entry{{Key: "bad key", Value: []byte("x")}, {Key: "k0", Value: []byte("new")}})
	if err == nil {
		t.Error("SetAll with an invalid key: no error")
	}
	if got, _, _, _ := kv.Get(ctx, "k0"); string(got) != "new" {
		t.Errorf("k0 = %q after a partly failed SetAll; want \"new\"", got)
	}
}

// TestKVComesBackAfterTheServerLostItsStore: a bucket the server no longer
// has (it came back without its store) is declared again, with its
// settings, by whichever call finds it gone, and that call works; what the
// bucket held is gone with the store.
func TestKVComesBackAfterTheServerLostItsStore(t *testing.T) {
	srv := natstest.Start(t)
	b := srv.Connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	kv, err := b.KeyValue(ctx, "lost", time.Hour, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := kv.Set(ctx, "a", []byte("1")); err != nil {
		t.Fatal(err)
	}
	ops := []struct {
		name string
		op   func() error
		want map[string]string // read back after the op
	}{
		{"get", func() error {
			if _, _, found, err := kv.Get(ctx, "a"); err != nil || found {
				return fmt.Errorf("Get(a) = %v, %v; want not found in a bucket the server lost", found, err)
			}
			return nil
		}, nil},
		{"put", func() error {
			if _, ok, err := kv.Put(ctx, "b", []byte("2"), 0); err != nil || !ok {
				return fmt.Errorf("Put = %v, %v", ok, err)
			}
			return nil
		}, map[string]string{"b": "2"}},
		{"set", func() error { return kv.Set(ctx, "c", []byte("3")) }, map[string]string{"c": "3"}},
		{"set all", func() error {
			return kv.SetAll(ctx, []bus.Entry{{Key: "d", Value: []byte("4")}, {Key: "e", Value: []byte("5")}})
		}, map[string]string{"d": "4", "e": "5"}},
	}
	for _, o := range ops {
		srv.RestartEmpty(t)
		natstest.Eventually(t, 15*time.Second, func() error { // until the client has reconnected
			if !b.NC.IsConnected() {
				return fmt.Errorf("not connected")
			}
			return nil
		})
		if err := o.op(); err != nil {
			t.Fatalf("%s: %v", o.name, err)
		}
		for k, want := range o.want {
			if got, _, found, err := kv.Get(ctx, k); err != nil || !found || string(got) != want {
				t.Errorf("%s: Get(%s) = %q, %v, %v; want %q", o.name, k, got, found, err, want)
			}
		}
		s, err := b.JS.KeyValue(ctx, "lost")
		if err != nil {
			t.Fatalf("%s: %v", o.name, err)
		}
		st, err := s.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.TTL() != time.Hour {
			t.Errorf("%s: declared again with TTL %v; want 1h", o.name, st.TTL())
		}
	}
}
