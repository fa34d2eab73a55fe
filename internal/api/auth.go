package api

import (
	"net/http"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/frontdoor"
)

// authBodyLimit bounds sign-in and sign-up bodies: a 1,024-byte password
// escaped as JSON is at most ~6 KiB.
const authBodyLimit = 16 << 10

// SignUpRequest is the body of POST /auth/signup.
type SignUpRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

// SignInRequest is the body of POST /auth/signin.
type SignInRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type userBody struct {
	User accounts.User `json:"user"`
}

// requireAccounts answers 404 when the server runs without built-in accounts.
func (a *API) requireAccounts(w http.ResponseWriter) bool {
	if a.accounts == nil {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint", nil)
		return false
	}
	return true
}

func (a *API) signUp(w http.ResponseWriter, r *http.Request) {
	var req SignUpRequest
	if !a.requireAccounts(w) || !decodeJSON(w, r, &req, authBodyLimit) {
		return
	}
	u, err := a.accounts.SignUp(r.Context(), accounts.SignUpInput{Email: req.Email, Password: req.Password, Name: req.Name, IP: a.door.ClientIP(r)})
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, userBody{u})
}

func (a *API) verifyEmail(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Token string `json:"token"`
	}
	if !a.requireAccounts(w) || !decodeJSON(w, r, &req, authBodyLimit) {
		return
	}
	u, err := a.accounts.VerifyEmail(r.Context(), req.Token, a.door.ClientIP(r))
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, userBody{u})
}

func (a *API) resendVerification(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email string `json:"email"`
	}
	if !a.requireAccounts(w) || !decodeJSON(w, r, &req, authBodyLimit) {
		return
	}
	if err := a.accounts.ResendVerification(r.Context(), req.Email, a.door.ClientIP(r)); err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (a *API) signIn(w http.ResponseWriter, r *http.Request) {
	var req SignInRequest
	if !a.requireAccounts(w) || !decodeJSON(w, r, &req, authBodyLimit) {
		return
	}
	u, err := a.accounts.SignIn(r.Context(), accounts.SignInInput{Email: req.Email, Password: req.Password, IP: a.door.ClientIP(r)})
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	if err := a.door.StartSession(r, u); err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, userBody{u})
}

func (a *API) signOut(w http.ResponseWriter, r *http.Request) {
	if !a.requireAccounts(w) {
		return
	}
	if err := a.door.EndSession(r); err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) forgotPassword(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email string `json:"email"`
	}
	if !a.requireAccounts(w) || !decodeJSON(w, r, &req, authBodyLimit) {
		return
	}
	if err := a.accounts.ForgotPassword(r.Context(), req.Email, a.door.ClientIP(r)); err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (a *API) resetPassword(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if !a.requireAccounts(w) || !decodeJSON(w, r, &req, authBodyLimit) {
		return
	}
	if err := a.accounts.ResetPassword(r.Context(), req.Token, req.Password, a.door.ClientIP(r)); err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	// This browser's session (if any) went with the others.
	if err := a.door.EndSession(r); err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// signOutEverywhere revokes every session of the user, this one included,
// and every personal access token.
func (a *API) signOutEverywhere(w http.ResponseWriter, r *http.Request) {
	if !a.requireAccounts(w) {
		return
	}
	if err := a.accounts.SignOutEverywhere(r.Context(), frontdoor.UserID(r.Context())); err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	if err := a.door.EndSession(r); err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
