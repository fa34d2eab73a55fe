package accounts_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

func testPublicKeyPEM(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func TestNewClerkRefusesIncompleteConfiguration(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	acc := newService(t, s, &recordingMailer{})
	pub := testPublicKeyPEM(t)
	for name, cfg := range map[string]accounts.ClerkConfig{
		"no issuer":           {Accounts: acc, PublicKeyPEM: pub},
		"no key":              {Accounts: acc, Issuer: "https://clerk.example.com"},
		"not a PEM key":       {Accounts: acc, PublicKeyPEM: "ssh-rsa AAAA", Issuer: "https://clerk.example.com"},
		"secret not base64":   {Accounts: acc, PublicKeyPEM: pub, Issuer: "https://clerk.example.com", WebhookSecret: "whsec_!!!"},
		"no accounts service": {PublicKeyPEM: pub, Issuer: "https://clerk.example.com"},
	} {
		if _, err := accounts.NewClerk(cfg); err == nil {
			t.Errorf("%s: NewClerk succeeded", name)
		}
	}
	c, err := accounts.NewClerk(accounts.ClerkConfig{Accounts: acc, PublicKeyPEM: pub, Issuer: "https://clerk.example.com"})
	if err != nil || c.WebhooksEnabled() {
		t.Errorf("without a secret: %v, webhooks %v", err, err == nil && c.WebhooksEnabled())
	}
}

func TestClerkUserNameIsOneCleanLine(t *testing.T) {
	for _, tc := range []struct {
		u    accounts.ClerkUser
		want string
	}{
		{accounts.ClerkUser{FirstName: "John", LastName: "Doe"}, "John Doe"},
		{accounts.ClerkUser{FirstName: "  Ann ", LastName: ""}, "Ann"},
		{accounts.ClerkUser{LastName: "Solo"}, "Solo"},
		{accounts.ClerkUser{Username: "jdoe"}, "jdoe"},
		{accounts.ClerkUser{FirstName: "Evil\x00", LastName: "Line\r\nBreak"}, "Evil Line Break"},
		{accounts.ClerkUser{FirstName: strings.Repeat("é", 150)}, strings.Repeat("é", accounts.MaxNameLen)},
	} {
		if got := tc.u.Name(); got != tc.want {
			t.Errorf("%+v.Name() = %q, want %q", tc.u, got, tc.want)
		}
	}
}

func TestClerkUsersWithoutEmailDoNotCollide(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acc := newService(t, s, &recordingMailer{})
		c, err := accounts.NewClerk(accounts.ClerkConfig{Accounts: acc, PublicKeyPEM: testPublicKeyPEM(t), Issuer: "https://clerk.example.com"})
		if err != nil {
			t.Fatal(err)
		}
		a, err := c.SyncUser(ctx, accounts.ClerkUser{ID: "user_phone1", FirstName: "Pat"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := c.SyncUser(ctx, accounts.ClerkUser{ID: "user_phone2", FirstName: "Sam", Email: "not an address"})
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == b.ID || a.Email != "" || b.Email != "" || a.EmailVerified {
			t.Errorf("phone-only users = %+v, %+v", a, b)
		}
		// Adding an email later fills it in and marks it verified (Clerk
		// verified it); syncing the same data again writes nothing.
		a2, err := c.SyncUser(ctx, accounts.ClerkUser{ID: "user_phone1", FirstName: "Pat", Email: "pat@example.com"})
		if err != nil || a2.ID != a.ID || a2.Email != "pat@example.com" || !a2.EmailVerified {
			t.Errorf("after adding an email = %+v, %v", a2, err)
		}
		a3, err := c.SyncUser(ctx, accounts.ClerkUser{ID: "user_phone1", FirstName: "Pat", Email: "pat@example.com"})
		if err != nil || a3 != a2 {
			t.Errorf("re-sync changed the user: %+v, %v", a3, err)
		}
		// A built-in account's email is never taken over.
		if _, _, err := acc.CreateUser(ctx, accounts.NewUser{Email: "own@example.com", Name: "Own"}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.SyncUser(ctx, accounts.ClerkUser{ID: "user_thief", Email: "OWN@example.com"}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("sync onto a built-in account's email = %v, want ErrConflict", err)
		}
		if _, err := s.UserByClerkID(ctx, "user_thief"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a refused sync left a user behind: %v", err)
		}
		if err := c.DeleteClerkUser(ctx, "user_unknown"); err != nil {
			t.Errorf("deleting an unknown Clerk user = %v", err)
		}
	})
}
