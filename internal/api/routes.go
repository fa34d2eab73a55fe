package api

import (
	"net/http"

	"github.com/resonant-journal/resonant/internal/frontdoor"
)

// Mount registers the API's routes on rt (the server's route table), each
// marked public, protected or signed where it is registered: find a
// route's handler from here in one jump.
func (a *API) Mount(rt *frontdoor.Router) {
	rt.Protected("GET /api/v1/relationships", a.listRelationships)
	rt.Protected("POST /api/v1/relationships", a.createRelationship)
	rt.Protected("GET /api/v1/relationships/{id}", a.getRelationship)
	rt.Protected("PATCH /api/v1/relationships/{id}", a.updateRelationship)
	rt.Protected("DELETE /api/v1/relationships/{id}", a.deleteRelationship)
	rt.Protected("GET /api/v1/entries", a.listEntries)
	rt.Protected("POST /api/v1/entries", a.createEntry)
	rt.Protected("GET /api/v1/entries/{id}", a.getEntry)
	rt.Protected("PATCH /api/v1/entries/{id}", a.updateEntry)
	rt.Protected("DELETE /api/v1/entries/{id}", a.deleteEntry)
	rt.Protected("POST /api/v1/entries/{id}/analysis/retry", a.retryAnalysis)
	rt.Protected("GET /api/v1/analysis-status", a.listAnalysisStatuses)

	if a.insight != nil {
		rt.Protected("GET /api/v1/health-scores", a.listHealthScores)
		rt.Protected("GET /api/v1/insights", a.listInsights)
		rt.Protected("PATCH /api/v1/insights/{id}", a.patchInsight)
		rt.Protected("GET /api/v1/trends", a.getTrends)
		rt.Protected("GET /api/v1/dashboard", a.getDashboard)
		// The signed token in an emailed link is the proof (no sign-in); a
		// mail client's one-click POST (RFC 8058) comes from elsewhere.
		rt.Signed("GET /api/v1/reminders/unsubscribe", a.unsubscribeReminders)
		rt.Signed("POST /api/v1/reminders/unsubscribe", a.unsubscribeReminders)
	}

	rt.Public("POST /api/v1/auth/signup", a.signUp)
	rt.Public("POST /api/v1/auth/verify", a.verifyEmail)
	rt.Public("POST /api/v1/auth/verify/resend", a.resendVerification)
	rt.Public("POST /api/v1/auth/signin", a.signIn)
	rt.Public("POST /api/v1/auth/signout", a.signOut)
	rt.Public("POST /api/v1/auth/password/forgot", a.forgotPassword)
	rt.Public("POST /api/v1/auth/password/reset", a.resetPassword)
	rt.Public("/api/v1/auth/", notFound)

	rt.Protected("GET /api/v1/me", a.getMe)
	rt.Protected("PATCH /api/v1/me", a.patchMe)
	rt.Protected("DELETE /api/v1/me", a.deleteMe)
	rt.Protected("POST /api/v1/me/onboarding", a.completeOnboarding)
	rt.Protected("POST /api/v1/me/tokens", a.createAccessToken)
	rt.Protected("GET /api/v1/me/tokens", a.listAccessTokens)
	rt.Protected("DELETE /api/v1/me/tokens/{id}", a.revokeAccessToken)
	rt.Protected("POST /api/v1/me/signout-everywhere", a.signOutEverywhere)

	rt.Signed("POST /api/v1/webhooks/clerk", a.clerkWebhook)
	rt.Signed("/api/v1/webhooks/", notFound)

	// Anything else under /api/v1/ is 404 for a signed-in caller, 401
	// otherwise (an unknown path tells a stranger nothing).
	rt.Protected("/api/v1/", notFound)
}

func notFound(w http.ResponseWriter, _ *http.Request) {
	writeError(w, http.StatusNotFound, "not_found", "no such endpoint", nil)
}
