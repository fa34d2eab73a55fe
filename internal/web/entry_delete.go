package web

import "net/http"

// entryDelete is POST /entries/{id}/delete (its analysis goes with it).
func (w *Web) entryDelete(rw http.ResponseWriter, r *http.Request) {
	if err := w.journal.DeleteEntry(r.Context(), w.userID(r.Context()), r.PathValue("id")); err != nil {
		w.failPage(rw, r, err)
		return
	}
	w.redirect(rw, r, "/entries", "entry-deleted")
}
