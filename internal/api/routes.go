package api

import "net/http"

// routes is the whole route table: find a route's handler from here in one jump.
func (a *API) routes() {
	a.mux.HandleFunc("GET /healthz", a.healthz)
	a.mux.HandleFunc("GET /readyz", a.readyz)

	a.mux.HandleFunc("GET /api/v1/relationships", a.listRelationships)
	a.mux.HandleFunc("POST /api/v1/relationships", a.createRelationship)
	a.mux.HandleFunc("GET /api/v1/relationships/{id}", a.getRelationship)
	a.mux.HandleFunc("PATCH /api/v1/relationships/{id}", a.updateRelationship)
	a.mux.HandleFunc("DELETE /api/v1/relationships/{id}", a.deleteRelationship)
	a.mux.HandleFunc("GET /api/v1/entries", a.listEntries)
	a.mux.HandleFunc("POST /api/v1/entries", a.createEntry)
	a.mux.HandleFunc("GET /api/v1/entries/{id}", a.getEntry)
	a.mux.HandleFunc("PATCH /api/v1/entries/{id}", a.updateEntry)
	a.mux.HandleFunc("DELETE /api/v1/entries/{id}", a.deleteEntry)
	a.mux.HandleFunc("POST /api/v1/entries/{id}/analysis/retry", a.retryAnalysis)
	a.mux.HandleFunc("GET /api/v1/analysis-status", a.listAnalysisStatuses)
	a.mux.HandleFunc("POST /api/v1/auth/signup", a.signUp)
	a.mux.HandleFunc("POST /api/v1/auth/verify", a.verifyEmail)
	a.mux.HandleFunc("POST /api/v1/auth/verify/resend", a.resendVerification)
	a.mux.HandleFunc("POST /api/v1/auth/signin", a.signIn)
	a.mux.HandleFunc("POST /api/v1/auth/signout", a.signOut)
	a.mux.HandleFunc("POST /api/v1/auth/password/forgot", a.forgotPassword)
	a.mux.HandleFunc("POST /api/v1/auth/password/reset", a.resetPassword)
	a.mux.HandleFunc("GET /api/v1/me", a.getMe)
	a.mux.HandleFunc("PATCH /api/v1/me", a.patchMe)
	a.mux.HandleFunc("DELETE /api/v1/me", a.deleteMe)
	a.mux.HandleFunc("POST /api/v1/me/onboarding", a.completeOnboarding)
	a.mux.HandleFunc("POST /api/v1/me/tokens", a.createAccessToken)
	a.mux.HandleFunc("GET /api/v1/me/tokens", a.listAccessTokens)
	a.mux.HandleFunc("DELETE /api/v1/me/tokens/{id}", a.revokeAccessToken)
	a.mux.HandleFunc("POST /api/v1/me/signout-everywhere", a.signOutEverywhere)
	a.mux.HandleFunc("POST /api/v1/webhooks/clerk", a.clerkWebhook)
	a.mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint", nil)
	})
}
