package api

import (
	"net/http"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/frontdoor"
)

func (a *API) getMe(w http.ResponseWriter, r *http.Request) {
	if !a.requireAccounts(w) {
		return
	}
	u, err := a.accounts.User(r.Context(), frontdoor.UserID(r.Context()))
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
	u, err := a.accounts.UpdateProfile(r.Context(), frontdoor.UserID(r.Context()), accounts.ProfilePatch{Name: req.Name, Preferences: req.Preferences})
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
	u, err := a.accounts.CompleteOnboarding(r.Context(), frontdoor.UserID(r.Context()), req.Preferences)
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, userBody{u})
}

// deleteMe deletes the account: {password}, or no body at all within
// accounts.RecentSignIn of signing in in this session.
func (a *API) deleteMe(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Password string `json:"password"`
	}
	if !a.requireAccounts(w) || !decodeOptionalJSON(w, r, &req, authBodyLimit) {
		return
	}
	proof := accounts.AccountDeletion{Password: req.Password, SessionSignedInAt: a.door.SessionSignedInAt(r)}
	if err := a.accounts.DeleteAccount(r.Context(), frontdoor.UserID(r.Context()), proof); err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	// The session row went with the user; clear the cookie and keep scs
	// from writing the session back.
	if err := a.door.EndSession(r); err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
