package accounts_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// lockoutEnv is a service with the default limits and a verified user.
type lockoutEnv struct {
	svc   *accounts.Service
	email string
}

const ownerPassword = "the owner's own password"

func newLockoutEnv(t *testing.T, s *store.Store) *lockoutEnv {
	t.Helper()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	svc, err := accounts.New(accounts.Config{Store: s, Mailer: &recordingMailer{}, BaseURL: "http://x", Password: cheap,
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	hash, err := accounts.HashPassword(ownerPassword, cheap)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.CreateUser(context.Background(), accounts.NewUser{Email: "owner@example.com", Name: "O", PasswordHash: hash, EmailVerified: true}); err != nil {
		t.Fatal(err)
	}
	return &lockoutEnv{svc: svc, email: "owner@example.com"}
}

func (e *lockoutEnv) signIn(password, ip string) error {
	_, err := e.svc.SignIn(context.Background(), accounts.SignInInput{Email: e.email, Password: password, IP: ip})
	return err
}

func isRateLimited(err error) bool {
	var rl *accounts.RateLimitedError
	return errors.As(err, &rl)
}

// TestStrangersCannotLockTheOwnerOut: anyone who knows an email address
// could lock its owner out with ten wrong passwords; the lock is now per
// (account, address), so the owner's right password from another address
// still works.
func TestStrangersCannotLockTheOwnerOut(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		e := newLockoutEnv(t, s)
		n := accounts.DefaultLimits.SignInPerAccountIP.N
		for a := range 5 {
			ip := fmt.Sprintf("203.0.113.%d", a+1)
			for i := range n {
				if err := e.signIn("a wrong guess!", ip); !errors.Is(err, accounts.ErrInvalidCredentials) {
					t.Fatalf("stranger's guess %d from %s = %v, want invalid credentials", i+1, ip, err)
				}
			}
			if err := e.signIn("a wrong guess!", ip); !isRateLimited(err) {
				t.Fatalf("stranger's guess %d from %s = %v, want rate limited", n+1, ip, err)
			}
		}
		if err := e.signIn(ownerPassword, "198.51.100.7"); err != nil {
			t.Fatalf("the owner from their own address = %v, want signed in", err)
		}
	})
}

// TestGuessingStaysThrottled: per address, and across many addresses under
// the higher per-account ceiling; right passwords use up neither.
func TestGuessingStaysThrottled(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		e := newLockoutEnv(t, s)
		perAddr, perAcct := accounts.DefaultLimits.SignInPerAccountIP, accounts.DefaultLimits.SignInPerAccount

		// The owner signing in often does not use up the budget for typos
		// (every attempt does count against the address's overall limit).
		for range 15 {
			if err := e.signIn(ownerPassword, "198.51.100.7"); err != nil {
				t.Fatal(err)
			}
		}
		for i := range perAddr.N {
			if err := e.signIn("typo typo typo", "198.51.100.7"); !errors.Is(err, accounts.ErrInvalidCredentials) {
				t.Fatalf("wrong password %d after 15 sign-ins = %v, want invalid credentials", i+1, err)
			}
		}
		// One address: the 11th attempt is refused, even with the right password.
		err := e.signIn(ownerPassword, "198.51.100.7")
		var rl *accounts.RateLimitedError
		if !errors.As(err, &rl) || rl.Wait != perAddr.Per/time.Duration(perAddr.N) {
			t.Fatalf("attempt %d from one address = %v, want rate limited for %s", perAddr.N+1, err, perAddr.Per/time.Duration(perAddr.N))
		}

		// Many addresses: the account's ceiling stops guessing spread over them.
		failed := perAddr.N
		for a := 0; failed < perAcct.N; a++ {
			ip := fmt.Sprintf("203.0.113.%d", a+1)
			for i := 0; i < 3 && failed < perAcct.N; i++ {
				if err := e.signIn("a wrong guess!", ip); !errors.Is(err, accounts.ErrInvalidCredentials) {
					t.Fatalf("guess %d overall (from %s) = %v, want invalid credentials", failed+1, ip, err)
				}
				failed++
			}
		}
		if err := e.signIn("a wrong guess!", "192.0.2.200"); !isRateLimited(err) {
			t.Fatalf("guess %d overall, from a fresh address = %v, want rate limited", perAcct.N+1, err)
		}
		if perAcct.N <= 2*perAddr.N {
			t.Errorf("the per-account ceiling (%d) should be well above the per-address limit (%d)", perAcct.N, perAddr.N)
		}
	})
}
