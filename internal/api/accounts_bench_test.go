package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// BenchmarkAuthenticatedRequest measures what authentication adds to a
// request: GET /healthz (public, so the handler is the same) anonymous,
// with a personal access token, and with a session cookie, served
// in-process on SQLite. The difference to "anonymous" is the overhead.
func BenchmarkAuthenticatedRequest(b *testing.B) {
	e := newAcctEnv(b, storetest.Open(b, store.SQLite))
	_, token := NewTestUserToken(b, e.acc, "bench@example.com")
	browser, _ := e.signedIn("browser@example.com", goodPassword)
	var cookie string
	for _, c := range browser.hc.Jar.Cookies(mustURL(b, e.URL)) {
		cookie = c.Name + "=" + c.Value
	}
	handler := e.Handler
	for _, bc := range []struct{ name, header, value string }{
		{"anonymous", "", ""},
		{"bearer", "Authorization", "Bearer " + token},
		{"cookie", "Cookie", cookie},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/healthz", nil)
			if bc.header != "" {
				req.Header.Set(bc.header, bc.value)
			}
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				handler.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
