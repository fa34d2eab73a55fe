package web

import "net/http"

// signOut is POST /signout: end this browser's session.
func (w *Web) signOut(rw http.ResponseWriter, r *http.Request) {
	if err := w.door.EndSession(r); err != nil {
		w.failPage(rw, r, err)
		return
	}
	w.redirect(rw, r, "/signin", "signed-out")
}
