package api_test

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/frontdoor"
	"github.com/resonant-journal/resonant/internal/server/servertest"
)

const goodPassword = "correct horse battery"

func TestAccountLifecycle(t *testing.T) {
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		c := e.client()
		r := c.must(http.StatusCreated, "POST", "/api/v1/auth/signup", map[string]any{"email": "Ann@Example.com", "password": goodPassword, "name": " Ann "})
		user := r.body["user"].(map[string]any)
		for _, k := range []string{"id", "email", "name", "tier", "onboardingCompleted", "preferences", "featureFlags", "emailVerified", "createdAt"} {
			if _, ok := user[k]; !ok {
				t.Errorf("user JSON lacks %q: %s", k, r.raw)
			}
		}
		if user["tier"] != "free" || user["name"] != "Ann" || user["emailVerified"] != false {
			t.Errorf("new user = %s", r.raw)
		}
		flags := user["featureFlags"].(map[string]any)
		if len(flags) != 6 || flags["smartReminders"] != true || flags["betaFeatures"] != false {
			t.Errorf("default flags = %v", flags)
		}
		prefs := user["preferences"].(map[string]any)
		if prefs["aiConsent"] != false || prefs["retentionDays"] != float64(0) || prefs["theme"] != "system" {
			t.Errorf("default preferences = %v", prefs)
		}

		// Unverified: the right password is answered 403 email_not_verified.
		r = c.must(http.StatusForbidden, "POST", "/api/v1/auth/signin", map[string]any{"email": "ann@example.com", "password": goodPassword})
		if r.field("error", "code") != "email_not_verified" {
			t.Errorf("unverified sign-in = %s", r.raw)
		}
		token := e.lastToken("Ann@Example.com", "verify")
		c.must(http.StatusOK, "POST", "/api/v1/auth/verify", map[string]any{"token": token})
		r = c.must(http.StatusBadRequest, "POST", "/api/v1/auth/verify", map[string]any{"token": token})
		if !slices.Equal(r.errorFields(), []string{"token"}) {
			t.Errorf("reused token = %s", r.raw)
		}

		c.must(http.StatusUnauthorized, "GET", "/api/v1/me", nil)
		r = c.must(http.StatusOK, "POST", "/api/v1/auth/signin", map[string]any{"email": "ANN@example.com", "password": goodPassword})
		cookie := r.header.Get("Set-Cookie")
		for _, want := range []string{frontdoor.SessionCookieName + "=", "HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(cookie, want) {
				t.Errorf("session cookie %q lacks %q", cookie, want)
			}
		}
		if strings.Contains(cookie, "Secure") {
			t.Errorf("cookie is Secure over http: %q", cookie)
		}
		r = c.must(http.StatusOK, "GET", "/api/v1/me", nil)
		if r.field("user", "emailVerified") != true || r.field("user", "email") != "Ann@Example.com" {
			t.Errorf("GET /me = %s", r.raw)
		}

		r = c.must(http.StatusOK, "PATCH", "/api/v1/me", map[string]any{"name": "Ann B", "preferences": map[string]any{"theme": "dark"}})
		if r.field("user", "name") != "Ann B" || r.field("user", "preferences", "theme") != "dark" || r.field("user", "preferences", "timezone") != "UTC" {
			t.Errorf("PATCH /me = %s", r.raw)
		}
		r = c.must(http.StatusOK, "POST", "/api/v1/me/onboarding", map[string]any{"preferences": map[string]any{
			"timezone": "Europe/Paris", "reminderTime": "21:30", "aiConsent": true, "retentionDays": 365, "theme": "light"}})
		if r.field("user", "onboardingCompleted") != true || r.field("user", "preferences", "timezone") != "Europe/Paris" ||
			r.field("user", "preferences", "aiConsent") != true || r.field("user", "preferences", "retentionDays") != float64(365) {
			t.Errorf("onboarding = %s", r.raw)
		}

		c.must(http.StatusNoContent, "POST", "/api/v1/auth/signout", nil)
		c.must(http.StatusUnauthorized, "GET", "/api/v1/me", nil)
	})
}

