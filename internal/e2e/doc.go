// Package e2e holds newsflow's whole-system tests, which run the real
// binaries as separate processes.
//
// TestChaos is the fault-injection test: every stage in its
// own process against a NATS server in its own process, a local news site
// publishing articles over time, and processes killed, the broker restarted
// and the database locked while it runs. At the end every article the site
// published must be stored exactly once, checked with plain SQL against the
// store's file, and nothing but the bad-on-purpose inputs dead-lettered.
//
// The short form runs with `go test ./internal/e2e`; the long form with
// `make chaos` (CHAOS_ARTICLES=10000 CHAOS_FAULTS=40).
//
// BenchmarkPipeline is the throughput benchmark (`make bench-e2e`): a
// generated corpus of article pages served through feeds on loopback,
// processed by `newsflow run` and by the stages as separate processes.
package e2e
