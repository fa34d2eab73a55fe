package web

import (
	"errors"
	"net/http"

	"github.com/resonant-journal/resonant/internal/accounts"
)

type signInData struct {
	Next       string
	Unverified bool
}

// signInForm is GET /signin[?next=/path].
func (w *Web) signInForm(rw http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if w.userID(r.Context()) != "" {
		http.Redirect(rw, r, orHome(next), http.StatusSeeOther)
		return
	}
	p, err := w.newPage(rw, r, "Sign in")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	p.Nav = "signin"
	p.Data = signInData{Next: next}
	w.render(rw, r, http.StatusOK, "signin", p)
}

// signIn is POST /signin: check the credentials, start a session and go
// where the visitor was going (or to onboarding, or home).
func (w *Web) signIn(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Sign in")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	p.Nav = "signin"
	if !parseForm(rw, r, p) {
		w.render(rw, r, http.StatusRequestEntityTooLarge, "signin", p)
		return
	}
	p.Form.Del("password")
	next := safeNext(r.PostFormValue("next"))
	data := signInData{Next: next}
	p.Data = &data
	u, err := w.acc.SignIn(r.Context(), accounts.SignInInput{Email: r.PostFormValue("email"), Password: r.PostFormValue("password"), IP: w.door.ClientIP(r)})
	switch {
	case errors.Is(err, accounts.ErrInvalidCredentials):
		p.Error = "The email or the password is not correct. Check both and try again, or reset your password."
		w.render(rw, r, http.StatusUnauthorized, "signin", p)
		return
	case errors.Is(err, accounts.ErrEmailNotVerified):
		data.Unverified = true
		w.render(rw, r, http.StatusForbidden, "signin", p)
		return
	case err != nil:
		w.fail(rw, r, p, "signin", err)
		return
	}
	if err := w.door.StartSession(r, u); err != nil {
		w.fail(rw, r, p, "signin", err)
		return
	}
	switch {
	case !u.OnboardingCompleted:
		http.Redirect(rw, r, "/onboarding", http.StatusSeeOther)
	default:
		http.Redirect(rw, r, orHome(next), http.StatusSeeOther)
	}
}

func orHome(next string) string {
	if next == "" {
		return "/home"
	}
	return next
}
