package api_test

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestClerkSessionTokenCreatesTheUserOnFirstRequest(t *testing.T) {
	forEachClerkEngine(t, func(t *testing.T, e *clerkEnv) {
		c := e.withBearer(e.token("user_first", nil))
		r := c.must(http.StatusOK, "GET", "/api/v1/me", nil)
		id := r.field("user", "id")
		if r.field("user", "tier") != "free" || r.field("user", "onboardingCompleted") != false ||
			r.field("user", "featureFlags", "smartReminders") != true || r.field("user", "preferences", "theme") != "system" {
			t.Errorf("fallback user lacks the defaults: %s", r.raw)
		}
		// Without profile claims the webhook fills email and name in later.
		if r.field("user", "email") != "" || r.field("user", "emailVerified") != false {
			t.Errorf("fallback user = %s", r.raw)
		}
		if n, _, normalized, _ := e.clerkUserRow("user_first"); n != 1 || normalized != "clerk:user_first" {
			t.Errorf("rows = %d, email_normalized = %q", n, normalized)
		}
		// The same subject is the same user, whichever token it comes in.
		e.clock.Advance(30 * time.Second)
		r = e.withBearer(e.token("user_first", nil)).must(http.StatusOK, "GET", "/api/v1/me", nil)
		if r.field("user", "id") != id || e.count(`SELECT COUNT(*) FROM users`) != 1 {
			t.Errorf("second token: %s, %d users", r.raw, e.count(`SELECT COUNT(*) FROM users`))
		}
		// Clerk users use the API like anyone else.
		e.withBearer(e.token("user_first", nil)).must(http.StatusCreated, "POST", "/api/v1/relationships", map[string]any{"name": "Sam", "kind": "partner"})
	})
}

func TestClerkSessionTokenProfileClaimsNeverMergeAccounts(t *testing.T) {
	forEachClerkEngine(t, func(t *testing.T, e *clerkEnv) {
		r := e.withBearer(e.token("user_claims", claims{"email": "Kim@Example.com", "name": "Kim Lee"})).must(http.StatusOK, "GET", "/api/v1/me", nil)
		if r.field("user", "email") != "Kim@Example.com" || r.field("user", "name") != "Kim Lee" {
			t.Errorf("user from claims = %s", r.raw)
		}
		// A built-in account owns ann@example.com: a Clerk user claiming it
		// gets its own account without the email, never Ann's.
		annID, _ := NewTestUserToken(t, e.acc, "ann@example.com")
		r = e.withBearer(e.token("user_mallory", claims{"email": "ANN@example.com"})).must(http.StatusOK, "GET", "/api/v1/me", nil)
		if r.field("user", "id") == annID || r.field("user", "email") != "" {
			t.Errorf("claimed email merged accounts: %s", r.raw)
		}
		if n := e.count(`SELECT COUNT(*) FROM users WHERE clerk_id IS NULL AND id = ?`, annID); n != 1 {
			t.Errorf("Ann's account was linked to Clerk")
		}
	})
}

func TestClerkSessionTokenRefusals(t *testing.T) {
	forEachClerkEngine(t, func(t *testing.T, e *clerkEnv) {
		other, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		now := e.clock.Now()
		scenarios := []struct {
			name, token, reason string
		}{
			{"signed by another key", signJWT(t, "RS256", other, nil, e.sessionClaims("user_x")), "has an invalid signature"},
			{"tampered payload", e.token("user_x", nil)[:20] + "x" + e.token("user_x", nil)[21:], ""},
			{"another Clerk instance", e.token("user_x", claims{"iss": "https://clerk.other.example"}), "was issued by another Clerk instance"},
			{"issuer with a suffix", e.token("user_x", claims{"iss": testIssuer + ".evil.example"}), "was issued by another Clerk instance"},
			{"expired", e.token("user_x", claims{"exp": now.Add(-time.Minute).Unix()}), "has expired"},
			{"not yet valid", e.token("user_x", claims{"nbf": now.Add(time.Minute).Unix()}), "is not valid yet"},
			{"no expiry", e.token("user_x", claims{"exp": nil}), "has no expiry"},
			{"another origin", e.token("user_x", claims{"azp": "https://evil.example"}), "was issued for another origin"},
			{"no subject", e.token("", nil), "has no valid subject"},
			{"alg none", signJWT(t, "none", nil, nil, e.sessionClaims("user_x")), ""},
			{"HS256 keyed with the public key", signJWT(t, "HS256", nil, []byte(e.publicPEM), e.sessionClaims("user_x")), "must be signed with RS256"},
			{"not a JWT at all", "a.b.c", "is not a valid session token"},
		}
		for _, sc := range scenarios {
			r := e.withBearer(sc.token).do("GET", "/api/v1/me", nil)
			if r.status != http.StatusUnauthorized || !slices.Equal(r.errorFields(), []string{"Authorization"}) {
				t.Errorf("%s: %d %s, want 401 naming Authorization", sc.name, r.status, r.raw)
				continue
			}
			if got := r.field("error", "fields", "Authorization"); sc.reason != "" && got != sc.reason {
				t.Errorf("%s: reason %q, want %q", sc.name, got, sc.reason)
			}
		}
		if n := e.count(`SELECT COUNT(*) FROM users`); n != 0 {
			t.Errorf("refused tokens left %d users behind", n)
		}
		// The leeway absorbs a few seconds of clock skew, no more.
		e.withBearer(e.token("user_x", claims{"exp": now.Add(-3 * time.Second).Unix()})).must(http.StatusOK, "GET", "/api/v1/me", nil)
	})
}

