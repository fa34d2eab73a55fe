package server

import (
	"context"
	"net/http"
	"time"

	"github.com/resonant-journal/resonant/internal/frontdoor"
	"github.com/resonant-journal/resonant/internal/store"
)

// healthz answers as long as the process serves HTTP.
func healthz(w http.ResponseWriter, _ *http.Request) {
	frontdoor.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 only when the database is reachable and migrated to
// this binary's schema version, so a load balancer can hold traffic back.
func readyz(st *store.Store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := st.Ping(ctx); err != nil {
			frontdoor.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "database unreachable"})
			return
		}
		current, latest, err := st.SchemaStatus(ctx)
		if err != nil || current != latest {
			frontdoor.WriteJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "reason": "migrations not applied", "schemaVersion": current, "expected": latest})
			return
		}
		frontdoor.WriteJSON(w, http.StatusOK, map[string]any{"status": "ready", "schemaVersion": current})
	}
}
