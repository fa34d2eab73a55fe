package web

import (
	"net/http"
)

type tokenData struct {
	Token  string
	Resend bool // show the form asking for a new link
}

// verifyForm is GET /verify?token=…, the page the verification email links
// to. It asks for one click (a POST) rather than confirming on GET, so a
// mail scanner that follows links cannot use the token up.
func (w *Web) verifyForm(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Confirm your email")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	p.Data = tokenData{Token: r.URL.Query().Get("token")}
	w.render(rw, r, http.StatusOK, "verify", p)
}

// verify is POST /verify.
func (w *Web) verify(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Confirm your email")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	if !parseForm(rw, r, p) {
		w.render(rw, r, http.StatusRequestEntityTooLarge, "verify", p)
		return
	}
	token := r.PostFormValue("token")
	p.Data = tokenData{Token: token}
	if _, err := w.acc.VerifyEmail(r.Context(), token, w.door.ClientIP(r)); err != nil {
		w.fail(rw, r, p, "verify", err)
		return
	}
	w.redirect(rw, r, "/signin", "verified")
}

// resendVerification is POST /verify/resend: email a new link. The answer
// is the same whether or not the address has an unverified account.
func (w *Web) resendVerification(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Confirm your email")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	if !parseForm(rw, r, p) {
		w.render(rw, r, http.StatusRequestEntityTooLarge, "verify", p)
		return
	}
	p.Data = tokenData{Resend: true}
	if err := w.acc.ResendVerification(r.Context(), r.PostFormValue("email"), w.door.ClientIP(r)); err != nil {
		w.fail(rw, r, p, "verify", err)
		return
	}
	p.Data = message{Heading: "Check your email",
		Body: "If " + r.PostFormValue("email") + " has an account that is not confirmed yet, a new link is on its way. It works for 48 hours.",
		Link: "/signin", LinkText: "Back to sign in"}
	w.render(rw, r, http.StatusOK, "message", p)
}
