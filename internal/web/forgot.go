package web

import "net/http"

// forgotForm is GET /forgot.
func (w *Web) forgotForm(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Reset your password")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	p.Data = struct{ Sent bool }{}
	w.render(rw, r, http.StatusOK, "forgot", p)
}

// forgot is POST /forgot: the same answer whether or not the email has an
// account.
func (w *Web) forgot(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Reset your password")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	p.Data = struct{ Sent bool }{}
	if !parseForm(rw, r, p) {
		w.render(rw, r, http.StatusRequestEntityTooLarge, "forgot", p)
		return
	}
	if err := w.acc.ForgotPassword(r.Context(), r.PostFormValue("email"), w.door.ClientIP(r)); err != nil {
		w.fail(rw, r, p, "forgot", err)
		return
	}
	p.Data = struct{ Sent bool }{true}
	w.render(rw, r, http.StatusOK, "forgot", p)
}