func TestSignUpRejectsBadInputNamingTheField(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	code := func(c string) []string { return []string{`"code":"` + c + `"`} }
	signUp := func(name string, body any, wantStatus int, wantFields []string, wantBody []string) servertest.Scenario {
		return servertest.Scenario{Name: name, Method: "POST", Path: "/api/v1/auth/signup", Body: body, WantStatus: wantStatus, WantFields: wantFields, WantBody: wantBody}
	}
	scenarios := []servertest.Scenario{
		signUp("malformed JSON", `{"email":`, 400, nil, code("malformed_json")),
		signUp("not an object", `[1,2]`, 400, nil, nil),
		signUp("two objects", `{} {}`, 400, nil, code("malformed_json")),
		signUp("missing everything", map[string]any{}, 400, []string{"email", "name", "password"}, code("validation_failed")),
		signUp("short password", map[string]any{"email": "a@example.com", "password": "123456789", "name": "A"}, 400, []string{"password"}, nil),
		signUp("password over 1024 bytes", map[string]any{"email": "a@example.com", "password": long(1025), "name": "A"}, 400, []string{"password"}, nil),
		signUp("email over 254", map[string]any{"email": long(250) + "@x.io", "password": goodPassword, "name": "A"}, 400, []string{"email"}, nil),
		signUp("invalid email", map[string]any{"email": "not an email", "password": goodPassword, "name": "A"}, 400, []string{"email"}, nil),
		signUp("email with display name", map[string]any{"email": "Ann <a@example.com>", "password": goodPassword, "name": "A"}, 400, []string{"email"}, nil),
		signUp("name over 100", map[string]any{"email": "a@example.com", "password": goodPassword, "name": long(101)}, 400, []string{"name"}, nil),
		signUp("blank name", map[string]any{"email": "a@example.com", "password": goodPassword, "name": "   "}, 400, []string{"name"}, nil),
		signUp("wrong type", map[string]any{"email": 42, "password": goodPassword, "name": "A"}, 400, []string{"email"}, nil),
		signUp("unknown field", map[string]any{"email": "a@example.com", "password": goodPassword, "name": "A", "tier": "premium"}, 400, []string{"tier"}, nil),
		signUp("body too large", `{"name":"`+long(20<<10)+`"}`, 413, nil, code("body_too_large")),
	}
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		e.Run(t, scenarios)
		if n := e.count(`SELECT COUNT(*) FROM users`); n != 0 {
			t.Errorf("bad sign-ups left %d users behind", n)
		}
		if n := e.count(`SELECT COUNT(*) FROM feature_flags`); n != 0 {
			t.Errorf("bad sign-ups left %d feature flag rows", n)
		}
	})
}

func TestSignUpDuplicateEmailIsConflictCaseInsensitively(t *testing.T) {
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		c := e.client()
		c.must(http.StatusCreated, "POST", "/api/v1/auth/signup", map[string]any{"email": "bo@example.com", "password": goodPassword, "name": "Bo"})
		c.must(http.StatusConflict, "POST", "/api/v1/auth/signup", map[string]any{"email": " BO@Example.COM ", "password": goodPassword, "name": "Bo"})
	})
}

func TestConcurrentSignUpsOfOneEmailCreateOneUser(t *testing.T) {
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		const n = 20
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				email := "same@example.com"
				if i%2 == 1 {
					email = "SAME@example.com"
				}
				statuses[i] = e.client().do("POST", "/api/v1/auth/signup", map[string]any{"email": email, "password": goodPassword, "name": "Same"}).status
			})
		}
		wg.Wait()
		created := 0
		for _, s := range statuses {
			switch s {
			case http.StatusCreated:
				created++
			case http.StatusConflict:
			default:
				t.Errorf("sign-up answered %d", s)
			}
		}
		if created != 1 {
			t.Errorf("%d sign-ups succeeded, want 1 (%v)", created, statuses)
		}
		if got := e.count(`SELECT COUNT(*) FROM users`); got != 1 {
			t.Errorf("%d users, want 1", got)
		}
		if got := e.count(`SELECT COUNT(*) FROM feature_flags`); got != 1 {
			t.Errorf("%d feature flag rows, want 1", got)
		}
	})
}

