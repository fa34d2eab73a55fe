package web

import "net/http"

// resetForm is GET /reset?token=…, the page the reset email links to.
func (w *Web) resetForm(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Choose a new password")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	token := r.URL.Query().Get("token")
	if token == "" {
		p.Errors["token"] = "is missing"
	}
	p.Data = tokenData{Token: token}
	w.render(rw, r, http.StatusOK, "reset", p)
}

// reset is POST /reset: set the new password (every session of the user is
// signed out, this browser's too) and go to sign in.
func (w *Web) reset(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Choose a new password")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	if !parseForm(rw, r, p) {
		w.render(rw, r, http.StatusRequestEntityTooLarge, "reset", p)
		return
	}
	p.Form.Del("password")
	token := r.PostFormValue("token")
	p.Data = tokenData{Token: token}
	if err := w.acc.ResetPassword(r.Context(), token, r.PostFormValue("password"), w.door.ClientIP(r)); err != nil {
		w.fail(rw, r, p, "reset", err)
		return
	}
	if err := w.door.EndSession(r); err != nil {
		w.failPage(rw, r, err)
		return
	}
	w.redirect(rw, r, "/signin", "reset")
}
