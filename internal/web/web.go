// Package web is Resonant's HTML front end: server-rendered pages over the
// accounts and journal services, one handler per file, templates parsed
// once at start-up, and CSS and small JavaScript modules of our own
// embedded in the binary under content-hashed names.
//
// Every page reads and every form submits without JavaScript (POST, then a
// redirect; on an error the form comes back with the input kept and the
// message beside the field). JavaScript adds auto-save, offline drafts,
// live updates over the event stream and optimistic quick actions on top.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/frontdoor"
	"github.com/resonant-journal/resonant/internal/insight"
	"github.com/resonant-journal/resonant/internal/journal"
)

// Door is what the pages need of the HTTP shell (internal/frontdoor).
type Door interface {
	// StartSession signs the request's session in to u.
	StartSession(r *http.Request, u accounts.User) error
	// EndSession destroys the request's session.
	EndSession(r *http.Request) error
	// ClientIP is the client's address, for rate limits.
	ClientIP(r *http.Request) string
}

// Config holds the pages' dependencies.
type Config struct {
	Accounts *accounts.Service
	Journal  *journal.Service
	// Insight serves the dashboard's scores, trends and insights.
	Insight *insight.Service
	Door    Door
	// UserID returns the signed-in user's id from a request context ("" if
	// nobody is signed in).
	UserID func(context.Context) string
	// AIProvider describes the external AI provider entries may be sent to
	// with the user's consent ("Google Gemini"), "" when none is configured;
	// the landing and privacy pages say so honestly.
	AIProvider string
	// Secure marks the flash cookie Secure (the site is served over https).
	Secure bool
	Now    func() time.Time
	Logger *slog.Logger
}

// Web serves the pages. Build one with New and register its routes.
type Web struct {
	acc      *accounts.Service
	journal  *journal.Service
	insight  *insight.Service
	door     Door
	userID   func(context.Context) string
	provider string
	secure   bool
	now      func() time.Time
	log      *slog.Logger
	views    *engine
	static   *assets
}

// New parses the templates and loads the static assets.
func New(cfg Config) (*Web, error) {
	if cfg.Accounts == nil || cfg.Journal == nil || cfg.Insight == nil || cfg.Door == nil || cfg.UserID == nil {
		return nil, errors.New("web: Accounts, Journal, Insight, Door and UserID are required")
	}
	w := &Web{acc: cfg.Accounts, journal: cfg.Journal, insight: cfg.Insight, door: cfg.Door, userID: cfg.UserID, provider: cfg.AIProvider,
		secure: cfg.Secure, now: cfg.Now, log: cfg.Logger}
	if w.now == nil {
		w.now = time.Now
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	var err error
	if w.static, err = loadAssets(); err != nil {
		return nil, err
	}
	if w.views, err = newEngine(w.static); err != nil {
		return nil, err
	}
	return w, nil
}

// Router is where routes are registered: Public routes answer anyone,
// Protected ones need a signed-in user (the router sends others to the
// sign-in page). frontdoor.Router satisfies it.
type Router interface {
	Public(pattern string, h http.HandlerFunc)
	Protected(pattern string, h http.HandlerFunc)
}

// Register adds every page to rt.
func (w *Web) Register(rt Router) {
	rt.Public("GET /static/{file}", w.static.serve)
	rt.Public("GET /{$}", w.landing)
	rt.Public("/", w.notFound) // every other path: a page that says so, not a bare 404
	rt.Public("GET /signup", w.signUpForm)
	rt.Public("POST /signup", w.signUp)
	rt.Public("GET /signin", w.signInForm)
	rt.Public("POST /signin", w.signIn)
	rt.Public("POST /signout", w.signOut)
	rt.Public("GET /verify", w.verifyForm)
	rt.Public("POST /verify", w.verify)
	rt.Public("POST /verify/resend", w.resendVerification)
	rt.Public("GET /forgot", w.forgotForm)
	rt.Public("POST /forgot", w.forgot)
	rt.Public("GET /reset", w.resetForm)
	rt.Public("POST /reset", w.reset)

	rt.Protected("GET /home", w.home)
	rt.Protected("GET /home/{region}", w.dashboardFragment)
	rt.Protected("POST /insights/{id}/dismiss", w.dismissInsight)
	rt.Protected("GET /onboarding", w.onboarding)
	rt.Protected("POST /onboarding/about", w.onboardingAbout)
	rt.Protected("POST /onboarding/relationship", w.onboardingRelationship)
	rt.Protected("POST /onboarding/privacy", w.onboardingPrivacy)
	rt.Protected("POST /onboarding/reminder", w.onboardingReminder)

	rt.Protected("GET /entries", w.entries)
	rt.Protected("GET /entries/new", w.entryNew)
	rt.Protected("POST /entries", w.entrySave)
	rt.Protected("POST /entries/autosave", w.entryAutosave)
	rt.Protected("GET /entries/{id}", w.entryShow)
	rt.Protected("GET /entries/{id}/edit", w.entryEdit)
	rt.Protected("POST /entries/{id}", w.entrySave)
	rt.Protected("POST /entries/{id}/delete", w.entryDelete)
	rt.Protected("POST /entries/{id}/retry", w.entryRetry)
	rt.Protected("POST /entries/{id}/private", w.entryPrivate)

	rt.Protected("GET /relationships", w.relationships)
	rt.Protected("POST /relationships", w.relationshipCreate)
	rt.Protected("GET /relationships/{id}", w.relationshipShow)
	rt.Protected("GET /relationships/{id}/{region}", w.relationshipFragment)
	rt.Protected("GET /relationships/{id}/edit", w.relationshipEdit)
	rt.Protected("POST /relationships/{id}", w.relationshipUpdate)
	rt.Protected("GET /relationships/{id}/delete", w.relationshipDeleteConfirm)
	rt.Protected("POST /relationships/{id}/delete", w.relationshipDelete)

	rt.Protected("GET /settings", w.settings)
	rt.Protected("POST /settings/profile", w.settingsProfile)
	rt.Protected("POST /settings/preferences", w.settingsPreferences)
	rt.Protected("POST /settings/privacy", w.settingsPrivacy)
	rt.Protected("POST /settings/tokens", w.tokenCreate)
	rt.Protected("POST /settings/tokens/{id}/revoke", w.tokenRevoke)
	rt.Protected("POST /settings/signout-everywhere", w.signOutEverywhere)
	rt.Protected("POST /settings/delete-account", w.accountDelete)
}

// Mount registers the pages on the route table's page router.
func (w *Web) Mount(rt *frontdoor.Router) { w.Register(rt) }
