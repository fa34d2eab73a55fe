package web

import (
	"errors"
	"net/http"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

// signUpForm is GET /signup.
func (w *Web) signUpForm(rw http.ResponseWriter, r *http.Request) {
	if w.userID(r.Context()) != "" {
		http.Redirect(rw, r, "/home", http.StatusSeeOther)
		return
	}
	p, err := w.newPage(rw, r, "Create your account")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	p.Nav = "signup"
	w.render(rw, r, http.StatusOK, "signup", p)
}

// signUp is POST /signup: create the account and send the verification
// email, then on to the sign-in page, which says to check the mail.
func (w *Web) signUp(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Create your account")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	p.Nav = "signup"
	if !parseForm(rw, r, p) {
		w.render(rw, r, http.StatusRequestEntityTooLarge, "signup", p)
		return
	}
	p.Form.Del("password") // never sent back to the browser
	_, err = w.acc.SignUp(r.Context(), accounts.SignUpInput{
		Email: r.PostFormValue("email"), Password: r.PostFormValue("password"), Name: r.PostFormValue("name"), IP: w.door.ClientIP(r),
	})
	if errors.Is(err, store.ErrConflict) {
		err = validate.Field("email", "already has an account: sign in, or reset the password if you forgot it")
	}
	if err != nil {
		w.fail(rw, r, p, "signup", err)
		return
	}
	w.redirect(rw, r, "/signin", "signed-up")
}
