package frontdoor

import (
	"context"
	"net/http"

	"github.com/resonant-journal/resonant/internal/accounts"
)

// Recheck returns a function that verifies, later, that the credential r
// was authenticated with still authenticates the same user: the bearer
// token (personal access token or Clerk session JWT) or the session
// cookie's session (still stored, same user, epoch not revoked). A
// long-lived request — the event stream — runs it when told that one of
// its user's credentials was revoked, and ends if it fails. It returns nil
// for a request without a user.
func (d *Door) Recheck(r *http.Request) func(context.Context) error {
	userID := UserID(r.Context())
	if userID == "" || d.accounts == nil {
		return nil
	}
	if raw, ok := BearerToken(r); ok {
		return func(ctx context.Context) error {
			got, err := d.bearerUser(ctx, raw)
			if err != nil {
				return err
			}
			if got != userID {
				return accounts.ErrUnauthenticated
			}
			return nil
		}
	}
	sm := d.sessions
	if sm == nil {
		return nil
	}
	token := sm.Token(r.Context())
	return func(ctx context.Context) error {
		if token == "" {
			return accounts.ErrUnauthenticated
		}
		sctx, err := sm.Load(ctx, token)
		if err != nil {
			return err
		}
		if sm.GetString(sctx, sessionUserKey) != userID {
			return accounts.ErrUnauthenticated // signed out: the session is gone
		}
		return d.accounts.AuthenticateSession(ctx, userID, sm.GetInt64(sctx, sessionEpochKey))
	}
}
