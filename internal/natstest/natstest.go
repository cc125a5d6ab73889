// Package natstest starts a real NATS server with JetStream for tests.
package natstest

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/internal/bus"
)

// Server is a JetStream server on a loopback port with its store in a
// temporary directory.
type Server struct {
	srv      *server.Server
	StoreDir string
	Port     int
}

// Start runs a server for the test and shuts it down at cleanup.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{StoreDir: tb.TempDir(), Port: -1}
	s.start(tb)
	tb.Cleanup(s.Stop)
	return s
}

func (s *Server) start(tb testing.TB) {
	tb.Helper()
	srv, err := bus.RunServer(s.StoreDir, s.Port)
	if err != nil {
		tb.Fatal(err)
	}
	s.srv = srv
	s.Port = srv.Addr().(*net.TCPAddr).Port
}

// URL is the server's client URL.
func (s *Server) URL() string { return s.srv.ClientURL() }

// Stop shuts the server down; it is safe to call twice.
func (s *Server) Stop() {
	if s.srv != nil {
		s.srv.Shutdown()
		s.srv.WaitForShutdown()
	}
}

// Restart stops the server and starts it again on the same port and store,
// as after a crash: what JetStream stored survives.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	s.Stop()
	s.start(tb)
}

// RestartEmpty stops the server and starts it again on the same port with
// an empty store, as a server that lost its disk: streams, consumers and
// messages are gone.
func (s *Server) RestartEmpty(tb testing.TB) {
	tb.Helper()
	s.Stop()
	s.StoreDir = tb.TempDir()
	s.start(tb)
}

// Connect returns a bus connected to the server, with streams declared, and
// closes it at cleanup.
func (s *Server) Connect(tb testing.TB) *bus.Bus {
	tb.Helper()
	log := zap.NewNop()
	if t, ok := tb.(*testing.T); ok {
		log = zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := bus.Connect(ctx, bus.Config{URL: s.URL()}, "test", log)
	if err != nil {
		tb.Fatal(err)
	}
	if err := b.EnsureStreams(ctx, 1); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(b.Close)
	return b
}

// Eventually polls cond every 10ms until it returns nil or the deadline
// passes, then fails the test with cond's last error.
func Eventually(tb testing.TB, timeout time.Duration, cond func() error) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("not true after %s: %v", timeout, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