func TestUnknownEmailAndWrongPasswordGetTheSameAnswer(t *testing.T) {
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		e.signedIn("cy@example.com", goodPassword)
		c := e.client()
		wrong := c.do("POST", "/api/v1/auth/signin", map[string]any{"email": "cy@example.com", "password": "not the password"})
		unknown := c.do("POST", "/api/v1/auth/signin", map[string]any{"email": "nobody@example.com", "password": "not the password"})
		if wrong.status != http.StatusUnauthorized || unknown.status != http.StatusUnauthorized || string(wrong.raw) != string(unknown.raw) {
			t.Errorf("wrong password = %d %s; unknown email = %d %s", wrong.status, wrong.raw, unknown.status, unknown.raw)
		}
	})
}

func TestSignInRateLimitAnswers429WithRetryAfter(t *testing.T) {
	limits := generousLimits
	limits.SignInPerAccount = accounts.Rate{N: 3, Per: time.Minute}
	limits.SignUpPerIP = accounts.Rate{N: 2, Per: time.Hour}
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		c := e.client()
		for range 3 {
			c.must(http.StatusUnauthorized, "POST", "/api/v1/auth/signin", map[string]any{"email": "dee@example.com", "password": "guess guess guess"})
		}
		r := c.must(http.StatusTooManyRequests, "POST", "/api/v1/auth/signin", map[string]any{"email": "DEE@example.com", "password": "guess guess guess"})
		if r.header.Get("Retry-After") != "20" || r.field("error", "code") != "rate_limited" {
			t.Errorf("429 = Retry-After %q %s", r.header.Get("Retry-After"), r.raw)
		}
		// Another account is not affected; after the wait the account is.
		c.must(http.StatusUnauthorized, "POST", "/api/v1/auth/signin", map[string]any{"email": "eve@example.com", "password": "guess guess guess"})
		e.clock.Advance(20 * time.Second)
		c.must(http.StatusUnauthorized, "POST", "/api/v1/auth/signin", map[string]any{"email": "dee@example.com", "password": "guess guess guess"})

		// Sign-ups are limited per IP.
		for i := range 2 {
			c.must(http.StatusCreated, "POST", "/api/v1/auth/signup", map[string]any{"email": string(rune('a'+i)) + "@example.com", "password": goodPassword, "name": "X"})
		}
		r = c.must(http.StatusTooManyRequests, "POST", "/api/v1/auth/signup", map[string]any{"email": "z@example.com", "password": goodPassword, "name": "X"})
		if r.header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}, func(o *acctOptions) { o.limits = limits })
}

func TestForgotPasswordAnswers202ForUnknownEmailsAndIsLimited(t *testing.T) {
	limits := generousLimits
	limits.ForgotPerAccount = accounts.Rate{N: 2, Per: time.Hour}
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		c := e.client()
		before := e.mailCount()
		c.must(http.StatusAccepted, "POST", "/api/v1/auth/password/forgot", map[string]any{"email": "ghost@example.com"})
		if e.mailCount() != before {
			t.Error("a reset mail went to an unknown address")
		}
		c.must(http.StatusAccepted, "POST", "/api/v1/auth/password/forgot", map[string]any{"email": "ghost@example.com"})
		c.must(http.StatusTooManyRequests, "POST", "/api/v1/auth/password/forgot", map[string]any{"email": "ghost@example.com"})
		r := c.must(http.StatusBadRequest, "POST", "/api/v1/auth/password/forgot", map[string]any{"email": "nope"})
		if !slices.Equal(r.errorFields(), []string{"email"}) {
			t.Errorf("invalid email = %s", r.raw)
		}
	}, func(o *acctOptions) { o.limits = limits })
}

