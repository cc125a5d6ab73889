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
