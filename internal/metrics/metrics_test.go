package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
)

func TestInstrumentedRequestsAndAnalysesAppearInTheExposition(t *testing.T) {
	m := New()
	h := m.Instrument(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	for _, p := range []string{"/a", "/b", "/missing"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	m.AnalysisStatus("completed")
	m.AnalysisStatus("fallback")
	m.AnalysisStatus("fallback")

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`resonant_http_requests_total{code="2xx",method="GET"} 2`,
		`resonant_http_requests_total{code="4xx",method="GET"} 1`,
		`resonant_http_request_duration_seconds_count{method="GET"} 3`,
		`resonant_analysis_status_changes_total{status="fallback"} 2`,
		`go_goroutines`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
	if strings.Contains(body, "/missing") {
		t.Error("paths leak into labels")
	}
}

func TestCommittedEventsAreCountedByTypeAndAnalysisStatus(t *testing.T) {
	m := New()
	m.Committed([]store.Event{
		{Type: store.EventEntryCreated},
		{Type: store.EventAnalysisStatus, Data: store.AnalysisStatusData{Status: "queued"}},
		{Type: store.EventAnalysisStatus, Data: store.AnalysisStatusData{Status: "completed"}},
	})
	m.Committed([]store.Event{{Type: store.EventAnalysisStatus, Data: store.AnalysisStatusData{Status: "completed"}}})

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`resonant_events_committed_total{type="entry.created"} 1`,
		`resonant_events_committed_total{type="analysis.status"} 3`,
		`resonant_analysis_status_changes_total{status="queued"} 1`,
		`resonant_analysis_status_changes_total{status="completed"} 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
}

func TestRealtimeMetricsAreExposed(t *testing.T) {
	m := New()
	rt := m.Realtime()
	rt.StreamOpened()
	rt.StreamOpened()
	rt.StreamClosed()
	rt.EventsDelivered(3)
	rt.SlowClientDropped()
	rt.DeliveryLag(20 * time.Millisecond)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		"resonant_realtime_streams_open 1",
		"resonant_realtime_events_delivered_total 3",
		"resonant_realtime_slow_clients_dropped_total 1",
		"resonant_realtime_delivery_lag_seconds_count 1",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
