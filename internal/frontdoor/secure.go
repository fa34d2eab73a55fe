package frontdoor

import "net/http"

// ContentSecurityPolicy allows only the server's own scripts, styles and
// images (and data: images): pages are server-rendered and load nothing
// from elsewhere, and no inline script or style runs.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// secureHeaders sets the security headers on every answer.
func (d *Door) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// Emailed links carry tokens in their query: never leak them.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		if d.cfg.Secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// crossOriginOK applies cross-origin protection (http.CrossOriginProtection:
// Sec-Fetch-Site, else Origin against Host and the trusted origins) to
// requests that a browser may have sent with our cookie. Safe methods and
// bearer-token requests, which carry no ambient credentials, pass.
func (d *Door) crossOriginOK(r *http.Request) bool {
	if _, ok := BearerToken(r); ok {
		return true
	}
	return d.csrf.Check(r) == nil
}
