package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// TestServeAnswersHealthAndStopsGracefully runs the whole server on each
// engine: it migrates, answers /healthz and /readyz, stops on cancel, and
// releases the database.
func TestServeAnswersHealthAndStopsGracefully(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			opts := storetest.Options(t, e)
			srv := startServer(t, opts, "10s")
			addr, cancel, done := srv.addr, srv.cancel, srv.done
			for _, path := range []string{"/healthz", "/readyz"} {
				res, err := http.Get("http://" + addr + path)
				if err != nil {
					t.Fatal(err)
				}
				var body map[string]any
				_ = json.NewDecoder(res.Body).Decode(&body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Fatalf("GET %s = %d %v", path, res.StatusCode, body)
				}
			}
			res, err := http.Get("http://" + addr + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			metricsBody, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || !strings.Contains(string(metricsBody), `resonant_http_requests_total{code="2xx",method="GET"} 2`) {
				t.Fatalf("GET /metrics = %d, want the two health checks counted:\n%.2000s", res.StatusCode, metricsBody)
			}
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("Run returned %v after a graceful stop", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("server did not stop")
			}
			if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
				t.Fatal("server still accepts connections after stopping")
			}
			if e == store.SQLite {
				// The data-directory lock is released: a new process may open it.
				s, err := store.Open(context.Background(), store.Options{DataDir: opts.DataDir})
				if err != nil {
					t.Fatalf("reopen after stop: %v", err)
				}
				_ = s.Close()
			}
		})
	}
}
