package frontdoor_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/resonant-journal/resonant/internal/frontdoor"
)

// TestRouterMarksEachRoute checks what each kind of route does with a
// visitor who is not signed in, a signed-in user, and a cross-site cookie
// write, on the API and the page routers sharing one mux.
func TestRouterMarksEachRoute(t *testing.T) {
	door := frontdoor.New(frontdoor.Config{})
	mux := http.NewServeMux()
	ok := func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok " + frontdoor.UserID(r.Context())))
	}
	apiRT, pages := door.APIRouter(mux), door.PageRouter(mux)
	apiRT.Public("/api/open", ok)
	apiRT.Protected("/api/closed", ok)
	apiRT.Signed("POST /api/hook", ok)
	pages.Public("/about", ok)
	pages.Protected("/dashboard", ok)
	h := door.Wrap(mux)
	asUser := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(frontdoor.WithUserID(r.Context(), "u1")))
		})
	}
	cases := []struct {
		name, method, path  string
		signedIn, crossSite bool
		wantStatus          int
		wantBody, wantLoc   string
	}{
		{"public API route", "GET", "/api/open", false, false, 200, "ok ", ""},
		{"protected API route, visitor", "GET", "/api/closed", false, false, 401, `"code":"unauthenticated"`, ""},
		{"protected API route, user", "GET", "/api/closed", true, false, 200, "ok u1", ""},
		{"protected page, visitor GET", "GET", "/dashboard?x=1", false, false, 303, "", "/signin?next=%2Fdashboard%3Fx%3D1"},
		{"protected page, visitor POST", "POST", "/dashboard", false, false, 303, "", "/signin"},
		{"protected page, user", "GET", "/dashboard", true, false, 200, "ok u1", ""},
		{"public page", "GET", "/about", false, false, 200, "ok ", ""},
		{"cross-site write to an API route", "POST", "/api/closed", true, true, 403, `"code":"cross_origin"`, ""},
		{"cross-site write to a page", "POST", "/about", false, true, 403, "cross-origin request refused", ""},
		{"cross-site read passes", "GET", "/about", false, true, 200, "ok ", ""},
		{"signed route skips cross-origin checks", "POST", "/api/hook", false, true, 200, "ok ", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.crossSite {
				req.Header.Set("Sec-Fetch-Site", "cross-site")
				req.Header.Set("Origin", "https://evil.example")
			}
			var hh = h
			if tc.signedIn {
				hh = asUser(h)
			}
			w := httptest.NewRecorder()
			hh.ServeHTTP(w, req)
			if w.Code != tc.wantStatus || !strings.Contains(w.Body.String(), tc.wantBody) || w.Header().Get("Location") != tc.wantLoc {
				t.Fatalf("%s %s = %d %q Location %q, want %d %q %q", tc.method, tc.path, w.Code, w.Body, w.Header().Get("Location"), tc.wantStatus, tc.wantBody, tc.wantLoc)
			}
			if w.Header().Get("Content-Security-Policy") != frontdoor.ContentSecurityPolicy || w.Header().Get("X-Frame-Options") != "DENY" {
				t.Fatalf("security headers missing: %v", w.Header())
			}
		})
	}
}
