package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

var unlimited = accounts.Rate{N: 1 << 30, Per: time.Second}

func fuzzEnv(f *testing.F) *acctEnv {
	return newAcctEnv(f, storetest.Open(f, store.SQLite), func(o *acctOptions) {
		o.limits = accounts.Limits{SignInPerIP: unlimited, SignInPerAccount: unlimited, SignUpPerIP: unlimited,
			ForgotPerIP: unlimited, ForgotPerAccount: unlimited, VerifyPerIP: unlimited, VerifyPerAccount: unlimited}
	})
}

// FuzzSignUpRequest sends arbitrary bodies to POST /auth/signup: the answer
// is always one of the contract's statuses, never a 500, and only a 201
// leaves a user behind.
func FuzzSignUpRequest(f *testing.F) {
	for _, seed := range []string{
		`{"email":"a@example.com","password":"correct horse battery","name":"A"}`,
		`{"email":"a@example.com","password":"short","name":"A"}`,
		`{"email":"","password":"","name":""}`,
		`{"email":"a@b.c","password":"xxxxxxxxxx","name":"\u0000"}`,
		`{"email":["x"]}`,
		`{"email":"a@example.com","password":"correct horse battery","name":"A","extra":1}`,
		`{"email":"a@example.com"`,
		`null`,
		`"x"`,
		``,
	} {
		f.Add([]byte(seed))
	}
	e := fuzzEnv(f)
	c := e.client()
	created := 0
	f.Fuzz(func(t *testing.T, body []byte) {
		e, c := c.in(t)
		r := c.do("POST", "/api/v1/auth/signup", string(body))
		switch r.status {
		case http.StatusCreated:
			created++
		case http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge:
			if r.body["error"] == nil {
				t.Fatalf("%d without the error format: %s", r.status, r.raw)
			}
		default:
			t.Fatalf("signup(%q) = %d %s", body, r.status, r.raw)
		}
		if n := e.count(`SELECT COUNT(*) FROM users`); n != created {
			t.Fatalf("%d users after %d successful sign-ups", n, created)
		}
	})
}

// FuzzSignInRequest sends arbitrary bodies to POST /auth/signin.
func FuzzSignInRequest(f *testing.F) {
	for _, seed := range []string{
		`{"email":"fuzz@example.com","password":"correct horse battery"}`,
		`{"email":"FUZZ@example.com","password":"wrong password"}`,
		`{"email":"nobody@example.com","password":"x"}`,
		`{"email":1,"password":true}`,
		`{"password":"correct horse battery"}`,
		`{}`,
		`[]`,
		`{"email":"fuzz@example.com","password":"correct horse battery"} {}`,
	} {
		f.Add([]byte(seed))
	}
	e := fuzzEnv(f)
	e.signedIn("fuzz@example.com", "correct horse battery")
	c := e.client()
	f.Fuzz(func(t *testing.T, body []byte) {
		_, c := c.in(t)
		r := c.do("POST", "/api/v1/auth/signin", string(body))
		switch r.status {
		case http.StatusOK:
			if r.field("user", "email") != "fuzz@example.com" {
				t.Fatalf("signed in as %s", r.raw)
			}
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge:
			if r.body["error"] == nil {
				t.Fatalf("%d without the error format: %s", r.status, r.raw)
			}
		default:
			t.Fatalf("signin(%q) = %d %s", body, r.status, r.raw)
		}
	})
}
