package web

import (
	"net/http"

	"github.com/resonant-journal/resonant/internal/accounts"
)

// signOutEverywhere is POST /settings/signout-everywhere: every session of
// the user ends, this one included, and every API token is revoked.
func (w *Web) signOutEverywhere(rw http.ResponseWriter, r *http.Request) {
	if err := w.acc.SignOutEverywhere(r.Context(), w.userID(r.Context())); err != nil {
		w.failPage(rw, r, err)
		return
	}
	if err := w.door.EndSession(r); err != nil {
		w.failPage(rw, r, err)
		return
	}
	w.redirect(rw, r, "/signin", "signed-out-all")
}

// accountDelete is POST /settings/delete-account: with the password, the
// account and everything in it are deleted.
func (w *Web) accountDelete(rw http.ResponseWriter, r *http.Request) {
	p, err := w.settingsPage(rw, r)
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	if !parseForm(rw, r, p) {
		w.render(rw, r, http.StatusRequestEntityTooLarge, "settings", p)
		return
	}
	p.Form.Del("password")
	if !checkbox(r, "confirm") {
		p.Errors["confirm"] = "must be ticked to delete the account"
		p.Error = "Nothing was deleted: tick the box to confirm."
		w.render(rw, r, http.StatusUnprocessableEntity, "settings", p)
		return
	}
	pw := r.PostFormValue("password")
	if pw == "" && p.User != nil {
		p.Errors["password"] = "is required: enter your password to confirm it is you"
		p.Error = "Nothing was deleted: enter your password."
		w.render(rw, r, http.StatusUnprocessableEntity, "settings", p)
		return
	}
	if err := w.acc.DeleteAccount(r.Context(), p.User.ID, accounts.AccountDeletion{Password: pw}); err != nil {
		w.fail(rw, r, p, "settings", err)
		return
	}
	_ = w.door.EndSession(r) // the session row went with the user
	w.redirect(rw, r, "/", "deleted-account")
}
