package accounts_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
	"github.com/resonant-journal/resonant/internal/validate"
)

var cheap = accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// recordingMailer keeps messages; when gate is set, Send waits for it.
type recordingMailer struct {
	mu   sync.Mutex
	sent []mail.Message
	gate chan struct{}
}

func (m *recordingMailer) Send(ctx context.Context, msg mail.Message) error {
	if m.gate != nil {
		<-m.gate
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, msg)
	return nil
}

func (m *recordingMailer) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sent)
}

func newService(t testing.TB, s *store.Store, m mail.Mailer) *accounts.Service {
	t.Helper()
	svc, err := accounts.New(accounts.Config{Store: s, Mailer: m, BaseURL: "https://resonant.example", Password: cheap})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestCreateUserIsIdempotentByEmailAndClerkID(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(t, s, &recordingMailer{})
		const n = 20
		ids := make([]string, n)
		created := make([]bool, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				nu := accounts.NewUser{Email: "clerk@example.com", Name: "C", ClerkID: "user_123", EmailVerified: true}
				if i%2 == 1 {
					nu.Email = "CLERK@example.com"
				}
				var u accounts.User
				u, created[i], errs[i] = svc.CreateUser(ctx, nu)
				ids[i] = u.ID
			})
		}
		wg.Wait()
		nCreated := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("CreateUser: %v", errs[i])
			}
			if ids[i] != ids[0] {
				t.Fatalf("CreateUser returned users %s and %s", ids[0], ids[i])
			}
			if created[i] {
				nCreated++
			}
		}
		if nCreated != 1 {
			t.Errorf("%d calls report creating the user, want 1", nCreated)
		}
		// The same Clerk id with another email is still the same user.
		u, created2, err := svc.CreateUser(ctx, accounts.NewUser{Email: "changed@example.com", Name: "C", ClerkID: "user_123"})
		if err != nil || created2 || u.ID != ids[0] {
			t.Errorf("CreateUser by Clerk id = %s, %v, %v; want existing %s", u.ID, created2, err, ids[0])
		}
		if u.Tier != accounts.TierFree || !u.FeatureFlags.SmartReminders || u.Preferences.AIConsent {
			t.Errorf("new user defaults = %+v", u)
		}
	})
}

func TestCreateUserNeverHandsAClerkIdentityAnotherAccount(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(t, s, &recordingMailer{})
		owner, _, err := svc.CreateUser(ctx, accounts.NewUser{Email: "taken@example.com", Name: "Owner"})
		if err != nil {
			t.Fatal(err)
		}
		u, created, err := svc.CreateUser(ctx, accounts.NewUser{Email: "Taken@example.com", Name: "Other", ClerkID: "user_other"})
		if !errors.Is(err, store.ErrConflict) || created || u.ID == owner.ID {
			t.Fatalf("CreateUser = %s, %v, %v; want ErrConflict and no account", u.ID, created, err)
		}
		if _, err := s.UserByClerkID(ctx, "user_other"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a user with the Clerk id exists after the conflict: %v", err)
		}
	})
}

func TestForgotPasswordAnswersBeforeAnyMailIsSent(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		m := &recordingMailer{}
		svc := newService(t, s, m)
		if _, _, err := svc.CreateUser(ctx, accounts.NewUser{Email: "known@example.com", Name: "K", EmailVerified: true}); err != nil {
			t.Fatal(err)
		}
		m.gate = make(chan struct{})
		// Both calls return while the mailer is blocked: a known email does
		// no more work in the request than an unknown one.
		for _, email := range []string{"known@example.com", "unknown@example.com"} {
			if err := svc.ForgotPassword(ctx, email, "192.0.2.1"); err != nil {
				t.Fatalf("ForgotPassword(%s) = %v", email, err)
			}
		}
		close(m.gate)
		svc.Wait()
		if m.count() != 1 || m.sent[0].To != "known@example.com" {
			t.Errorf("mails sent: %+v", m.sent)
		}
	})
}

