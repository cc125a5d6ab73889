package telemetry

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthRoutes(t *testing.T) {
	h := NewHealth()
	reg := NewRegistry()
	m := NewStageMetrics(reg)
	m.Handled.WithLabelValues("clean", OutcomeOK).Inc()
	mux := http.NewServeMux()
	h.Routes(mux, reg)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz = %d; want 200 with no checks", code)
	}
	var broken error = errors.New("nats disconnected")
	h.AddCheck("nats", func() error { return broken })
	if code, body := get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "nats: nats disconnected") {
		t.Errorf("/readyz = %d %q; want 503 naming the failed check", code, body)
	}
	broken = nil
	if code, _ := get("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz = %d after the check recovered; want 200", code)
	}
	h.SetStopping()
	if code, body := get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "shutting down") {
		t.Errorf("/readyz while stopping = %d %q; want 503", code, body)
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz while stopping = %d; want 200 (alive)", code)
	}
	if code, body := get("/metrics"); code != http.StatusOK || !strings.Contains(body, `newsflow_messages_total{outcome="ok",stage="clean"} 1`) || !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics = %d, missing stage or Go metrics:\n%s", code, body)
	}
}

func TestLogConfig(t *testing.T) {
	for _, c := range []LogConfig{{}, {Level: "debug", Format: "json"}, {Level: "warn", Format: "console"}} {
		if _, err := NewLogger(c); err != nil {
			t.Errorf("NewLogger(%+v): %v", c, err)
		}
	}
	for _, c := range []LogConfig{{Level: "loud"}, {Format: "xml"}} {
		if _, err := NewLogger(c); err == nil {
			t.Errorf("NewLogger(%+v) = nil error; want one naming the key", c)
		}
	}
}