func TestPasswordResetRevokesEverySession(t *testing.T) {
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		laptop, id := e.signedIn("fay@example.com", goodPassword)
		phone := e.client()
		phone.must(http.StatusOK, "POST", "/api/v1/auth/signin", map[string]any{"email": "fay@example.com", "password": goodPassword})
		phone.must(http.StatusOK, "GET", "/api/v1/me", nil)
		// An intruder's token: the reset must shut it out too.
		patToken := phone.must(http.StatusCreated, "POST", "/api/v1/me/tokens", map[string]any{"name": "intruder"}).body["token"].(string)
		if n := e.count(`SELECT COUNT(*) FROM sessions WHERE user_id = ?`, id); n != 2 {
			t.Fatalf("%d session rows for the user, want 2", n)
		}

		anon := e.client()
		anon.must(http.StatusAccepted, "POST", "/api/v1/auth/password/forgot", map[string]any{"email": "FAY@example.com"})
		token := e.lastToken("fay@example.com", "reset")
		r := anon.must(http.StatusBadRequest, "POST", "/api/v1/auth/password/reset", map[string]any{"token": token, "password": "short"})
		if !slices.Equal(r.errorFields(), []string{"password"}) {
			t.Errorf("short reset password = %s", r.raw)
		}
		anon.must(http.StatusNoContent, "POST", "/api/v1/auth/password/reset", map[string]any{"token": token, "password": "a brand new password"})
		anon.must(http.StatusBadRequest, "POST", "/api/v1/auth/password/reset", map[string]any{"token": token, "password": "yet another password"})

		laptop.must(http.StatusUnauthorized, "GET", "/api/v1/me", nil)
		phone.must(http.StatusUnauthorized, "GET", "/api/v1/me", nil)
		if n := e.count(`SELECT COUNT(*) FROM sessions WHERE user_id = ?`, id); n != 0 {
			t.Errorf("%d session rows left after reset", n)
		}
		e.withBearer(patToken).must(http.StatusUnauthorized, "GET", "/api/v1/me", nil)
		if n := e.count(`SELECT COUNT(*) FROM access_tokens WHERE user_id = ?`, id); n != 0 {
			t.Errorf("%d access tokens left after reset", n)
		}
		anon.must(http.StatusUnauthorized, "POST", "/api/v1/auth/signin", map[string]any{"email": "fay@example.com", "password": goodPassword})
		anon.must(http.StatusOK, "POST", "/api/v1/auth/signin", map[string]any{"email": "fay@example.com", "password": "a brand new password"})
		anon.must(http.StatusOK, "GET", "/api/v1/me", nil)
	})
}

func TestExpiredEmailTokensAreRefused(t *testing.T) {
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		c := e.client()
		c.must(http.StatusCreated, "POST", "/api/v1/auth/signup", map[string]any{"email": "gil@example.com", "password": goodPassword, "name": "Gil"})
		token := e.lastToken("gil@example.com", "verify")
		e.clock.Advance(49 * time.Hour)
		r := c.must(http.StatusBadRequest, "POST", "/api/v1/auth/verify", map[string]any{"token": token})
		if !slices.Equal(r.errorFields(), []string{"token"}) {
			t.Errorf("expired token = %s", r.raw)
		}
		c.must(http.StatusBadRequest, "POST", "/api/v1/auth/verify", map[string]any{"token": "tampered"})
		// A new link can be asked for, and works.
		c.must(http.StatusAccepted, "POST", "/api/v1/auth/verify/resend", map[string]any{"email": "gil@example.com"})
		c.must(http.StatusOK, "POST", "/api/v1/auth/verify", map[string]any{"token": e.lastToken("gil@example.com", "verify")})
	})
}

func TestSessionIdleAndAbsoluteLifetimes(t *testing.T) {
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		c, _ := e.signedIn("hal@example.com", goodPassword)
		// Activity inside the idle timeout keeps the session alive.
		for range 3 {
			e.clock.Advance(50 * time.Minute)
			c.must(http.StatusOK, "GET", "/api/v1/me", nil)
		}
		e.clock.Advance(61 * time.Minute)
		c.must(http.StatusUnauthorized, "GET", "/api/v1/me", nil)

		c2, _ := e.signedIn("ida@example.com", goodPassword)
		for range 6 { // active every 50 minutes, but past the 4-hour lifetime
			e.clock.Advance(50 * time.Minute)
			c2.do("GET", "/api/v1/me", nil)
		}
		c2.must(http.StatusUnauthorized, "GET", "/api/v1/me", nil)
	}, func(o *acctOptions) {
		o.session = frontdoor.SessionConfig{IdleTimeout: time.Hour, Lifetime: 4 * time.Hour}
	})
}

func TestTamperedCookieIsUnauthenticated(t *testing.T) {
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		e.signedIn("jo@example.com", goodPassword)
		c := e.client()
		for _, v := range []string{"forged", strings.Repeat("A", 43), "x;y"} {
			r := c.do("GET", "/api/v1/me", nil, "Cookie", frontdoor.SessionCookieName+"="+v)
			if r.status != http.StatusUnauthorized || r.field("error", "code") != "unauthenticated" {
				t.Errorf("cookie %q: %d %s", v, r.status, r.raw)
			}
		}
	})
}

