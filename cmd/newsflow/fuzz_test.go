package main

import (
	"testing"

	"github.com/newsflow/newsflow"
)

func FuzzConfig(f *testing.F) {
	f.Add(newsflow.DefaultConfig)
	f.Add([]byte("sources:\n  - name: a\n    feed: https://a.example/rss\n    interval: 1m\n"))
	f.Add([]byte("fetch: {timeout: soon}\n"))
	f.Add([]byte("topic:\n  keywords: {x: -1}\n  threshold: 7\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := defaultConfig()
		if err := decodeConfig(&cfg, data); err != nil {
			return
		}
		_ = cfg.Validate()
	})
}