func TestClerkModeKeepsPersonalAccessTokens(t *testing.T) {
	forEachClerkEngine(t, func(t *testing.T, e *clerkEnv) {
		id, token := NewTestUserToken(t, e.acc, "pat@example.com")
		r := e.withBearer(token).must(http.StatusOK, "GET", "/api/v1/me", nil)
		if r.field("user", "id") != id {
			t.Errorf("GET /me with a personal access token = %s", r.raw)
		}
		r = e.withBearer("not-a-token").must(http.StatusUnauthorized, "GET", "/api/v1/me", nil)
		if len(r.errorFields()) != 0 {
			t.Errorf("a bad personal access token is not a bad JWT: %s", r.raw)
		}
	})
}

func TestClerkWebhookScenarios(t *testing.T) {
	forEachClerkEngine(t, func(t *testing.T, e *clerkEnv) {
		created := event("user.created", clerkUser("user_hook", "John", "Doe", "John@Example.com", "other@example.com"))
		now := e.clock.Now()
		ts := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
		scenarios := []struct {
			name    string
			body    []byte
			headers []string
			status  int
			fields  []string
			outcome string
		}{
			{name: "missing headers", body: created, status: 400, fields: []string{"svix-id", "svix-signature", "svix-timestamp"}},
			{name: "forged signature", body: created, headers: []string{"svix-id", "msg_1", "svix-timestamp", ts(0), "svix-signature", svixSign([]byte("not the secret"), "msg_1", ts(0), created)}, status: 400, fields: []string{"svix-signature"}},
			{name: "signature of another body", body: created, headers: []string{"svix-id", "msg_1", "svix-timestamp", ts(0), "svix-signature", svixSign(e.secret, "msg_1", ts(0), []byte("{}"))}, status: 400, fields: []string{"svix-signature"}},
			{name: "signature of another message id", body: created, headers: []string{"svix-id", "msg_1", "svix-timestamp", ts(0), "svix-signature", svixSign(e.secret, "msg_2", ts(0), created)}, status: 400, fields: []string{"svix-signature"}},
			{name: "timestamp too old", body: created, headers: []string{"svix-id", "msg_1", "svix-timestamp", ts(-6 * time.Minute), "svix-signature", svixSign(e.secret, "msg_1", ts(-6*time.Minute), created)}, status: 400, fields: []string{"svix-timestamp"}},
			{name: "timestamp in the future", body: created, headers: []string{"svix-id", "msg_1", "svix-timestamp", ts(6 * time.Minute), "svix-signature", svixSign(e.secret, "msg_1", ts(6*time.Minute), created)}, status: 400, fields: []string{"svix-timestamp"}},
			{name: "timestamp not a number", body: created, headers: []string{"svix-id", "msg_1", "svix-timestamp", "yesterday", "svix-signature", svixSign(e.secret, "msg_1", "yesterday", created)}, status: 400, fields: []string{"svix-timestamp"}},
			{name: "malformed body", body: []byte(`{"type":`), status: 400, fields: []string{"body"}},
			{name: "user event without a user", body: event("user.created", "nope"), status: 400, fields: []string{"data"}},
			{name: "user event without an id", body: event("user.updated", map[string]any{"first_name": "X"}), status: 400, fields: []string{"data.id"}},
			{name: "no type", body: []byte(`{"data":{}}`), status: 400, fields: []string{"type"}},
			{name: "valid, several signatures (key rotation)", body: created, headers: []string{"svix-id", "msg_ok", "svix-timestamp", ts(-4 * time.Minute), "svix-signature", "v1,AAAA v1a,xyz " + svixSign(e.secret, "msg_ok", ts(-4*time.Minute), created)}, status: 200, outcome: "applied"},
			{name: "replay", body: created, status: 200, outcome: "already_applied"},
			{name: "unknown event type", body: event("session.created", map[string]any{"id": "sess_1"}), status: 200, outcome: "ignored"},
		}
		for i, sc := range scenarios {
			headers := sc.headers
			switch {
			case sc.name == "replay":
				headers = []string{"svix-id", "msg_ok", "svix-timestamp", ts(0), "svix-signature", svixSign(e.secret, "msg_ok", ts(0), sc.body)}
			case headers == nil && sc.name != "missing headers":
				headers = e.svixHeaders(fmt.Sprintf("msg_s%d", i), sc.body)
			}
			r := e.webhook(sc.body, headers...)
			if r.status != sc.status || !slices.Equal(r.errorFields(), sc.fields) || (sc.outcome != "" && r.field("status") != sc.outcome) {
				t.Errorf("%s: %d %s, want %d fields %v outcome %q", sc.name, r.status, r.raw, sc.status, sc.fields, sc.outcome)
			}
		}
		// The spec's translation: firstName + lastName → name, primary email → email.
		n, email, normalized, name := e.clerkUserRow("user_hook")
		if n != 1 || email != "John@Example.com" || normalized != "john@example.com" || name != "John Doe" {
			t.Errorf("webhook user = %d %q %q %q", n, email, normalized, name)
		}
		if got := e.count(`SELECT COUNT(*) FROM users`); got != 1 {
			t.Errorf("%d users after the scenarios, want 1", got)
		}
		r := e.withBearer(e.token("user_hook", nil)).must(http.StatusOK, "GET", "/api/v1/me", nil)
		if r.field("user", "emailVerified") != true || r.field("user", "tier") != "free" || r.field("user", "featureFlags", "smartReminders") != true {
			t.Errorf("webhook user as the API shows it = %s", r.raw)
		}
	})
}

