package telemetry

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Outcomes of handling one message, the values of the "outcome" label.
const (
	OutcomeOK         = "ok"         // handled and acked
	OutcomeRetry      = "retry"      // transient failure, nak'ed with backoff
	OutcomeDeadLetter = "deadletter" // sent to news.dlq.<stage>
	OutcomeDuplicate  = "duplicate"  // publish deduplicated by JetStream
)

// NewRegistry returns a registry with the Go and process collectors.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// StageMetrics are the consume loop's metrics, labelled by stage.
type StageMetrics struct {
	In       *prometheus.CounterVec   // messages received, by stage
	Out      *prometheus.CounterVec   // messages published, by stage
	Handled  *prometheus.CounterVec   // outcomes, by stage and outcome
	Duration *prometheus.HistogramVec // handler duration, by stage
	InFlight *prometheus.GaugeVec     // messages being handled, by stage
}

// NewStageMetrics registers the consume loop's metrics with reg.
func NewStageMetrics(reg prometheus.Registerer) *StageMetrics {
	f := promauto.With(reg)
	return &StageMetrics{
		In: f.NewCounterVec(prometheus.CounterOpts{
			Name: "newsflow_messages_in_total", Help: "Messages received by a stage.",
		}, []string{"stage"}),
		Out: f.NewCounterVec(prometheus.CounterOpts{
			Name: "newsflow_messages_out_total", Help: "Messages published by a stage.",
		}, []string{"stage"}),
		Handled: f.NewCounterVec(prometheus.CounterOpts{
			Name: "newsflow_messages_total", Help: "Messages handled by a stage, by outcome (ok, retry, deadletter).",
		}, []string{"stage", "outcome"}),
		Duration: f.NewHistogramVec(prometheus.HistogramOpts{
			Name: "newsflow_handle_duration_seconds", Help: "Time a stage's handler took per message or batch.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}, []string{"stage"}),
		InFlight: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "newsflow_in_flight", Help: "Messages a stage is handling now.",
		}, []string{"stage"}),
	}
}
