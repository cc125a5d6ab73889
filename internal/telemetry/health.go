package telemetry

import (
	"net/http"
	"net/http/pprof"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Health tracks whether the process is alive and ready. Components register
// readiness checks; the process marks itself stopping on shutdown so that
// /readyz turns 503 before work drains.
type Health struct {
	mu       sync.Mutex
	checks   map[string]func() error
	stopping bool
}

// NewHealth returns a Health with no checks.
func NewHealth() *Health { return &Health{checks: map[string]func() error{}} }

// AddCheck registers a readiness check under name; it is ready when check
// returns nil.
func (h *Health) AddCheck(name string, check func() error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.checks[name] = check
}

// SetStopping marks the process as shutting down: not ready any more.
func (h *Health) SetStopping() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stopping = true
}

// Ready returns nil when every check passes and the process is not stopping.
func (h *Health) Ready() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopping {
		return errStopping
	}
	for name, check := range h.checks {
		if err := check(); err != nil {
			return &checkError{name: name, err: err}
		}
	}
	return nil
}

type checkError struct {
	name string
	err  error
}

func (e *checkError) Error() string { return e.name + ": " + e.err.Error() }

type stoppingError struct{}

func (stoppingError) Error() string { return "shutting down" }

var errStopping = stoppingError{}

// Routes registers /metrics, /healthz and /readyz on mux.
func (h *Health) Routes(mux *http.ServeMux, gatherer prometheus.Gatherer) {
	mux.Handle("GET /metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := h.Ready(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready: " + err.Error() + "\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
}

// ProfilingRoutes registers Go's runtime profiles under /debug/pprof/ on
// mux. They expose stacks and memory contents, so they are off unless the
// operator asks for them, and the listener should then be private.
func ProfilingRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
}