func TestAccessTokensAuthenticateUntilRevoked(t *testing.T) {
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		c, id := e.signedIn("kim@example.com", goodPassword)
		r := c.must(http.StatusCreated, "POST", "/api/v1/me/tokens", map[string]any{"name": "script"})
		token, _ := r.body["token"].(string)
		tokenID, _ := r.body["id"].(string)
		if len(token) != 43 || tokenID == "" {
			t.Fatalf("create token = %s", r.raw)
		}
		if n := e.count(`SELECT COUNT(*) FROM access_tokens WHERE token_hash = ?`, token); n != 0 {
			t.Error("the token is stored in clear")
		}
		bearer := e.withBearer(token)
		r = bearer.must(http.StatusOK, "GET", "/api/v1/me", nil)
		if r.field("user", "id") != id {
			t.Errorf("bearer /me = %s", r.raw)
		}
		// A bearer request is not cookie-bound: cross-origin headers don't matter.
		bearer.must(http.StatusOK, "PATCH", "/api/v1/me", map[string]any{"name": "Kim"})

		list := c.must(http.StatusOK, "GET", "/api/v1/me/tokens", nil)
		items, _ := list.body["items"].([]any)
		if len(items) != 1 || strings.Contains(string(list.raw), token) || items[0].(map[string]any)["lastUsedAt"] == nil {
			t.Errorf("token list = %s", list.raw)
		}

		other, _ := e.signedIn("lee@example.com", goodPassword)
		other.must(http.StatusNotFound, "DELETE", "/api/v1/me/tokens/"+tokenID, nil)
		c.must(http.StatusNoContent, "DELETE", "/api/v1/me/tokens/"+tokenID, nil)
		r = bearer.must(http.StatusUnauthorized, "GET", "/api/v1/me", nil)
		if r.field("error", "code") != "unauthenticated" {
			t.Errorf("revoked token = %s", r.raw)
		}
		e.withBearer("not-a-token").must(http.StatusUnauthorized, "GET", "/api/v1/me", nil)
	})
}

func TestCrossOriginCookieWritesAreRefused(t *testing.T) {
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		c, _ := e.signedIn("max@example.com", goodPassword)
		r := c.do("PATCH", "/api/v1/me", map[string]any{"name": "Evil"}, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
		if r.status != http.StatusForbidden {
			t.Errorf("cross-site cookie write = %d %s", r.status, r.raw)
		}
		c.must(http.StatusOK, "GET", "/api/v1/me", nil) // safe methods pass
		r = c.do("PATCH", "/api/v1/me", map[string]any{"name": "Max"}, "Sec-Fetch-Site", "same-origin")
		if r.status != http.StatusOK {
			t.Errorf("same-origin cookie write = %d %s", r.status, r.raw)
		}
	})
}

func TestProtectedPathsRequireAuthentication(t *testing.T) {
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		var scenarios []servertest.Scenario
		for _, p := range []string{"/api/v1/me", "/api/v1/me/tokens", "/api/v1/entries", "/api/v1/anything"} {
			scenarios = append(scenarios, servertest.Scenario{Name: "GET " + p, Method: "GET", Path: p, WantStatus: http.StatusUnauthorized,
				WantBody: []string{`"code":"unauthenticated"`}})
		}
		scenarios = append(scenarios,
			servertest.Scenario{Name: "a page redirects to sign-in", Method: "GET", Path: "/dashboard", WantStatus: http.StatusSeeOther,
				Check: func(t *testing.T, r servertest.Response) {
					if r.Header.Get("Location") != "/signin?next=%2Fdashboard" {
						t.Errorf("GET /dashboard = %d %q", r.Status, r.Header.Get("Location"))
					}
				}},
			servertest.Scenario{Name: "health is public with security headers", Method: "GET", Path: "/healthz", WantStatus: http.StatusOK,
				Check: func(t *testing.T, r servertest.Response) {
					if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Referrer-Policy") != "no-referrer" {
						t.Errorf("GET /healthz = %d %v", r.Status, r.Header)
					}
				}},
		)
		e.Run(t, scenarios)
	})
}

