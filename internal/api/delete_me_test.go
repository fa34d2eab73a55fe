package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/accounts"
)

// TestDeleteMeHonoursARecentSignIn: the contract promises "password (or
// recent sign-in)". Within five minutes of signing in, in that session, no
// password is needed; later, or with a bearer token, it is, and leaving it
// out names the password field instead of answering malformed_json.
func TestDeleteMeHonoursARecentSignIn(t *testing.T) {
	const wantMsg = "is required unless you signed in within the last 5 minutes; sign in again or send your password"
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		// Just signed in: an empty body deletes the account.
		fresh, freshID := e.signedIn("ann@example.com", goodPassword)
		e.clock.Advance(accounts.RecentSignIn)
		fresh.must(http.StatusNoContent, "DELETE", "/api/v1/me", nil)
		fresh.must(http.StatusUnauthorized, "GET", "/api/v1/me", nil)
		if n := e.count(`SELECT COUNT(*) FROM users WHERE id = ?`, freshID); n != 0 {
			t.Fatalf("the user is still there after DELETE /me")
		}

		// Signed in a while ago: the password is asked for, by name.
		old, oldID := e.signedIn("bo@example.com", goodPassword)
		token := old.must(http.StatusCreated, "POST", "/api/v1/me/tokens", map[string]any{"name": "cli"}).body["token"].(string)
		e.clock.Advance(accounts.RecentSignIn + time.Second)
		for _, body := range []any{nil, "", "  ", map[string]any{}, map[string]any{"password": ""}} {
			r := old.do("DELETE", "/api/v1/me", body)
			if r.status != http.StatusBadRequest || r.field("error", "fields", "password") != wantMsg {
				t.Errorf("DELETE /me %#v after %s = %d %s, want 400 naming password", body, accounts.RecentSignIn+time.Second, r.status, r.raw)
			}
		}
		if r := old.do("DELETE", "/api/v1/me", map[string]any{"password": "not my password"}); r.field("error", "fields", "password") != "is not correct" {
			t.Errorf("a wrong password = %d %s", r.status, r.raw)
		}

		// Signing in again makes it recent again; a token is never a sign-in.
		again := e.client()
		again.must(http.StatusOK, "POST", "/api/v1/auth/signin", map[string]any{"email": "bo@example.com", "password": goodPassword})
		bearer := e.withBearer(token)
		if r := bearer.do("DELETE", "/api/v1/me", nil); r.status != http.StatusBadRequest || r.field("error", "fields", "password") != wantMsg {
			t.Errorf("DELETE /me with a bearer token and no password = %d %s, want 400 naming password", r.status, r.raw)
		}
		// A wrong password is refused even right after signing in.
		if r := again.do("DELETE", "/api/v1/me", map[string]any{"password": "not my password"}); r.status != http.StatusBadRequest {
			t.Errorf("a wrong password right after signing in = %d %s, want 400", r.status, r.raw)
		}
		if n := e.count(`SELECT COUNT(*) FROM users WHERE id = ?`, oldID); n != 1 {
			t.Fatalf("the user went after refused deletions")
		}
		again.must(http.StatusNoContent, "DELETE", "/api/v1/me", nil)
		if n := e.count(`SELECT COUNT(*) FROM users WHERE id = ?`, oldID); n != 0 {
			t.Errorf("the user is still there after DELETE /me")
		}
	})
}
