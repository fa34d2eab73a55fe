package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

// Live updates (static/live.js, INTERFACES of issue 14): a page region
// marked data-live-src is fetched again when its events arrive, with
// X-Resonant-Fragment: 1, and the server answers with that region alone;
// a form marked data-optimistic is submitted with fetch (Accept:
// application/json) and answered 204, or with an error the page shows
// while it undoes the change.

// FragmentHeader marks a request for one live region of a page.
const FragmentHeader = "X-Resonant-Fragment"

// isFragment reports whether r asks for a live region only.
func isFragment(r *http.Request) bool { return r.Header.Get(FragmentHeader) == "1" }

// renderLive answers a page whose region fragment (a template the view
// defines) refreshes itself: the region alone when r asks for it, else the
// whole page.
func (w *Web) renderLive(rw http.ResponseWriter, r *http.Request, status int, view, fragment string, p *page) {
	rw.Header().Add("Vary", FragmentHeader)
	if !isFragment(r) {
		w.render(rw, r, status, view, p)
		return
	}
	b, err := w.views.renderTemplate(view, fragment, p)
	if err != nil {
		w.log.ErrorContext(r.Context(), "render fragment", slog.String("view", view), slog.String("fragment", fragment), slog.Any("err", err))
		http.Error(rw, "This part of the page could not be updated because of a fault on our side.", http.StatusInternalServerError)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	rw.WriteHeader(status)
	_, _ = b.WriteTo(rw)
}

// wantsJSON reports whether a form was submitted by script (live.js's
// optimistic actions send Accept: application/json) rather than by the
// browser itself.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// done answers a quick action that succeeded: 204 to a script, else a
// redirect to target with a flash message.
func (w *Web) done(rw http.ResponseWriter, r *http.Request, target, flash string) {
	if wantsJSON(r) {
		rw.Header().Set("Cache-Control", "no-store")
		rw.WriteHeader(http.StatusNoContent)
		return
	}
	w.redirect(rw, r, target, flash)
}

// actionFailed answers a quick action the server refused or could not
// carry out: to a script, the status with {"error":{"code","message"}}
// whose message the page shows as it undoes the change; to a browser
// without script, the not-found or error page.
func (w *Web) actionFailed(rw http.ResponseWriter, r *http.Request, err error) {
	var verr validate.Errors
	if !wantsJSON(r) {
		if errors.As(err, &verr) { // only a hand-made request gets here
			p := &page{Title: "Not understood", Loc: time.UTC, Now: w.now(), Theme: "system", Errors: validate.Errors{}, Form: url.Values{}}
			p.Data = message{Heading: "This request was not understood", Body: "Go back, reload the page and try again.", Link: "/home", LinkText: "Go to your journal"}
			w.render(rw, r, http.StatusBadRequest, "message", p)
			return
		}
		w.failPage(rw, r, err)
		return
	}
	status, code, msg := http.StatusInternalServerError, "internal", "something went wrong on our side and nothing was changed; try again in a moment"
	switch {
	case errors.Is(err, store.ErrNotFound):
		status, code, msg = http.StatusNotFound, "not_found", "it no longer exists: it was deleted, perhaps in another tab or on another device"
	case errors.Is(err, store.ErrConflict):
		status, code, msg = http.StatusConflict, "conflict", "it was changed elsewhere in the meantime"
	case errors.As(err, &verr):
		status, code, msg = http.StatusUnprocessableEntity, "validation_failed", "the request was not valid"
	default:
		w.log.ErrorContext(r.Context(), "action failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	writeActionError(rw, status, code, msg)
}

func writeActionError(rw http.ResponseWriter, status int, code, message string) {
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.Header().Set("Cache-Control", "no-store")
	rw.WriteHeader(status)
	_ = json.NewEncoder(rw).Encode(map[string]map[string]string{"error": {"code": code, "message": message}})
}
