package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
