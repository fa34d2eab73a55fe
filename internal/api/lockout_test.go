package api_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"testing"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/server/servertest"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// TestWrongPasswordsFromElsewhereDoNotLockTheOwnerOut is the probe's
// finding over HTTP, with the default limits: ten wrong passwords from
// ten addresses used to make the owner's right password answer 429.
func TestWrongPasswordsFromElsewhereDoNotLockTheOwnerOut(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		// The test's requests come through a "proxy" on 127.0.0.1 that
		// says which client each one is from.
		e := wrapAcctEnv(t, servertest.Start(t, s, servertest.Options{Limits: accounts.DefaultLimits,
			TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}))
		e.signedIn("owner@example.com", goodPassword)
		stranger := e.client()
		wrong := map[string]any{"email": "owner@example.com", "password": "a wrong guess!"}
		for a := range 10 {
			from := fmt.Sprintf("203.0.113.%d", a+1)
			if r := stranger.do("POST", "/api/v1/auth/signin", wrong, "X-Forwarded-For", from); r.status != http.StatusUnauthorized {
				t.Fatalf("wrong password from %s = %d %s, want 401", from, r.status, r.raw)
			}
		}
		// One address keeps guessing: it is stopped there.
		for i := 1; i < accounts.DefaultLimits.SignInPerAccountIP.N; i++ {
			stranger.do("POST", "/api/v1/auth/signin", wrong, "X-Forwarded-For", "203.0.113.1")
		}
		r := stranger.do("POST", "/api/v1/auth/signin", wrong, "X-Forwarded-For", "203.0.113.1")
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "90" {
			t.Fatalf("guess %d from one address = %d (Retry-After %q), want 429 after 90 s", accounts.DefaultLimits.SignInPerAccountIP.N+1,
				r.status, r.header.Get("Retry-After"))
		}
		// The owner, from an eleventh address, signs in.
		owner := e.client()
		if r := owner.do("POST", "/api/v1/auth/signin", map[string]any{"email": "owner@example.com", "password": goodPassword},
			"X-Forwarded-For", "198.51.100.7"); r.status != http.StatusOK {
			t.Fatalf("the owner's right password from their own address = %d %s, want 200", r.status, r.raw)
		}
	})
}
