// Package bus connects newsflow to NATS JetStream: an external server or
// one embedded in the process, the streams and durable consumers declared
// as code, and publishing with Nats-Msg-Id for deduplication.
package bus

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
)

// Config says how to reach NATS.
type Config struct {
	// URL of the NATS server(s), comma-separated; empty starts an embedded
	// server under the data directory.
	URL string `yaml:"url"`
	// Creds is a NATS credentials file (JWT + NKEY seed), optional.
	Creds string `yaml:"creds"`
	// User and Password authenticate with a user name and password
	// (also accepted inside the URL).
	User     string `yaml:"user"`
	Password string `yaml:"password"`
	// TLS: CA file to verify the server with, and a client certificate and
	// key for mutual TLS; any of them turns TLS on.
	TLSCA   string `yaml:"tls_ca"`
	TLSCert string `yaml:"tls_cert"`
	TLSKey  string `yaml:"tls_key"`
	// Replicas of each stream: 1 for a single server, 3 for a 3-node cluster.
	Replicas int `yaml:"replicas"`
}

// Validate checks the config.
func (c Config) Validate() error {
	var errs []error
	if c.Replicas < 0 || c.Replicas > 5 {
		errs = append(errs, fmt.Errorf("nats.replicas: %d is not in 1..5", c.Replicas))
	}
	for key, path := range map[string]string{"nats.creds": c.Creds, "nats.tls_ca": c.TLSCA, "nats.tls_cert": c.TLSCert, "nats.tls_key": c.TLSKey} {
		if path == "" {
			continue
		}
		if _, err := os.Stat(path); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", key, err))
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("nats.tls_cert and nats.tls_key: give both or neither"))
	}
	if c.Password != "" && c.User == "" {
		errs = append(errs, errors.New("nats.password: set without nats.user"))
	}
	return errors.Join(errs...)
}

// URLFile is the file, under a data directory, where `newsflow run` writes
// the client URL of its embedded server, so that other commands given the
// same -data directory can reach it.
const URLFile = "nats.url"

// Bus is a connection to NATS JetStream, and the embedded server if the
// process runs one.
type Bus struct {
	NC  *nats.Conn
	JS  jetstream.JetStream
	srv *server.Server
	log *zap.Logger
	// replicas is what EnsureStreams declared the streams with, for the
	// buckets the runtime creates.
	replicas atomic.Int32
}

// Replicas is the replica count EnsureStreams declared the streams with
// (1 before it is called): KV buckets made by the runtime use the same.
func (b *Bus) Replicas() int { return max(int(b.replicas.Load()), 1) }

// Connect dials the NATS server at cfg.URL.
func Connect(ctx context.Context, cfg Config, name string, log *zap.Logger) (*Bus, error) {
	if cfg.URL == "" {
		return nil, errors.New("connect nats: no url")
	}
	opts := []nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500 * time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected", zap.Error(err))
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			log.Info("nats reconnected", zap.String("server", nc.ConnectedUrlRedacted()))
		}),
	}
	if cfg.Creds != "" {
		opts = append(opts, nats.UserCredentials(cfg.Creds))
	}
	if cfg.User != "" {
		opts = append(opts, nats.UserInfo(cfg.User, cfg.Password))
	}
	if cfg.TLSCA != "" {
		opts = append(opts, nats.RootCAs(cfg.TLSCA))
	}
	if cfg.TLSCert != "" {
		opts = append(opts, nats.ClientCert(cfg.TLSCert, cfg.TLSKey))
	}
	nc, err := nats.Connect(cfg.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect nats %s: %w", redact(cfg.URL), err)
	}
	return newBus(nc, nil, log)
}

// StartEmbedded starts a NATS server with JetStream storing under dir and
// connects to it. The server listens on a free loopback port, written to
// dir/nats.url.
func StartEmbedded(ctx context.Context, dir string, log *zap.Logger) (*Bus, error) {
	srv, err := RunServer(filepath.Join(dir, "jetstream"), -1)
	if err != nil {
		return nil, err
	}
	nc, err := nats.Connect(srv.ClientURL(), nats.Name("newsflow"), nats.InProcessServer(srv), nats.MaxReconnects(-1))
	if err != nil {
		srv.Shutdown()
		return nil, fmt.Errorf("connect embedded nats: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, URLFile), []byte(srv.ClientURL()+"\n"), 0o644); err != nil {
		nc.Close()
		srv.Shutdown()
		return nil, fmt.Errorf("write nats url: %w", err)
	}
	log.Info("embedded nats started", zap.String("url", srv.ClientURL()), zap.String("store_dir", filepath.Join(dir, "jetstream")))
	return newBus(nc, srv, log)
}

// RunServer starts a NATS server with JetStream file storage under
// storeDir on 127.0.0.1:port (-1 for a free port) and waits until it takes
// connections.
func RunServer(storeDir string, port int) (*server.Server, error) {
	if err := os.MkdirAll(storeDir, 0o755); err != nil {
		return nil, fmt.Errorf("nats store dir: %w", err)
	}
	srv, err := server.NewServer(&server.Options{
		ServerName: "newsflow",
		Host:       "127.0.0.1",
		Port:       port,
		JetStream:  true,
		StoreDir:   storeDir,
		MaxPayload: MaxPayload,
		NoLog:      true,
		NoSigs:     true,
	})
	if err != nil {
		return nil, fmt.Errorf("start nats: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, errors.New("start nats: not ready after 10s")
	}
	return srv, nil
}

// MaxPayload is the largest message the embedded server takes; the
// Kubernetes NATS config sets the same.
const MaxPayload = 8 << 20

// ReadURL returns the NATS URL written by the `newsflow run` that uses dir.
func ReadURL(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, URLFile))
	if err != nil {
		return "", fmt.Errorf("no newsflow run found using %s (start `newsflow run -data %s` first): %w", dir, dir, err)
	}
	return strings.TrimSpace(string(b)), nil
}

func newBus(nc *nats.Conn, srv *server.Server, log *zap.Logger) (*Bus, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		if srv != nil {
			srv.Shutdown()
		}
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	return &Bus{NC: nc, JS: js, srv: srv, log: log}, nil
}

// Ready reports whether the connection is up.
func (b *Bus) Ready() error {
	if !b.NC.IsConnected() {
		return fmt.Errorf("nats %s", b.NC.Status())
	}
	return nil
}

// Embedded reports whether the bus runs its own server.
func (b *Bus) Embedded() bool { return b.srv != nil }

// Close drains the connection, then stops the embedded server if any.
func (b *Bus) Close() {
	if err := b.NC.Drain(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		b.log.Warn("nats drain", zap.Error(err))
	}
	deadline := time.Now().Add(10 * time.Second)
	for !b.NC.IsClosed() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	b.NC.Close()
	if b.srv != nil {
		b.srv.Shutdown()
		b.srv.WaitForShutdown()
	}
}

func redact(u string) string {
	if i := strings.Index(u, "@"); i >= 0 {
		if j := strings.Index(u, "://"); j >= 0 && j < i {
			return u[:j+3] + "***" + u[i:]
		}
	}
	return u
}
