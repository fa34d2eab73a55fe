package api

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/resonant-journal/resonant/internal/accounts"
)

// SessionConfig configures the session cookie and its lifetimes.
type SessionConfig struct {
	// Secure marks the cookie Secure; set it when the public base URL is https.
	Secure bool
	// IdleTimeout signs a session out after this long without a request;
	// zero means 7 days.
	IdleTimeout time.Duration
	// Lifetime is the absolute limit from sign-in; zero means 30 days.
	Lifetime time.Duration
	// TrustedOrigins are origins (scheme://host[:port]) allowed to send
	// cookie-authenticated writes besides the request's own host, e.g. the
	// public base URL behind a proxy.
	TrustedOrigins []string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// SessionCookieName is the session cookie's name.
const SessionCookieName = "resonant_session"

// seenEvery is how often a session's last-seen time is rewritten: the
// idle timeout is exact to within this, and an active session costs one
// write per interval rather than one per request.
const seenEvery = time.Minute

// authState is what the authentication middleware needs.
type authState struct {
	accounts *accounts.Service
	sessions *scs.SessionManager
	cfg      SessionConfig
	csrf     *http.CrossOriginProtection
	handler  http.Handler
}

// setupAuth builds the middleware chain around the route table: security
// headers, CSRF protection for cookie requests, sessions, authentication.
func (a *API) setupAuth(acc *accounts.Service, cfg SessionConfig) {
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 7 * 24 * time.Hour
	}
	if cfg.Lifetime == 0 {
		cfg.Lifetime = 30 * 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	st := &a.auth
	st.accounts, st.cfg = acc, cfg
	st.csrf = http.NewCrossOriginProtection()
	for _, o := range cfg.TrustedOrigins {
		if err := st.csrf.AddTrustedOrigin(o); err != nil {
			a.log.Warn("ignoring trusted origin", slog.String("origin", o), slog.Any("err", err))
		}
	}
	st.csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusForbidden, "cross_origin", "cross-origin request refused", nil)
	}))
	var h http.Handler = http.HandlerFunc(a.authenticate)
	if acc != nil {
		sm := scs.New()
		sm.Store = acc.NewSessionStore(sm.Codec)
		sm.HashTokenInStore = true // a leaked sessions table holds no usable cookie
		// The idle timeout is enforced by authenticate (with a write at most
		// once a minute), not by scs, which would rewrite the session on
		// every request.
		sm.IdleTimeout = 0
		sm.Lifetime = cfg.Lifetime
		sm.Cookie.Name = SessionCookieName
		sm.Cookie.HttpOnly = true
		sm.Cookie.SameSite = http.SameSiteLaxMode
		sm.Cookie.Secure = cfg.Secure
		sm.Cookie.Path = "/"
		sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) { a.writeServiceError(w, r, err) }
		st.sessions = sm
		h = sm.LoadAndSave(h)
	}
	st.handler = a.secure(h)
}

