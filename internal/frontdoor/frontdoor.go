// Package frontdoor is what every HTTP front door of Resonant shares: the
// JSON API (internal/api), the web pages (internal/web) and the event
// stream (internal/realtime). It owns sessions, security headers and the
// Content-Security-Policy, cross-origin protection for cookie requests,
// authentication (session cookie, personal access token, Clerk session
// JWT) putting the user in the request context, the client's address, and
// the classification of service errors into HTTP answers.
//
// A Door wraps the whole route table (Wrap); routes are registered through
// a Router, which marks each one public, protected or signed where it is
// registered.
package frontdoor

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/store"
)

// Config holds a Door's dependencies.
type Config struct {
	// Store keeps the sessions table; required when Accounts is set.
	Store *store.Store
	// Accounts authenticates requests; when nil nobody is signed in and
	// every protected route turns requests away.
	Accounts *accounts.Service
	// Clerk, when set, accepts Clerk session JWTs as bearer tokens.
	Clerk *accounts.Clerk
	// Session configures the session cookie and its lifetimes.
	Session SessionConfig
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed when working out a client's address (for rate limits).
	TrustedProxies []netip.Prefix
	Logger         *slog.Logger
}

// Door is the shared HTTP shell. Build one with New.
type Door struct {
	accounts *accounts.Service
	clerk    *accounts.Clerk
	sessions *scs.SessionManager // nil without accounts
	cfg      SessionConfig
	csrf     *http.CrossOriginProtection
	proxies  []netip.Prefix
	log      *slog.Logger
}

// New builds a Door.
func New(cfg Config) *Door {
	sc := cfg.Session
	if sc.IdleTimeout == 0 {
		sc.IdleTimeout = 7 * 24 * time.Hour
	}
	if sc.Lifetime == 0 {
		sc.Lifetime = 30 * 24 * time.Hour
	}
	if sc.Now == nil {
		sc.Now = time.Now
	}
	d := &Door{accounts: cfg.Accounts, clerk: cfg.Clerk, cfg: sc, proxies: cfg.TrustedProxies, log: cfg.Logger}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	d.csrf = http.NewCrossOriginProtection()
	for _, o := range sc.TrustedOrigins {
		if err := d.csrf.AddTrustedOrigin(o); err != nil {
			d.log.Warn("ignoring trusted origin", slog.String("origin", o), slog.Any("err", err))
		}
	}
	if cfg.Accounts != nil {
		d.sessions = d.newSessionManager(cfg.Store)
	}
	return d
}

// Wrap puts the shell around the route table: security headers on every
// answer, the session loaded (and saved after the handler), and the
// caller identified. Identification never turns a request away (beyond a
// failing database); the Router's protected routes do.
func (d *Door) Wrap(routes http.Handler) http.Handler {
	h := d.identify(routes)
	if d.sessions != nil {
		h = d.sessions.LoadAndSave(h)
	}
	return d.secureHeaders(h)
}

// Accounts is the accounts service, nil when the server runs without
// built-in accounts.
func (d *Door) Accounts() *accounts.Service { return d.accounts }

// Logger is the Door's logger.
func (d *Door) Logger() *slog.Logger { return d.log }

type ctxKey int

const identityKey ctxKey = iota

// identity is who a request comes from, as identify found out.
type identity struct {
	userID string
	// authErr is why a presented credential was refused (for the 401
	// answer); nil when none was presented or it was good.
	authErr error
	// viaSession is set when the session cookie identified the user.
	viaSession bool
}

// WithUserID returns ctx carrying the authenticated user's id. The Door
// sets it; tests may set it around the Door, which then believes it.
func WithUserID(ctx context.Context, userID string) context.Context {
	return context.WithValue(ctx, identityKey, identity{userID: userID})
}

// UserID returns the authenticated user's id, or "" when unauthenticated.
func UserID(ctx context.Context) string {
	id, _ := ctx.Value(identityKey).(identity)
	return id.userID
}

func authError(ctx context.Context) error {
	id, _ := ctx.Value(identityKey).(identity)
	return id.authErr
}
