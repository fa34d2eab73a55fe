package api

import (
	"net/http"

	"github.com/resonant-journal/resonant/internal/accounts"
)

func (a *API) getMe(w http.ResponseWriter, r *http.Request) {
	if !a.requireAccounts(w) {
		return
	}
	u, err := a.auth.accounts.User(r.Context(), UserID(r.Context()))
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, userBody{u})
}

func (a *API) patchMe(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name        *string                    `json:"name"`
		Preferences *accounts.PreferencesPatch `json:"preferences"`
	}
	if !a.requireAccounts(w) || !decodeJSON(w, r, &req, 0) {
		return
	}
	u, err := a.auth.accounts.UpdateProfile(r.Context(), UserID(r.Context()), accounts.ProfilePatch{Name: req.Name, Preferences: req.Preferences})
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, userBody{u})
}

func (a *API) completeOnboarding(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Preferences *accounts.PreferencesPatch `json:"preferences"`
	}
	if !a.requireAccounts(w) || !decodeJSON(w, r, &req, 0) {
		return
	}
	u, err := a.auth.accounts.CompleteOnboarding(r.Context(), UserID(r.Context()), req.Preferences)
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, userBody{u})
}

func (a *API) deleteMe(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Password string `json:"password"`
	}
	if !a.requireAccounts(w) || !decodeJSON(w, r, &req, authBodyLimit) {
		return
	}
	if err := a.auth.accounts.DeleteAccount(r.Context(), UserID(r.Context()), req.Password); err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	// The session row went with the user; clear the cookie and keep scs
	// from writing the session back.
	if err := a.auth.sessions.Destroy(r.Context()); err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