// secure sets the security headers and applies CSRF protection to
// requests that a browser may have sent with our cookie. Bearer-token
// requests and signed webhooks carry no ambient credentials, so they pass.
func (a *API) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// Emailed links carry tokens in their query: never leak them.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		if a.auth.cfg.Secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if _, ok := bearerToken(r); !ok && !strings.HasPrefix(r.URL.Path, "/api/v1/webhooks/") {
			if err := a.auth.csrf.Check(r); err != nil {
				writeError(w, http.StatusForbidden, "cross_origin", "cross-origin request refused", nil)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// authenticate identifies the user (a bearer token first: a Clerk session
// JWT in Clerk mode or a personal access token; else the session cookie),
// sets WithUserID, and turns away unauthenticated requests to protected
// paths: 401 JSON under /api/, a redirect to the sign-in page elsewhere.
func (a *API) authenticate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	userID := UserID(ctx) // already set by an outer layer (tests)
	var authErr error
	if userID == "" && a.auth.accounts != nil {
		var err error
		if raw, ok := bearerToken(r); ok {
			userID, err = a.bearerUser(ctx, raw) // a Clerk session JWT or a personal access token
		} else {
			userID, err = a.sessionUser(r)
		}
		if err != nil && !errors.Is(err, accounts.ErrUnauthenticated) {
			a.writeServiceError(w, r, err)
			return
		}
		authErr = err
		if userID != "" {
			r = r.WithContext(WithUserID(ctx, userID))
		}
	}
	if userID == "" && !isPublicPath(r.URL.Path) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="resonant"`)
			writeError(w, http.StatusUnauthorized, "unauthenticated", "sign in or send a personal access token", invalidTokenFields(authErr))
			return
		}
		target := "/signin"
		if r.Method == http.MethodGet {
			target += "?next=" + url.QueryEscape(r.URL.RequestURI())
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	a.mux.ServeHTTP(w, r)
}

// sessionUser returns the user of the request's session, enforcing the
// idle timeout and revocation (the session epoch), and refreshing the
// last-seen time at most once a minute.
func (a *API) sessionUser(r *http.Request) (string, error) {
	sm := a.auth.sessions
	ctx := r.Context()
	userID := sm.GetString(ctx, accounts.SessionUserKey)
	if userID == "" {
		return "", nil
	}
	now := a.auth.cfg.Now()
	seen := time.Unix(sm.GetInt64(ctx, accounts.SessionSeenKey), 0)
	if now.Sub(seen) > a.auth.cfg.IdleTimeout {
		return "", a.destroySession(r)
	}
	err := a.auth.accounts.AuthenticateSession(ctx, userID, sm.GetInt64(ctx, accounts.SessionEpochKey))
	if errors.Is(err, accounts.ErrUnauthenticated) {
		return "", a.destroySession(r)
	}
	if err != nil {
		return "", err
	}
	if now.Sub(seen) >= seenEvery {
		sm.Put(ctx, accounts.SessionSeenKey, now.Unix())
	}
	return userID, nil
}

func (a *API) destroySession(r *http.Request) error {
	if err := a.auth.sessions.Destroy(r.Context()); err != nil {
		return err
	}
	return accounts.ErrUnauthenticated
}

// startSession signs the request's session in to u: a new session token
// (so a token planted before sign-in is worthless) carrying the user's id
// and session epoch.
func (a *API) startSession(r *http.Request, u accounts.User) error {
	sm := a.auth.sessions
	ctx := r.Context()
	if err := sm.RenewToken(ctx); err != nil {
		return err
	}
	sm.Put(ctx, accounts.SessionUserKey, u.ID)
	sm.Put(ctx, accounts.SessionEpochKey, u.SessionEpoch)
	sm.Put(ctx, accounts.SessionSeenKey, a.auth.cfg.Now().Unix())
	return nil
}

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return "", false
	}
	return strings.TrimSpace(h[7:]), true
}

// publicPaths answer without authentication; a trailing slash matches a
// whole subtree.
var publicPaths = []string{
	"/", "/signin", "/signup", "/verify", "/reset", "/forgot", "/static/", "/favicon.ico", "/robots.txt",
	"/healthz", "/readyz", "/metrics",
	"/api/v1/auth/", "/api/v1/webhooks/",
}

func isPublicPath(p string) bool {
	for _, pub := range publicPaths {
		if p == pub || (strings.HasSuffix(pub, "/") && pub != "/" && strings.HasPrefix(p, pub)) {
			return true
		}
	}
	return false
}

// clientIP is the peer address. X-Forwarded-For is not trusted: behind a
// proxy every client shares the proxy's limits until a trusted-proxy
// setting exists.
func (a *API) clientIP(r *http.Request) string {
	return ClientIP(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), a.proxies)
}

// ClientIP is the address a request came from. When the connection comes
// from a trusted proxy, X-Forwarded-For is read from the right, skipping
// trusted proxies, and the first other address wins: entries further left
// were written by the client and cannot be believed. Without trusted
// proxies the header is ignored, so nobody can pick their own rate-limit key.
func ClientIP(remoteAddr string, forwardedFor []string, trusted []netip.Prefix) string {
	host := remoteAddr
	if h, _, err := net.SplitHostPort(remoteAddr); err == nil {
		host = h
	}
	isTrusted := func(s string) bool {
		ip, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil {
			return false
		}
		ip = ip.Unmap()
		for _, p := range trusted {
			if p.Contains(ip) {
				return true
			}
		}
		return false
	}
	if !isTrusted(host) {
		return host
	}
	var hops []string
	for _, v := range forwardedFor {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if hop == "" {
			continue
		}
		if _, err := netip.ParseAddr(hop); err != nil {
			return host // malformed: fall back to the proxy itself
		}
		if !isTrusted(hop) {
			return hop
		}
	}
	return host
}
