// Package metrics exposes Resonant's Prometheus metrics: HTTP traffic,
// analysis outcomes, and the Go runtime and process.
package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/resonant-journal/resonant/internal/store"
)

// Metrics holds one process's collectors in its own registry (no global
// state, so tests can create as many as they like).
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	durations *prometheus.HistogramVec
	analyses  *prometheus.CounterVec
	events    *prometheus.CounterVec
	realtime  *Realtime
}

// New registers the collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "resonant_http_requests_total", Help: "HTTP requests answered, by method and status class.",
		}, []string{"method", "code"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "resonant_http_request_duration_seconds", Help: "Time to answer an HTTP request (streams excluded).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method"}),
		analyses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "resonant_analysis_status_changes_total", Help: "Analysis status changes committed, by new status.",
		}, []string{"status"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "resonant_events_committed_total", Help: "Real-time events committed, by type.",
		}, []string{"type"}),
	}
	m.realtime = newRealtime(m.reg)
	m.reg.MustRegister(m.requests, m.durations, m.analyses, m.events,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// AnalysisStatus counts a committed analysis status change.
func (m *Metrics) AnalysisStatus(status string) { m.analyses.WithLabelValues(status).Inc() }

// Committed counts the events of a committed transaction; it is a
// store.EventHook (it only increments counters, so it never blocks).
func (m *Metrics) Committed(events []store.Event) {
	for _, e := range events {
		m.events.WithLabelValues(e.Type).Inc()
		if d, ok := e.Data.(store.AnalysisStatusData); ok && e.Type == store.EventAnalysisStatus {
			m.AnalysisStatus(d.Status)
		}
	}
}

// Instrument counts and times every request through next. Labels stay
// low-cardinality: method and status class, never the path (which holds ids).
func (m *Metrics) Instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		method := r.Method
		switch method {
		case http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete, http.MethodHead, http.MethodOptions:
		default:
			method = "other"
		}
		m.requests.WithLabelValues(method, strconv.Itoa(rec.code/100)+"xx").Inc()
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/event-stream") { // a stream's length is not a latency
			m.durations.WithLabelValues(method).Observe(time.Since(start).Seconds())
		}
	})
}

type statusRecorder struct {
	http.ResponseWriter
	code        int
	wroteHeader bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wroteHeader {
		s.code, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer
// (flushing for streams, deadlines).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
