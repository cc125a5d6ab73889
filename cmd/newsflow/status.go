package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/internal/ops"
	"github.com/newsflow/newsflow/services/store"
)

func cmdStatus(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("status", "")
	var c common
	c.register(fs, false)
	asJSON := fs.Bool("json", false, "print JSON")
	interval := fs.Duration("interval", time.Second, "time between the two samples that give processing rates (0: no rates)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("status takes no arguments, got %q", fs.Args())
	}
	cfg, b, err := c.connect(ctx, false)
	if err != nil {
		return err
	}
	defer b.Close()
	opts := ops.StatusOptions{Interval: *interval}
	if dsn := cfg.storeDSN(c.data); storeExists(dsn) {
		st, err := store.OpenReadOnly(ctx, dsn, zap.NewNop())
		if err != nil {
			opts.StoreCounts = func(context.Context) (*ops.StoreCounts, error) { return nil, err }
		} else {
			defer st.Close()
			opts.StoreCounts = storeCounts(st)
		}
	}
	r, err := ops.Status(ctx, b.JS, opts)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return r.WriteTable(stdout)
}

// storeExists reports whether dsn names a store that can be opened: a
// SQLite file that exists, or a server.
func storeExists(dsn string) bool {
	p, ok := strings.CutPrefix(dsn, "sqlite:")
	if !ok {
		return dsn != ""
	}
	_, err := os.Stat(p)
	return err == nil
}

// storeCounts adapts a store's Stats to the status report.
func storeCounts(st store.Store) func(context.Context) (*ops.StoreCounts, error) {
	return func(ctx context.Context) (*ops.StoreCounts, error) {
		s, err := st.Stats(ctx)
		if err != nil {
			return nil, err
		}
		return &ops.StoreCounts{
			Articles: s.Articles, OnTopic: s.OnTopic, Clusters: s.Clusters, Entities: s.Entities,
			LastFetchedAt: s.LastFetchedAt, LastUpdatedAt: s.LastUpdatedAt,
		}, nil
	}
}
