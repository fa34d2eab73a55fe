package accounts

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	clerkjwt "github.com/clerk/clerk-sdk-go/v2/jwt"
	"github.com/go-jose/go-jose/v3"
	josejwt "github.com/go-jose/go-jose/v3/jwt"
)

// InvalidTokenError is a bearer token that failed verification; Reason
// says why in words fit for the client. It is an ErrUnauthenticated.
type InvalidTokenError struct{ Reason string }

func (e *InvalidTokenError) Error() string { return "session token " + e.Reason }

// Unwrap makes every InvalidTokenError an ErrUnauthenticated.
func (e *InvalidTokenError) Unwrap() error { return ErrUnauthenticated }

// LooksLikeJWT tells a JWT (three dot-separated parts) from a personal
// access token (base64url, no dots) without verifying anything.
func LooksLikeJWT(token string) bool { return strings.Count(token, ".") == 2 }

// profileClaims are optional custom session-token claims ("email":
// "{{user.primary_email_address}}", "name": "{{user.full_name}}") that let
// a user created on first request start with an email and a name.
type profileClaims struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

type clockFunc func() time.Time

func (f clockFunc) Now() time.Time { return f() }

// jwtOptions are the fixed parts of the verification parameters.
type jwtOptions struct {
	clock  clockFunc
	issuer string
	azp    clerkjwt.AuthorizedPartyHandler
}

func (c *Clerk) newJWTOptions() jwtOptions {
	o := jwtOptions{clock: clockFunc(c.now), issuer: c.issuer}
	if c.parties != nil {
		o.azp = func(azp string) bool { return azp == "" || c.parties[strings.TrimRight(azp, "/")] }
	}
	return o
}

// Authenticate verifies a Clerk session JWT with the configured key (RS256
// only, signature, exp/nbf with the leeway, the exact issuer, the
// authorized party) and returns the local user of its subject, creating it
// when it is missing. A token that fails is an *InvalidTokenError.
func (c *Clerk) Authenticate(ctx context.Context, token string) (string, error) {
	claims, err := clerkjwt.Verify(ctx, &clerkjwt.VerifyParams{
		Token: token, JWK: c.jwk, Clock: c.jwtOptions.clock, Leeway: c.leeway,
		// With a proxy URL the SDK compares the issuer exactly; without one
		// it accepts any Clerk-hosted issuer, i.e. other Clerk instances.
		ProxyURL:                &c.jwtOptions.issuer,
		AuthorizedPartyHandler:  c.jwtOptions.azp,
		CustomClaimsConstructor: func(context.Context) any { return &profileClaims{} },
	})
	if err != nil {
		reason := tokenFailure(err)
		c.log.DebugContext(ctx, "clerk session token refused", slog.String("reason", reason), slog.Any("err", err))
		return "", &InvalidTokenError{Reason: reason}
	}
	if claims.Expiry == nil {
		return "", &InvalidTokenError{Reason: "has no expiry"}
	}
	if !validClerkID(claims.Subject) {
		return "", &InvalidTokenError{Reason: "has no valid subject"}
	}
	cu := ClerkUser{ID: claims.Subject}
	if p, ok := claims.Custom.(*profileClaims); ok {
		cu.Email, cu.FirstName = p.Email, p.Name
	}
	return c.ensureUser(ctx, cu)
}

// tokenFailure names why verification failed. The SDK reports issuer,
// party and algorithm mismatches as plain errors; their wording is pinned
// by the module version and by the tests.
func tokenFailure(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, josejwt.ErrExpired):
		return "has expired"
	case errors.Is(err, josejwt.ErrNotValidYet), errors.Is(err, josejwt.ErrIssuedInTheFuture):
		return "is not valid yet"
	case errors.Is(err, jose.ErrCryptoFailure):
		return "has an invalid signature"
	case strings.HasPrefix(msg, "invalid signing algorithm"):
		return "must be signed with RS256"
	case strings.HasPrefix(msg, "invalid issuer"):
		return "was issued by another Clerk instance"
	case strings.HasPrefix(msg, "invalid authorized party"):
		return "was issued for another origin"
	default:
		return "is not a valid session token"
	}
}
