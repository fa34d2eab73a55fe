package api

import (
	"context"
	"net/http"
	"time"
)

// healthz answers as long as the process serves HTTP.
func (a *API) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 only when the database is reachable and migrated to
// this binary's schema version, so a load balancer can hold traffic back.
func (a *API) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.store.Ping(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "database unreachable"})
		return
	}
	current, latest, err := a.store.SchemaStatus(ctx)
	if err != nil || current != latest {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "reason": "migrations not applied", "schemaVersion": current, "expected": latest})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "schemaVersion": current})
}