func TestPreferencesAreValidated(t *testing.T) {
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		c, _ := e.signedIn("ned@example.com", goodPassword)
		r := c.must(http.StatusBadRequest, "POST", "/api/v1/me/onboarding", map[string]any{"preferences": map[string]any{
			"timezone": "Mars/Olympus", "reminderTime": "25:00", "retentionDays": 3651, "theme": "neon"}})
		want := []string{"preferences.reminderTime", "preferences.retentionDays", "preferences.theme", "preferences.timezone"}
		if !slices.Equal(r.errorFields(), want) {
			t.Errorf("fields = %v, want %v", r.errorFields(), want)
		}
		r = c.must(http.StatusBadRequest, "POST", "/api/v1/me/onboarding", map[string]any{})
		if !slices.Equal(r.errorFields(), []string{"preferences"}) {
			t.Errorf("missing preferences = %s", r.raw)
		}
		r = c.must(http.StatusBadRequest, "PATCH", "/api/v1/me", map[string]any{"preferences": map[string]any{"aiConsent": "yes"}})
		if !slices.Equal(r.errorFields(), []string{"preferences.aiConsent"}) {
			t.Errorf("aiConsent string = %s", r.raw)
		}
		r = c.must(http.StatusOK, "GET", "/api/v1/me", nil)
		if r.field("user", "onboardingCompleted") != false || r.field("user", "preferences", "theme") != "system" {
			t.Errorf("rejected updates changed the user: %s", r.raw)
		}
	})
}

func TestDeleteMeRemovesEverythingOfTheUser(t *testing.T) {
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		c, id := e.signedIn("oli@example.com", goodPassword)
		c.must(http.StatusCreated, "POST", "/api/v1/me/tokens", map[string]any{"name": "t"})
		keep, keepID := e.signedIn("pat@example.com", goodPassword)
		r := c.must(http.StatusBadRequest, "DELETE", "/api/v1/me", map[string]any{"password": "wrong password!"})
		if !slices.Equal(r.errorFields(), []string{"password"}) {
			t.Errorf("wrong password = %s", r.raw)
		}
		c.must(http.StatusNoContent, "DELETE", "/api/v1/me", map[string]any{"password": goodPassword})
		c.must(http.StatusUnauthorized, "GET", "/api/v1/me", nil)
		for _, table := range []string{"users", "feature_flags", "sessions", "access_tokens", "email_tokens"} {
			col := "user_id"
			if table == "users" {
				col = "id"
			}
			if n := e.count(`SELECT COUNT(*) FROM `+table+` WHERE `+col+` = ?`, id); n != 0 {
				t.Errorf("%d rows of the deleted user left in %s", n, table)
			}
		}
		keep.must(http.StatusOK, "GET", "/api/v1/me", nil)
		if n := e.count(`SELECT COUNT(*) FROM users WHERE id = ?`, keepID); n != 1 {
			t.Error("another user went too")
		}
		// The email is free again.
		e.client().must(http.StatusCreated, "POST", "/api/v1/auth/signup", map[string]any{"email": "oli@example.com", "password": goodPassword, "name": "Oli"})
	})
}

func TestSecureCookieUnderTLS(t *testing.T) {
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		c := e.client()
		c.must(http.StatusCreated, "POST", "/api/v1/auth/signup", map[string]any{"email": "quin@example.com", "password": goodPassword, "name": "Q"})
		c.must(http.StatusOK, "POST", "/api/v1/auth/verify", map[string]any{"token": e.lastToken("quin@example.com", "verify")})
		r := c.must(http.StatusOK, "POST", "/api/v1/auth/signin", map[string]any{"email": "quin@example.com", "password": goodPassword})
		if !strings.Contains(r.header.Get("Set-Cookie"), "Secure") || r.header.Get("Strict-Transport-Security") == "" {
			t.Errorf("Set-Cookie %q, HSTS %q", r.header.Get("Set-Cookie"), r.header.Get("Strict-Transport-Security"))
		}
	}, func(o *acctOptions) { o.session.Secure = true })
}

