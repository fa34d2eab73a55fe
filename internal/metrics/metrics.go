// Package metrics exposes Resonant's Prometheus metrics: HTTP traffic,
// analysis outcomes, real-time delivery, and the Go runtime and process.
//
// The exposition is written by github.com/VictoriaMetrics/metrics in the
// Prometheus text format (series, no HELP lines). It replaced the
// Prometheus client library, whose protobuf descriptors and collectors
// cost ~2.5 MiB of a fresh server's resident memory against a 30 MiB idle
// budget (a probe binary: +2.5 MiB file-backed and +0.5 MiB anonymous RSS
// over net/http alone, against +0.5 MiB for this library).
package metrics

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	vm "github.com/VictoriaMetrics/metrics"

	"github.com/resonant-journal/resonant/internal/store"
)

// durationBuckets are the request-latency histogram's upper bounds, seconds.
var durationBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}

// methods are the request methods counted by name; any other is "other".
var methods = []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete,
	http.MethodHead, http.MethodOptions, "other"}

// Metrics holds one process's series in its own set (nothing is registered
// globally, so tests can create as many as they like). The series a request
// touches are made up front: counting one is a map-free atomic add.
type Metrics struct {
	set *vm.Set
	// resonant_http_requests_total{code, method}: HTTP requests answered,
	// by status class ("2xx") and method.
	requests map[string]*[5]*vm.Counter
	// resonant_http_request_duration_seconds{method}: time to answer a
	// request (event streams excluded).
	durations map[string]*vm.PrometheusHistogram
	realtime  *Realtime
}

// New makes the series.
func New() *Metrics {
	m := &Metrics{
		set:       vm.NewSet(),
		requests:  make(map[string]*[5]*vm.Counter, len(methods)),
		durations: make(map[string]*vm.PrometheusHistogram, len(methods)),
	}
	for _, method := range methods {
		var byClass [5]*vm.Counter
		for i := range byClass {
			byClass[i] = m.set.NewCounter(fmt.Sprintf(`resonant_http_requests_total{code="%dxx",method=%q}`, i+1, method))
		}
		m.requests[method] = &byClass
		m.durations[method] = m.set.NewPrometheusHistogramExt(fmt.Sprintf(`resonant_http_request_duration_seconds{method=%q}`, method), durationBuckets)
	}
	m.realtime = newRealtime(m.set)
	return m
}

// Handler serves the exposition: this process's series, then the Go
// runtime's and the process's (go_*, process_*).
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		m.set.WritePrometheus(w)
		vm.WriteProcessMetrics(w)
	})
}

// AnalysisStatus counts one committed analysis status change
// (resonant_analysis_status_changes_total{status}).
func (m *Metrics) AnalysisStatus(status string) {
	m.set.GetOrCreateCounter(`resonant_analysis_status_changes_total{status=` + strconv.Quote(status) + `}`).Inc()
}

// Committed counts the events of a committed transaction by type
// (resonant_events_committed_total{type}), and the analysis status
// changes among them. It is the store's after-commit hook's companion.
func (m *Metrics) Committed(events []store.Event) {
	for _, e := range events {
		m.set.GetOrCreateCounter(`resonant_events_committed_total{type=` + strconv.Quote(e.Type) + `}`).Inc()
		if d, ok := e.Data.(store.AnalysisStatusData); ok && e.Type == store.EventAnalysisStatus {
			m.AnalysisStatus(d.Status)
		}
	}
}

// Instrument counts and times every request by method and status class;
// paths are never labels (ids would make the series unbounded).
func (m *Metrics) Instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		byClass, ok := m.requests[r.Method]
		method := r.Method
		if !ok {
			byClass, method = m.requests["other"], "other"
		}
		if class := rec.code/100 - 1; class >= 0 && class < len(byClass) {
			byClass[class].Inc()
		}
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/event-stream") { // a stream's length is not a latency
			m.durations[method].Update(time.Since(start).Seconds())
		}
	})
}

// statusRecorder remembers the status code a handler wrote.
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

// Unwrap lets http.ResponseController reach the underlying writer (flushing
// event streams, deadlines).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
