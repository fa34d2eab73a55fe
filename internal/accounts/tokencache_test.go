package accounts_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// TestTokenRevocationIsImmediateWithTheCache: authenticating a personal
// access token is remembered (SQLite), yet revoking the token, signing out
// everywhere and deleting the account shut it out on the very next
// request, and its use is still recorded once a minute.
func TestTokenRevocationIsImmediateWithTheCache(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var mu sync.Mutex
		now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		svc, err := accounts.New(accounts.Config{Store: s, Mailer: &recordingMailer{}, BaseURL: "https://resonant.example",
			Password: cheap, Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		a, _, err := svc.CreateUser(ctx, accounts.NewUser{Email: "a@example.com", Name: "A"})
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := svc.CreateUser(ctx, accounts.NewUser{Email: "b@example.com", Name: "B"})
		if err != nil {
			t.Fatal(err)
		}
		token := func(userID string) accounts.AccessToken {
			tok, err := svc.CreateAccessToken(ctx, userID, "script")
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}
		a1, a2, b1 := token(a.ID), token(a.ID), token(b.ID)
		want := func(tok accounts.AccessToken, userID string) {
			t.Helper()
			got, err := svc.AuthenticateToken(ctx, tok.Token)
			switch {
			case userID == "" && !errors.Is(err, accounts.ErrUnauthenticated):
				t.Fatalf("token %s: %q, %v; want ErrUnauthenticated", tok.ID, got, err)
			case userID != "" && (err != nil || got != userID):
				t.Fatalf("token %s: %q, %v; want %s", tok.ID, got, err, userID)
			}
		}
		for range 3 {
			want(a1, a.ID)
			want(a2, a.ID)
			want(b1, b.ID)
		}

		// Used again two minutes later: the use is recorded.
		mu.Lock()
		now = now.Add(2 * time.Minute)
		mu.Unlock()
		want(a2, a.ID)
		toks, err := svc.AccessTokens(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range toks {
			if tok.ID == a2.ID && (tok.LastUsedAt == nil || !tok.LastUsedAt.Equal(now)) {
				t.Errorf("last use of the token = %v, want %v", tok.LastUsedAt, now)
			}
		}

		if err := svc.RevokeAccessToken(ctx, a.ID, a1.ID); err != nil {
			t.Fatal(err)
		}
		want(a1, "")
		want(a2, a.ID)
		if err := svc.SignOutEverywhere(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		want(a2, "")
		want(b1, b.ID)
		if err := svc.DeleteAccount(ctx, b.ID, accounts.AccountDeletion{}); err != nil {
			t.Fatal(err)
		}
		want(b1, "")

		if s.Engine() != store.SQLite {
			return
		}
		// The cache is what answers: a row removed behind the store's back
		// (never done outside this test) is not looked up again.
		c1 := token(a.ID)
		want(c1, a.ID)
		if _, err := s.WriteDB().ExecContext(ctx, `DELETE FROM access_tokens WHERE id = ?`, c1.ID); err != nil {
			t.Fatal(err)
		}
		want(c1, a.ID)
	})
}
