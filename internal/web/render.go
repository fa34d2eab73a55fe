package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/frontdoor"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

// page is what every view renders: the layout's needs plus the view's own
// Data.
type page struct {
	Title string
	Nav   string // the active navigation item
	User  *accounts.User
	Loc   *time.Location
	Now   time.Time
	Theme string // system|light|dark
	Flash string
	// Error is a message about the whole form or page; Errors are the
	// per-field messages shown beside their inputs; Form is the input kept
	// when a form comes back.
	Error   string
	Errors  validate.Errors
	Form    url.Values
	Scripts []string // logical names of the page's JS modules
	// EventID is where the page's live updates start (journal.EventCursor):
	// read before the page's data, for a signed-in GET.
	EventID int64
	Data    any
}

// FieldError is the message for field, "" when it is fine.
func (p *page) FieldError(field string) string { return p.Errors[field] }

// newPage starts the page for r: the signed-in user (if any), their time
// zone and theme, and a flash message left by the previous redirect.
func (w *Web) newPage(rw http.ResponseWriter, r *http.Request, title string) (*page, error) {
	p := &page{Title: title, Loc: time.UTC, Now: w.now(), Theme: "system", Form: url.Values{}, Errors: validate.Errors{}}
	if id := w.userID(r.Context()); id != "" {
		u, err := w.acc.User(r.Context(), id)
		if err != nil {
			return nil, err
		}
		p.User = &u
		p.Theme = u.Preferences.Theme
		if loc, err := time.LoadLocation(u.Preferences.Timezone); err == nil {
			p.Loc = loc
		}
		if r.Method == http.MethodGet && !isFragment(r) {
			if p.EventID, err = w.journal.EventCursor(r.Context(), id); err != nil {
				return nil, err
			}
		}
	}
	if !isFragment(r) { // a live region's refresh leaves the message to its page
		p.Flash = w.popFlash(rw, r)
	}
	return p, nil
}

// render writes view with status.
func (w *Web) render(rw http.ResponseWriter, r *http.Request, status int, view string, p *page) {
	b, err := w.views.render(view, p)
	if err != nil {
		w.log.ErrorContext(r.Context(), "render page", slog.String("view", view), slog.Any("err", err))
		http.Error(rw, "This page could not be shown because of a fault on our side. Go back and try again.", http.StatusInternalServerError)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store") // pages hold private text
	rw.WriteHeader(status)
	_, _ = b.WriteTo(rw)
}

// fail answers a failed form submission or page load: validation errors
// and rate limits come back on the same view with the input kept; a
// missing (or another user's) item is the not-found page; anything
// unexpected is logged and explained without internals — with the input
// still in the form, so nothing typed is lost.
func (w *Web) fail(rw http.ResponseWriter, r *http.Request, p *page, view string, err error) {
	var (
		verr validate.Errors
		rl   *accounts.RateLimitedError
	)
	status := http.StatusInternalServerError
	switch {
	case errors.As(err, &verr):
		status = http.StatusUnprocessableEntity
		p.Errors = verr
		p.Error = "Some fields need a change: see the messages beside them."
	case errors.As(err, &rl):
		status = http.StatusTooManyRequests
		rw.Header().Set("Retry-After", strconv.Itoa(int(rl.Wait.Seconds())+1))
		p.Error = "Too many attempts in a short time. Wait " + roundWait(rl.Wait) + " and try again."
	case errors.Is(err, store.ErrNotFound):
		w.notFound(rw, r)
		return
	case errors.Is(err, store.ErrConflict):
		status = http.StatusConflict
		p.Error = "This could not be saved as it is: " + strings.TrimSuffix(frontdoor.Classify(err).Message, ".") + "."
	default:
		w.log.ErrorContext(r.Context(), "page failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
		p.Error = "Something went wrong on our side and nothing was changed. Your input is still here: try again in a moment."
	}
	if p.Errors == nil {
		p.Errors = validate.Errors{}
	}
	w.render(rw, r, status, view, p)
}

// failPage is fail for a page that could not even be started (the user
// could not be loaded).
func (w *Web) failPage(rw http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrNotFound) {
		w.notFound(rw, r)
		return
	}
	w.log.ErrorContext(r.Context(), "page failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	p := &page{Title: "Something went wrong", Loc: time.UTC, Now: w.now(), Theme: "system", Errors: validate.Errors{}, Form: url.Values{}}
	p.Data = message{Heading: "Something went wrong on our side",
		Body: "The page could not be loaded. Nothing you saved is lost. Try again in a moment; if it keeps happening, tell whoever runs this server."}
	w.render(rw, r, http.StatusInternalServerError, "message", p)
}

// message is the data of the plain message view.
type message struct {
	Heading, Body  string
	Link, LinkText string
}

func (w *Web) notFound(rw http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") { // a mistyped API path gets the API's error format
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusNotFound)
		_, _ = rw.Write([]byte(`{"error":{"code":"not_found","message":"no such endpoint"}}` + "\n"))
		return
	}
	p, err := w.newPage(rw, r, "Not found")
	if err != nil {
		p = &page{Title: "Not found", Loc: time.UTC, Now: w.now(), Theme: "system", Errors: validate.Errors{}, Form: url.Values{}}
	}
	p.Data = message{Heading: "This page does not exist",
		Body: "It may have been deleted, or the link is mistyped.", Link: "/home", LinkText: "Go to your journal"}
	if p.User == nil {
		p.Data = message{Heading: "This page does not exist", Body: "It may have been deleted, or the link is mistyped.", Link: "/", LinkText: "Go to the start page"}
	}
	w.render(rw, r, http.StatusNotFound, "message", p)
}

