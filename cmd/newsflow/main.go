// Command newsflow watches news coverage of a topic and turns it into a
// searchable, structured corpus. See `newsflow help`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/internal/telemetry"
	"github.com/newsflow/newsflow/internal/version"
)

const usage = `newsflow watches news coverage of a topic and turns it into a searchable,
structured corpus: fetch -> clean -> extract -> store, over NATS JetStream.

Usage: newsflow COMMAND [flags] [args]

Commands:
  run        everything in one process: embedded NATS (unless -nats), all
             stages, the store, and the API and web page on -http
  fetch      run the fetch stage alone, against -nats URL
  clean      run the clean stage alone, against -nats URL
  extract    run the extract stage alone, against -nats URL
  store      run the store stage alone, against -nats URL
  serve      the HTTP API and web page alone, over the store (read-only)
  ingest     push files (HTML or text, gzip accepted) or URLs into the pipeline
  inspect    clean + extract files in-process and print one JSON object each
  search     full-text search of the stored corpus
  replay     reprocess stored messages (news.fetched, news.cleaned) in the
             replay lane, beside live ingestion; resumable, with progress
  status     streams, consumers (lag, rate), dead letters, sources, store
  dlq        dead letters: list, show, redrive (send back), purge
  version    print the version

Common flags (every command that takes them):
  -config FILE   YAML configuration (default: the built-in newsflow.example.yaml)
  -data DIR      data directory: embedded NATS, SQLite, and the address
                 other commands use to reach a "newsflow run" (default ./newsflow-data)
  -nats URL      external NATS server(s); empty means embedded
  -store DSN     sqlite:PATH or postgres://...
  -http ADDR     API, web page, /metrics, /healthz and /readyz (default 127.0.0.1:8080)

Environment: NEWSFLOW_<SECTION>_<KEY> overrides a config key
(NEWSFLOW_NATS_URL, NEWSFLOW_FETCH_ALLOW_PRIVATE=true, ...); flags override both.

Run "newsflow COMMAND -h" for a command's flags.
`

type command struct {
	run func(ctx context.Context, args []string, stdout io.Writer) error
}

func commands() map[string]command {
	stage := func(target string) command {
		return command{run: func(ctx context.Context, args []string, _ io.Writer) error {
			return cmdRun(ctx, target, args)
		}}
	}
	return map[string]command{
		"run":     {run: func(ctx context.Context, args []string, _ io.Writer) error { return cmdRun(ctx, TargetAll, args) }},
		"fetch":   stage(TargetFetch),
		"clean":   stage(TargetClean),
		"extract": stage(TargetExtract),
		"store":   stage(TargetStore),
		"serve":   {run: func(ctx context.Context, args []string, _ io.Writer) error { return cmdRun(ctx, TargetAPI, args) }},
		"ingest":  {run: cmdIngest},
		"inspect": {run: cmdInspect},
		"search":  {run: cmdSearch},
		"replay":  {run: cmdReplay},
		"status":  {run: cmdStatus},
		"dlq":     {run: cmdDLQ},
		"version": {run: func(_ context.Context, _ []string, w io.Writer) error {
			_, err := fmt.Fprintln(w, "newsflow", version.Build())
			return err
		}},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Main(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "newsflow:", err)
		}
		os.Exit(2)
	}
}

// Main runs one command line.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
	return cmd.run(ctx, args[1:], stdout)
}

// common are the flags shared by the commands.
type common struct {
	config, data, nats, store, http, logLevel string
}

func (c *common) register(fs *flag.FlagSet, withHTTP bool) {
	fs.StringVar(&c.config, "config", os.Getenv("NEWSFLOW_CONFIG"), "YAML configuration `file` (default: built in)")
	data := os.Getenv("NEWSFLOW_DATA")
	if data == "" {
		data = "newsflow-data"
	}
	fs.StringVar(&c.data, "data", data, "data `dir`ectory")
	fs.StringVar(&c.nats, "nats", "", "NATS `url` (overrides nats.url)")
	fs.StringVar(&c.store, "store", "", "store `dsn`: sqlite:PATH or postgres://... (overrides store.dsn)")
	if withHTTP {
		fs.StringVar(&c.http, "http", "", "listen `addr`ess of the API, web page and metrics (overrides http.addr)")
	}
	fs.StringVar(&c.logLevel, "log-level", "", "debug, info, warn or error (overrides log.level)")
}

// load reads the configuration with the flags applied, and validates it.
func (c *common) load() (Config, error) {
	cfg, err := loadConfig(c.config, os.Environ())
	if err != nil {
		return cfg, err
	}
	if c.nats != "" {
		cfg.NATS.URL = c.nats
	}
	if c.store != "" {
		cfg.Store.DSN = c.store
	}
	if c.http != "" {
		cfg.HTTP.Addr = c.http
	}
	if c.logLevel != "" {
		cfg.Log.Level = c.logLevel
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("invalid configuration:\n%w", err)
	}
	return cfg, nil
}

func newFlagSet(name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: newsflow %s [flags] %s\n\nFlags:\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

func cmdRun(ctx context.Context, target string, args []string) error {
	name := target
	if target == TargetAll {
		name = "run"
	} else if target == TargetAPI {
		name = "serve"
	}
	fs := newFlagSet(name, "")
	var c common
	c.register(fs, true)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s takes no arguments, got %q", name, fs.Args())
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	if target != TargetAll && target != TargetAPI && cfg.NATS.URL == "" {
		return fmt.Errorf("newsflow %s runs one stage against an external NATS: give -nats URL (or use newsflow run)", name)
	}
	log, err := telemetry.NewLogger(cfg.Log)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	if _, err := telemetry.ApplyMemoryLimit(cfg.Runtime.MemoryLimit, log); err != nil {
		return err
	}
	app := NewApp(cfg, c.data, log, target)
	app.readOnly = target == TargetAPI
	go reloadOnHangup(ctx, app, &c, log)
	if err := app.Run(ctx); err != nil {
		log.Error("stopped", zap.Error(err))
		return err
	}
	log.Info("stopped")
	return nil
}

// reloadOnHangup rereads the configuration on SIGHUP and applies what can
// change at run time: the sources.
func reloadOnHangup(ctx context.Context, app *App, c *common, log *zap.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			cfg, err := c.load()
			if err != nil {
				log.Error("config reload failed; keeping the running config", zap.Error(err))
				continue
			}
			app.ReloadSources(cfg.Sources)
		}
	}
}
