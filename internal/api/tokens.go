package api

import (
	"net/http"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/frontdoor"
)

func (a *API) createAccessToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
	}
	if !a.requireAccounts(w) || !decodeJSON(w, r, &req, authBodyLimit) {
		return
	}
	t, err := a.accounts.CreateAccessToken(r.Context(), frontdoor.UserID(r.Context()), req.Name)
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

func (a *API) listAccessTokens(w http.ResponseWriter, r *http.Request) {
	if !a.requireAccounts(w) {
		return
	}
	ts, err := a.accounts.AccessTokens(r.Context(), frontdoor.UserID(r.Context()))
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Items      []accounts.AccessToken `json:"items"`
		NextCursor *string                `json:"nextCursor"`
	}{Items: ts})
}

func (a *API) revokeAccessToken(w http.ResponseWriter, r *http.Request) {
	if !a.requireAccounts(w) {
		return
	}
	if err := a.accounts.RevokeAccessToken(r.Context(), frontdoor.UserID(r.Context()), r.PathValue("id")); err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