func TestAdminSetTierAndFlagValidate(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(t, s, &recordingMailer{})
		if _, _, err := svc.CreateUser(ctx, accounts.NewUser{Email: "admin@example.com", Name: "A"}); err != nil {
			t.Fatal(err)
		}
		u, err := svc.SetTier(ctx, "ADMIN@example.com", "premium")
		if err != nil || u.Tier != "premium" {
			t.Fatalf("SetTier = %+v, %v", u, err)
		}
		var verr validate.Errors
		if _, err := svc.SetTier(ctx, "admin@example.com", "gold"); !errors.As(err, &verr) {
			t.Errorf("SetTier(gold) = %v, want a validation error", err)
		}
		u, err = svc.SetFlag(ctx, "admin@example.com", "betaFeatures", true)
		if err != nil || !u.FeatureFlags.BetaFeatures || !u.FeatureFlags.SmartReminders {
			t.Fatalf("SetFlag = %+v, %v", u.FeatureFlags, err)
		}
		if _, err := svc.SetFlag(ctx, "admin@example.com", "telepathy", true); !errors.As(err, &verr) {
			t.Errorf("SetFlag(telepathy) = %v, want a validation error", err)
		}
		if _, err := svc.SetTier(ctx, "nobody@example.com", "free"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SetTier(unknown) = %v, want ErrNotFound", err)
		}
	})
}

func TestLastActiveIsWrittenAtMostOncePerMinute(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		svc, err := accounts.New(accounts.Config{Store: s, Mailer: &recordingMailer{}, BaseURL: "http://x", Password: cheap,
			Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		u, _, err := svc.CreateUser(ctx, accounts.NewUser{Email: "act@example.com", Name: "A"})
		if err != nil {
			t.Fatal(err)
		}
		at, err := svc.CreateAccessToken(ctx, u.ID, "t")
		if err != nil {
			t.Fatal(err)
		}
		lastActive := func() time.Time {
			row, err := s.UserByID(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return row.LastActiveAt
		}
		if _, err := svc.AuthenticateToken(ctx, at.Token); err != nil {
			t.Fatal(err)
		}
		first := lastActive()
		now = now.Add(30 * time.Second)
		if _, err := svc.AuthenticateToken(ctx, at.Token); err != nil {
			t.Fatal(err)
		}
		if got := lastActive(); !got.Equal(first) {
			t.Errorf("last_active_at moved after 30s: %v → %v", first, got)
		}
		now = now.Add(31 * time.Second)
		if err := svc.AuthenticateSession(ctx, u.ID, u.SessionEpoch); err != nil {
			t.Fatal(err)
		}
		if got := lastActive(); !got.Equal(now) {
			t.Errorf("last_active_at = %v after a minute, want %v", got, now)
		}
		if err := svc.AuthenticateSession(ctx, u.ID, u.SessionEpoch+1); !errors.Is(err, accounts.ErrUnauthenticated) {
			t.Errorf("a stale session epoch = %v, want ErrUnauthenticated", err)
		}
	})
}

// BenchmarkSignIn measures a successful sign-in with the production
// argon2id cost (19 MiB, t=2) on SQLite.
func BenchmarkSignIn(b *testing.B) {
	s := storetest.Open(b, store.SQLite)
	ctx := context.Background()
	svc, err := accounts.New(accounts.Config{Store: s, Mailer: &recordingMailer{}, BaseURL: "http://x",
		Limits: accounts.Limits{SignInPerIP: accounts.Rate{N: 1 << 30, Per: time.Second}, SignInPerAccount: accounts.Rate{N: 1 << 30, Per: time.Second}}})
	if err != nil {
		b.Fatal(err)
	}
	hash, err := accounts.HashPassword("correct horse battery", accounts.DefaultPasswordParams)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := svc.CreateUser(ctx, accounts.NewUser{Email: "bench@example.com", Name: "B", PasswordHash: hash, EmailVerified: true}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.SignIn(ctx, accounts.SignInInput{Email: "bench@example.com", Password: "correct horse battery", IP: "192.0.2.1"}); err != nil {
			b.Fatal(err)
		}
	}
}
