// Package api is Resonant's JSON API under /api/v1 (see shared/API.md). It
// turns HTTP into service calls and service errors into the API's error
// format; the services themselves know nothing of HTTP.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/store"
)

// Config holds the API's dependencies.
type Config struct {
	Store  *store.Store
	Logger *slog.Logger
	// Accounts authenticates requests and serves /auth and /me; when nil
	// every protected route answers 401.
	Accounts *accounts.Service
	// Session configures the session cookie and its lifetimes.
	Session SessionConfig
	// Journal serves relationships, entries and analysis statuses.
	Journal *journal.Service
	// Clerk, when set, accepts Clerk session JWTs as bearer tokens and
	// serves POST /webhooks/clerk (Clerk mode).
	Clerk *accounts.Clerk
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed when working out a client's address (for rate limits).
	TrustedProxies []netip.Prefix
}

// API serves the JSON endpoints.
type API struct {
	store   *store.Store
	log     *slog.Logger
	mux     *http.ServeMux
	auth    authState
	journal *journal.Service
	clerk   *accounts.Clerk
	proxies []netip.Prefix
}

// New builds the API and its route table.
func New(cfg Config) *API {
	a := &API{store: cfg.Store, log: cfg.Logger, mux: http.NewServeMux(), journal: cfg.Journal, clerk: cfg.Clerk, proxies: cfg.TrustedProxies}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.routes()
	a.setupAuth(cfg.Accounts, cfg.Session)
	return a
}

// ServeHTTP implements http.Handler.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.auth.handler.ServeHTTP(w, r) }

type ctxKey int

const userIDKey ctxKey = iota

// WithUserID returns ctx carrying the authenticated user's id.
func WithUserID(ctx context.Context, userID string) context.Context {
	return context.WithValue(ctx, userIDKey, userID)
}

// UserID returns the authenticated user's id, or "" when unauthenticated.
func UserID(ctx context.Context) string {
	id, _ := ctx.Value(userIDKey).(string)
	return id
}
