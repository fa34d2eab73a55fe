package web

import "net/http"

// tokenCreate is POST /settings/tokens: a personal access token for the
// JSON API. Its value is shown on the page this once and never again, so
// the answer is the page itself rather than a redirect.
func (w *Web) tokenCreate(rw http.ResponseWriter, r *http.Request) {
	p, err := w.settingsPage(rw, r)
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	if !parseForm(rw, r, p) {
		w.render(rw, r, http.StatusRequestEntityTooLarge, "settings", p)
		return
	}
	ctx := r.Context()
	tok, err := w.acc.CreateAccessToken(ctx, p.User.ID, r.PostFormValue("tokenName"))
	if err != nil {
		w.fail(rw, r, p, "settings", renameField(err, "name", "tokenName"))
		return
	}
	d := p.Data.(*settingsData)
	d.NewToken = &tok
	if d.Tokens, err = w.acc.AccessTokens(ctx, p.User.ID); err != nil {
		w.failPage(rw, r, err)
		return
	}
	p.Form.Del("tokenName")
	w.render(rw, r, http.StatusOK, "settings", p)
}

// tokenRevoke is POST /settings/tokens/{id}/revoke.
func (w *Web) tokenRevoke(rw http.ResponseWriter, r *http.Request) {
	if err := w.acc.RevokeAccessToken(r.Context(), w.userID(r.Context()), r.PathValue("id")); err != nil {
		w.failPage(rw, r, err)
		return
	}
	w.redirect(rw, r, "/settings#tokens", "token-revoked")
}
