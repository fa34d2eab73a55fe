package web

import (
	"errors"
	"net/http"

	"github.com/resonant-journal/resonant/internal/store"
)

// entryRetry is POST /entries/{id}/retry: queue a failed analysis again.
// An analysis already queued or running is left alone. A script's request
// (live.js's optimistic retry) is answered 204, or 404 when the entry is
// gone.
func (w *Web) entryRetry(rw http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	_, err := w.journal.RetryAnalysis(r.Context(), w.userID(r.Context()), id)
	if err != nil && !errors.Is(err, store.ErrConflict) {
		w.actionFailed(rw, r, err)
		return
	}
	w.done(rw, r, "/entries/"+id, "retry-queued")
}