func roundWait(d time.Duration) string {
	switch {
	case d <= time.Minute:
		return "a minute"
	case d < time.Hour:
		return fmt.Sprintf("%d minutes", int(d.Minutes()+0.5))
	default:
		return fmt.Sprintf("about %d hours", int(d.Hours()+0.5))
	}
}

// Flash messages survive one redirect in a short-lived cookie that holds
// only a key; the text comes from this table, so nothing a visitor sends
// is ever shown back as a message.
var flashes = map[string]string{
	"signed-up":         "Account created. We sent you an email with a link to confirm your address.",
	"verified":          "Your email is confirmed. Sign in to start.",
	"reset":             "Your password is changed and every other session is signed out. Sign in with the new password.",
	"signed-out":        "You are signed out.",
	"signed-out-all":    "Every session, this one included, is signed out, and every API token is revoked.",
	"deleted-account":   "Your account and everything in it are deleted.",
	"published":         "Entry published. Its analysis is queued.",
	"draft-saved":       "Draft saved.",
	"entry-deleted":     "Entry deleted.",
	"retry-queued":      "The analysis is queued again.",
	"private-on":        "The entry is private now: it is only ever analysed on this server.",
	"private-off":       "The entry is no longer private.",
	"rel-created":       "Relationship added.",
	"rel-updated":       "Relationship saved.",
	"rel-deleted":       "Relationship deleted.",
	"profile-saved":     "Profile saved.",
	"prefs-saved":       "Preferences saved.",
	"privacy-saved":     "Privacy settings saved.",
	"token-revoked":     "Token revoked. Anything using it can no longer sign in.",
	"insight-dismissed": "Insight dismissed. It will not come back unless the pattern shows again after it expires.",
	"welcome":           "You are all set. Write your first entry: a few sentences are enough.",
}

const flashCookie = "resonant_flash"

// redirect answers a successful POST: 303 to target, with a flash key.
func (w *Web) redirect(rw http.ResponseWriter, r *http.Request, target, flash string) {
	if flash != "" {
		http.SetCookie(rw, &http.Cookie{Name: flashCookie, Value: flash, Path: "/", MaxAge: 60, HttpOnly: true,
			Secure: w.secure, SameSite: http.SameSiteLaxMode})
	}
	http.Redirect(rw, r, target, http.StatusSeeOther)
}

func (w *Web) popFlash(rw http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(rw, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: w.secure, SameSite: http.SameSiteLaxMode})
	return flashes[c.Value]
}

// safeNext is a local path to return to after signing in, or "" when
// next is anything else (another site, a scheme, a protocol-relative URL).
func safeNext(next string) string {
	if next == "" || next[0] != '/' || len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return next
}
