// Package api is Resonant's JSON API under /api/v1 (see shared/API.md). It
// turns HTTP into service calls and service errors into the API's error
// format; the services themselves know nothing of HTTP. Sessions,
// authentication, security headers and error classification come from
// internal/frontdoor; the server's route table mounts the API with Mount.
package api

import (
	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/frontdoor"
	"github.com/resonant-journal/resonant/internal/insight"
	"github.com/resonant-journal/resonant/internal/journal"
)

// Config holds the API's dependencies.
type Config struct {
	// Door is the shared HTTP shell: who is signed in, sessions, client
	// addresses, error answers. Its accounts service (nil: no built-in
	// accounts) serves /auth and /me.
	Door *frontdoor.Door
	// Journal serves relationships, entries and analysis statuses.
	Journal *journal.Service
	// Insight serves health scores, insights, trends, the dashboard and the
	// reminder unsubscribe link; when nil those routes are not mounted.
	Insight *insight.Service
	// Clerk, when set, serves POST /webhooks/clerk (Clerk mode).
	Clerk *accounts.Clerk
}

// API serves the JSON endpoints.
type API struct {
	door     *frontdoor.Door
	accounts *accounts.Service
	journal  *journal.Service
	insight  *insight.Service
	clerk    *accounts.Clerk
}

// New builds the API; Mount registers its routes.
func New(cfg Config) *API {
	return &API{door: cfg.Door, accounts: cfg.Door.Accounts(), journal: cfg.Journal, insight: cfg.Insight, clerk: cfg.Clerk}
}
