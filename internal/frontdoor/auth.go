package frontdoor

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/resonant-journal/resonant/internal/accounts"
)

// identify works out who the request comes from — a bearer token first (a
// Clerk session JWT in Clerk mode, else a personal access token), else the
// session cookie — and puts the answer in the request context (UserID). A
// request already carrying a user (set around the Door) is believed.
func (d *Door) identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if UserID(ctx) == "" && d.accounts != nil {
			var (
				userID     string
				err        error
				viaSession bool
			)
			if raw, ok := BearerToken(r); ok {
				userID, err = d.bearerUser(ctx, raw)
			} else {
				userID, err = d.sessionUser(r)
				viaSession = userID != ""
			}
			if err != nil && !errors.Is(err, accounts.ErrUnauthenticated) {
				d.WriteError(w, r, err)
				return
			}
			r = r.WithContext(context.WithValue(ctx, identityKey, identity{userID: userID, authErr: err, viaSession: viaSession}))
		}
		next.ServeHTTP(w, r)
	})
}

// bearerUser authenticates an "Authorization: Bearer" token: in Clerk mode
// a JWT is a Clerk session token (its user is created on first use),
// anything else a personal access token.
func (d *Door) bearerUser(ctx context.Context, raw string) (string, error) {
	if d.clerk != nil && accounts.LooksLikeJWT(raw) {
		return d.clerk.Authenticate(ctx, raw)
	}
	return d.accounts.AuthenticateToken(ctx, raw)
}

// BearerToken returns the token of an "Authorization: Bearer" header.
func BearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return "", false
	}
	return strings.TrimSpace(h[7:]), true
}

// unauthenticatedJSON is the API's answer to a request without a user:
// 401 with the error format, naming the Authorization header when a token
// was presented and refused.
func unauthenticatedJSON(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="resonant"`)
	WriteJSONError(w, http.StatusUnauthorized, "unauthenticated", "sign in or send a personal access token", invalidTokenFields(authError(r.Context())))
}

// SignInPath is the web page that protected pages send visitors to.
const SignInPath = "/signin"

// redirectToSignIn is a page's answer to a request without a user: 303 to
// the sign-in page, which returns a GET to where it was going (?next=).
func redirectToSignIn(w http.ResponseWriter, r *http.Request) {
	target := SignInPath
	if r.Method == http.MethodGet {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// invalidTokenFields names the Authorization header and why its token was
// refused, for the 401 answer; nil when no token failed verification.
func invalidTokenFields(err error) map[string]string {
	var bad *accounts.InvalidTokenError
	if !errors.As(err, &bad) {
		return nil
	}
	return map[string]string{"Authorization": bad.Reason}
}