func TestSignInRenewsTheSessionToken(t *testing.T) {
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		c := e.client()
		c.must(http.StatusCreated, "POST", "/api/v1/auth/signup", map[string]any{"email": "rae@example.com", "password": goodPassword, "name": "Rae"})
		c.must(http.StatusOK, "POST", "/api/v1/auth/verify", map[string]any{"token": e.lastToken("rae@example.com", "verify")})
		first := c.must(http.StatusOK, "POST", "/api/v1/auth/signin", map[string]any{"email": "rae@example.com", "password": goodPassword}).header.Get("Set-Cookie")
		second := c.must(http.StatusOK, "POST", "/api/v1/auth/signin", map[string]any{"email": "rae@example.com", "password": goodPassword}).header.Get("Set-Cookie")
		if first == "" || first == second {
			t.Errorf("sign-in did not issue a new session token: %q then %q", first, second)
		}
		old := strings.SplitN(strings.SplitN(first, ";", 2)[0], "=", 2)[1]
		r := e.client().do("GET", "/api/v1/me", nil, "Cookie", frontdoor.SessionCookieName+"="+old)
		if r.status != http.StatusUnauthorized {
			t.Errorf("the pre-renewal token still works: %d", r.status)
		}
	})
}

func TestVerificationIsRateLimitedPerIPAndAccount(t *testing.T) {
	limits := generousLimits
	limits.VerifyPerIP = accounts.Rate{N: 3, Per: time.Hour}
	limits.VerifyPerAccount = accounts.Rate{N: 1, Per: time.Hour}
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		c := e.client()
		c.must(http.StatusAccepted, "POST", "/api/v1/auth/verify/resend", map[string]any{"email": "sam@example.com"})
		r := c.must(http.StatusTooManyRequests, "POST", "/api/v1/auth/verify/resend", map[string]any{"email": "SAM@example.com"})
		if r.header.Get("Retry-After") != "3600" {
			t.Errorf("per-account Retry-After = %q", r.header.Get("Retry-After"))
		}
		c.must(http.StatusBadRequest, "POST", "/api/v1/auth/verify", map[string]any{"token": strings.Repeat("A", 43)})
		r = c.must(http.StatusTooManyRequests, "POST", "/api/v1/auth/verify", map[string]any{"token": strings.Repeat("B", 43)})
		if r.header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}, func(o *acctOptions) { o.limits = limits })
}

func TestSignOutEverywhereRevokesEverySessionAndToken(t *testing.T) {
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		laptop, id := e.signedIn("tia@example.com", goodPassword)
		phone := e.client()
		phone.must(http.StatusOK, "POST", "/api/v1/auth/signin", map[string]any{"email": "tia@example.com", "password": goodPassword})
		token := laptop.must(http.StatusCreated, "POST", "/api/v1/me/tokens", map[string]any{"name": "cli"}).body["token"].(string)
		other, _ := e.signedIn("uma@example.com", goodPassword)
		otherToken := other.must(http.StatusCreated, "POST", "/api/v1/me/tokens", map[string]any{"name": "cli"}).body["token"].(string)

		phone.must(http.StatusNoContent, "POST", "/api/v1/me/signout-everywhere", nil)
		laptop.must(http.StatusUnauthorized, "GET", "/api/v1/me", nil)
		phone.must(http.StatusUnauthorized, "GET", "/api/v1/me", nil)
		e.withBearer(token).must(http.StatusUnauthorized, "GET", "/api/v1/me", nil)
		other.must(http.StatusOK, "GET", "/api/v1/me", nil)
		e.withBearer(otherToken).must(http.StatusOK, "GET", "/api/v1/me", nil)
		if n := e.count(`SELECT COUNT(*) FROM access_tokens WHERE user_id = ?`, id); n != 0 {
			t.Errorf("%d access tokens left", n)
		}
		if n := e.count(`SELECT COUNT(*) FROM sessions WHERE user_id = ?`, id); n != 0 {
			t.Errorf("%d session rows left", n)
		}
		// A token made afterwards works: signing out everywhere is not a ban.
		again := e.client()
		again.must(http.StatusOK, "POST", "/api/v1/auth/signin", map[string]any{"email": "tia@example.com", "password": goodPassword})
		fresh := again.must(http.StatusCreated, "POST", "/api/v1/me/tokens", map[string]any{"name": "cli"}).body["token"].(string)
		e.withBearer(fresh).must(http.StatusOK, "GET", "/api/v1/me", nil)
	})
}
