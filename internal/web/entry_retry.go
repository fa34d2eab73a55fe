package web

import (
	"errors"
	"net/http"

	"github.com/resonant-journal/resonant/internal/store"
)

// entryRetry is POST /entries/{id}/retry: queue a failed analysis again.
// An analysis already queued or running is left alone.
func (w *Web) entryRetry(rw http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	_, err := w.journal.RetryAnalysis(r.Context(), w.userID(r.Context()), id)
	if err != nil && !errors.Is(err, store.ErrConflict) {
		w.failPage(rw, r, err)
		return
	}
	w.redirect(rw, r, "/entries/"+id, "retry-queued")
}
