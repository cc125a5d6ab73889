package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/internal/version"
	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/clean"
	"github.com/newsflow/newsflow/services/extract"
)

// inspected is one line of `newsflow inspect`: the API detail fields, the
// file, and what clean read from the page (with where each value came from).
type inspected struct {
	proto.Article
	File   string          `json:"file"`
	Blocks []proto.Block   `json:"blocks"`
	Meta   *proto.PageMeta `json:"meta"`
	Error  string          `json:"error,omitempty"`
}

func cmdInspect(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("inspect", "FILE...")
	var c common
	c.register(fs, false)
	pageURL := fs.String("url", "", "the `url` the page was published at (for relative links and identity)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("inspect: no files")
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	texts, err := cfg.exemplarTexts()
	if err != nil {
		return err
	}
	cl := clean.New(cfg.Clean, zap.NewNop())
	x, err := extract.NewWithExemplars(extract.Config{Topic: cfg.Topic}, texts, zap.NewNop())
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	var failed int
	for _, path := range fs.Args() {
		out := inspectFile(ctx, cl, x, path, *pageURL)
		if out.Error != "" {
			failed++
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("inspect: %d of %d files failed", failed, fs.NArg())
	}
	return nil
}

func inspectFile(ctx context.Context, cl *clean.Cleaner, x *extract.Extractor, path, pageURL string) inspected {
	out := inspected{File: path}
	out.Normalize()
	fail := func(err error) inspected {
		out.Error = err.Error()
		return out
	}
	f, err := fetchedFromFile(path, "inspect", pageURL, time.Now().UTC())
	if err != nil {
		return fail(err)
	}
	f.PipelineVersion = version.Stamp("", "ingest", "1")
	cl1, err := cl.Clean(ctx, f)
	if err != nil {
		return fail(err)
	}
	cl1.PipelineVersion = version.Stamp(f.PipelineVersion, "clean", clean.AlgoVersion)
	ex, err := x.Extract(ctx, cl1)
	if err != nil {
		return fail(err)
	}
	out.Article = ex.Article
	out.PipelineVersion = version.Stamp(cl1.PipelineVersion, "extract", extract.AlgoVersion)
	out.Blocks, out.Meta = cl1.Blocks, &cl1.Meta
	out.Normalize()
	return out
}