func TestClerkWebhookAcceptsTheSpecsCamelCaseUserObject(t *testing.T) {
	forEachClerkEngine(t, func(t *testing.T, e *clerkEnv) {
		e.deliver("msg_js", event("user.created", map[string]any{
			"id": "user_xxx", "firstName": "John", "lastName": "Doe", "emailAddresses": []any{map[string]any{"emailAddress": "john@example.com"}}}))
		if n, email, _, name := e.clerkUserRow("user_xxx"); n != 1 || email != "john@example.com" || name != "John Doe" {
			t.Errorf("user = %d %q %q", n, email, name)
		}
	})
}

func TestClerkUserUpdatedAndDeletedAreIdempotent(t *testing.T) {
	forEachClerkEngine(t, func(t *testing.T, e *clerkEnv) {
		// An update for a user we never heard of creates it (events can
		// arrive out of order).
		e.deliver("msg_u1", event("user.updated", clerkUser("user_upd", "Ann", "", "ann@example.com")))
		e.deliver("msg_u2", event("user.updated", clerkUser("user_upd", "Ann", "Smith", "ann.smith@example.com")))
		e.deliver("msg_u3", event("user.updated", clerkUser("user_upd", "Ann", "Smith", "ann.smith@example.com")))
		if n, email, _, name := e.clerkUserRow("user_upd"); n != 1 || email != "ann.smith@example.com" || name != "Ann Smith" {
			t.Errorf("after updates = %d %q %q", n, email, name)
		}
		// An email that belongs to another account is a conflict, and
		// nothing is recorded: Svix retries once the operator resolves it.
		e.deliver("msg_u4", event("user.created", clerkUser("user_bob", "Bob", "", "bob@example.com")))
		steal := event("user.updated", clerkUser("user_upd", "Ann", "Smith", "BOB@example.com"))
		r := e.webhook(steal, e.svixHeaders("msg_u5", steal)...)
		if r.status != http.StatusConflict {
			t.Errorf("update to a taken email = %d %s, want 409", r.status, r.raw)
		}
		if _, email, _, _ := e.clerkUserRow("user_upd"); email != "ann.smith@example.com" {
			t.Errorf("conflicting update changed the email to %q", email)
		}
		if n := e.count(`SELECT COUNT(*) FROM webhook_deliveries WHERE id = ?`, "msg_u5"); n != 0 {
			t.Errorf("failed delivery was recorded")
		}

		// Deleting removes the user and everything it owns.
		c := e.withBearer(e.token("user_upd", nil))
		c.must(http.StatusCreated, "POST", "/api/v1/relationships", map[string]any{"name": "Sam", "kind": "friend"})
		deleted := map[string]any{"id": "user_upd", "object": "user", "deleted": true}
		e.deliver("msg_d1", event("user.deleted", deleted))
		r = e.deliver("msg_d2", event("user.deleted", deleted))
		if r.field("status") != "applied" {
			t.Errorf("second delete = %s", r.raw)
		}
		if n, _, _, _ := e.clerkUserRow("user_upd"); n != 0 {
			t.Errorf("deleted user still there")
		}
		if n := e.count(`SELECT COUNT(*) FROM relationships`); n != 0 {
			t.Errorf("%d relationships outlived their user", n)
		}
		if n, _, _, _ := e.clerkUserRow("user_bob"); n != 1 {
			t.Errorf("deleting one user touched another")
		}
	})
}

