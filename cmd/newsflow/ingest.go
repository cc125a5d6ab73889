package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/internal/bus"
	"github.com/newsflow/newsflow/internal/textenc"
	"github.com/newsflow/newsflow/internal/version"
	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/clean"
)

// maxIngestBytes caps one ingested file, after gunzip.
const maxIngestBytes = 32 << 20

func cmdIngest(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("ingest", "PATH_OR_URL...")
	var c common
	c.register(fs, false)
	source := fs.String("source", "ingest", "source `name` recorded with the articles")
	pageURL := fs.String("url", "", "the `url` a single ingested file was published at (its identity)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("ingest: nothing to ingest")
	}
	if *pageURL != "" && fs.NArg() > 1 {
		return fmt.Errorf("ingest: -url names one file, got %d", fs.NArg())
	}
	_, b, err := c.connect(ctx, true)
	if err != nil {
		return err
	}
	defer b.Close()
	var failed int
	for _, arg := range fs.Args() {
		id, dup, err := ingestOne(ctx, b, arg, *source, *pageURL)
		switch {
		case err != nil:
			failed++
			fmt.Fprintf(stdout, "error  %s: %v\n", arg, err)
		case dup:
			fmt.Fprintf(stdout, "dup    %s %s (already in the pipeline)\n", id, arg)
		default:
			fmt.Fprintf(stdout, "queued %s %s\n", id, arg)
		}
	}
	if failed > 0 {
		return fmt.Errorf("ingest: %d of %d failed", failed, fs.NArg())
	}
	return nil
}

// connect loads the configuration and connects to the pipeline's NATS,
// declaring the streams first when declare is set.
func (c *common) connect(ctx context.Context, declare bool) (Config, *bus.Bus, error) {
	cfg, err := c.load()
	if err != nil {
		return cfg, nil, err
	}
	b, err := dialPipeline(ctx, cfg, c.data)
	if err != nil {
		return cfg, nil, err
	}
	if declare {
		if err := b.EnsureStreams(ctx, cfg.NATS.Replicas); err != nil {
			b.Close()
			return cfg, nil, err
		}
	}
	return cfg, b, nil
}

// dialPipeline connects to the pipeline's NATS: the configured URL, or the
// embedded server of the `newsflow run` that uses dataDir.
func dialPipeline(ctx context.Context, cfg Config, dataDir string) (*bus.Bus, error) {
	nc := cfg.NATS
	if nc.URL == "" {
		u, err := bus.ReadURL(dataDir)
		if err != nil {
			return nil, err
		}
		nc.URL = u
	}
	return bus.Connect(ctx, nc, "newsflow-cli", zap.NewNop())
}

// ingestOne publishes a URL to news.discovered, or a file to news.fetched.
func ingestOne(ctx context.Context, b *bus.Bus, arg, source, pageURL string) (id string, dup bool, err error) {
	now := time.Now().UTC()
	if strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://") {
		u, err := proto.NormalizeURL(arg)
		if err != nil {
			return "", false, err
		}
		m := &proto.Discovered{Envelope: proto.Envelope{
			Schema: proto.SchemaDiscovered, ArticleID: proto.ArticleID(u), URL: u, Source: source,
			PipelineVersion: version.Stamp("", "ingest", "1"), ProducedAt: now,
		}}
		dup, err := b.Publish(ctx, proto.SubjectDiscovered, m)
		return m.ArticleID, dup, err
	}
	m, err := fetchedFromFile(arg, source, pageURL, now)
	if err != nil {
		return "", false, err
	}
	dup, err = b.Publish(ctx, proto.SubjectFetched, m)
	return m.ArticleID, dup, err
}

// fetchedFromFile reads a local HTML or text file (gzip accepted) as a
// fetched page. Without pageURL its identity is its content.
func fetchedFromFile(path, source, pageURL string, now time.Time) (*proto.Fetched, error) {
	body, err := readPage(path)
	if err != nil {
		return nil, err
	}
	kind := clean.SniffKind(body)
	body, _ = textenc.ToUTF8(body, "", kind == proto.KindHTML)
	u := proto.FileURL(body)
	if pageURL != "" {
		if u, err = proto.NormalizeURL(pageURL); err != nil {
			return nil, err
		}
	}
	m := &proto.Fetched{
		Envelope: proto.Envelope{
			Schema: proto.SchemaFetched, ArticleID: proto.ArticleID(u), URL: u, Source: source,
			PipelineVersion: version.Stamp("", "ingest", "1"), ProducedAt: now,
		},
		FetchedAt:   now,
		Kind:        kind,
		File:        filepath.Base(path),
		ContentType: map[string]string{proto.KindHTML: "text/html", proto.KindText: "text/plain"}[kind] + "; charset=utf-8",
	}
	if err := m.SetBody(body); err != nil {
		return nil, err
	}
	return m, nil
}

// readPage reads a file, gunzipping it when it is gzip (by content, not name).
func readPage(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxIngestBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if bytes.HasPrefix(raw, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%s: bad gzip: %w", path, err)
		}
		raw, err = io.ReadAll(io.LimitReader(zr, maxIngestBytes+1))
		if err != nil {
			return nil, fmt.Errorf("%s: bad gzip: %w", path, err)
		}
	}
	if len(raw) > maxIngestBytes {
		return nil, fmt.Errorf("%s: over %d bytes", path, maxIngestBytes)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, fmt.Errorf("%s: empty", path)
	}
	return raw, nil
}
