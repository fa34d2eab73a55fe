package web

import (
	"net/http"

	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/validate"
)

// entryPrivate is POST /entries/{id}/private with isPrivate=on|off: the
// entry page's quick toggle. It names the state wanted, not a flip, so a
// repeated or late request cannot undo itself. Making an entry private
// does not analyse it again. A script's request (live.js's optimistic
// toggle) is answered 204, or with the reason it was refused.
func (w *Web) entryPrivate(rw http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var private bool
	switch r.PostFormValue("isPrivate") {
	case "on":
		private = true
	case "off":
	default:
		w.actionFailed(rw, r, validate.Errors{"isPrivate": "must be on or off"})
		return
	}
	if _, err := w.journal.UpdateEntry(r.Context(), w.userID(r.Context()), id, journal.EntryInput{IsPrivate: &private}); err != nil {
		w.actionFailed(rw, r, err)
		return
	}
	flash := "private-off"
	if private {
		flash = "private-on"
	}
	w.done(rw, r, "/entries/"+id, flash)
}