func TestClerkWebhookFillsInAUserCreatedOnFirstRequest(t *testing.T) {
	forEachClerkEngine(t, func(t *testing.T, e *clerkEnv) {
		id := e.withBearer(e.token("user_late", nil)).must(http.StatusOK, "GET", "/api/v1/me", nil).field("user", "id")
		e.deliver("msg_late", event("user.created", clerkUser("user_late", "Late", "Hook", "late@example.com")))
		r := e.withBearer(e.token("user_late", nil)).must(http.StatusOK, "GET", "/api/v1/me", nil)
		if r.field("user", "id") != id || r.field("user", "email") != "late@example.com" || r.field("user", "name") != "Late Hook" {
			t.Errorf("after the late webhook = %s", r.raw)
		}
	})
}

// TestClerkWebhookAndFirstRequestRaceToOneUser is the spec's fallback race:
// the webhook and the first authenticated request for a new Clerk user
// arrive at once. Exactly one user results, with the webhook's data.
func TestClerkWebhookAndFirstRequestRaceToOneUser(t *testing.T) {
	forEachClerkEngine(t, func(t *testing.T, e *clerkEnv) {
		const rounds = 25
		for i := range rounds {
			sub := fmt.Sprintf("user_race%d", i)
			body := event("user.created", clerkUser(sub, "Race", strconv.Itoa(i), fmt.Sprintf("race%d@example.com", i)))
			headers := e.svixHeaders("msg_race"+strconv.Itoa(i), body)
			token := e.token(sub, nil)
			var wg sync.WaitGroup
			results := make([]acctResp, 3)
			wg.Go(func() { results[0] = e.webhook(body, headers...) })
			wg.Go(func() { results[1] = e.withBearer(token).do("GET", "/api/v1/me", nil) })
			wg.Go(func() { results[2] = e.withBearer(token).do("GET", "/api/v1/me", nil) })
			wg.Wait()
			for j, r := range results {
				if r.status != http.StatusOK {
					t.Fatalf("round %d request %d = %d %s", i, j, r.status, r.raw)
				}
			}
			if results[1].field("user", "id") != results[2].field("user", "id") {
				t.Errorf("round %d: two first requests saw two users", i)
			}
			n, email, _, name := e.clerkUserRow(sub)
			if n != 1 || email != fmt.Sprintf("race%d@example.com", i) || name != "Race "+strconv.Itoa(i) {
				t.Errorf("round %d: %d users, email %q, name %q", i, n, email, name)
			}
		}
		if n := e.count(`SELECT COUNT(*) FROM feature_flags`); n != rounds {
			t.Errorf("%d feature-flag rows for %d users", n, rounds)
		}
	})
}

func TestClerkWebhookIsOffWithoutASecret(t *testing.T) {
	forEachClerkEngine(t, func(t *testing.T, e *clerkEnv) {
		body := event("user.created", clerkUser("user_off", "A", "B", "a@example.com"))
		r := e.webhook(body, e.svixHeaders("msg_off", body)...)
		if r.status != http.StatusNotFound {
			t.Errorf("webhook without a secret = %d %s", r.status, r.raw)
		}
		e.withBearer(e.token("user_off", nil)).must(http.StatusOK, "GET", "/api/v1/me", nil)
	}, func(o *clerkOptions) { o.noWebhooks = true })
}
