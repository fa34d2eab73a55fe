package api

import (
	"context"
	"errors"

	"github.com/resonant-journal/resonant/internal/accounts"
)

// bearerUser authenticates an "Authorization: Bearer" token: in Clerk mode
// a JWT is a Clerk session token (its user is created on first use),
// anything else a personal access token.
func (a *API) bearerUser(ctx context.Context, raw string) (string, error) {
	if a.clerk != nil && accounts.LooksLikeJWT(raw) {
		return a.clerk.Authenticate(ctx, raw)
	}
	return a.auth.accounts.AuthenticateToken(ctx, raw)
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
